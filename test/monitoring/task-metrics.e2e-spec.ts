import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedTokenView, TaskMetricSample, TaskMetricsView } from '@walbridge/contracts';
import { ApiClient, createTestUser, metadataDb, openEventStream, waitFor, type EventStream, type StreamedEvent, type TestUser } from '@walbridge/testing';
import { createTask, insertRows, sharedFixture, stopAndForget, submitAndStream, type Fixture, type LifecycleTask } from '../lifecycle/lifecycle-fixture';

/**
 * PRODUCT.md §6 metrics: a task throttled to 200 rows/s gets a burst of 1,200 rows in one
 * transaction. Its live events and its stored samples must show the delay rise and fall, and
 * the throughput sit at the throttle while the backlog lasts, then drop to zero.
 */
const THROTTLE = 200;
const ROWS = 1200;

const metricsOf = (events: StreamedEvent[]) => events.filter((e) => e.event === 'metrics').map((e) => ({ ...(e.data as TaskMetricSample), received: e.at }));

describe('metrics and live events of a running task', () => {
  const api = new ApiClient();
  const fx: Fixture = sharedFixture(api);
  let task: LifecycleTask;
  let viewer: TestUser;
  let cookie: string;
  let stream: EventStream;
  let loadStart = 0;
  let drainedAt = 0;

  beforeAll(async () => {
    viewer = await createTestUser('viewer');
    // The console's EventSource sends the session cookie, nothing else.
    cookie = `walbridge_session=${(await viewer.client.authorization())!.replace(/^Bearer /, '')}`;
    task = await createTask(fx, { input: (base) => ({ ...base, throttle: { rowsPerSecond: THROTTLE } }) });
    stream = await openEventStream(`${api.baseUrl}/api/v1/tasks/${task.id}/events`, { cookie });
    await submitAndStream(task);
  });

  afterAll(async () => {
    stream?.close();
    if (task) await stopAndForget(fx, task.id);
  });

  it('streams the status, its changes and the task log live, with the session cookie', async () => {
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const first = await stream.next((e) => e.event === 'status', 'the status snapshot');
    expect(first.data).toMatchObject({ taskId: task.id, status: 'CONFIGURATION', previousStatus: null });
    await stream.next((e) => e.event === 'status' && (e.data as { status: string }).status === 'STARTING', 'STARTING');
    await stream.next((e) => e.event === 'status' && (e.data as { status: string; previousStatus: string }).status === 'INCREMENTAL', 'INCREMENTAL');
    const log = await stream.next((e) => e.event === 'log' && /^streaming from /.test((e.data as { message: string }).message), 'the streaming log line');
    expect(log.data).toMatchObject({ taskId: task.id, level: 'info' });
  });

  it('pushes the delay and the throughput every second, following the load', async () => {
    const idle = await stream.next((e) => e.event === 'metrics', 'a first metrics event', 30_000);
    expect(idle.data).toMatchObject({ taskId: task.id, delaySeconds: 0, rowsWritten: 0 });

    loadStart = Date.now();
    await insertRows(fx.source, task.table, 1, ROWS, ROWS);
    const busy = await stream.next(
      (e) => e.event === 'metrics' && e.at > loadStart && (e.data as TaskMetricSample).delaySeconds >= 2,
      'the delay to rise with the backlog',
      60_000,
    );
    expect((busy.data as TaskMetricSample).rowsWritten).toBeLessThan(ROWS);
    const drained = await stream.next(
      (e) => e.event === 'metrics' && e.at > busy.at && (e.data as TaskMetricSample).rowsWritten >= ROWS && (e.data as TaskMetricSample).delaySeconds === 0,
      'the backlog to drain',
      60_000,
    );
    drainedAt = drained.at;
    // The per-second rates cover a short window: on a loaded machine the write rate can trail the
    // read rate by a sample, so wait for the first sample in which both have fallen to zero.
    const quiet = await stream.next(
      (e) =>
        e.event === 'metrics' &&
        e.at > drained.at + 1500 &&
        (e.data as TaskMetricSample).rowsReadPerSecond === 0 &&
        (e.data as TaskMetricSample).rowsWrittenPerSecond === 0,
      'a sample after the load with both rates at zero',
      30_000,
    );
    expect(quiet.data).toMatchObject({ rowsWrittenPerSecond: 0, rowsReadPerSecond: 0, delaySeconds: 0, rowsWritten: ROWS, inserts: ROWS });

    const during = metricsOf(stream.events).filter((m) => m.received > loadStart && m.received <= drainedAt && m.rowsWrittenPerSecond > 0);
    const trace = metricsOf(stream.events).map((m) => `${m.received - loadStart}ms d=${m.delaySeconds} w/s=${m.rowsWrittenPerSecond} w=${m.rowsWritten}`).join('\n');
    expect(during.length, trace).toBeGreaterThanOrEqual(3);
    // Throughput sits at the throttle while the backlog lasts (per-second readings, so some jitter).
    const rates = during.map((m) => m.rowsWrittenPerSecond).sort((a, b) => a - b);
    const median = rates[Math.floor(rates.length / 2)];
    expect(median, rates.join(', ')).toBeGreaterThan(THROTTLE * 0.6);
    expect(median, rates.join(', ')).toBeLessThan(THROTTLE * 1.4);
    // The delay grows while the transaction is worked through: the oldest unacknowledged change ages.
    const delays = metricsOf(stream.events).filter((m) => m.received >= busy.at && m.received < drainedAt).map((m) => m.delaySeconds);
    expect(Math.max(...delays)).toBeGreaterThanOrEqual(4);
    expect(Math.max(...delays)).toBeLessThan(ROWS / THROTTLE + 10);
  });

  it('keeps the samples: the history shows the episode, oldest first, with totals per operation', async () => {
    const from = new Date(loadStart - 10_000).toISOString();
    // A stored sample keeps the highest delay of its 2 s interval, so the first one whose whole
    // interval follows the drain is the one that must read 0.
    const view = await waitFor('a stored sample whose interval began after the backlog drained', async () => {
      const res = await viewer.client.request<TaskMetricsView>('GET', `/api/v1/tasks/${task.id}/metrics?from=${encodeURIComponent(from)}`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const last = res.body.samples[res.body.samples.length - 1];
      return last && Date.parse(last.at) > drainedAt + res.body.stepSeconds * 1000 + 500 && last.rowsWritten === ROWS ? res.body : undefined;
    }, 30_000, 500);
    expect(view.stepSeconds).toBe(2);
    const at = view.samples.map((s) => Date.parse(s.at));
    expect(at).toEqual([...at].sort((a, b) => a - b));
    // Sampled at least every 10 s.
    for (let i = 1; i < at.length; i++) expect(at[i] - at[i - 1]).toBeLessThanOrEqual(10_000);
    expect(Math.max(...view.samples.map((s) => s.delaySeconds))).toBeGreaterThanOrEqual(3);
    const busy = view.samples.filter((s) => s.rowsWrittenPerSecond > 0);
    expect(busy.length).toBeGreaterThanOrEqual(2);
    for (const s of busy) expect(s.rowsWrittenPerSecond).toBeLessThanOrEqual(THROTTLE * 1.5);
    const last = view.samples[view.samples.length - 1];
    expect(last).toMatchObject({ status: 'INCREMENTAL', rowsRead: ROWS, rowsWritten: ROWS, inserts: ROWS, updates: 0, deletes: 0, delaySeconds: 0, lastError: null });
    expect(last.bytesWritten).toBeGreaterThan(ROWS * 100);
    expect(last.bytesRead).toBeGreaterThan(ROWS * 30);
    expect(last.confirmedLsn).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
    expect(last.retainedWalBytes).not.toBeNull();

    // A day in ten points: buckets keep the highest delay and the last totals.
    const day = await api.request<TaskMetricsView>('GET', `/api/v1/tasks/${task.id}/metrics?from=${Date.now() - 86_400_000}&to=${Date.now()}&maxPoints=10`);
    expect(day.status).toBe(200);
    expect(day.body.stepSeconds).toBe(8640);
    expect(day.body.samples.length).toBeLessThanOrEqual(2);
    expect(Math.max(...day.body.samples.map((s) => s.delaySeconds))).toBe(Math.max(...view.samples.map((s) => s.delaySeconds)));
    expect(day.body.samples[day.body.samples.length - 1].rowsWritten).toBe(ROWS);
  });

  it('keeps samples for 48 hours (at least the 24 PRODUCT.md asks) and sweeps older ones', async () => {
    const db = await metadataDb();
    const hoursAgo = (h: number) => new Date(Date.now() - h * 3600_000);
    const countAt = async (at: Date) => Number((await db.query('SELECT count(*) AS n FROM task_metric WHERE task_id = $1 AND at = $2', [task.id, at])).rows[0].n);
    try {
      const [old, recent] = [hoursAgo(49), hoursAgo(47)];
      for (const at of [old, recent]) {
        await db.query(
          `INSERT INTO task_metric (task_id, at, status, delay_seconds, rows_read_per_second, rows_written_per_second, bytes_read_per_second,
             bytes_written_per_second, rows_read, rows_written, bytes_read, bytes_written, inserts, updates, deletes)
           VALUES ($1, $2, 'INCREMENTAL', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)`,
          [task.id, at],
        );
      }
      await waitFor('the housekeeping sweep to delete the 49-hour-old sample', async () => ((await countAt(old)) === 0 ? true : undefined), 30_000, 500);
      expect(await countAt(recent)).toBe(1);
      const history = await api.request<TaskMetricsView>('GET', `/api/v1/tasks/${task.id}/metrics?from=${hoursAgo(48).toISOString()}&to=${hoursAgo(46).toISOString()}&maxPoints=5000`);
      expect(history.body.samples.map((s) => s.at)).toEqual([recent.toISOString()]);
    } finally {
      await db.end();
    }
  });

  it('validates the range and answers 404 for an unknown task', async () => {
    const problems = async (query: string) => {
      const res = await api.request<{ details: { field: string; message: string }[] }>('GET', `/api/v1/tasks/${task.id}/metrics?${query}`);
      expect(res.status, query).toBe(400);
      return res.body.details;
    };
    expect(await problems('from=yesterday')).toEqual([{ field: 'from', message: expect.stringMatching(/ISO 8601/) }]);
    expect(await problems('from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z')).toEqual([{ field: 'from', message: 'from must be before to' }]);
    expect(await problems('from=2026-01-01T00:00:00Z&to=2026-01-09T00:00:00Z')).toEqual([{ field: 'from', message: 'the range from-to may span at most 7 days' }]);
    expect(await problems('maxPoints=5')).toEqual([{ field: 'maxPoints', message: 'maxPoints must be 10-5000' }]);
    expect((await api.request('GET', '/api/v1/tasks/00000000-0000-4000-8000-000000000000/metrics')).status).toBe(404);
  });

  it('exports Prometheus text at /metrics with a task label, for a viewer token', async () => {
    const token = await api.request<CreatedTokenView>('POST', '/api/v1/tokens', { name: 'prometheus', username: viewer.username });
    expect(token.status).toBe(201);
    const scrape = async (headers: Record<string, string>) => {
      const res = await fetch(`${api.baseUrl}/metrics`, { headers });
      return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
    };
    expect((await scrape({})).status).toBe(401);
    const res = await scrape({ authorization: `Bearer ${token.body.token}` });
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^text\/plain;.*version=0\.0\.4/);
    const line = (name: string, extra = '') => new RegExp(`^${name}\\{task="${task.id}",task_name="[^"]+"${extra}\\} (\\S+)$`, 'm').exec(res.text)?.[1];
    expect(line('walbridge_task_rows_written_total')).toBe(String(ROWS));
    expect(line('walbridge_task_rows_read_total')).toBe(String(ROWS));
    expect(line('walbridge_task_changes_total', ',operation="insert"')).toBe(String(ROWS));
    expect(line('walbridge_task_status', ',status="INCREMENTAL"')).toBe('1');
    expect(line('walbridge_task_status', ',status="PAUSED"')).toBe('0');
    expect(Number(line('walbridge_task_delay_seconds'))).toBe(0);
    expect(Number(line('walbridge_task_confirmed_lsn_bytes'))).toBeGreaterThan(0);
    expect(res.text).toContain('# TYPE walbridge_task_rows_written_total counter');
  });

  it('refuses the event stream without a credential and answers 404 for an unknown task', async () => {
    const anonymous = await fetch(`${api.baseUrl}/api/v1/tasks/${task.id}/events`);
    expect(anonymous.status).toBe(401);
    await anonymous.body?.cancel();
    const unknown = await openEventStream(`${api.baseUrl}/api/v1/tasks/00000000-0000-4000-8000-000000000000/events`, { cookie });
    expect(unknown.status).toBe(404);
    unknown.close();
  });
});
