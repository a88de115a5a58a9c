import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelTestResult, ConnectionTestResult, NotificationChannelView, TaskView } from '@walbridge/contracts';
import { ApiClient, createTestUser, demoDestination, demoSource, metadataDb, testPassword, uniqueName, waitFor, type TestUser } from '@walbridge/testing';

const admin = new ApiClient();

/**
 * A "PostgreSQL" that asks every client for its password in clear (AuthenticationCleartextPassword)
 * and keeps what it gets: the server an attacker would point a task at.
 */
async function startPasswordTrap(): Promise<{ port: number; received: string[]; connections: number; close(): Promise<void> }> {
  const trap = { port: 0, received: [] as string[], connections: 0, close: async () => undefined as void };
  const server: Server = createServer((socket) => {
    trap.connections++;
    let buffer = Buffer.alloc(0);
    let started = false;
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (!started && buffer.length >= 4 && buffer.length >= buffer.readInt32BE(0)) {
        started = true;
        buffer = buffer.subarray(buffer.readInt32BE(0));
        socket.write(Buffer.from([0x52, 0, 0, 0, 8, 0, 0, 0, 3])); // 'R', cleartext password please
      }
      if (started && buffer.length >= 5 && buffer[0] === 0x70) {
        trap.received.push(buffer.subarray(5, 1 + buffer.readInt32BE(1) - 1).toString('utf8'));
        socket.destroy();
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  trap.port = (server.address() as AddressInfo).port;
  trap.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return trap;
}

describe('a stored secret goes only to the endpoint it was given for', () => {
  const sourcePassword = testPassword();
  const saslPassword = testPassword();
  const smtpPassword = testPassword();
  let operator: TestUser;
  let task: TaskView;
  let trap: Awaited<ReturnType<typeof startPasswordTrap>>;
  let smtpTrap: SMTPServer;
  let smtpPort: number;
  const smtpLogins: string[] = [];

  beforeAll(async () => {
    [operator, trap] = await Promise.all([createTestUser('operator'), startPasswordTrap()]);
    // An SMTP server that accepts any login and keeps the password (AUTH PLAIN after STARTTLS).
    smtpTrap = new SMTPServer({
      logger: false,
      onAuth(auth, _session, callback) {
        smtpLogins.push(auth.password ?? '');
        callback(null, { user: auth.username });
      },
    });
    await new Promise<void>((resolve) => smtpTrap.listen(0, '127.0.0.1', () => resolve()));
    smtpPort = (smtpTrap.server.address() as AddressInfo).port;
    // The admin's task, with credentials the operator never saw.
    task = await admin.createTask({
      name: uniqueName('bound'),
      source: demoSource({ password: sourcePassword }),
      destination: { brokers: '127.0.0.1:9', securityProtocol: 'SASL_PLAINTEXT', saslMechanism: 'PLAIN', username: 'walbridge', password: saslPassword },
      policy: { objectScope: 'tables', tables: [{ schema: 'shop', table: 'orders' }], topicPolicy: { mode: 'specific', topic: 'unused' } },
    });
  });

  afterAll(async () => {
    await trap?.close();
    await new Promise<void>((resolve) => (smtpTrap ? smtpTrap.close(() => resolve()) : resolve()));
    if (task) await admin.request('DELETE', `/api/v1/tasks/${task.id}`);
  });

  it('refuses a new source port, host, database, login or TLS mode without the password, naming the field', async () => {
    for (const change of [{ port: trap.port }, { host: 'localhost' }, { database: 'postgres' }, { username: 'postgres' }, { sslMode: 'require' }]) {
      const res = await operator.client.request('PATCH', `/api/v1/tasks/${task.id}`, { source: change });
      expect(res.status, `${JSON.stringify(change)} → ${JSON.stringify(res.body)}`).toBe(400);
      expect(res.body).toMatchObject({ details: [{ field: 'source.password', message: expect.stringContaining(`source.${Object.keys(change)[0]}`) }] });
    }
    const test = await operator.client.request<ConnectionTestResult>('POST', `/api/v1/tasks/${task.id}/test-connection?target=source`);
    expect(test.status).toBe(200);
    expect(trap.connections).toBe(0);
  });

  it('refuses new brokers, protocol, mechanism or login of Kafka without the SASL password', async () => {
    for (const change of [{ brokers: `127.0.0.1:${trap.port}` }, { saslMechanism: 'SCRAM-SHA-256' }, { username: 'other' }]) {
      const res = await operator.client.request('PATCH', `/api/v1/tasks/${task.id}`, { destination: change });
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body).toMatchObject({ details: [{ field: 'destination.password' }] });
    }
    // Settings that do not route the password stay editable.
    const renamed = await operator.client.request<TaskView>('PATCH', `/api/v1/tasks/${task.id}`, { description: 'still mine', destination: { brokers: '127.0.0.1:9' } });
    expect(renamed.status, JSON.stringify(renamed.body)).toBe(200);
    expect(renamed.body.destination.passwordSet).toBe(true);
  });

  it('accepts the move with the password given again, and uses only that one there', async () => {
    const mine = testPassword();
    const moved = await operator.client.request<TaskView>('PATCH', `/api/v1/tasks/${task.id}`, { source: { port: trap.port, password: mine } });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    await operator.client.request('POST', `/api/v1/tasks/${task.id}/test-connection?target=source`);
    await waitFor('the trap to get a password', async () => (trap.received.length ? true : undefined), 15_000);
    expect(trap.received).toEqual([mine]);
    // The SASL password, kept, is re-sealed for the new source endpoint and still opens.
    const db = await metadataDb();
    try {
      const { rows } = await db.query('SELECT get_byte(secrets, 0) AS version FROM task WHERE id = $1', [task.id]);
      expect(rows[0].version).toBe(2);
    } finally {
      await db.end();
    }
    const kafka = await operator.client.request<ConnectionTestResult>('POST', `/api/v1/tasks/${task.id}/test-connection?target=destination`);
    expect(kafka.body.problem).not.toBe('stored-credentials');
  });

  it('cannot be opened once the record is re-pointed behind the API (the endpoint is in the AES-GCM associated data)', async () => {
    const other = await admin.createTask({
      name: uniqueName('bound'),
      source: demoSource({ password: sourcePassword }),
      destination: { brokers: '127.0.0.1:9' },
      policy: { objectScope: 'tables', tables: [{ schema: 'shop', table: 'orders' }], topicPolicy: { mode: 'specific', topic: 'unused' } },
    });
    const before = trap.received.length;
    const db = await metadataDb();
    try {
      await db.query(`UPDATE task SET config = jsonb_set(config, '{source,port}', to_jsonb($2::int)) WHERE id = $1`, [other.id, trap.port]);
    } finally {
      await db.end();
    }
    const test = await admin.request<ConnectionTestResult>('POST', `/api/v1/tasks/${other.id}/test-connection?target=source`);
    expect(test.status).toBe(200);
    expect(test.body).toMatchObject({ ok: false, problem: 'stored-credentials' });
    expect(JSON.stringify(test.body)).not.toContain(sourcePassword);
    expect(trap.received.length).toBe(before);
    await admin.request('DELETE', `/api/v1/tasks/${other.id}`);
  });

  it('refuses a new SMTP host, port, security or login of a channel without its password', async () => {
    const created = await admin.request<NotificationChannelView>('POST', '/api/v1/notification-channels', {
      type: 'email',
      name: uniqueName('mail'),
      to: ['dba@example.com'],
      smtp: { host: '127.0.0.1', port: 25, security: 'starttls', username: 'mailer', password: smtpPassword, from: 'walbridge@example.com', verifyCertificate: false },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id;
    for (const change of [{ port: smtpPort }, { host: 'localhost' }, { security: 'none' }, { username: 'x' }]) {
      const res = await operator.client.request('PATCH', `/api/v1/notification-channels/${id}`, { smtp: change });
      expect(res.status, `${JSON.stringify(change)} → ${JSON.stringify(res.body)}`).toBe(400);
      expect(res.body).toMatchObject({ details: [{ field: 'smtp.password' }] });
    }
    const sender = await operator.client.request('PATCH', `/api/v1/notification-channels/${id}`, { smtp: { from: 'ops@example.com' } });
    expect(sender.status, JSON.stringify(sender.body)).toBe(200);
    const tested = await operator.client.request<ChannelTestResult>('POST', `/api/v1/notification-channels/${id}/test`);
    expect(tested.status).toBe(200);
    expect(smtpLogins).not.toContain(smtpPassword);
    const moved = await operator.client.request('PATCH', `/api/v1/notification-channels/${id}`, { smtp: { port: smtpPort, password: 'the-operators-own' } });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    await operator.client.request<ChannelTestResult>('POST', `/api/v1/notification-channels/${id}/test`);
    expect(smtpLogins).toEqual(['the-operators-own']);
    await admin.request('DELETE', `/api/v1/notification-channels/${id}`);
  });
});

/** A "schema registry" that answers GET /subjects and keeps the password of every Basic login it gets. */
async function startRegistryTrap(): Promise<{ url: string; passwords: string[]; close(): Promise<void> }> {
  const passwords: string[] = [];
  const server = createHttpServer((req, res) => {
    const auth = req.headers.authorization;
    if (auth?.startsWith('Basic ')) passwords.push(Buffer.from(auth.slice(6), 'base64').toString('utf8').split(':').slice(1).join(':'));
    res.writeHead(200, { 'content-type': 'application/vnd.schemaregistry.v1+json' }).end('[]');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/apis/ccompat/v7`,
    passwords,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('the schema registry’s password goes only to the registry it was given for', () => {
  const registryPassword = testPassword();
  let operator: TestUser;
  let task: TaskView;
  let given: Awaited<ReturnType<typeof startRegistryTrap>>;
  let other: Awaited<ReturnType<typeof startRegistryTrap>>;

  beforeAll(async () => {
    [operator, given, other] = await Promise.all([createTestUser('operator'), startRegistryTrap(), startRegistryTrap()]);
    task = await admin.createTask({
      name: uniqueName('bound'),
      source: demoSource(),
      destination: demoDestination({ schemaRegistry: { url: given.url, username: 'walbridge', password: registryPassword } }),
      policy: { objectScope: 'tables', tables: [{ schema: 'shop', table: 'orders' }], topicPolicy: { mode: 'specific', topic: 'unused' }, format: 'avro-registry' },
    });
  });

  afterAll(async () => {
    await Promise.all([given?.close(), other?.close()]);
    if (task) await admin.request('DELETE', `/api/v1/tasks/${task.id}`);
  });

  const testDestination = () => operator.client.request<ConnectionTestResult>('POST', `/api/v1/tasks/${task.id}/test-connection?target=destination`);

  it('refuses a new registry url or login without the password, naming the field', async () => {
    for (const change of [{ url: other.url }, { username: 'admin' }]) {
      const res = await operator.client.request('PATCH', `/api/v1/tasks/${task.id}`, { destination: { schemaRegistry: change } });
      expect(res.status, `${JSON.stringify(change)} → ${JSON.stringify(res.body)}`).toBe(400);
      expect(res.body).toMatchObject({
        details: [{ field: 'destination.schemaRegistry.password', message: expect.stringContaining(`destination.schemaRegistry.${Object.keys(change)[0]}`) }],
      });
    }
    const tested = await testDestination();
    expect(tested.body, JSON.stringify(tested.body)).toMatchObject({ ok: true });
    expect(given.passwords).toEqual([registryPassword]);
    expect(other.passwords).toEqual([]);
  });

  it('accepts the new url with the password given again, and sends only that one there', async () => {
    const mine = testPassword();
    const moved = await operator.client.request<TaskView>('PATCH', `/api/v1/tasks/${task.id}`, { destination: { schemaRegistry: { url: other.url, password: mine } } });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(moved.body.destination.schemaRegistry).toEqual({ url: other.url, username: 'walbridge', passwordSet: true });
    expect(JSON.stringify(moved.body)).not.toContain(mine);
    expect((await testDestination()).body).toMatchObject({ ok: true });
    expect(other.passwords).toEqual([mine]);
    expect(given.passwords).toEqual([registryPassword]);
  });

  it('cannot be opened once the registry url is changed behind the API (the registry is in the AES-GCM associated data)', async () => {
    const db = await metadataDb();
    try {
      await db.query(`UPDATE task SET config = jsonb_set(config, '{destination,schemaRegistry,url}', to_jsonb($2::text)) WHERE id = $1`, [task.id, given.url]);
    } finally {
      await db.end();
    }
    const tested = await testDestination();
    expect(tested.status).toBe(200);
    expect(tested.body).toMatchObject({ ok: false, problem: 'stored-credentials' });
    expect(given.passwords).toEqual([registryPassword]);
  });
});
