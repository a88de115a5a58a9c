import { describe, expect, it } from 'vitest';
import type { CreatedTokenView, NotificationChannelView } from '@walbridge/contracts';
import { ApiClient, createTestUser, metadataDb, openEventStream, testEnv, uniqueName } from '@walbridge/testing';

const admin = new ApiClient();

describe('smaller hardening (issue 14 item 8)', () => {
  it('refuses webhook URLs carrying user:password@, naming the field', async () => {
    const res = await admin.request('POST', '/api/v1/notification-channels', {
      type: 'webhook',
      name: uniqueName('hook'),
      url: 'https://ops:hunter2@hooks.example.com/x',
      secret: 'a-webhook-secret-of-16+',
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ details: [{ field: 'url', message: expect.stringContaining('user:pw@') }] });
  });

  it('shows viewers webhook URLs without their path and query (Slack-style URLs carry the credential there); operators see all', async () => {
    const url = 'https://hooks.slack.com/services/T0SECRET/B0SECRET/xoxSECRETpart?token=SECRETquery';
    const created = await admin.request<NotificationChannelView>('POST', '/api/v1/notification-channels', { type: 'webhook', name: uniqueName('slack'), url, secret: 'a-webhook-secret-of-16+' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const [viewer, operator] = await Promise.all([createTestUser('viewer'), createTestUser('operator')]);
    try {
      const one = await viewer.client.request<NotificationChannelView>('GET', `/api/v1/notification-channels/${created.body.id}`);
      const list = await viewer.client.request<NotificationChannelView[]>('GET', '/api/v1/notification-channels');
      expect(one.status).toBe(200);
      expect(one.body).toMatchObject({ url: 'https://hooks.slack.com/[redacted]', urlRedacted: true });
      expect(list.body.find((c) => c.id === created.body.id)).toMatchObject({ url: 'https://hooks.slack.com/[redacted]' });
      expect(JSON.stringify([one.body, list.body])).not.toContain('SECRET');
      for (const who of [operator.client, admin]) {
        const seen = await who.request<NotificationChannelView>('GET', `/api/v1/notification-channels/${created.body.id}`);
        expect(seen.body.url).toBe(url);
        expect(seen.body.urlRedacted).toBeUndefined();
      }
    } finally {
      await admin.request('DELETE', `/api/v1/notification-channels/${created.body.id}`);
      await Promise.all([viewer, operator].map((u) => admin.request('DELETE', `/api/v1/users/${u.user.id}`)));
    }
  });

  it("refuses Kafka's internal topics as destinations", async () => {
    for (const topic of ['__consumer_offsets', '__transaction_state']) {
      const res = await admin.request('POST', '/api/v1/tasks', {
        name: uniqueName('internal'),
        source: { host: testEnv.pgHost, port: testEnv.pgPort, database: 'demo', username: 'demo' },
        destination: { brokers: '127.0.0.1:9' },
        policy: { objectScope: 'tables', tables: [{ schema: 'shop', table: 'orders' }], topicPolicy: { mode: 'specific', topic } },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(JSON.stringify(res.body)).toContain("internal topics");
    }
  });

  it('gives API tokens an expiry by default (90 days)', async () => {
    const res = await admin.request<CreatedTokenView>('POST', '/api/v1/tokens', { name: uniqueName('tok') });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const days = (Date.parse(res.body.expiresAt!) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(89.9);
    expect(days).toBeLessThan(90.1);
    await admin.request('DELETE', `/api/v1/tokens/${res.body.id}`);
  });
});

describe('event streams end within seconds of the credential ending', () => {
  it('closes the stream of a revoked token and of a deleted user', async () => {
    const task = await admin.createTask({
      name: uniqueName('sse'),
      source: { host: testEnv.pgHost, port: testEnv.pgPort, database: 'demo', username: 'demo' },
      destination: { brokers: '127.0.0.1:9' },
      policy: { objectScope: 'tables', tables: [{ schema: 'shop', table: 'orders' }], topicPolicy: { mode: 'specific', topic: 'sse' } },
    });
    const viewer = await createTestUser('viewer');
    const token = await admin.request<CreatedTokenView>('POST', '/api/v1/tokens', { name: uniqueName('tok'), username: viewer.username });
    const byToken = await openEventStream(`${testEnv.apiUrl}/api/v1/tasks/${task.id}/events`, { authorization: `Bearer ${token.body.token}` });
    const bySession = await openEventStream(`${testEnv.apiUrl}/api/v1/tasks/${task.id}/events`, { authorization: (await viewer.client.authorization())! });
    expect([byToken.status, bySession.status]).toEqual([200, 200]);
    const t0 = Date.now();
    await admin.request('DELETE', `/api/v1/tokens/${token.body.id}`);
    await byToken.ended;
    expect(Date.now() - t0).toBeLessThan(6000);
    const t1 = Date.now();
    await admin.request('DELETE', `/api/v1/users/${viewer.user.id}`);
    await bySession.ended;
    expect(Date.now() - t1).toBeLessThan(6000);
    await admin.request('DELETE', `/api/v1/tasks/${task.id}`);
  });
});

describe('stop of a task that never started', () => {
  it('cancels it (CANCELLED, not COMPLETED) at once, and it can be deleted', async () => {
    const task = await admin.createTask({
      name: uniqueName('cancel'),
      source: { host: testEnv.pgHost, port: testEnv.pgPort, database: 'demo', username: 'demo' },
      destination: { brokers: '127.0.0.1:9' },
      policy: { objectScope: 'tables', tables: [{ schema: 'shop', table: 'orders' }], topicPolicy: { mode: 'specific', topic: 'cancel' } },
    });
    const stopped = await admin.operate(task.id, 'stop');
    expect(stopped.status, JSON.stringify(stopped.body)).toBe(202);
    expect(stopped.body.status).toBe('CANCELLED');
    expect((await admin.task(task.id)).status).toBe('CANCELLED');
    expect((await admin.request('DELETE', `/api/v1/tasks/${task.id}`)).status).toBeLessThan(300);
  });
});

describe('session idle timeout', () => {
  it('ends a session unused for WALBRIDGE_SESSION_IDLE_MINUTES (120) even before it expires', async () => {
    const viewer = await createTestUser('viewer');
    const login = await fetch(`${testEnv.apiUrl}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: viewer.username, password: viewer.password }) });
    const { token } = (await login.json()) as { token: string };
    const me = () => fetch(`${testEnv.apiUrl}/api/v1/auth/me`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);
    expect(await me()).toBe(200);
    const db = await metadataDb();
    try {
      await db.query(`UPDATE user_session SET last_used_at = now() - interval '121 minutes' WHERE user_id = $1`, [viewer.user.id]);
    } finally {
      await db.end();
    }
    expect(await me()).toBe(401);
  });
});
