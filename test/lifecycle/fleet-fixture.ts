import { expect } from 'vitest';
import type { Client } from 'pg';
import type { SchedulerListView } from '@walbridge/contracts';
import { workersByTask, type ControlPlane, type ReadMessage } from '@walbridge/testing';
import { onSource, sleep, waitFor, type Fixture, type LifecycleTask, type SourceTarget } from './lifecycle-fixture';

/**
 * A steady insert/update/delete load on one task's table: every `tickMs` one transaction inserts
 * row n, updates row n-1 and (every third tick) deletes row n-2. The steady rate makes a gap in
 * the topic's record timestamps the task's streaming gap.
 */
export function steadyTicker(source: SourceTarget, table: string, tickMs = 250) {
  let stopped = false;
  let ticks = 0;
  let error: Error | null = null;
  const done = (async () => {
    const db: Client = await source.admin();
    try {
      for (let n = 1; !stopped; n++) {
        const started = Date.now();
        await db.query('BEGIN');
        await db.query(`INSERT INTO shop.${table} VALUES ($1, $2)`, [n, `v${n}`]);
        if (n > 1) await db.query(`UPDATE shop.${table} SET payload = payload || '+' WHERE id = $1`, [n - 1]);
        if (n > 2 && n % 3 === 0) await db.query(`DELETE FROM shop.${table} WHERE id = $1`, [n - 2]);
        await db.query('COMMIT');
        ticks = n;
        await sleep(Math.max(0, tickMs - (Date.now() - started)));
      }
    } catch (e) {
      error = e as Error;
    } finally {
      await db.end().catch(() => undefined);
    }
  })();
  return {
    ticks: () => ticks,
    async stop(): Promise<number> {
      stopped = true;
      await done;
      if (error) throw error;
      return ticks;
    },
  };
}

type Row = { id: string; payload: string | null };
interface Envelope {
  id: string;
  type: 'INSERT' | 'UPDATE' | 'DELETE';
  data: Row[];
  old?: Row[];
}

/** The table as its topic tells it: each change applied in order, a re-sent one (same id) once. */
export function rebuildFromTopic(messages: ReadMessage[]): Map<string, string | null> {
  const seen = new Set<string>();
  const rows = new Map<string, string | null>();
  for (const m of messages) {
    const e = JSON.parse(m.value) as Envelope;
    if (seen.has(e.id)) continue;
    seen.add(e.id);
    if (e.type !== 'INSERT') rows.delete(String((e.old ?? e.data)[0].id));
    if (e.type !== 'DELETE') rows.set(String(e.data[0].id), e.data[0].payload);
  }
  return rows;
}

/**
 * How the topic streamed: the longest time between two consecutive records (by the producer's
 * timestamp) and the longest time a change waited from its commit on the source (`es`) to its
 * record in Kafka, with when that record was written. A change committed while no worker
 * streamed waits the whole gap, so the longest wait is the task's streaming gap.
 */
export function streamingGaps(messages: ReadMessage[]): { recordGapMs: number; longestWaitMs: number; longestWaitAt: string | null } {
  let recordGapMs = 0;
  let longestWaitMs = 0;
  let at = 0;
  for (const [i, m] of messages.entries()) {
    if (i > 0) recordGapMs = Math.max(recordGapMs, m.timestamp - messages[i - 1].timestamp);
    const wait = m.timestamp - (JSON.parse(m.value) as { es: number }).es;
    if (wait > longestWaitMs) [longestWaitMs, at] = [wait, m.timestamp];
  }
  return { recordGapMs, longestWaitMs, longestWaitAt: at ? new Date(at).toISOString() : null };
}

