import { afterAll, describe, expect, it } from 'vitest';
import { KafkaFixture, sourceDb, topicMessageCount, waitFor, workerPid } from '@walbridge/testing';
import { api, startStreamingTask, stopTask, type StreamingTask } from './task-fixture';

const ROWS = 50_000;
const ROWS_PER_TX = 500;

describe('a worker killed in the middle of 50,000 rows', () => {
  let ctx: StreamingTask | undefined;

  afterAll(async () => {
    if (ctx) await stopTask(ctx.task.id).catch(() => undefined);
  });

  it('is restarted by the scheduler and every row arrives; a duplicate carries its first copy’s id', async () => {
    ctx = await startStreamingTask({ ddl: (t) => `CREATE TABLE ${t} (id bigint PRIMARY KEY, payload text)` });
    const { task, topic, table } = ctx;
    const firstPid = await waitFor('the worker process', async () => workerPid(task.id) ?? undefined);

    const db = await sourceDb();
    let killedAt = -1;
    let killed = false;
    try {
      for (let start = 1; start <= ROWS; start += ROWS_PER_TX) {
        await db.query(`INSERT INTO shop.${table} SELECT g, md5(g::text) FROM generate_series($1::bigint, $2::bigint) g`, [
          start,
          start + ROWS_PER_TX - 1,
        ]);
        if (!killed && (await topicMessageCount(topic)) >= 10_000) {
          killedAt = await topicMessageCount(topic);
          process.kill(firstPid, 'SIGKILL');
          killed = true;
        }
      }
    } finally {
      await db.end();
    }
    if (!killed) {
      // Everything went through before the threshold was seen: kill now, mid-stream or not,
      // and still check that nothing is lost.
      killedAt = await topicMessageCount(topic);
      process.kill(firstPid, 'SIGKILL');
    }

    const secondPid = await waitFor('a new worker process', async () => {
      const pid = workerPid(task.id);
      return pid && pid !== firstPid ? pid : undefined;
    });
    expect(secondPid).not.toBe(firstPid);
    expect(killedAt).toBeLessThan(ROWS);

    // Duplicates count too, so wait for every distinct row rather than for a number of messages.
    const rowIds = (m: { value: string }) => (JSON.parse(m.value) as { data: { id: string }[] }).data[0].id;
    const messages = await new KafkaFixture().readUntil(topic, (all) => new Set(all.map(rowIds)).size >= ROWS, `all ${ROWS} rows on ${topic}`, 180_000);
    const firstIdOfRow = new Map<string, string>();
    for (const m of messages) {
      const envelope = JSON.parse(m.value) as { id: string; data: { id: string }[] };
      const rowId = envelope.data[0].id;
      const seen = firstIdOfRow.get(rowId);
      if (seen === undefined) firstIdOfRow.set(rowId, envelope.id);
      else expect(envelope.id, `duplicate of row ${rowId}`).toBe(seen);
    }
    const missing: number[] = [];
    for (let id = 1; id <= ROWS; id++) if (!firstIdOfRow.has(String(id))) missing.push(id);
    expect(missing.slice(0, 10)).toEqual([]);
    expect(firstIdOfRow.size).toBe(ROWS);

    const after = await api.waitForStatus(task.id, 'INCREMENTAL', 60_000);
    expect(after.lastError).toBeNull();
  });
});
