import type { MessageBrowseView, MessageQueryInput } from '@walbridge/contracts';
import { fetchJson } from './api-client';

/** `GET /tasks/{id}/messages`: read by a scheduler from the task's topics, at most ~10 s. */
export function browseMessages(taskId: string, query: MessageQueryInput, signal?: AbortSignal): Promise<MessageBrowseView> {
  return fetchJson<MessageBrowseView>(`/tasks/${encodeURIComponent(taskId)}/messages`, { query: { ...query }, signal });
}
