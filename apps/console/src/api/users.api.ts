import type { CreateUserInput, Role, UserView } from '@walbridge/contracts';
import { fetchJson } from './api-client';

export function listUsers(signal?: AbortSignal): Promise<UserView[]> {
  return fetchJson<UserView[]>('/users', { signal });
}

export function createUser(input: CreateUserInput): Promise<UserView> {
  return fetchJson<UserView>('/users', { method: 'POST', body: input });
}

export function updateUser(id: string, patch: { role?: Role; password?: string }): Promise<UserView> {
  return fetchJson<UserView>(`/users/${encodeURIComponent(id)}`, { method: 'PATCH', body: patch });
}

export function deleteUser(id: string): Promise<void> {
  return fetchJson<void>(`/users/${encodeURIComponent(id)}`, { method: 'DELETE' });
}