/** Reads the topic until its rebuilt table equals the source table, then says how it compares. */
export async function expectTopicRebuildsTable(task: LifecycleTask, timeoutMs = 120_000): Promise<{ messages: ReadMessage[]; rows: number }> {
  const source = await onSource(task.fx.source, async (db) => (await db.query(`SELECT id::text AS id, payload FROM shop.${task.table} ORDER BY id`)).rows as Row[]);
  const expected = new Map(source.map((r) => [r.id, r.payload]));
  const same = (rebuilt: Map<string, string | null>) => rebuilt.size === expected.size && [...expected].every(([id, p]) => rebuilt.has(id) && rebuilt.get(id) === p);
  let messages: ReadMessage[] = [];
  try {
    messages = await task.fx.kafka.readUntil(task.topic, (m) => same(rebuildFromTopic((messages = m))), `${task.topic} to rebuild shop.${task.table}`, timeoutMs);
  } catch {
    // The comparison below names the difference.
  }
  const rebuilt = rebuildFromTopic(messages);
  const diff = [...new Set([...expected.keys(), ...rebuilt.keys()])].filter((id) => expected.get(id) !== rebuilt.get(id));
  expect(diff.slice(0, 10).map((id) => `${id}: source ${expected.get(id)}, topic ${rebuilt.get(id)}`), `rows of shop.${task.table} that differ`).toEqual([]);
  return { messages, rows: expected.size };
}

/**
 * Samples, every `everyMs`, which scheduler runs each task's worker (one `ps` for all) and the
 * fleet view: the most workers a task ever had at once, its longest time without one, and the
 * most tasks any scheduler held against its capacity.
 */
export function watchFleet(plane: ControlPlane, taskIds: string[], everyMs = 250) {
  const mostWorkers = new Map<string, number>();
  const since = new Map<string, number | null>(taskIds.map((id) => [id, null]));
  const longestWithout = new Map<string, number>(taskIds.map((id) => [id, 0]));
  let overCapacity: string[] = [];
  let latest = new Map<string, { pid: number; schedulerPid: number }[]>();
  const timer = setInterval(() => {
    const now = Date.now();
    latest = workersByTask();
    for (const id of taskIds) {
      const n = latest.get(id)?.length ?? 0;
      mostWorkers.set(id, Math.max(mostWorkers.get(id) ?? 0, n));
      const start = since.get(id);
      if (n > 0) since.set(id, null);
      else if (start === null) since.set(id, now);
      else longestWithout.set(id, Math.max(longestWithout.get(id)!, now - start!));
    }
    void plane.api
      .request<SchedulerListView>('GET', '/api/v1/schedulers')
      .then(({ body }) => {
        for (const s of body.items ?? []) if (s.tasks > s.capacity) overCapacity.push(`${s.pid}: ${s.tasks} of ${s.capacity}`);
      })
      .catch(() => undefined);
  }, everyMs);
  return {
    /** The scheduler pid whose worker streams the task, per the last sample. */
    schedulerPidOf: (taskId: string) => latest.get(taskId)?.[0]?.schedulerPid ?? null,
    /** Tasks per scheduler pid, per the last sample. */
    spread(): Map<number, string[]> {
      const by = new Map<number, string[]>();
      for (const id of taskIds) {
        const pid = latest.get(id)?.[0]?.schedulerPid;
        if (pid) by.set(pid, [...(by.get(pid) ?? []), id]);
      }
      return by;
    },
    stop: () => clearInterval(timer),
    report() {
      return {
        mostWorkers: Math.max(...mostWorkers.values()),
        longestWithoutWorkerMs: Math.max(...longestWithout.values()),
        overCapacity: [...overCapacity],
      };
    },
    resetCapacity: () => (overCapacity = []),
  };
}

/** Waits until the fleet view shows exactly `pids` holding `perScheduler` tasks each, with their workers running under them. */
export async function waitForEvenSpread(plane: ControlPlane, watch: ReturnType<typeof watchFleet>, pids: number[], perScheduler: number, timeoutMs = 120_000) {
  return waitFor(
    `${perScheduler} tasks on each of schedulers ${pids.join(', ')}`,
    async () => {
      const { body } = await plane.api.request<SchedulerListView>('GET', '/api/v1/schedulers');
      const fleetEven = body.items.length === pids.length && body.items.every((s) => pids.includes(s.pid) && s.tasks === perScheduler);
      const spread = watch.spread();
      const workersEven = pids.every((pid) => spread.get(pid)?.length === perScheduler);
      return fleetEven && workersEven ? body : undefined;
    },
    timeoutMs,
    250,
  );
}

export type { Fixture };
