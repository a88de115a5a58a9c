import { Injectable, Logger } from '@nestjs/common';
import type { Request } from 'express';
import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import { AUDIT_EXPORT_MAX_ROWS, type AuditLogEntryView, type AuditLogExportQuery, type AuditLogPage, type AuditLogQuery, type AuditResult, type Role } from '@walbridge/contracts';
import { auditAction, auditTaskId } from '@walbridge/domain';
import { AuditLogRepository, type AuditLogRow } from '@walbridge/persistence';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface RequestOutcome {
  statusCode: number;
  error?: string | null;
  /** What the handler returned: a create's new id is the audited target. */
  body?: unknown;
  /** By default from the status: 401/403/429 are `denied`, other errors `failure`. */
  result?: AuditResult;
  /** For calls made before anyone is known (login): the user they concern. */
  actor?: { userId: string | null; username: string; role: Role | null };
}

/** The CSV export's columns, in order: the entry's field and its header. */
const CSV_COLUMNS = (
  [
    ['at', 'time'],
    ['actor', 'user'],
    ['actorRole', 'role'],
    ['action', 'action'],
    ['result', 'result'],
    ['statusCode', 'status'],
    ['taskId', 'task id'],
    ['taskName', 'task name'],
    ['targetId', 'target id'],
    ['method', 'method'],
    ['path', 'path'],
    ['error', 'error'],
    ['ip', 'ip'],
  ] satisfies [keyof AuditLogEntryView, string][]
).map(([key, header]) => ({ key, header }));

/** Who did what, when, to which task, with what result. Never stores request bodies. */
@Injectable()
export class AuditService {
  private readonly logger = new Logger('audit');

  constructor(private readonly entries: AuditLogRepository) {}

  /** Records one call; a failure to record is logged, it never turns the answer into an error. */
  async recordRequest(req: Request, outcome: RequestOutcome): Promise<void> {
    const routePath: string = req.route?.path ?? req.path;
    const params = (req.params ?? {}) as Record<string, string | undefined>;
    const createdId = (outcome.body as { id?: unknown } | undefined)?.id;
    const taskId = auditTaskId(routePath, params, createdId);
    const actor = req.principal ?? outcome.actor ?? null;
    const result: AuditResult = outcome.result ?? (outcome.statusCode < 400 ? 'success' : [401, 403, 429].includes(outcome.statusCode) ? 'denied' : 'failure');
    const otherId = params.id ?? (typeof createdId === 'string' ? createdId : undefined);
    try {
      await this.entries.append({
        actorId: actor?.userId ?? null,
        actor: clip(actor?.username ?? '(anonymous)', 64),
        actorRole: actor?.role ?? null,
        action: clip(auditAction(req.method, routePath), 100),
        method: req.method.slice(0, 8),
        path: clip(req.originalUrl.split('?')[0], 500),
        taskId: taskId && UUID.test(taskId) ? taskId : null,
        targetId: taskId && UUID.test(taskId) ? null : otherId ? clip(otherId, 64) : null,
        result,
        statusCode: outcome.statusCode,
        error: outcome.error ? clip(outcome.error, 1000) : null,
        ip: req.ip ? clip(req.ip, 64) : null,
      });
    } catch (error) {
      this.logger.error(`could not record ${req.method} ${routePath} by ${actor?.username ?? '(anonymous)'}: ${(error as Error).message}`);
    }
  }

  async list(query: AuditLogQuery): Promise<AuditLogPage> {
    const { items, nextCursor } = await this.entries.list(query);
    return { items: items.map(toView), nextCursor };
  }

  /**
   * The matching entries as CSV (RFC 4180, a header row, newest first), streamed page by page.
   * A cell that a spreadsheet would run as a formula (=, +, -, @ first) is quoted with a leading
   * apostrophe: an audit trail holds text other people typed (user names, error texts).
   */
  exportCsv(query: AuditLogExportQuery): Readable {
    const entries = this.entries;
    async function* rows() {
      let n = 0;
      for await (const entry of entries.scan(query, AUDIT_EXPORT_MAX_ROWS + 1)) {
        if (++n > AUDIT_EXPORT_MAX_ROWS) {
          yield { at: `(cut at ${AUDIT_EXPORT_MAX_ROWS} entries: narrow the filters)` };
          return;
        }
        yield toView(entry);
      }
    }
    return Readable.from(rows()).pipe(stringify({ header: true, columns: CSV_COLUMNS, escape_formulas: true, record_delimiter: 'windows' }));
  }
}

function toView(entry: AuditLogRow): AuditLogEntryView {
  return {
    id: entry.id,
    at: entry.createdAt.toISOString(),
    actor: entry.actor,
    actorRole: entry.actorRole,
    action: entry.action,
    method: entry.method,
    path: entry.path,
    taskId: entry.taskId,
    taskName: entry.taskName,
    targetId: entry.targetId,
    result: entry.result,
    statusCode: entry.statusCode,
    error: entry.error,
    ip: entry.ip,
  };
}

/** PostgreSQL text refuses NUL; lengths are the columns'. */
function clip(text: string, max: number): string {
  return text.replace(/\u0000/g, '\uFFFD').slice(0, max);
}
