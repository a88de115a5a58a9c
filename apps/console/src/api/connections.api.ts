import type { ConnectionTarget, ConnectionTestResult, CreateTaskInput, SavedConnectionUpdate, SavedConnectionView, TaskConnectionTestBody } from '@walbridge/contracts';
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

/** A saved connection as POST /connections takes it. */
export type SavedConnectionBody =
  | { type: 'source'; name: string; connection: CreateTaskInput['source'] }
  | { type: 'destination'; name: string; connection: CreateTaskInput['destination'] };

export function listSavedConnections(signal?: AbortSignal): Promise<SavedConnectionView[]> {
  return fetchJson<SavedConnectionView[]>('/connections', { signal });
}

export function createSavedConnection(body: SavedConnectionBody): Promise<SavedConnectionView> {
  return fetchJson<SavedConnectionView>('/connections', { method: 'POST', body });
}

/** A merge patch; a blank password is left out (the saved one is kept, for the same endpoint only). */
export function updateSavedConnection(id: string, patch: Record<string, unknown>): Promise<SavedConnectionUpdate> {
  return fetchJson<SavedConnectionUpdate>(`/connections/${encodeURIComponent(id)}`, { method: 'PATCH', body: patch });
}

/** 409 CONNECTION_IN_USE names the tasks that use it. */
export function deleteSavedConnection(id: string): Promise<void> {
  return fetchJson<void>(`/connections/${encodeURIComponent(id)}`, { method: 'DELETE' });
}

/** Tests a saved connection with its stored credentials; the result becomes its last test. */
export function testSavedConnection(id: string): Promise<ConnectionTestResult> {
  return fetchJson<ConnectionTestResult>(`/connections/${encodeURIComponent(id)}/test`, { method: 'POST' });
}
