import type { SourceObjectsView } from '@walbridge/contracts';
import { fetchJson } from './api-client';

export function getSourceObjects(taskId: string, signal?: AbortSignal): Promise<SourceObjectsView> {
  return fetchJson<SourceObjectsView>(`/tasks/${encodeURIComponent(taskId)}/source-objects`, { signal });
}
