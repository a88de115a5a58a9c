import type { Role } from '@walbridge/vocabulary';

/**
 * Who may call what, and how a call is named in the audit log. Pure rules: the API's global
 * guard and audit interceptor apply them to every route, including routes added later, so a new
 * controller is protected without anyone remembering to protect it.
 */
export type AccessRole = Role;

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isReadMethod(method: string): boolean {
  return READ_METHODS.has(method.toUpperCase());
}

/** The role a route needs when it does not say: reading is for viewers, changing for operators. */
export function defaultRoleFor(method: string): AccessRole {
  return isReadMethod(method) ? 'viewer' : 'operator';
}

/**
 * Whether a role may see the secret parts of stored endpoints (the path and query of a webhook
 * URL): whoever may change or test a channel (operators) could use them anyway; viewers only read.
 */
export function seesEndpointSecrets(role: AccessRole): boolean {
  return role !== 'viewer';
}

const API_PREFIX = /^\/?api\/v\d+\//;

function segmentsOf(routePath: string): string[] {
  return routePath.replace(API_PREFIX, '').split('/').filter(Boolean);
}

const isParam = (segment: string) => segment.startsWith(':') || (segment.startsWith('{') && segment.endsWith('}'));

const VERB: Record<string, string> = { POST: 'create', PUT: 'update', PATCH: 'update', DELETE: 'delete' };

/**
 * A stable name for an operation, from its route pattern (not the concrete path):
 * `POST /api/v1/tasks` → `tasks.create`, `PATCH /tasks/:id` → `tasks.update`,
 * `POST /tasks/:id/submit` → `tasks.submit`, `POST /connections/test` → `connections.test`.
 */
export function auditAction(method: string, routePath: string): string {
  const segments = segmentsOf(routePath);
  const literals = segments.filter((s) => !isParam(s));
  if (!literals.length) return method.toLowerCase();
  const last = segments[segments.length - 1];
  const onItemOrCollection = isParam(last) || segments.length === 1;
  const verb = VERB[method.toUpperCase()];
  return onItemOrCollection && verb ? [...literals, verb].join('.') : literals.join('.');
}

/** The task an operation concerns: `/tasks/:id/...` routes, or the task a create returned. */
export function auditTaskId(routePath: string, params: Record<string, string | undefined>, createdId?: unknown): string | null {
  const segments = segmentsOf(routePath);
  if (segments[0] !== 'tasks') return null;
  if (segments.length > 1 && isParam(segments[1])) return params[segments[1].replace(/^[:{]|}$/g, '')] ?? null;
  return segments.length === 1 && typeof createdId === 'string' ? createdId : null;
}
