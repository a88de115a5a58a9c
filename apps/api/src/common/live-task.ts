import { DomainError } from '@walbridge/domain';
import type { TaskEntity, TaskRepository } from '@walbridge/persistence';

/** The task, or the 404 a deleted or unknown task gets everywhere in the API. */
export async function loadLiveTask(tasks: TaskRepository, id: string): Promise<TaskEntity> {
  const task = await tasks.findById(id);
  if (!task || task.status === 'DELETED') throw new DomainError('not-found', 'TASK_NOT_FOUND', `task ${id} not found`);
  return task;
}
