import type { ConnectionTarget, ConnectionTestResult, CreateTaskInput, TaskConnectionTestBody } from '@walbridge/contracts';
import { fetchJson } from './api-client';

export type ConnectionTestBody =
  | { type: 'source'; connection: CreateTaskInput['source'] }
  | { type: 'destination'; connection: CreateTaskInput['destination'] };

/** Tests a connection as typed, before it is saved (the API answers within about 10 s). */
export function testConnection(body: ConnectionTestBody): Promise<ConnectionTestResult> {
  return fetchJson<ConnectionTestResult>('/connections/test', { method: 'POST', body });
}

/** Tests the connection saved in a task, with its stored credentials or with `typed` passwords replacing them. */
export function testTaskConnection(taskId: string, target: ConnectionTarget, typed?: TaskConnectionTestBody): Promise<ConnectionTestResult> {
  return fetchJson<ConnectionTestResult>(`/tasks/${encodeURIComponent(taskId)}/test-connection`, { method: 'POST', query: { target }, ...(typed ? { body: typed } : {}) });
}
