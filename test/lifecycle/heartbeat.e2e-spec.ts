import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, KafkaFixture, spawnPostgres, type DedicatedPostgres } from '@walbridge/testing';
import { createTask, dedicatedSource, lsnToBigInt, onSource, stopAndForget, waitFor, type Fixture, type LifecycleTask } from './lifecycle-fixture';

const MB = 1024 * 1024;

/**
 * PRODUCT.md §4 heartbeat: with its tables idle while others write, a streaming task's slot must
 * keep advancing, or the source keeps every byte of WAL written since. A PostgreSQL of the test's
 * own, so that 200 MB of WAL touch nobody else's slots; the shared api, scheduler and Kafka.
 */
describe('heartbeat: 200 MB written to a table the task does not capture', () => {
  let pg: DedicatedPostgres;
  let fx: Fixture;
  let streaming: LifecycleTask;
  let paused: LifecycleTask;
  let walWritten = 0n;
  let endOfWrites = '';

  beforeAll(async () => {
    pg = await spawnPostgres();
    fx = { api: new ApiClient(), kafka: new KafkaFixture(), source: dedicatedSource(pg) };
    [streaming, paused] = await Promise.all([createTask(fx, { start: true }), createTask(fx, { start: true })]);
    // The contrast: a paused task's slot does not move, so it must hold on to all of it.
    expect((await fx.api.operate(paused.id, 'pause')).status).toBe(202);
    await fx.api.waitForStatus(paused.id, 'PAUSED');

    await onSource(fx.source, async (db) => {
      await db.query('CREATE TABLE shop.unselected (id bigint PRIMARY KEY, payload text)');
      const start = (await db.query('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0].lsn as string;
      // 20 transactions of ~10 MB of WAL each.
      for (let i = 0; i < 20; i++) {
        await db.query(`INSERT INTO shop.unselected SELECT g, repeat(md5(g::text), 16) FROM generate_series($1::bigint, $2::bigint) g`, [
          i * 20_000 + 1,
          (i + 1) * 20_000,
        ]);
      }
      endOfWrites = (await db.query('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0].lsn as string;
      walWritten = lsnToBigInt(endOfWrites) - lsnToBigInt(start);
    });
  }, 300_000);

  afterAll(async () => {
    if (fx) await Promise.all([streaming, paused].filter(Boolean).map((t) => stopAndForget(fx, t.id)));
    await pg?.cleanup();
  });

  async function retainedBytes(slot: string): Promise<number> {
    return onSource(fx.source, async (db) => {
      const { rows } = await db.query('SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint AS b FROM pg_replication_slots WHERE slot_name = $1', [slot]);
      return Number(rows[0].b);
    });
  }

  it('wrote at least 200 MB of WAL, all of which the paused task’s slot retains', async () => {
    expect(Number(walWritten)).toBeGreaterThanOrEqual(200 * MB);
    expect(await retainedBytes(paused.slot)).toBeGreaterThanOrEqual(200 * MB);
  });

  it('keeps the streaming task’s slot advancing: its retained WAL falls back to a few MB', async () => {
    const retained = await waitFor(
      'the streaming slot to release the WAL',
      async () => {
        const bytes = await retainedBytes(streaming.slot);
        return bytes < 16 * MB ? bytes : undefined;
      },
      120_000,
      1000,
    );
    console.log(`WAL retained by the streaming slot: ${(retained / MB).toFixed(1)} MB after ${(Number(walWritten) / MB).toFixed(0)} MB written`);
    const slot = await onSource(fx.source, async (db) =>
      (await db.query('SELECT confirmed_flush_lsn::text AS lsn FROM pg_replication_slots WHERE slot_name = $1', [streaming.slot])).rows[0].lsn as string,
    );
    expect(lsnToBigInt(slot), 'confirmed past the end of the unselected writes').toBeGreaterThan(lsnToBigInt(endOfWrites));
  });

  it('shows both figures on the tasks', async () => {
    const shown = await waitFor(
      'the streaming task to show a small retained WAL',
      async () => {
        const t = await fx.api.task(streaming.id);
        return t.slot.retainedWalBytes !== null && t.slot.retainedWalBytes < 16 * MB ? t : undefined;
      },
      60_000,
      1000,
    );
    expect(shown.status).toBe('INCREMENTAL');
    const pausedView = await waitFor(
      'the paused task to show the WAL it holds',
      async () => {
        const t = await fx.api.task(paused.id);
        return t.slot.retainedWalBytes !== null && t.slot.retainedWalBytes >= 200 * MB ? t : undefined;
      },
      60_000,
      1000,
    );
    expect(pausedView.status).toBe('PAUSED');
    expect(await fx.kafka.topicMessageCount(streaming.topic), 'nothing of the unselected table reached Kafka').toBe(0);
  });
});
