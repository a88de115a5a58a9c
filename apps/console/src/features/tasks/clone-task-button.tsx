import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router-dom';
import type { TaskView } from '@walbridge/contracts';
import { createTask } from '../../api/tasks.api';
import { cloneTaskInput } from './task-clone';
import { taskKeys } from './use-tasks.query';

/** Creates the copy and opens its setup at the connections, where the passwords are typed again. */
export function CloneTaskButton({ task }: { task: TaskView }) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const clone = useMutation({
    mutationFn: () => createTask(cloneTaskInput(task)),
    onSuccess: (created) => {
      void queryClient.invalidateQueries({ queryKey: taskKeys.all });
      navigate(`/tasks/${created.id}/setup?step=2`, { state: { clonedFrom: task.name } });
    },
  });
  return (
    <>
      <button type="button" className="button" disabled={clone.isPending} onClick={() => clone.mutate()}>
        Clone
      </button>
      {clone.error && (
        <p className="notice notice--error" role="alert">
          Could not clone the task: {clone.error.message}
        </p>
      )}
    </>
  );
}
