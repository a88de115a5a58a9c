import type { AuditLogPage } from '@walbridge/contracts';
import { fetchJson } from './api-client';

export interface AuditLogParams {
  taskId?: string;
  actor?: string;
  cursor?: string;
}

export function listAuditLog(params: AuditLogParams, signal?: AbortSignal): Promise<AuditLogPage> {
  return fetchJson<AuditLogPage>('/audit-log', { query: { ...params, limit: 50 }, signal });
}
