import type { CreateTaskInput, TaskView } from '@walbridge/contracts';

/** Stands in for a secret the API never returns; the user puts the real one in before sending. */
export const SECRET_PLACEHOLDER = (what: string) => `<${what}>`;

/**
 * The `POST /api/v1/tasks` body that creates the task being built, as DTS's "Preview OpenAPI
 * parameters" shows it: what a user scripts once the console got it right. Secrets are write-only,
 * so the ones the task holds appear as placeholders, never as values.
 */
export function taskCreateRequest(task: TaskView, confirm: Pick<CreateTaskInput, 'start' | 'alarms'>): CreateTaskInput {
  const { passwordSet: sourcePasswordSet, ...source } = task.source;
  const { passwordSet: destinationPasswordSet, clientKeySet, ...destination } = task.destination;
  // A side taken from a saved connection is sent as the reference: the server fills in the
  // settings and the password, and refuses settings next to it.
  const saved = (connectionId: string) => ({ connectionId }) as never;
  return {
    name: task.name,
    description: task.description,
    tags: task.tags,
    source: source.connectionId ? saved(source.connectionId) : { ...source, ...(sourcePasswordSet ? { password: SECRET_PLACEHOLDER('source password') } : {}) },
    destination: destination.connectionId
      ? saved(destination.connectionId)
      : {
          ...destination,
          ...(destinationPasswordSet ? { password: SECRET_PLACEHOLDER('Kafka password') } : {}),
          ...(clientKeySet ? { clientKey: SECRET_PLACEHOLDER('client key PEM') } : {}),
        },
    policy: task.policy,
    start: confirm.start,
    alarms: confirm.alarms,
    retry: task.retry,
    throttle: task.throttle,
  };
}

/** Single-quoted for a POSIX shell: a quote inside becomes '\'' . */
function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** A curl line that sends the body with an API token (Administration → API tokens). */
export function curlCommand(origin: string, body: unknown): string {
  return [
    `curl -X POST ${shellQuote(`${origin}/api/v1/tasks`)}`,
    `  -H "Authorization: Bearer $WALBRIDGE_TOKEN"`,
    `  -H 'Content-Type: application/json'`,
    `  --data ${shellQuote(JSON.stringify(body))}`,
  ].join(' \\\n');
}
