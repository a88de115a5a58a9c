import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TaskView } from '@walbridge/contracts';
import { ApiClient, testEnv, uniqueName } from '@walbridge/testing';

/** Percent-encodes the UTF-8 bytes: a lone surrogate (which encodeURIComponent throws on) becomes U+FFFD. */
const enc = (v: string) => [...Buffer.from(v)].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');

interface Parameter {
  name: string;
  in: string;
  schema?: { type?: string; enum?: string[]; minimum?: number; maximum?: number };
}
interface Operation {
  method: string;
  path: string;
  parameters: Parameter[];
}

const admin = new ApiClient();
// These end the fuzzing session or count as failed logins of the admin (a lockout would stop
// every other test file); their bodies are fuzzed by the hardening suite and below, once.
const EXCLUDED = new Set(['POST /api/v1/auth/logout', 'POST /api/v1/auth/password', 'POST /api/v1/auth/login']);
const TIME_BUDGET_MS = 45_000;
const RUNS_PER_OPERATION = 12;

/** Values that broke parsers before: huge and negative numbers, bigint overflow, junk, arrays. */
const nasty = fc.constantFrom(
  '1e300', '-1', '0', '1.5', 'NaN', 'Infinity', '9223372036854775807', '9223372036854775808', '99999999999999999999',
  '', ' ', '%00', '\u0000', '../../etc/passwd', "' OR 1=1 --", '<script>', '[]', '{}', 'true', 'null', '\uD800',
  '0000000000000:00000000-0000-0000-0000-000000000000', '9999999999999:------------------------------------',
  // Long, but the URL stays mostly under the 16 KB request-line limit (its 431 has its own test in hardening).
  'x'.repeat(2000),
);

function valueFor(parameter: Parameter): fc.Arbitrary<string> {
  const typed = parameter.schema?.enum
    ? fc.constantFrom(...parameter.schema.enum)
    : parameter.schema?.type === 'integer' || parameter.schema?.type === 'number'
      ? fc.oneof(fc.integer().map(String), fc.double().map(String), fc.bigInt().map(String))
      : fc.string({ maxLength: 40 });
  return fc.oneof(typed, nasty, fc.string({ unit: 'binary', maxLength: 20 }));
}

/** A query string: documented parameters with fuzzed values, sometimes repeated or bracketed. */
function queryFor(op: Operation): fc.Arbitrary<string> {
  const query = op.parameters.filter((p) => p.in === 'query');
  if (!query.length) return fc.constant('');
  return fc
    .tuple(...query.map((p) => fc.option(fc.tuple(valueFor(p), fc.constantFrom('plain', 'repeated', 'bracketed')), { nil: undefined })))
    .map((values) =>
      values
        .flatMap((v, i) => {
          if (!v) return [];
          const name = enc(query[i].name);
          const value = enc(v[0]);
          return v[1] === 'plain' ? [`${name}=${value}`] : v[1] === 'repeated' ? [`${name}=${value}`, `${name}=${value}`] : [`${name}[x]=${value}`];
        })
        .join('&'),
    );
}

const deepJson = fc.integer({ min: 30, max: 20_000 }).map((n) => '['.repeat(n) + ']'.repeat(n));
const body = fc.oneof(
  fc.json({ maxDepth: 4 }),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  deepJson,
  fc.constantFrom('{', '{"a":', '[1,2', '\u0000', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{}}}', '1e999999', '{"page":1e300}'),
);

