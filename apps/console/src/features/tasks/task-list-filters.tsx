import { useId } from 'react';
import { TASK_STATUSES, type TaskStatus } from '@walbridge/contracts';
import { SearchInput } from '../../ui/search-input';
import { taskStatusLabel } from './task-status.presentation';

// The API never lists deleted tasks (libs/persistence task.repository), so offering the filter would always come back empty.
const FILTERABLE_STATUSES = TASK_STATUSES.filter((status) => status !== 'DELETED');

interface TaskListFiltersProps {
  q?: string;
  status?: TaskStatus;
  onSearch: (q: string) => void;
  onStatusChange: (status: TaskStatus | undefined) => void;
}

export function TaskListFilters({ q, status, onSearch, onStatusChange }: TaskListFiltersProps) {
  const statusId = useId();
  return (
    <div className="filters">
      <SearchInput label="Search tasks" placeholder="Name, id or tag" value={q ?? ''} onSearch={onSearch} />
      <div className="field">
        <label htmlFor={statusId}>Status</label>
        <select
          id={statusId}
          value={status ?? ''}
          onChange={(event) => onStatusChange((event.target.value || undefined) as TaskStatus | undefined)}
        >
          <option value="">All statuses</option>
          {FILTERABLE_STATUSES.map((value) => (
            <option key={value} value={value}>
              {taskStatusLabel(value)}
            </option>
          ))}
        </select>
      </div>
    </div>
  );
}
