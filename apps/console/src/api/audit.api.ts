import type { AuditLogPage, AuditResult } from '@walbridge/contracts';
import { apiUrl, fetchJson } from './api-client';

export interface AuditLogFilterParams {
  taskId?: string;
  actor?: string;
  /** Exact, or `tasks.*` for every action under a prefix. */
  action?: string;
  result?: AuditResult;
  /** ISO 8601, inclusive. */
  from?: string;
  /** ISO 8601, exclusive. */
  to?: string;
}

export interface AuditLogParams extends AuditLogFilterParams {
  cursor?: string;
}

export function listAuditLog(params: AuditLogParams, signal?: AbortSignal): Promise<AuditLogPage> {
  return fetchJson<AuditLogPage>('/audit-log', { query: { ...params, limit: 50 }, signal });
}

/** The CSV of the same filters: a plain link (the session cookie goes with it), so the browser downloads it. */
export function auditLogExportUrl(params: AuditLogFilterParams): string {
  return apiUrl('/audit-log/export.csv', { ...params });
}
