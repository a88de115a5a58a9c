import type { LoginInput, LoginResult, MeView } from '@walbridge/contracts';
import { fetchJson } from './api-client';

/** The session cookie is set by the answer (httpOnly): the console never handles the token. */
export function login(input: LoginInput): Promise<LoginResult> {
  return fetchJson<LoginResult>('/auth/login', { method: 'POST', body: input });
}

export function logout(): Promise<void> {
  return fetchJson<void>('/auth/logout', { method: 'POST' });
}

export function getMe(signal?: AbortSignal): Promise<MeView> {
  return fetchJson<MeView>('/auth/me', { signal });
}
