import { createHmac, timingSafeEqual } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelTestResult, NotificationChannelView, NotificationPage } from '@walbridge/contracts';
import {
  ApiClient,
  createTestUser,
  demoDestination,
  demoSource,
  freePorts,
  metadataDb,
  startSmtpReceiver,
  startWebhookReceiver,
  testPassword,
  uniqueName,
  type SmtpReceiver,
  type TestUser,
  type WebhookReceiver,
} from '@walbridge/testing';

const api = new ApiClient();

/** What a receiver of Walbridge's webhooks does, written from the README, not from our code. */
function verifySignature(header: string | undefined, body: string, secret: string): boolean {
  const parts = Object.fromEntries((header ?? '').split(',').map((p) => p.split('=') as [string, string]));
  const expected = createHmac('sha256', secret).update(`${parts.t}.${body}`).digest();
  const given = Buffer.from(parts.v1 ?? '', 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected) && Math.abs(Date.now() / 1000 - Number(parts.t)) < 300;
}

describe('notification channels', () => {
  let hooks: WebhookReceiver;
  let smtp: SmtpReceiver;
  let viewer: TestUser;
  const smtpLogin = { username: 'walbridge-mailer', password: testPassword() };

  beforeAll(async () => {
    [hooks, smtp, viewer] = await Promise.all([startWebhookReceiver(), startSmtpReceiver({ auth: smtpLogin }), createTestUser('viewer')]);
  });

  afterAll(async () => {
    await Promise.all([hooks?.close(), smtp?.close()]);
  });

  async function createWebhook(secret = `whsec-${testPassword()}`): Promise<{ channel: NotificationChannelView; secret: string }> {
    const res = await api.request<NotificationChannelView>('POST', '/api/v1/notification-channels', { type: 'webhook', name: uniqueName('hook'), url: hooks.url, secret });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return { channel: res.body, secret };
  }

  it('creates a webhook channel whose secret is write-only and sealed at rest', async () => {
    const { channel, secret } = await createWebhook();
    expect(channel).toMatchObject({ type: 'webhook', url: hooks.url, secretSet: true, enabled: true });
    expect(JSON.stringify(channel)).not.toContain(secret);
    const listed = await api.request<NotificationChannelView[]>('GET', '/api/v1/notification-channels');
    expect(JSON.stringify(listed.body)).not.toContain(secret);
    expect(listed.body.map((c) => c.id)).toContain(channel.id);
    const db = await metadataDb();
    try {
      const { rows } = await db.query('SELECT config::text AS config, secrets FROM notification_channel WHERE id = $1', [channel.id]);
      expect(rows[0].config).not.toContain(secret);
      expect((rows[0].secrets as Buffer).includes(Buffer.from(secret))).toBe(false);
    } finally {
      await db.end();
    }
  });

  it('sends a signed test notification that verifies with the channel secret, and only with it', async () => {
    const { channel, secret } = await createWebhook();
    const before = hooks.requests.length;
    const res = await api.request<ChannelTestResult>('POST', `/api/v1/notification-channels/${channel.id}/test`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true, statusCode: 200, detail: 'HTTP 200' });
    const [request] = (await hooks.waitForRequests(before + 1)).slice(before);
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['x-walbridge-event']).toBe('test');
    expect(verifySignature(request.headers['x-walbridge-signature'] as string, request.body, secret)).toBe(true);
    expect(verifySignature(request.headers['x-walbridge-signature'] as string, request.body, `${secret}x`)).toBe(false);
    expect(verifySignature(request.headers['x-walbridge-signature'] as string, request.body.replace('test', 'tesT'), secret)).toBe(false);
    expect(JSON.parse(request.body)).toMatchObject({ type: 'test', severity: 'info', task: null, test: true, title: `Test notification for channel ${channel.name}` });
  });

  it('reports a failing receiver in the test result instead of pretending', async () => {
    const { channel } = await createWebhook();
    hooks.failNext(1, 503);
    const res = await api.request<ChannelTestResult>('POST', `/api/v1/notification-channels/${channel.id}/test`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: false, statusCode: 503 });
    // The status only, never the receiver's text (it could be an internal service's page).
    expect(res.body.detail).toBe('HTTP 503');
    const [closedPort] = await freePorts(1);
    const unreachable = await api.request<NotificationChannelView>('PATCH', `/api/v1/notification-channels/${channel.id}`, { url: `http://127.0.0.1:${closedPort}/nothing-listens` });
    expect(unreachable.status).toBe(200);
    const refused = await api.request<ChannelTestResult>('POST', `/api/v1/notification-channels/${channel.id}/test`);
    expect(refused.body.ok).toBe(false);
    expect(refused.body.detail).toMatch(/ECONNREFUSED/);
  });

  it('sends e-mail over SMTP with STARTTLS and the sealed SMTP password', async () => {
    const res = await api.request<NotificationChannelView>('POST', '/api/v1/notification-channels', {
      type: 'email',
      name: uniqueName('mail'),
      to: ['oncall@example.com', 'dba@example.com'],
      smtp: { host: smtp.host, port: smtp.port, security: 'starttls', username: smtpLogin.username, password: smtpLogin.password, from: 'walbridge@example.com', verifyCertificate: false },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.smtp).toMatchObject({ host: smtp.host, username: smtpLogin.username, passwordSet: true });
    expect(JSON.stringify(res.body)).not.toContain(smtpLogin.password);
    const test = await api.request<ChannelTestResult>('POST', `/api/v1/notification-channels/${res.body.id}/test`);
    expect(test.body, JSON.stringify(test.body)).toMatchObject({ ok: true, statusCode: 250 });
    const [mail] = await smtp.waitForMessages(1);
    expect(mail).toMatchObject({ from: 'walbridge@example.com', to: ['oncall@example.com', 'dba@example.com'], user: smtpLogin.username, secure: true });
    expect(mail.subject).toBe(`[Walbridge] Test notification for channel ${res.body.name}`);
    expect(mail.text).toContain('the channel works');

    // A wrong password is the receiver's refusal, reported without the password.
    const wrong = `${smtpLogin.password}-wrong`;
    await api.request('PATCH', `/api/v1/notification-channels/${res.body.id}`, { smtp: { password: wrong } });
    const refused = await api.request<ChannelTestResult>('POST', `/api/v1/notification-channels/${res.body.id}/test`);
    expect(refused.body.ok).toBe(false);
    expect(refused.body.detail).toMatch(/535|auth/i);
    expect(refused.body.detail).not.toContain(wrong);
  });

  it('sends e-mail of a channel without its own SMTP settings through the server’s, and says when there is none', async () => {
    const res = await api.request<NotificationChannelView>('POST', '/api/v1/notification-channels', { type: 'email', name: uniqueName('mail'), to: ['oncall@example.com'] });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ type: 'email', to: ['oncall@example.com'], smtp: null });
    // The test stack's schedulers have no WALBRIDGE_SMTP_URL.
    const test = await api.request<ChannelTestResult>('POST', `/api/v1/notification-channels/${res.body.id}/test`);
    expect(test.body).toMatchObject({ ok: false, statusCode: null, detail: 'no SMTP server: give the channel its smtp settings, or set WALBRIDGE_SMTP_URL on the schedulers' });
  });

  it('keeps the secret through a PATCH that leaves it out, and refuses a change of type', async () => {
    const { channel, secret } = await createWebhook();
    const renamed = await api.request<NotificationChannelView>('PATCH', `/api/v1/notification-channels/${channel.id}`, { name: `${channel.name}-2`, enabled: false });
    expect(renamed.body).toMatchObject({ name: `${channel.name}-2`, enabled: false, secretSet: true });
    await api.request('PATCH', `/api/v1/notification-channels/${channel.id}`, { enabled: true });
    const before = hooks.requests.length;
    await api.request('POST', `/api/v1/notification-channels/${channel.id}/test`);
    const [request] = (await hooks.waitForRequests(before + 1)).slice(before);
    expect(verifySignature(request.headers['x-walbridge-signature'] as string, request.body, secret)).toBe(true);
    const typeChange = await api.request('PATCH', `/api/v1/notification-channels/${channel.id}`, { type: 'email' });
    expect(typeChange.status).toBe(400);
    expect(typeChange.body).toMatchObject({ details: [{ field: 'type' }] });
    const noSecret = await api.request('PATCH', `/api/v1/notification-channels/${channel.id}`, { secret: null });
    expect(noSecret.status).toBe(400);
    expect(noSecret.body).toMatchObject({ details: [{ field: 'secret' }] });
  });

  it('keeps what a channel is sent: every kind from information by default, its own choice once given, changed by PATCH', async () => {
    const { channel } = await createWebhook();
    expect(channel).toMatchObject({ kinds: null, minSeverity: 'info' });
    const patched = await api.request<NotificationChannelView>('PATCH', `/api/v1/notification-channels/${channel.id}`, { kinds: ['taskAbnormal'], minSeverity: 'critical' });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body).toMatchObject({ kinds: ['taskAbnormal'], minSeverity: 'critical', secretSet: true });
    const back = await api.request<NotificationChannelView>('PATCH', `/api/v1/notification-channels/${channel.id}`, { kinds: null });
    expect(back.body).toMatchObject({ kinds: null, minSeverity: 'critical' });
    // The channel's own test is always sent, whatever it chose.
    const test = await api.request<{ ok: boolean }>('POST', `/api/v1/notification-channels/${channel.id}/test`);
    expect(test.body.ok).toBe(true);
  });

  it('refuses bad channels with 400 naming the field and the rule', async () => {
    const bad: [unknown, string][] = [
      [{ type: 'sms', name: 'x' }, 'type'],
      [{ type: 'webhook', name: 'x', url: 'ftp://example.com/hook', secret: 'a'.repeat(20) }, 'url'],
      [{ type: 'webhook', name: 'x', url: 'not a url', secret: 'a'.repeat(20) }, 'url'],
      [{ type: 'webhook', name: 'x', url: 'https://example.com/hook', secret: 'short' }, 'secret'],
      [{ type: 'webhook', name: 'x', url: 'https://example.com/hook' }, 'secret'],
      [{ type: 'webhook', name: '', url: 'https://example.com/hook', secret: 'a'.repeat(20) }, 'name'],
      [{ type: 'email', name: 'x', to: [], smtp: { host: 'mail.example.com', from: 'a@example.com' } }, 'to'],
      [{ type: 'email', name: 'x', to: ['not-an-address'], smtp: { host: 'mail.example.com', from: 'a@example.com' } }, 'to.0'],
      [{ type: 'email', name: 'x', to: ['a@example.com'], smtp: { host: 'mail.example.com', port: 70000, from: 'a@example.com' } }, 'smtp.port'],
      [{ type: 'email', name: 'x', to: ['a@example.com'], smtp: { host: 'bad host!', from: 'a@example.com' } }, 'smtp.host'],
      [{ type: 'webhook', name: 'x', url: 'https://example.com/hook', secret: 'a'.repeat(20), extra: 1 }, '(body)'],
      [{ type: 'webhook', name: 'x', url: 'https://example.com/hook', secret: 'a'.repeat(20), kinds: [] }, 'kinds'],
      [{ type: 'webhook', name: 'x', url: 'https://example.com/hook', secret: 'a'.repeat(20), kinds: ['delayAlarm', 'everything'] }, 'kinds.1'],
      [{ type: 'email', name: 'x', to: ['a@example.com'], minSeverity: 'loud' }, 'minSeverity'],
    ];
    for (const [body, field] of bad) {
      const res = await api.request<{ details: { field: string; message: string }[] }>('POST', '/api/v1/notification-channels', body);
      expect(`${JSON.stringify(body)} → ${res.status}`).toBe(`${JSON.stringify(body)} → 400`);
      expect(res.body.details.map((d) => d.field), JSON.stringify(res.body)).toContain(field);
    }
    const { channel } = await createWebhook();
    const duplicate = await api.request('POST', '/api/v1/notification-channels', { type: 'webhook', name: channel.name.toUpperCase(), url: hooks.url, secret: 'a'.repeat(20) });
    expect(duplicate.status).toBe(400);
    expect(duplicate.body).toMatchObject({ details: [{ field: 'name' }] });
  });

  it('answers 404 for unknown channels and deletes channels', async () => {
    const { channel } = await createWebhook();
    expect((await api.request('DELETE', `/api/v1/notification-channels/${channel.id}`)).status).toBe(204);
    expect((await api.request('GET', `/api/v1/notification-channels/${channel.id}`)).status).toBe(404);
    expect((await api.request('POST', `/api/v1/notification-channels/${channel.id}/test`)).status).toBe(404);
    expect((await api.request('DELETE', `/api/v1/notification-channels/${channel.id}`)).status).toBe(404);
  });

  it('lets viewers read channels and their own inbox but not change channels', async () => {
    const { channel } = await createWebhook();
    expect((await viewer.client.request('GET', '/api/v1/notification-channels')).status).toBe(200);
    expect((await viewer.client.request('PATCH', `/api/v1/notification-channels/${channel.id}`, { enabled: false })).status).toBe(403);
    expect((await viewer.client.request('POST', `/api/v1/notification-channels/${channel.id}/test`)).status).toBe(403);
    const inbox = await viewer.client.request<NotificationPage>('GET', '/api/v1/notifications?limit=5');
    expect(inbox.status).toBe(200);
    expect(typeof inbox.body.unreadCount).toBe('number');
    expect((await viewer.client.request('POST', '/api/v1/notifications/read-all', {})).status).toBe(200);
    expect((await viewer.client.request<{ unreadCount: number }>('GET', '/api/v1/notifications/unread-count')).body.unreadCount).toBe(0);
    const bad = await viewer.client.request('GET', '/api/v1/notifications?unread=maybe&limit=0');
    expect(bad.status).toBe(400);
    expect((bad.body as { details: { field: string }[] }).details.map((d) => d.field).sort()).toEqual(['limit', 'unread']);
  });

  it('refuses a task naming a channel that does not exist, by field', async () => {
    const res = await api.request<{ details: { field: string; message: string }[] }>('POST', '/api/v1/tasks', {
      name: uniqueName('nc').slice(0, 40),
      source: demoSource(),
      destination: demoDestination(),
      policy: { objectScope: 'tables', tables: [{ schema: 'shop', table: 'orders' }], topicPolicy: { mode: 'specific', topic: 'walbridge-demo' } },
      alarms: { notify: true, channelIds: ['00000000-0000-4000-8000-000000000000'] },
    });
    expect(res.status).toBe(400);
    expect(res.body.details).toEqual([{ field: 'alarms.channelIds.0', message: 'no notification channel 00000000-0000-4000-8000-000000000000' }]);
  });
});
