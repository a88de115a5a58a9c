import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnControlPlane, testEnv, type ControlPlane } from '@walbridge/testing';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A GET with headers fetch will not set (Host), straight over HTTP. */
function get(baseUrl: string, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  const url = new URL(path, baseUrl);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'GET', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * Host allowlist (DNS rebinding) and HSTS (issue 14 item 8). The api speaks plain HTTP itself;
 * HTTPS ends at a reverse proxy, which the api believes only when it is trusted
 * (WALBRIDGE_TRUST_PROXY). These options need an api of the test's own.
 */
describe('Host allowlist and HSTS', () => {
  let plane: ControlPlane;
  let base: string;

  beforeAll(async () => {
    plane = await spawnControlPlane({
      name: 'hosts',
      schedulers: 0,
      env: { WALBRIDGE_ALLOWED_HOSTS: 'walbridge.example.com,127.0.0.1', WALBRIDGE_TRUST_PROXY: 'loopback' },
    });
    base = plane.apiProcess.healthUrl.replace(/\/health$/, '');
  }, 120_000);

  afterAll(async () => {
    await plane?.cleanup();
  });

  it('refuses a request whose Host is not on WALBRIDGE_ALLOWED_HOSTS with 421 and the reason, on every route', async () => {
    for (const path of ['/health', '/api/v1/tasks', '/']) {
      const res = await get(base, path, { host: 'rebound.attacker.example' });
      expect(res.status, path).toBe(421);
      expect(JSON.parse(res.body), path).toMatchObject({ code: 'HOST_NOT_ALLOWED', message: expect.stringContaining('WALBRIDGE_ALLOWED_HOSTS') });
    }
  });

  it('answers the allowed host names, with or without a port, in any case', async () => {
    const port = new URL(base).port;
    for (const host of ['walbridge.example.com', 'WALBRIDGE.example.com:8443', `127.0.0.1:${port}`]) {
      expect((await get(base, '/health', { host })).status, host).toBe(200);
    }
  });

  it('answers any Host when the option is not set (the shared api)', async () => {
    expect((await get(testEnv.apiUrl, '/health', { host: 'rebound.attacker.example' })).status).toBe(200);
  });

  it('sends Strict-Transport-Security only when a trusted proxy says the client used HTTPS', async () => {
    const overHttps = await get(base, '/health', { host: 'walbridge.example.com', 'x-forwarded-proto': 'https' });
    expect(overHttps.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    const plain = await get(base, '/health', { host: 'walbridge.example.com' });
    expect(plain.headers['strict-transport-security']).toBeUndefined();
    expect(plain.headers['x-frame-options']).toBe('DENY');
  });

  it('sends no Strict-Transport-Security over plain HTTP, even when an untrusted client claims HTTPS', async () => {
    for (const headers of [{}, { 'x-forwarded-proto': 'https' }] as Record<string, string>[]) {
      for (const path of ['/health', '/', '/api/v1/tasks']) {
        const res = await get(testEnv.apiUrl, path, headers);
        expect(res.headers['strict-transport-security'], `${path} ${JSON.stringify(headers)}`).toBeUndefined();
        expect(res.headers['content-security-policy'], path).toBeDefined();
      }
    }
  });
});