describe('the API never answers 5xx, whatever is sent to any route of its OpenAPI document', () => {
  let operations: Operation[];
  let taskId: string;
  let authorization: string;

  beforeAll(async () => {
    const doc = await admin.request<{ paths: Record<string, Record<string, { parameters?: Parameter[] }>> }>('GET', '/api/docs-json');
    expect(doc.status).toBe(200);
    operations = Object.entries(doc.body.paths).flatMap(([path, item]) =>
      ['get', 'post', 'put', 'patch', 'delete']
        .filter((m) => item[m])
        .map((m) => ({ method: m.toUpperCase(), path, parameters: item[m].parameters ?? [] })),
    );
    const task = await admin.createTask({
      name: uniqueName('fuzz'),
      source: { host: '127.0.0.1', port: 9, database: 'demo', username: 'demo' },
      destination: { brokers: '127.0.0.1:9' },
      policy: { objectScope: 'tables', tables: [{ schema: 'shop', table: 'orders' }], topicPolicy: { mode: 'specific', topic: 'fuzz' } },
    } as never);
    taskId = (task as TaskView).id;
    authorization = (await admin.authorization())!;
  });

  it('documents the query parameters of the routes that take them', () => {
    const params = (path: string) => operations.find((o) => o.method === 'GET' && o.path === path)?.parameters.map((p) => p.name);
    expect(params('/api/v1/tasks')).toEqual(expect.arrayContaining(['status', 'q', 'page', 'pageSize']));
    expect(params('/api/v1/tasks/{id}/logs')).toEqual(expect.arrayContaining(['level', 'cursor', 'limit']));
    expect(params('/api/v1/notifications')).toEqual(expect.arrayContaining(['cursor', 'limit', 'unread']));
    expect(params('/api/v1/audit-log')).toEqual(expect.arrayContaining(['cursor', 'limit']));
  });

  it('answers the inputs that were 500s with a 400 naming the parameter', async () => {
    const cases: [string, string][] = [
      ['/api/v1/tasks?page=1e300', 'page'],
      [`/api/v1/tasks/${taskId}/logs?cursor=9223372036854775808`, 'cursor'],
      ['/api/v1/notifications?cursor=9999999999999:------------------------------------', 'cursor'],
    ];
    for (const [path, field] of cases) {
      const res = await admin.request<{ details: { field: string }[] }>('GET', path);
      expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBe(400);
      expect(res.body.details.map((d) => d.field)).toContain(field);
    }
    // 10,000 nested arrays, anonymously, where the body pipe used to overflow its stack.
    const deep = await fetch(`${testEnv.apiUrl}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '['.repeat(10_000) + ']'.repeat(10_000) });
    expect(deep.status).toBe(400);
    expect(await deep.json()).toMatchObject({ details: [{ field: '(body)', message: expect.stringContaining('nested deeper') }] });
  });

  it('fuzzes every route and query parameter: path ids, query values and bodies (fast-check)', async () => {
    const started = Date.now();
    const fuzzed = operations.filter((op) => !EXCLUDED.has(`${op.method} ${op.path}`));
    expect(fuzzed.length).toBeGreaterThan(30);
    const seen: string[] = [];
    const idValue = fc.oneof(fc.constant(randomUUID()), fc.constant('real'), fc.string({ maxLength: 30 }), nasty);
    for (const op of fuzzed) {
      const mutation = op.method !== 'GET';
      // An operation's slice of the budget, but never less than one slow answer of a loaded machine
      // (a property interrupted before its first run fails, and names no route).
      const slice = Math.max(5000, (TIME_BUDGET_MS - (Date.now() - started)) / Math.max(1, fuzzed.length - fuzzed.indexOf(op)));
      await fc.assert(
        fc.asyncProperty(idValue, queryFor(op), body, async (id, query, payload) => {
          // GETs may look at the real task; mutations only at ids that do not exist.
          const pathId = id === 'real' ? (mutation ? randomUUID() : taskId) : id;
          const path = op.path.replace(/\{[^}]+\}/g, () => enc(pathId));
          const url = `${testEnv.apiUrl}${path}${query ? `?${query}` : ''}`;
          const send = () =>
            fetch(url, { method: op.method, headers: { authorization, 'content-type': 'application/json' }, body: mutation ? payload : undefined, signal: AbortSignal.timeout(15_000) });
          // A kept-alive socket the server closed after an early answer fails once; a crashed
          // api would fail the second time too.
          const res = await send().catch(() => send());
          seen.push(`${op.method} ${op.path} → ${res.status}`);
          if (res.status < 500) {
            await res.body?.cancel(); // event streams answer 200 and keep going
            return;
          }
          // The one 5xx that is not about the input: the task's own source or Kafka refused the
          // probe the request needed (502 with the cause), as the fuzzed task points at port 9.
          const answer = (await res.json().catch(() => ({}))) as { code?: string; message?: string };
          const upstream = res.status === 502 && !!answer.code && !!answer.message;
          if (!upstream) throw new Error(`${op.method} ${url.slice(0, 300)} body ${payload.slice(0, 100)} → ${res.status} ${JSON.stringify(answer)}`);
        }),
        { numRuns: RUNS_PER_OPERATION, interruptAfterTimeLimit: slice, markInterruptAsFailure: false },
      ).catch((error: Error) => {
        throw new Error(`${op.method} ${op.path}: ${error.message}`);
      });
    }
    expect(seen.length).toBeGreaterThan(fuzzed.length);
    expect(Date.now() - started).toBeLessThan(TIME_BUDGET_MS + 20_000);
  });
});
