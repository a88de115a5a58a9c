import type { BackfillView, CreateBackfillInput, TaskSnapshotView } from '@walbridge/contracts';
import { fetchJson } from './api-client';

/** `GET /tasks/{id}/snapshot`: the full synchronization or backfill in progress (or the latest). */
export function getTaskSnapshot(taskId: string, signal?: AbortSignal): Promise<TaskSnapshotView> {
  return fetchJson<TaskSnapshotView>(`/tasks/${encodeURIComponent(taskId)}/snapshot`, { signal });
}

/** `POST /tasks/{id}/backfills`: re-read tables of a running or paused task (a filter makes it partial). */
export function createBackfill(taskId: string, input: CreateBackfillInput): Promise<BackfillView> {
  return fetchJson<BackfillView>(`/tasks/${encodeURIComponent(taskId)}/backfills`, { method: 'POST', body: input });
}
