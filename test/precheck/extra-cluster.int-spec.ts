import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionTestResult, CreateTaskInput, TaskView } from '@walbridge/contracts';
import { PRECHECK_ITEM_KEYS } from '@walbridge/domain';
import { ApiClient, createTopic, demoDestination, startExtraPostgres, uniqueName, type ExtraPostgres } from '@walbridge/testing';
import { itemOf, results } from './precheck-fixture';

const api = new ApiClient();

// One throw-away PostgreSQL cluster for the whole file, configured the way the shared stack must
// not be: wal_level=replica and two slots at first, SSL on, pg_hba.conf rules per role and database.
describe('against a PostgreSQL cluster of its own', () => {
  let pg: ExtraPostgres;
  const password = 'cdc-pw';

  beforeAll(async () => {
    pg = await startExtraPostgres({
      ssl: true,
      settings: { wal_level: 'replica', max_replication_slots: 2, max_wal_senders: 1 },
      hba: [
        'hostnossl all sslonly 127.0.0.1/32 reject',
        // Database "closed" has no line: nobody may connect to it over TCP.
        'host postgres,src,private all 127.0.0.1/32 scram-sha-256',
        'host replication all 127.0.0.1/32 scram-sha-256',
      ],
      hbaDefaults: false,
    });
    await pg.query(`CREATE ROLE cdc LOGIN REPLICATION PASSWORD '${password}'`);
    await pg.query(`CREATE ROLE nologin NOLOGIN PASSWORD '${password}'`);
    await pg.query(`CREATE ROLE sslonly LOGIN PASSWORD '${password}'`);
    await pg.query('CREATE DATABASE src OWNER cdc');
    await pg.query('CREATE DATABASE closed OWNER cdc');
    await pg.query('CREATE DATABASE private');
    await pg.query('REVOKE CONNECT ON DATABASE private FROM PUBLIC');
    await pg.query('CREATE TABLE public.items (id bigint PRIMARY KEY, name text)', [], 'src');
    await pg.query('ALTER TABLE public.items OWNER TO cdc', [], 'src');
  }, 180_000);

  afterAll(async () => {
    await pg?.stop();
  }, 60_000);

  const source = (over: Record<string, unknown> = {}) => ({ host: pg.host, port: pg.port, database: 'src', username: 'cdc', password, ...over });

  async function testSource(over: Record<string, unknown>): Promise<ConnectionTestResult> {
    const res = await api.request<ConnectionTestResult>('POST', '/api/v1/connections/test', { type: 'source', ...source(over) });
    expect(res.status).toBe(200);
    expect(res.body.durationMs).toBeLessThan(10_000);
    return res.body;
  }

  describe('connection test', () => {
    it('tells pg_hba.conf refusals, SSL requirements, NOLOGIN and a missing CONNECT apart', async () => {
      expect(await testSource({})).toMatchObject({ ok: true, source: { ssl: false } });
      const hba = await testSource({ database: 'closed' });
      expect(hba).toMatchObject({ ok: false, problem: 'pg-hba' });
      expect(hba.message).toContain('no pg_hba.conf entry for host "127.0.0.1", user "cdc", database "closed"');
      expect(hba.suggestion).toBe('add to pg_hba.conf on the source: host closed cdc 127.0.0.1/32 scram-sha-256\nthen reload it: SELECT pg_reload_conf();');
      expect(await testSource({ username: 'sslonly' })).toMatchObject({
        ok: false,
        problem: 'ssl-required',
        suggestion: 'set sslMode to require, or to verify-ca / verify-full with the CA certificate of the server',
      });
      expect(await testSource({ username: 'sslonly', sslMode: 'require' })).toMatchObject({ ok: true, source: { ssl: true } });
      expect(await testSource({ username: 'nologin' })).toMatchObject({ ok: false, problem: 'no-login', suggestion: 'ALTER ROLE "nologin" WITH LOGIN;' });
      expect(await testSource({ database: 'private' })).toMatchObject({
        ok: false,
        problem: 'no-connect-privilege',
        suggestion: 'GRANT CONNECT ON DATABASE "private" TO "cdc";',
      });
    });

    it('verifies the server certificate against the CA given, and the host name with verify-full', async () => {
      expect(await testSource({ sslMode: 'verify-ca', caCert: pg.certificate })).toMatchObject({ ok: true, source: { ssl: true } });
      expect(await testSource({ sslMode: 'verify-full', caCert: pg.certificate, host: 'localhost' })).toMatchObject({ ok: true });
      // The certificate names localhost, not 127.0.0.1.
      expect(await testSource({ sslMode: 'verify-full', caCert: pg.certificate })).toMatchObject({ ok: false, problem: 'ssl-verify', suggestion: expect.stringContaining('verify-ca') });
      const dir = mkdtempSync(join(tmpdir(), 'wbtest-ca-'));
      try {
        execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=other', '-keyout', join(dir, 'k'), '-out', join(dir, 'c')], { stdio: 'ignore' });
        expect(await testSource({ sslMode: 'verify-ca', caCert: readFileSync(join(dir, 'c'), 'utf8') })).toMatchObject({ ok: false, problem: 'ssl-verify' });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('precheck', () => {
    let task: TaskView;
    let topic: string;

    beforeAll(async () => {
      topic = uniqueName('wbtest');
      await createTopic(topic);
      const input: CreateTaskInput = {
        name: uniqueName('own').replace(/_/g, '-'),
        source: source(),
        destination: demoDestination(),
        policy: { slotName: uniqueName('wbtest'), tables: [{ schema: 'public', table: 'items' }], topicPolicy: { mode: 'specific', topic } },
      };
      task = await api.createTask(input);
    });

    it('on wal_level=replica with every slot taken and too few WAL senders: WAL level and slot capacity fail with the settings to change', async () => {
      await pg.query(`SELECT pg_create_physical_replication_slot('standby_a'), pg_create_physical_replication_slot('standby_b')`);
      const run = await api.runPrecheck(task.id);
      expect(itemOf(run, 'wal-level')).toMatchObject({
        result: 'FAILED',
        reason: 'wal_level is replica; logical decoding needs logical',
        suggestion: 'ALTER SYSTEM SET wal_level = logical;\n-- then restart PostgreSQL: wal_level only changes at server start',
      });
      const slots = itemOf(run, 'replication-slots');
      expect(slots).toMatchObject({
        result: 'FAILED',
        reason: 'all replication slots are in use (2 of max_replication_slots = 2); max_wal_senders (1) is lower than max_replication_slots (2)',
      });
      expect(slots.suggestion!.split('\n')).toEqual([
        "SELECT pg_drop_replication_slot('standby_a'); -- inactive physical slot, if it is no longer needed",
        "SELECT pg_drop_replication_slot('standby_b'); -- inactive physical slot, if it is no longer needed",
        'ALTER SYSTEM SET max_replication_slots = 3;',
        '-- then restart PostgreSQL',
        'ALTER SYSTEM SET max_wal_senders = 2;',
        '-- then restart PostgreSQL',
      ]);
      expect(slots.affectedObjects).toEqual(['slot standby_a (physical, inactive)', 'slot standby_b (physical, inactive)', 'setting max_wal_senders']);
      expect(itemOf(run, 'wal-retention')).toMatchObject({ result: 'ALARM', affectedObjects: ['setting max_slot_wal_keep_size'] });
      // cdc cannot see other roles' sessions yet.
      expect(itemOf(run, 'long-transactions')).toMatchObject({ result: 'ALARM', suggestion: 'GRANT pg_read_all_stats TO "cdc";' });
      expect((await api.operate(task.id, 'submit')).status).toBe(409);
    });

    it('once configured as the items said, every item passes and the task streams', async () => {
      await pg.query(`SELECT pg_drop_replication_slot('standby_a'), pg_drop_replication_slot('standby_b')`);
      await pg.query('GRANT pg_read_all_stats TO cdc');
      await pg.restart({ wal_level: 'logical', max_replication_slots: 4, max_wal_senders: 4, max_slot_wal_keep_size: "'1GB'" });
      const run = await api.runPrecheck(task.id);
      expect(results(run)).toEqual(Object.fromEntries(run.items.map((i) => [i.key, 'PASSED'])));
      expect(run).toMatchObject({ result: 'PASSED', successRate: 100, progress: { done: PRECHECK_ITEM_KEYS.length, total: PRECHECK_ITEM_KEYS.length }, submittable: true });
      expect((await api.operate(task.id, 'submit')).status).toBe(202);
      await api.waitForStatus(task.id, 'INCREMENTAL', 90_000);
      await api.operate(task.id, 'stop');
      await api.waitForStatus(task.id, 'COMPLETED', 90_000);
    });

    it('full + incremental: a role that may not write the watermarks fails "Full synchronization" with the GRANT that fixes it', async () => {
      const full = await api.createTask({
        name: uniqueName('full').replace(/_/g, '-'),
        source: source(),
        destination: demoDestination(),
        policy: { slotName: uniqueName('wbtest'), tables: [{ schema: 'public', table: 'items' }], topicPolicy: { mode: 'specific', topic }, syncMode: 'full+incremental' },
      });
      await pg.query('REVOKE EXECUTE ON FUNCTION pg_logical_emit_message(boolean, text, text) FROM PUBLIC', [], 'src');
      const refused = itemOf(await api.runPrecheck(full.id), 'full-sync');
      expect(refused).toMatchObject({
        result: 'FAILED',
        reason: expect.stringContaining("the role cdc cannot write the snapshot's chunk watermarks into the WAL with pg_logical_emit_message (permission denied"),
        suggestion: 'as a superuser: GRANT EXECUTE ON FUNCTION pg_logical_emit_message(boolean, text, text) TO "cdc";',
      });
      await pg.query(refused.suggestion!.replace('as a superuser: ', ''), [], 'src');
      const granted = itemOf(await api.runPrecheck(full.id), 'full-sync');
      expect(granted).toMatchObject({ result: 'PASSED', reason: expect.stringMatching(/existing rows .* in 1 table, read in short chunks without locks .*: public\.items by its primary key \(id\)$/) });
      await api.request('DELETE', `/api/v1/tasks/${full.id}`);
    });

    it('on a standby: the connection test says so, and the version item fails', async () => {
      const standby = await pg.startStandby();
      try {
        const tested = await testSource({ port: standby.port });
        expect(tested).toMatchObject({ ok: true, source: { inRecovery: true }, message: expect.stringContaining('(a standby)') });
        const onStandby = await api.createTask({
          name: uniqueName('standby').replace(/_/g, '-'),
          source: source({ port: standby.port }),
          destination: demoDestination(),
          policy: { tables: [{ schema: 'public', table: 'items' }], topicPolicy: { mode: 'specific', topic } },
        });
        const run = await api.runPrecheck(onStandby.id);
        expect(itemOf(run, 'source-version')).toMatchObject({
          result: 'FAILED',
          reason: 'the source is a standby (pg_is_in_recovery() is true): publications and slots are created on the primary',
          suggestion: 'connect the task to the primary server',
        });
      } finally {
        await standby.stop();
      }
    });
  });
});
