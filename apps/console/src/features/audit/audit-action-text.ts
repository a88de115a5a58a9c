/** Audit actions (`tasks.precheck.items.confirm`, as the API records them) in a reader's words. */
const ACTION_TEXT: Record<string, string> = {
  'tasks.create': 'created the task',
  'tasks.update': 'changed the task',
  'tasks.delete': 'deleted the task',
  'tasks.submit': 'submitted the task',
  'tasks.precheck': 'ran the precheck',
  'tasks.precheck.items.confirm': 'confirmed a precheck alarm',
  'tasks.test-connection': 'tested a connection',
  'tasks.credentials': 'changed the credentials',
  'tasks.pause': 'paused the task',
  'tasks.resume': 'resumed the task',
  'tasks.stop': 'stopped the task',
  'tasks.force-stop': 'force stopped the task',
  'tasks.reset': 'reset the task',
  'tasks.drop-slot': 'dropped the leftover slot',
  'tasks.backfills': 'requested a backfill',
  'tasks.backfills.delete': 'cancelled a backfill',
};

export function auditActionText(action: string): string {
  return ACTION_TEXT[action] ?? action.replace(/^tasks\./, '').replace(/[.-]/g, ' ');
}

/** The action filter's choices: every task action in a reader's words, then the administration ones. */
export const AUDIT_ACTION_CHOICES: { value: string; label: string }[] = [
  { value: 'tasks.*', label: 'Any change to a task' },
  ...Object.entries(ACTION_TEXT).map(([value, text]) => ({ value, label: `${text[0].toUpperCase()}${text.slice(1)}` })),
  { value: 'auth.*', label: 'Sign-ins and passwords' },
  { value: 'users.*', label: 'User administration' },
  { value: 'tokens.*', label: 'API tokens' },
  { value: 'notification-channels.*', label: 'Notification channels' },
  { value: 'connections.*', label: 'Saved connections and connection tests' },
  { value: 'schedulers.*', label: 'Scheduler drains' },
];
