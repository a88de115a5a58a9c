import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, createTestUser, testEnv, testPassword, type TestUser } from '@walbridge/testing';

interface Operation {
  method: string;
  /** As in the OpenAPI document, e.g. /api/v1/tasks/{id}/submit. */
  path: string;
  role?: string;
  security?: unknown[];
}

const PUBLIC = ['GET /health', 'POST /api/v1/auth/login'];
/** What any signed-in user may do to their own session and password. */
const SELF_SERVICE = [
  'POST /api/v1/auth/logout',
  'POST /api/v1/auth/password',
  // Read marks of the inbox are the caller's own.
  'POST /api/v1/notifications/{id}/read',
  'POST /api/v1/notifications/read-all',
];
const ADMIN_ONLY = /^\/api\/v1\/(users|tokens|audit-log)(\/|$)/;
// Changes above the tasks' level, stricter on purpose: a drain moves every task of a scheduler.
const ADMIN_CHANGES = ['POST /api/v1/schedulers/{id}/drain'];
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

const key = (op: Operation) => `${op.method} ${op.path}`;
const isMutation = (op: Operation) => op.method !== 'GET';

/** Sends a request and reads only the status: a route that streams (SSE) must not hang the test. */
async function statusOf(op: Operation, headers: Record<string, string> = {}): Promise<number> {
  const path = op.path.replace(/\{[^}]+\}/g, () => randomUUID());
  const res = await fetch(`${testEnv.apiUrl}${path}`, {
    method: op.method,
    headers: { 'content-type': 'application/json', ...headers },
    body: isMutation(op) ? '{}' : undefined,
    signal: AbortSignal.timeout(15_000),
  });
  await res.body?.cancel();
  return res.status;
}

