import type { TaskStatus } from '@walbridge/contracts';
import { TASK_STATUS_PRESENTATION } from './task-status.presentation';

export function TaskStatusBadge({ status }: { status: TaskStatus }) {
  // An API newer than this console may send a status it does not know yet; show it rather than crash.
  const presentation = TASK_STATUS_PRESENTATION[status] ?? { label: status, family: 'draft' };
  return (
    <span className={`status-badge status-badge--${presentation.family}`} title={status}>
      <span className="status-badge__dot" aria-hidden="true" />
      {presentation.label}
    </span>
  );
}
