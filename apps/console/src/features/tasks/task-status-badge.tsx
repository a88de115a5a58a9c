import { FORCE_STOPPED_ERROR, type TaskStatus } from '@walbridge/contracts';
import { TASK_STATUS_PRESENTATION } from './task-status.presentation';

/** `lastError` tells a force-stopped task (in-flight changes dropped, slot perhaps left) from a clean stop. */
export function TaskStatusBadge({ status, lastError }: { status: TaskStatus; lastError?: string | null }) {
  // An API newer than this console may send a status it does not know yet; show it rather than crash.
  const presentation =
    status === 'COMPLETED' && lastError === FORCE_STOPPED_ERROR
      ? { label: 'Completed, force stopped', family: 'failed' }
      : (TASK_STATUS_PRESENTATION[status] ?? { label: status, family: 'draft' });
  return (
    <span className={`status-badge status-badge--${presentation.family}`} title={status}>
      <span className="status-badge__dot" aria-hidden="true" />
      {presentation.label}
    </span>
  );
}
