import { Link } from 'react-router-dom';
import type { TaskSchedulerView } from '@walbridge/contracts';

/** The scheduler running a task (issue 19 item 4), linked to the Schedulers page; "none" when no scheduler holds it. */
export function TaskScheduler({ scheduler }: { scheduler: TaskSchedulerView | null }) {
  if (!scheduler) return <span className="muted">none</span>;
  return (
    <>
      <Link to="/schedulers" className="mono" title="See it on the Schedulers page">
        {scheduler.id}
      </Link>{' '}
      <span className="muted">on {scheduler.host}</span>
    </>
  );
}
