import type { DestinationTopicsView, SourceObjectsView } from '@walbridge/contracts';
import { fetchJson } from './api-client';

export function getSourceObjects(taskId: string, signal?: AbortSignal): Promise<SourceObjectsView> {
  return fetchJson<SourceObjectsView>(`/tasks/${encodeURIComponent(taskId)}/source-objects`, { signal });
}

/** The topics of the task's cluster with their partition counts (read by a scheduler). */
export function getDestinationTopics(taskId: string, signal?: AbortSignal): Promise<DestinationTopicsView> {
  return fetchJson<DestinationTopicsView>(`/tasks/${encodeURIComponent(taskId)}/destination-topics`, { signal });
}
