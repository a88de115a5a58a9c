import { Injectable } from '@nestjs/common';
import type { ConnectionTarget } from '@walbridge/contracts';
import { SavedConnectionRepository, SecretsService } from '@walbridge/persistence';
import { invalidRequest } from '../common/zod-body.pipe';
import { connectionSettings } from '../connections/saved-connection.mapper';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TARGETS: ConnectionTarget[] = ['source', 'destination'];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Only credentials: a new password of a running task keeps the reference (the next edit of the connection brings its own again). */
function onlySecrets(part: Record<string, unknown>): boolean {
  return Object.entries(part).every(([k, v]) => k === 'password' || k === 'clientKey' || (k === 'schemaRegistry' && isObject(v) && Object.keys(v).every((r) => r === 'password')));
}

/** A task body or patch with its connection references resolved. */
export interface ResolvedRefs {
  /** The body or patch without the referencing parts. */
  rest: Record<string, unknown>;
  /** The referenced connections' settings, with their credentials (in memory only). */
  resolved: Partial<Record<ConnectionTarget, Record<string, unknown>>>;
}

/**
 * `source.connectionId` / `destination.connectionId`: the task takes the saved connection's
 * settings and credentials as its own copy (sealed with the task's binding), so the scheduler
 * and the worker open a task the way they always have, and an inline task and one built from
 * saved connections stream alike. The credential goes only to the endpoint the connection holds
 * it for: the settings come with it, and settings given next to the reference are refused.
 */
@Injectable()
export class TaskConnectionRefs {
  constructor(
    private readonly connections: SavedConnectionRepository,
    private readonly vault: SecretsService,
  ) {}

  /** For a PATCH: settings edited by hand on a referencing task detach it from the connection. */
  async resolve(body: unknown, detach = true): Promise<ResolvedRefs> {
    if (!isObject(body)) return { rest: body as Record<string, unknown>, resolved: {} };
    const rest = { ...body };
    const resolved: ResolvedRefs['resolved'] = {};
    for (const target of TARGETS) {
      const part = body[target];
      if (!isObject(part)) continue;
      if (typeof part.connectionId === 'string') {
        resolved[target] = await this.settings(target, part.connectionId, part);
        delete rest[target];
      } else if (detach && !('connectionId' in part) && Object.keys(part).length && !onlySecrets(part)) {
        // Settings edited by hand: the task keeps them as its own and follows the connection no more.
        rest[target] = { ...part, connectionId: null };
      }
    }
    return { rest, resolved };
  }

  /** A new task's body with the references replaced by the settings. */
  async resolveBody(body: unknown): Promise<unknown> {
    const { rest, resolved } = await this.resolve(body, false);
    return isObject(body) ? { ...rest, ...resolved } : body;
  }

  private async settings(target: ConnectionTarget, id: string, given: Record<string, unknown>): Promise<Record<string, unknown>> {
    const field = `${target}.connectionId`;
    const extra = Object.keys(given).filter((k) => k !== 'connectionId');
    if (extra.length) {
      throw invalidRequest(extra.map((k) => ({ field: `${target}.${k}`, message: `${target}.${k} comes from the saved connection: leave it out, or leave out ${field}` })));
    }
    if (!UUID.test(id)) throw invalidRequest([{ field, message: 'connectionId must be the id of a saved connection' }]);
    const connection = await this.connections.findById(id.toLowerCase());
    if (!connection || connection.type !== target) throw invalidRequest([{ field, message: `no saved ${target} connection ${id}` }]);
    return { ...connectionSettings(connection, this.vault.openConnection(connection)), connectionId: connection.id };
  }
}
