import { describe, expect, it, vi } from 'vitest';
import { DataException, type RelationSchema } from '@walbridge/domain';
import type { TableRoute } from '../routing';
import type { OutboundMessage } from '../sink/kafka-sink';
import { BatchTooLargeError } from '../sink/sink-errors';
import { ChangePipeline, type ThrottleLimits } from './change-pipeline';
import { RELATION, ROUTE, SCHEMA, routeFor, tx } from './orders-stream.fixture';

/** A Kafka stand-in whose acknowledgements the test releases one batch at a time. */
function harness(
  options: { highWaterBytes?: number; lowWaterBytes?: number; maxBatchBytes?: number; route?: TableRoute | null; throttle?: ThrottleLimits; now?: () => number } = {},
) {
  const batches: { messages: OutboundMessage[]; ack: () => void; fail: (e: Error) => void }[] = [];
  const source = { pause: vi.fn(), resume: vi.fn(), confirm: vi.fn(async (_lsn: bigint) => undefined) };
  const fatal = vi.fn();
  let describe: (schema: RelationSchema) => void = () => undefined;
  const pipeline = new ChangePipeline({
    source,
    sink: {
      send: (messages) =>
        new Promise<void>((ack, fail) => {
          batches.push({ messages, ack, fail });
        }),
    },
    describe: () => new Promise<RelationSchema>((resolve) => (describe = resolve)),
    route: () => (options.route === undefined ? ROUTE : options.route),
    onFatal: fatal,
    confirmedLsn: 0x100n,
    maxBatchBytes: options.maxBatchBytes,
    highWaterBytes: options.highWaterBytes,
    lowWaterBytes: options.lowWaterBytes,
    throttle: options.throttle,
    now: options.now ?? (() => 1_700_000_001_000),
  });
  // Lets relation lookups resolve and the scheduled pump run.
  const tick = async () => {
    for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
  };
  return { pipeline, batches, source, fatal, tick, resolveRelation: () => describe(SCHEMA) };
}

