import { useEffect, useId, useState } from 'react';
import { TASK_STATUSES, type TaskStatus } from '@walbridge/contracts';
import { SearchInput } from '../../ui/search-input';
import { taskStatusLabel } from './task-status.presentation';

// The API never lists deleted tasks (libs/persistence task.repository), so offering the filter would always come back empty.
const FILTERABLE_STATUSES = TASK_STATUSES.filter((status) => status !== 'DELETED');

interface TaskListFiltersProps {
  q?: string;
  status?: TaskStatus;
  attention?: boolean;
  onSearch: (q: string) => void;
  onStatusChange: (status: TaskStatus | undefined) => void;
  onAttentionChange: (attention: boolean) => void;
}

export function TaskListFilters({ q, status, attention, onSearch, onStatusChange, onAttentionChange }: TaskListFiltersProps) {
  const statusId = useId();
  // The box shows the click at once: the address (the filter's state) changes in a router
  // transition, and a box bound only to it sprang back unchecked until that transition ended.
  const [attentionShown, setAttentionShown] = useState(attention ?? false);
  useEffect(() => setAttentionShown(attention ?? false), [attention]);
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
      <label className="choice filters__attention" title="Failed, a slot left behind, retained WAL above its limit, or delay above its alarm">
        <input
          type="checkbox"
          checked={attentionShown}
          onChange={(event) => {
            setAttentionShown(event.target.checked);
            onAttentionChange(event.target.checked);
          }}
        />
        <span>Needs attention</span>
      </label>
    </div>
  );
}
