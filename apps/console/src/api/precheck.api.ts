import { ErrorCode, type PrecheckRunView } from '@walbridge/contracts';
import { ApiError, fetchJson } from './api-client';

const precheckPath = (taskId: string) => `/tasks/${encodeURIComponent(taskId)}/precheck`;

export function startPrecheck(taskId: string): Promise<PrecheckRunView> {
  return fetchJson<PrecheckRunView>(precheckPath(taskId), { method: 'POST', body: {} });
}

/** The latest run, or null when the task was never prechecked. */
export async function getLatestPrecheck(taskId: string, signal?: AbortSignal): Promise<PrecheckRunView | null> {
  try {
    return await fetchJson<PrecheckRunView>(precheckPath(taskId), { signal });
  } catch (error) {
    if (error instanceof ApiError && error.code === ErrorCode.PRECHECK_NOT_FOUND) return null;
    throw error;
  }
}

export function confirmPrecheckItem(taskId: string, itemId: string): Promise<PrecheckRunView> {
  return fetchJson<PrecheckRunView>(`${precheckPath(taskId)}/items/${encodeURIComponent(itemId)}/confirm`, { method: 'POST' });
}