describe('ChangePipeline', () => {
  it('confirms a transaction only after Kafka acknowledged all of its messages', async () => {
    const h = harness();
    h.pipeline.push(RELATION);
    h.resolveRelation();
    await h.tick();
    for (const m of tx(0x200n, 0x260n, [1, 2])) h.pipeline.push(m);
    await h.tick();
    expect(h.batches).toHaveLength(1);
    expect(h.source.confirm).not.toHaveBeenCalled();
    expect(h.pipeline.progress().delayMs).toBe(1000);

    h.batches[0].ack();
    await h.tick();
    expect(h.source.confirm).toHaveBeenLastCalledWith(0x260n);
    expect(h.pipeline.progress()).toMatchObject({ confirmedLsn: '0/260', rowsWritten: 2, inserts: 2, delayMs: 0 });
  });

  it('gives each change a deterministic id, key and the walbridge envelope', async () => {
    const h = harness();
    h.pipeline.push(RELATION);
    h.resolveRelation();
    for (const m of tx(0xa2e1f30n, 0xa2e1f90n, [41, 42])) h.pipeline.push(m);
    await h.tick();
    const [first, second] = h.batches[0].messages;
    expect(first.id).toBe('000000000A2E1F30-00000000');
    expect(second.id).toBe('000000000A2E1F30-00000001');
    expect(second.key).toBe('["42"]');
    expect(JSON.parse(second.value!.toString())).toMatchObject({ id: second.id, type: 'INSERT', lsn: '0/A2E1F30', data: [{ id: '42', note: 'row 42' }] });
  });

  it('holds later messages while a table is being described, keeping stream order', async () => {
    const h = harness();
    h.pipeline.push(RELATION);
    for (const m of tx(0x200n, 0x260n, [1])) h.pipeline.push(m);
    await h.tick();
    expect(h.source.pause).toHaveBeenCalled();
    expect(h.batches).toHaveLength(0);
    h.resolveRelation();
    await Promise.resolve();
    await h.tick();
    expect(h.batches).toHaveLength(1);
    expect(h.source.resume).toHaveBeenCalled();
  });

  it('confirms a keepalive position between transactions once what came before is acknowledged', async () => {
    const h = harness();
    h.pipeline.push(RELATION);
    h.resolveRelation();
    for (const m of tx(0x200n, 0x260n, [1])) h.pipeline.push(m);
    h.pipeline.keepalive(0x900n, false);
    await h.tick();
    expect(h.source.confirm).not.toHaveBeenCalled();
    h.batches[0].ack();
    await h.tick();
    expect(h.source.confirm).toHaveBeenLastCalledWith(0x900n);
  });

  it('never confirms a keepalive position in the middle of a transaction', async () => {
    const h = harness();
    h.pipeline.push(RELATION);
    h.resolveRelation();
    const [begin, insert] = tx(0x200n, 0x260n, [1]);
    h.pipeline.push(begin);
    h.pipeline.push(insert);
    h.pipeline.keepalive(0x900n, false);
    await h.tick();
    h.batches[0].ack();
    await h.tick();
    expect(h.source.confirm).not.toHaveBeenCalled();
  });

  it('confirms an idle stream at once and answers the server when it asks', async () => {
    const h = harness();
    h.pipeline.keepalive(0x500n, true);
    expect(h.source.confirm).toHaveBeenCalledWith(0x500n);
  });

  it('pauses reading above the high-water mark and resumes below the low-water mark', async () => {
    const h = harness({ highWaterBytes: 2000, lowWaterBytes: 500 });
    h.pipeline.push(RELATION);
    h.resolveRelation();
    await h.tick();
    h.source.pause.mockClear();
    h.source.resume.mockClear();
    for (const m of tx(0x200n, 0x260n, Array.from({ length: 20 }, (_, i) => i))) h.pipeline.push(m);
    expect(h.source.pause).toHaveBeenCalledTimes(1);
    await h.tick();
    h.batches[0].ack();
    await h.tick();
    expect(h.source.resume).toHaveBeenCalledTimes(1);
  });

  it('skips unselected operations but keeps their index, so ids do not depend on filters', async () => {
    const h = harness({ route: routeFor({ dmlOperations: ['UPDATE'] }) });
    h.pipeline.push(RELATION);
    h.resolveRelation();
    h.pipeline.push({ tag: 'begin', finalLsn: 0x300n, commitTime: 1, xid: 1 });
    h.pipeline.push({ tag: 'insert', relationId: 42, newTuple: ['1', 'a'] });
    h.pipeline.push({ tag: 'update', relationId: 42, keyTuple: null, oldTuple: null, newTuple: ['1', 'b'] });
    h.pipeline.push({ tag: 'commit', flags: 0, commitLsn: 0x300n, endLsn: 0x340n, commitTime: 1 });
    await h.tick();
    expect(h.batches[0].messages.map((m) => m.id)).toEqual(['0000000000000300-00000001']);
    expect(h.pipeline.progress().rowsRead).toBe(2);
  });

  it('confirms transactions of unselected tables without sending anything', async () => {
    const h = harness({ route: null });
    h.pipeline.push(RELATION);
    h.resolveRelation();
    for (const m of tx(0x200n, 0x260n, [1])) h.pipeline.push(m);
    await h.tick();
    expect(h.batches).toHaveLength(0);
    expect(h.source.confirm).toHaveBeenLastCalledWith(0x260n);
  });

  it('fails the task, without confirming, when Kafka refuses a batch', async () => {
    const h = harness();
    h.pipeline.push(RELATION);
    h.resolveRelation();
    for (const m of tx(0x200n, 0x260n, [1])) h.pipeline.push(m);
    await h.tick();
    h.batches[0].fail(new Error('NOT_ENOUGH_REPLICAS'));
    await h.tick();
    expect(h.fatal).toHaveBeenCalledWith(expect.objectContaining({ message: 'Kafka did not acknowledge a batch: NOT_ENOUGH_REPLICAS' }));
    expect(h.source.confirm).not.toHaveBeenCalled();
  });

  it('reports the backlog of the start unread, and a delay of at least the time since the start, until the stream passes it', async () => {
    let now = 1_700_000_000_000;
    const pipeline = new ChangePipeline({
      source: { pause: vi.fn(), resume: vi.fn(), confirm: vi.fn(async () => undefined) },
      sink: { send: async () => undefined },
      describe: async () => SCHEMA,
      route: () => ROUTE,
      onFatal: vi.fn(),
      confirmedLsn: 0x100n,
      backlogEndLsn: 0x5000n,
      now: () => now,
    });
    now += 3000;
    expect(pipeline.progress()).toMatchObject({ startBacklogRead: false, delayMs: 3000 });
    pipeline.keepalive(0x4000n, false);
    expect(pipeline.progress().startBacklogRead).toBe(false);
    pipeline.keepalive(0x5000n, false);
    expect(pipeline.progress()).toMatchObject({ startBacklogRead: true, delayMs: 0 });
  });

  describe('throttle', () => {
    let now = 1_700_000_000_000;
    const clock = () => now;

    it('sends at most rowsPerSecond rows per second to Kafka, and the delay grows meanwhile', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      try {
        now = 1_700_000_000_000;
        const h = harness({ throttle: { rowsPerSecond: 100 }, now: clock });
        h.pipeline.push(RELATION);
        h.resolveRelation();
        for (const m of tx(0x200n, 0x260n, Array.from({ length: 250 }, (_, i) => i + 1))) h.pipeline.push(m);
        await h.tick();
        // A second's worth at once…
        expect(h.batches.map((b) => b.messages.length)).toEqual([100]);
        h.batches[0].ack();
        await h.tick();
        // …then nothing until the bucket refills.
        expect(h.batches).toHaveLength(1);
        now += 500;
        vi.advanceTimersByTime(500);
        await h.tick();
        expect(h.batches.map((b) => b.messages.length)).toEqual([100, 50]);
        expect(h.pipeline.progress()).toMatchObject({ rowsRead: 250, rowsWritten: 100, delayMs: 500 });
        h.batches[1].ack();
        now += 1000;
        vi.advanceTimersByTime(1000);
        await h.tick();
        h.batches[2].ack();
        await h.tick();
        expect(h.batches.map((b) => b.messages.length)).toEqual([100, 50, 100]);
        expect(h.source.confirm).toHaveBeenLastCalledWith(0x260n);
        expect(h.pipeline.progress()).toMatchObject({ rowsWritten: 250, delayMs: 0 });
      } finally {
        vi.useRealTimers();
      }
    });

    it('sends at most mbPerSecond bytes per second, one oversized message at a time', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      try {
        now = 1_700_000_000_000;
        const h = harness({ throttle: { mbPerSecond: 0.1 }, now: clock }); // ~104,858 bytes/s
        h.pipeline.push(RELATION);
        h.resolveRelation();
        for (const m of tx(0x200n, 0x260n, Array.from({ length: 2000 }, (_, i) => i + 1))) h.pipeline.push(m);
        await h.tick();
        const bytesOf = (b: { messages: OutboundMessage[] }) => b.messages.reduce((n, m) => n + (m.value?.length ?? 0) + (m.key?.length ?? 0) + 64, 0);
        let sent = 0;
        for (let second = 0; second < 5; second++) {
          while (h.batches.length) {
            const batch = h.batches.shift()!;
            sent += bytesOf(batch);
            batch.ack();
            await h.tick();
          }
          now += 1000;
          vi.advanceTimersByTime(1000);
          await h.tick();
        }
        // The first second's burst plus five seconds at the rate, give or take one message.
        expect(sent).toBeLessThanOrEqual(0.1 * 1024 * 1024 * 6 + 400);
        expect(sent).toBeGreaterThan(0.1 * 1024 * 1024 * 4);
      } finally {
        vi.useRealTimers();
      }
    });
  });

  // What KafkaSink throws when the broker answers MESSAGE_TOO_LARGE (sink-errors.ts).
  const tooLarge = () => new BatchTooLargeError('too large');

  it('raises a data exception naming table and id when Kafka refuses a message on its own as too large', async () => {
    const h = harness();
    h.pipeline.push(RELATION);
    h.resolveRelation();
    for (const m of tx(0x200n, 0x260n, [1])) h.pipeline.push(m);
    await h.tick();
    h.batches[0].fail(tooLarge());
    await h.tick();
    const error = h.fatal.mock.calls[0][0] as DataException;
    expect(error).toBeInstanceOf(DataException);
    expect(error.message).toMatch(/^data exception on shop\.orders, message id 0000000000000200-00000000: Kafka refused the message as too large/);
    expect(h.source.confirm).not.toHaveBeenCalled();
  });

  it('re-sends a refused batch one message at a time, in order, and goes on with batches after it', async () => {
    const h = harness({ maxBatchBytes: 10_000 });
    h.pipeline.push(RELATION);
    h.resolveRelation();
    for (const m of tx(0x200n, 0x260n, [1, 2, 3])) h.pipeline.push(m);
    await h.tick();
    expect(h.batches[0].messages).toHaveLength(3);
    h.batches[0].fail(tooLarge());
    for (const m of tx(0x300n, 0x360n, [4])) h.pipeline.push(m);
    for (let i = 1; i <= 3; i++) {
      await h.tick();
      expect(h.batches[i].messages.map((m) => m.key)).toEqual([`["${i}"]`]);
      h.batches[i].ack();
    }
    await h.tick();
    expect(h.source.confirm).toHaveBeenLastCalledWith(0x260n);
    expect(h.batches[4].messages.map((m) => m.key)).toEqual(['["4"]']);
    h.batches[4].ack();
    await h.tick();
    expect(h.source.confirm).toHaveBeenLastCalledWith(0x360n);
    expect(h.fatal).not.toHaveBeenCalled();
  });

  it('raises a data exception naming table and id when a change cannot be encoded', async () => {
    const h = harness();
    h.pipeline.push(RELATION);
    h.resolveRelation();
    h.pipeline.push({ tag: 'begin', finalLsn: 0x300n, commitTime: 1, xid: 1 });
    h.pipeline.push({ tag: 'insert', relationId: 42, newTuple: ['1', Buffer.from('binary')] });
    await h.tick();
    expect(h.fatal).toHaveBeenCalledWith(expect.any(DataException));
    expect(h.fatal.mock.calls[0][0].message).toMatch(/^data exception on shop\.orders, message id 0000000000000300-00000000: the INSERT cannot be encoded: .*binary value/);
  });

  it('applies the row filter to the new row of an UPDATE and the old image of a DELETE, keeping indexes', async () => {
    const h = harness({ route: routeFor({ filter: "note LIKE 'keep%'" }) });
    h.pipeline.push(RELATION);
    h.resolveRelation();
    h.pipeline.push({ tag: 'begin', finalLsn: 0x300n, commitTime: 1, xid: 1 });
    h.pipeline.push({ tag: 'insert', relationId: 42, newTuple: ['1', 'keep a'] });
    h.pipeline.push({ tag: 'insert', relationId: 42, newTuple: ['2', 'drop b'] });
    h.pipeline.push({ tag: 'update', relationId: 42, keyTuple: null, oldTuple: ['1', 'keep a'], newTuple: ['1', 'drop a'] });
    h.pipeline.push({ tag: 'update', relationId: 42, keyTuple: null, oldTuple: null, newTuple: ['2', 'keep b'] });
    h.pipeline.push({ tag: 'delete', relationId: 42, keyTuple: null, oldTuple: ['2', 'keep b'] });
    // A key-only image cannot say what note was: the DELETE is sent rather than dropped on a guess.
    h.pipeline.push({ tag: 'delete', relationId: 42, keyTuple: ['1', null], oldTuple: null });
    h.pipeline.push({ tag: 'commit', flags: 0, commitLsn: 0x300n, endLsn: 0x340n, commitTime: 1 });
    await h.tick();
    expect(h.batches[0].messages.map((m) => m.id.slice(-1))).toEqual(['0', '3', '4', '5']);
  });

  it('sends only the listed columns, and Avro when the task says so', async () => {
    const h = harness({ route: routeFor({ excludeColumns: ['note'] }, { format: 'avro' }) });
    h.pipeline.push(RELATION);
    h.resolveRelation();
    for (const m of tx(0x200n, 0x260n, [1])) h.pipeline.push(m);
    await h.tick();
    const value = h.batches[0].messages[0].value!;
    expect(Buffer.isBuffer(value)).toBe(true);
    expect(value.includes('row 1')).toBe(false);
    expect(value.includes('bigint')).toBe(true);
  });

  it('sends every message of a change that a format splits (debezium-json: delete, tombstone), confirming after all of them', async () => {
    const h = harness({ route: routeFor({}, { format: 'debezium-json', formatOptions: { tombstones: true } }) });
    h.pipeline.push(RELATION);
    h.resolveRelation();
    h.pipeline.push({ tag: 'begin', finalLsn: 0x200n, commitTime: 1_700_000_000_000, xid: 7 });
    h.pipeline.push({ tag: 'delete', relationId: 42, keyTuple: ['7', null], oldTuple: null });
    h.pipeline.push({ tag: 'commit', flags: 0, commitLsn: 0x200n, endLsn: 0x260n, commitTime: 1_700_000_000_000 });
    await h.tick();
    const [event, tombstone] = h.batches[0].messages;
    expect(h.batches[0].messages).toHaveLength(2);
    expect(event.key).toBe('{"id":7}');
    expect(JSON.parse(event.value!.toString())).toMatchObject({ op: 'd', before: { id: 7, note: null }, after: null });
    expect(tombstone).toMatchObject({ key: '{"id":7}', value: null, id: event.id, partition: event.partition });
    h.batches[0].ack();
    await h.tick();
    expect(h.source.confirm).toHaveBeenLastCalledWith(0x260n);
  });

  it('resolves drained() once everything in flight is acknowledged', async () => {
    const h = harness();
    h.pipeline.push(RELATION);
    h.resolveRelation();
    for (const m of tx(0x200n, 0x260n, [1])) h.pipeline.push(m);
    await h.tick();
    let drained = false;
    void h.pipeline.drained().then(() => (drained = true));
    await h.tick();
    expect(drained).toBe(false);
    h.batches[0].ack();
    await h.tick();
    expect(drained).toBe(true);
  });
});
