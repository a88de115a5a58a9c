import type { CreatedTokenView, CreateTokenInput, TokenView } from '@walbridge/contracts';
import { fetchJson } from './api-client';

export function listTokens(signal?: AbortSignal): Promise<TokenView[]> {
  return fetchJson<TokenView[]>('/tokens', { signal });
}

export function createToken(input: CreateTokenInput): Promise<CreatedTokenView> {
  return fetchJson<CreatedTokenView>('/tokens', { method: 'POST', body: input });
}

export function revokeToken(id: string): Promise<void> {
  return fetchJson<void>(`/tokens/${encodeURIComponent(id)}`, { method: 'DELETE' });
}
