import { afterAll, describe, expect, it } from 'vitest';
import { residentBytes, sourceDb, topicMessageCount, waitFor, workerPid } from '@walbridge/testing';
import { startStreamingTask, stopTask, type StreamingTask } from './task-fixture';

const ROWS = 500_000;
const RSS_LIMIT = 300 * 1024 * 1024;

describe('one 500,000-row transaction', () => {
  let ctx: StreamingTask | undefined;

  afterAll(async () => {
    if (ctx) await stopTask(ctx.task.id).catch(() => undefined);
  });

  it('streams completely while the worker stays under 300 MB resident', async () => {
    ctx = await startStreamingTask({ ddl: (t) => `CREATE TABLE ${t} (id bigint PRIMARY KEY, payload text)` });
    const { task, topic, table } = ctx;
    const pid = await waitFor('the worker process', async () => workerPid(task.id) ?? undefined);

    let peak = residentBytes(pid) ?? 0;
    const sampler = setInterval(() => {
      peak = Math.max(peak, residentBytes(pid) ?? 0);
    }, 50);
    try {
      const db = await sourceDb();
      try {
        await db.query(`INSERT INTO shop.${table} SELECT g, repeat(md5(g::text), 6) FROM generate_series(1, ${ROWS}) g`);
      } finally {
        await db.end();
      }
      await waitFor(`${ROWS} messages on ${topic}`, async () => ((await topicMessageCount(topic)) >= ROWS ? true : undefined), 600_000, 500);
    } finally {
      clearInterval(sampler);
    }
    expect(workerPid(task.id), 'the same worker streamed the whole transaction').toBe(pid);
    expect(await topicMessageCount(topic)).toBe(ROWS);
    console.log(`worker peak RSS during the ${ROWS}-row transaction: ${(peak / 1024 / 1024).toFixed(1)} MB`);
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThan(RSS_LIMIT);
  });
});
