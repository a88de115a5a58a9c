import { describe, expect, it, vi } from 'vitest';
import { DataException } from '@walbridge/domain';
import type { OutboundMessage } from '../sink/kafka-sink';
import { BatchTooLargeError } from '../sink/sink-errors';
import { BatchSender } from './batch-sender';

/** A snapshot row enqueued unencoded, as ChunkMerger does; `encoded` lists what was encoded, in order. */
function deferred(n: number, encoded: number[], value = `row ${n} encoded`): OutboundMessage {
  const m: OutboundMessage = { topic: 'orders', partition: 0, key: String(n), value: null, id: '', table: 'shop.orders', snapshot: true, encode: null };
  m.encode = () => {
    m.encode = null;
    if (value === 'bad') throw new DataException('shop.orders', `id-${n}`, 'a snapshot row cannot be encoded: bad');
    encoded.push(n);
    m.id = `id-${n}`;
    m.value = Buffer.from(value);
  };
  return m;
}

const message = (n: number): OutboundMessage => ({ topic: 'orders', partition: 0, key: String(n), value: Buffer.from(`row ${n}`), id: `id-${n}`, table: 'shop.orders' });

/** A Kafka stand-in whose acknowledgements the test releases one batch at a time. */
function harness(limits: { maxBatchBytes?: number; maxBatchMessages?: number } = {}) {
  const batches: { keys: unknown[]; ack: () => void; fail: (e: Error) => void }[] = [];
  const fatal = vi.fn();
  const acknowledged = vi.fn();
  const sender = new BatchSender({
    sink: { send: (batch) => new Promise<void>((ack, fail) => void batches.push({ keys: batch.map((m) => m.key), ack, fail })) },
    maxBatchBytes: limits.maxBatchBytes ?? 1000,
    maxBatchMessages: limits.maxBatchMessages ?? 100,
    now: () => 0,
    onAcknowledged: acknowledged,
    onFatal: fatal,
  });
  const tick = async () => {
    for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
  };
  return { sender, batches, fatal, acknowledged, tick };
}

describe('BatchSender', () => {
  it('encodes deferred snapshot rows before their batch, the next batch while one is in flight, and counts their real size', async () => {
    const h = harness({ maxBatchMessages: 2 });
    const encoded: number[] = [];
    const rows = [1, 2, 3, 4, 5].map((n) => deferred(n, encoded, 'x'.repeat(36)));
    h.sender.enqueueAll(rows.map((m) => ({ message: m, bytes: 10 })));
    expect(encoded).toEqual([]);
    await h.tick();
    expect(h.batches.map((b) => b.keys)).toEqual([['1', '2']]);
    expect(rows.slice(0, 2).map((m) => m.value?.length)).toEqual([36, 36]);
    // rows 3 and 4 were encoded while the first batch waited for Kafka; row 5 was not yet
    expect(encoded).toEqual([1, 2, 3, 4]);
    // 4 rows of 36 + 1 key byte + 64 bytes of overhead, and row 5 at its estimate
    expect(h.sender.unacknowledgedBytes).toBe(4 * 101 + 10);
    h.batches[0].ack();
    await h.tick();
    expect(h.batches[1].keys).toEqual(['3', '4']);
    expect(encoded).toEqual([1, 2, 3, 4, 5]);
  });

  it('fails with the DataException of a deferred row that cannot be encoded, sending nothing of its batch', async () => {
    const h = harness();
    const encoded: number[] = [];
    h.sender.enqueueAll([deferred(1, encoded), deferred(2, encoded, 'bad')].map((m) => ({ message: m, bytes: 10 })));
    await h.tick();
    expect(h.batches).toHaveLength(0);
    expect(h.fatal).toHaveBeenCalledWith(expect.any(DataException));
    expect(h.fatal.mock.calls[0][0].message).toMatch(/cannot be encoded: bad/);
  });

  it('sends one batch at a time and counts what Kafka acknowledged', async () => {
    const h = harness();
    for (let n = 1; n <= 3; n++) h.sender.enqueue(message(n), 100);
    await h.tick();
    expect(h.batches.map((b) => b.keys)).toEqual([['1', '2', '3']]);
    h.sender.enqueue(message(4), 100);
    await h.tick();
    expect(h.batches).toHaveLength(1); // the next batch waits for the acknowledgement
    expect(h.sender).toMatchObject({ enqueuedSeq: 4, ackedSeq: 0, unacknowledgedBytes: 400 });
    h.batches[0].ack();
    await h.tick();
    expect(h.acknowledged).toHaveBeenCalledTimes(1);
    expect(h.batches[1].keys).toEqual(['4']);
    expect(h.sender).toMatchObject({ ackedSeq: 3, unacknowledgedBytes: 100, rowsWritten: 3, bytesWritten: 300 });
    expect(h.sender.isIdle()).toBe(false);
    h.batches[1].ack();
    await h.tick();
    expect(h.sender.isIdle()).toBe(true);
  });

  it.each([
    ['messages', { maxBatchMessages: 2 }, [['1', '2'], ['3']]],
    ['bytes', { maxBatchBytes: 250 }, [['1', '2'], ['3']]],
    ['bytes, one message larger than the limit', { maxBatchBytes: 50 }, [['1'], ['2'], ['3']]],
  ] as const)('keeps batches within the limit of %s', async (_, limits, expected) => {
    const h = harness(limits);
    for (let n = 1; n <= 3; n++) h.sender.enqueue(message(n), 100);
    for (let i = 0; i < expected.length; i++) {
      await h.tick();
      h.batches[i].ack();
    }
    await h.tick();
    expect(h.batches.map((b) => b.keys)).toEqual(expected);
  });

  it('re-sends a batch refused as too large one message at a time, in order', async () => {
    const h = harness();
    for (let n = 1; n <= 2; n++) h.sender.enqueue(message(n), 100);
    await h.tick();
    h.batches[0].fail(new BatchTooLargeError('too large'));
    await h.tick();
    expect(h.batches[1].keys).toEqual(['1']);
    h.batches[1].ack();
    await h.tick();
    expect(h.batches[2].keys).toEqual(['2']);
    h.batches[2].ack();
    await h.tick();
    expect(h.sender).toMatchObject({ ackedSeq: 2, unacknowledgedBytes: 0 });
    expect(h.fatal).not.toHaveBeenCalled();
  });

  it('fails with a data exception naming table and id when one message alone is too large', async () => {
    const h = harness();
    h.sender.enqueue(message(7), 164);
    await h.tick();
    h.batches[0].fail(new BatchTooLargeError('too large'));
    await h.tick();
    const error = h.fatal.mock.calls[0][0] as DataException;
    expect(error).toBeInstanceOf(DataException);
    expect(error.message).toMatch(/^data exception on shop\.orders, message id id-7: Kafka refused the message as too large \(100 bytes before compression, topic orders\)/);
  });

  it('fails with what Kafka said for any other refusal, keeping it as the cause, and sends nothing more', async () => {
    const h = harness();
    h.sender.enqueue(message(1), 100);
    await h.tick();
    const refusal = new Error('NOT_ENOUGH_REPLICAS');
    h.batches[0].fail(refusal);
    await h.tick();
    expect(h.fatal).toHaveBeenCalledWith(expect.objectContaining({ message: 'Kafka did not acknowledge a batch: NOT_ENOUGH_REPLICAS', cause: refusal }));
    h.sender.enqueue(message(2), 100);
    await h.tick();
    expect(h.batches).toHaveLength(1);
  });
});
