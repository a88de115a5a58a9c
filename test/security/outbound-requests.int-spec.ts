import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelTestResult, ConnectionTestResult, NotificationChannelView } from '@walbridge/contracts';
import { ApiClient, uniqueName } from '@walbridge/testing';

const admin = new ApiClient();
const INTERNAL = 'INTERNAL-ADMIN-PAGE build 7f3a token=abc123';

describe('outbound requests: only status codes and classified causes, and an outbound policy', () => {
  const http = createHttpServer((_req, res) => res.writeHead(503, { 'content-type': 'text/html' }).end(`<h1>${INTERNAL}</h1>`));
  // Not a mail server: an SSH-like banner, then nothing.
  const tcp = createTcpServer((socket) => socket.on('error', () => undefined).end(`SSH-2.0-${INTERNAL}\r\n`));
  let httpPort: number;
  let tcpPort: number;
  const channels: string[] = [];

  beforeAll(async () => {
    // Clients speaking PostgreSQL or Kafka to these servers reset their connections.
    http.on('connection', (socket) => socket.on('error', () => undefined));
    await Promise.all([new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r())), new Promise<void>((r) => tcp.listen(0, '127.0.0.1', () => r()))]);
    httpPort = (http.address() as AddressInfo).port;
    tcpPort = (tcp.address() as AddressInfo).port;
  });

  afterAll(async () => {
    for (const id of channels) await admin.request('DELETE', `/api/v1/notification-channels/${id}`);
    http.close();
    tcp.close();
  });

  async function channelTest(body: Record<string, unknown>): Promise<ChannelTestResult> {
    const created = await admin.request<NotificationChannelView>('POST', '/api/v1/notification-channels', { name: uniqueName('out'), ...body });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    channels.push(created.body.id);
    const res = await admin.request<ChannelTestResult>('POST', `/api/v1/notification-channels/${created.body.id}/test`);
    expect(res.status).toBe(200);
    return res.body;
  }

  it("reports a webhook's answer by its status code only, never the page it returned (loopback is allowed by default)", async () => {
    const result = await channelTest({ type: 'webhook', url: `http://127.0.0.1:${httpPort}/hook`, secret: 'a-webhook-secret-of-16+' });
    expect(result).toMatchObject({ ok: false, statusCode: 503, detail: 'HTTP 503' });
  });

  it("reports a non-mail service behind an SMTP channel by a classified cause, never its banner", async () => {
    const result = await channelTest({ type: 'email', to: ['a@example.com'], smtp: { host: '127.0.0.1', port: tcpPort, security: 'none', from: 'w@example.com' } });
    expect(result.ok).toBe(false);
    expect(result.detail).not.toContain('INTERNAL');
    expect(result.detail).not.toContain('SSH');
    expect(result.detail).toMatch(/^E[A-Z]+/);
  });

  it('reports a non-PostgreSQL or non-Kafka service behind a connection test by a classified cause, never what it said', async () => {
    for (const port of [httpPort, tcpPort]) {
      for (const [type, connection] of [
        ['source', { host: '127.0.0.1', port, database: 'x', username: 'x', password: 'x' }],
        ['destination', { brokers: `127.0.0.1:${port}` }],
      ] as const) {
        const res = await admin.request<ConnectionTestResult>('POST', '/api/v1/connections/test', { type, connection });
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        expect(res.body.ok).toBe(false);
        expect(JSON.stringify(res.body), `${type} test of port ${port}`).not.toMatch(/INTERNAL|SSH|h1|token/);
      }
    }
  });

  it('refuses link-local addresses and cloud metadata names by default, before connecting', async () => {
    const webhook = await channelTest({ type: 'webhook', url: 'http://169.254.169.254/latest/meta-data/', secret: 'a-webhook-secret-of-16+' });
    expect(webhook).toMatchObject({ ok: false, statusCode: null, detail: expect.stringContaining('WALBRIDGE_OUTBOUND_DENY') });
    const mail = await channelTest({ type: 'email', to: ['a@example.com'], smtp: { host: 'metadata.google.internal', port: 25, security: 'none', from: 'w@example.com' } });
    expect(mail.detail).toContain('outbound policy');
    for (const [type, connection] of [
      ['source', { host: '169.254.169.254', port: 5432, database: 'x', username: 'x' }],
      ['destination', { brokers: '127.0.0.1:9,[fd00::1]:9092' }],
    ] as const) {
      const t0 = Date.now();
      const res = await admin.request<ConnectionTestResult>('POST', '/api/v1/connections/test', { type, connection });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body).toMatchObject({ ok: false, problem: 'outbound-denied' });
      expect(Date.now() - t0).toBeLessThan(3000);
    }
  });
});