describe('every route of the OpenAPI document is guarded', () => {
  let operations: Operation[];
  let viewer: TestUser;
  let operator: TestUser;
  let viewerAuth: Record<string, string>;
  let operatorAuth: Record<string, string>;

  beforeAll(async () => {
    const doc = await new ApiClient().request<{ paths: Record<string, Record<string, { 'x-walbridge-role'?: string; security?: unknown[] }>> }>('GET', '/api/docs-json');
    expect(doc.status).toBe(200);
    operations = Object.entries(doc.body.paths).flatMap(([path, item]) =>
      METHODS.filter((m) => item[m]).map((m) => ({ method: m.toUpperCase(), path, role: item[m]['x-walbridge-role'], security: item[m].security })),
    );
    [viewer, operator] = await Promise.all([createTestUser('viewer'), createTestUser('operator')]);
    viewerAuth = { authorization: (await viewer.client.authorization())! };
    operatorAuth = { authorization: (await operator.client.authorization())! };
  });

  it('lists the routes of every controller, so the checks below cover them', () => {
    const paths = new Set(operations.map(key));
    for (const expected of [
      'GET /health',
      'POST /api/v1/auth/login',
      'GET /api/v1/auth/me',
      'GET /api/v1/tasks',
      'POST /api/v1/tasks',
      'POST /api/v1/tasks/{id}/stop',
      'GET /api/v1/users',
      'DELETE /api/v1/tokens/{id}',
      'GET /api/v1/audit-log',
      'GET /api/v1/connections',
      'PATCH /api/v1/connections/{id}',
      'DELETE /api/v1/connections/{id}',
      'POST /api/v1/connections/{id}/test',
    ]) {
      expect(paths).toContain(expected);
    }
  });

  it('answers 401 on every route but /health and login when no credential, a forged token or a forged cookie is sent', async () => {
    const guarded = operations.filter((op) => !PUBLIC.includes(key(op)));
    const forged: Record<string, string>[] = [{}, { authorization: 'Bearer wbt_forged' }, { authorization: 'Bearer wbs_forged' }, { authorization: 'Basic YWRtaW46YWRtaW4=' }, { cookie: 'walbridge_session=wbs_forged' }];
    const answers = await Promise.all(guarded.flatMap((op) => forged.map(async (headers) => `${key(op)} ${JSON.stringify(headers)} → ${await statusOf(op, headers)}`)));
    expect(answers.filter((a) => !a.endsWith('→ 401'))).toEqual([]);
    expect(guarded.length).toBeGreaterThan(10);
  });

  it('lets /health and login through without credentials', async () => {
    expect(await statusOf({ method: 'GET', path: '/health' })).toBe(200);
    expect(await statusOf({ method: 'POST', path: '/api/v1/auth/login' })).toBe(400);
  });

  it('refuses every mutation to a viewer with 403, before it runs', async () => {
    const mutations = operations.filter((op) => isMutation(op) && !PUBLIC.includes(key(op)) && !SELF_SERVICE.includes(key(op)));
    const answers = await Promise.all(mutations.map(async (op) => `${key(op)} → ${await statusOf(op, viewerAuth)}`));
    expect(answers.filter((a) => !a.endsWith('→ 403'))).toEqual([]);
    expect(mutations.length).toBeGreaterThan(5);
  });

  it('lets a viewer read everything but the admin sections', async () => {
    const reads = operations.filter((op) => !isMutation(op) && !ADMIN_ONLY.test(op.path));
    const answers = await Promise.all(reads.map(async (op) => `${key(op)} → ${await statusOf(op, viewerAuth)}`));
    expect(answers.filter((a) => / → (401|403)$/.test(a))).toEqual([]);
  });

  it('keeps users, tokens and the audit log to admins: an operator gets 403 there, reading or writing', async () => {
    const adminOps = operations.filter((op) => ADMIN_ONLY.test(op.path));
    const answers = await Promise.all(adminOps.map(async (op) => `${key(op)} → ${await statusOf(op, operatorAuth)}`));
    expect(answers.filter((a) => !a.endsWith('→ 403'))).toEqual([]);
    expect(adminOps.length).toBeGreaterThanOrEqual(7);
  });

  it('states in the document the role each operation needs, and no operation below what the rules demand', () => {
    for (const op of operations) {
      if (PUBLIC.includes(key(op))) {
        expect(op.security, key(op)).toEqual([]);
        continue;
      }
      const least =
        ADMIN_ONLY.test(op.path) || ADMIN_CHANGES.includes(key(op)) ? 'admin' : isMutation(op) && !SELF_SERVICE.includes(key(op)) ? 'operator' : 'viewer';
      expect(`${key(op)} ${op.role}`).toBe(`${key(op)} ${least}`);
    }
  });

  it('guards the OpenAPI document and its UI the same way', async () => {
    for (const path of ['/api/docs-json', '/api/docs/swagger-ui-init.js']) {
      const res = await fetch(`${testEnv.apiUrl}${path}`);
      expect(`${path} ${res.status}`).toBe(`${path} 401`);
    }
    const browser = await fetch(`${testEnv.apiUrl}/api/docs/`, { headers: { accept: 'text/html' }, redirect: 'manual' });
    expect(browser.status).toBe(302);
    expect(browser.headers.get('location')).toBe('/login?next=%2Fapi%2Fdocs%2F');
    const ui = await fetch(`${testEnv.apiUrl}/api/docs/`, { headers: viewerAuth });
    expect(ui.status).toBe(200);
  });

  it('creates nothing when a viewer posts a valid task', async () => {
    const name = `viewer-${randomUUID().slice(0, 8)}`;
    const res = await viewer.client.request('POST', '/api/v1/tasks', {
      name,
      source: { host: '127.0.0.1', port: 5432, database: 'demo', username: 'demo', password: testPassword() },
      destination: { brokers: '127.0.0.1:9092' },
      policy: { tables: [{ schema: 'shop', table: 'orders' }], topicPolicy: { mode: 'specific', topic: 'x' } },
    });
    expect(res.status).toBe(403);
    const list = await new ApiClient().request<{ total: number }>('GET', `/api/v1/tasks?q=${name}`);
    expect(list.body.total).toBe(0);
  });
});
