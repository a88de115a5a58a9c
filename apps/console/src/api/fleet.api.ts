import type { SchedulerListView, SchedulerView } from '@walbridge/contracts';
import { fetchJson } from './api-client';

export function listSchedulers(signal?: AbortSignal): Promise<SchedulerListView> {
  return fetchJson<SchedulerListView>('/schedulers', { signal });
}

export function drainScheduler(id: string): Promise<SchedulerView> {
  return fetchJson<SchedulerView>(`/schedulers/${encodeURIComponent(id)}/drain`, { method: 'POST' });
}
