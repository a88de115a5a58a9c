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
};

export function auditActionText(action: string): string {
  return ACTION_TEXT[action] ?? action.replace(/^tasks\./, '').replace(/[.-]/g, ' ');
}
