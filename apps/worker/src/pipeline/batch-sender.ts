import { DataException, TokenBucket } from '@walbridge/domain';
import { messageBytes, type OutboundMessage } from '../sink/kafka-sink';
import { BatchTooLargeError } from '../sink/sink-errors';

/** The task's throttle (PRODUCT.md §2): what may be sent to Kafka per second. */
export interface ThrottleLimits {
  rowsPerSecond?: number;
  mbPerSecond?: number;
}

export interface PipelineSink {
  send(batch: OutboundMessage[]): Promise<void>;
}

/** A message with the bytes it counts for (backpressure, throttle, batch size). */
export interface SizedMessage {
  message: OutboundMessage;
  bytes: number;
}

export interface BatchSenderOptions {
  sink: PipelineSink;
  maxBatchBytes: number;
  maxBatchMessages: number;
  throttle?: ThrottleLimits;
  now: () => number;
  /** A batch was acknowledged; the counters already include it. */
  onAcknowledged(): void;
  /** The data path cannot go on (the sender stops itself first). */
  onFatal(error: Error): void;
}

/**
 * Batch sending: the queue of encoded messages, sent to Kafka one batch at a time (so
 * acknowledgements come back in WAL order), under the task's throttle. A batch Kafka refuses as
 * too large is re-sent one message at a time (a lowered max.message.bytes, or multi-byte text
 * larger than its length suggests); a message refused on its own is a data exception. Counts
 * messages enqueued and acknowledged, in sequence numbers the confirm tracker reads.
 */
export class BatchSender {
  private queue: OutboundMessage[] = [];
  private queueHead = 0;
  private queueBytes: number[] = [];
  /** Messages of a refused batch, re-sent one at a time before anything else. */
  private singles: SizedMessage[] = [];
  private sending = false;
  private pumpScheduled = false;
  private stopped = false;
  private throttleTimer: NodeJS.Timeout | null = null;
  private readonly rowBucket: TokenBucket | null;
  private readonly byteBucket: TokenBucket | null;
  private enqueued = 0;
  private acked = 0;
  private unacked = 0;
  private written = { rows: 0, bytes: 0 };

  constructor(private readonly options: BatchSenderOptions) {
    const { rowsPerSecond, mbPerSecond } = options.throttle ?? {};
    this.rowBucket = rowsPerSecond ? new TokenBucket(rowsPerSecond, options.now) : null;
    this.byteBucket = mbPerSecond ? new TokenBucket(mbPerSecond * 1024 * 1024, options.now) : null;
  }

  /** Messages enqueued so far (the sequence number of the latest). */
  get enqueuedSeq(): number {
    return this.enqueued;
  }

  /** Messages acknowledged so far: always the first ones enqueued. */
  get ackedSeq(): number {
    return this.acked;
  }

  get unacknowledgedBytes(): number {
    return this.unacked;
  }

  get rowsWritten(): number {
    return this.written.rows;
  }

  get bytesWritten(): number {
    return this.written.bytes;
  }

  enqueue(message: OutboundMessage, bytes: number): void {
    this.queue.push(message);
    this.queueBytes.push(bytes);
    this.enqueued++;
    this.unacked += bytes;
    this.schedulePump();
  }

  /** Several messages at once (a snapshot chunk). */
  enqueueAll(messages: readonly SizedMessage[]): void {
    for (const { message, bytes } of messages) {
      this.queue.push(message);
      this.queueBytes.push(bytes);
      this.unacked += bytes;
    }
    this.enqueued += messages.length;
    if (messages.length) this.schedulePump();
  }

  /** Nothing waits to be sent or acknowledged. */
  isIdle(): boolean {
    return !this.sending && !this.singles.length && this.queueHead >= this.queue.length;
  }

  /** Sends nothing more (the data path failed). */
  stop(): void {
    this.stopped = true;
    if (this.throttleTimer) clearTimeout(this.throttleTimer);
    this.throttleTimer = null;
  }

  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    // Let the rest of the socket chunk be decoded first, so batches fill up under load.
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    if (this.sending || this.stopped || this.throttleTimer) return;
    // A refused batch is re-sent one message at a time, before anything else and unthrottled.
    if (this.singles.length) {
      this.sendBatch([this.singles[0].message], this.singles[0].bytes, true);
      return;
    }
    if (this.queueHead >= this.queue.length) return;
    const limits = this.throttledBatchLimits();
    if (!limits) return;
    let end = this.queueHead;
    let bytes = 0;
    while (end < this.queue.length && end - this.queueHead < limits.messages) {
      if (!this.materialize(end)) return;
      const size = this.queueBytes[end];
      if (end > this.queueHead && bytes + size > limits.bytes) break;
      bytes += size;
      end++;
    }
    this.rowBucket?.take(end - this.queueHead);
    this.byteBucket?.take(bytes);
    const batch = this.queue.slice(this.queueHead, end);
    const sizes = this.queueBytes.slice(this.queueHead, end);
    this.queueHead = end;
    this.compactQueue();
    this.sendBatch(batch, bytes, false, sizes);
  }

  /**
   * Encodes a snapshot row enqueued unencoded (OutboundMessage.encode) and counts its real size;
   * false when it cannot be encoded (the data path then failed with its DataException).
   */
  private materialize(i: number): boolean {
    const m = this.queue[i];
    if (!m.encode) return true;
    try {
      m.encode();
    } catch (error) {
      this.fail(error as Error);
      return false;
    }
    const bytes = messageBytes(m);
    this.unacked += bytes - this.queueBytes[i];
    this.queueBytes[i] = bytes;
    return true;
  }

  /** While a batch is in flight: encodes the rows the next batch will take, so Kafka's round trip hides it. */
  private prefetch(): void {
    let bytes = 0;
    for (let i = this.queueHead; i < this.queue.length && i - this.queueHead < this.options.maxBatchMessages && bytes <= this.options.maxBatchBytes; i++) {
      if (this.stopped || !this.materialize(i)) return;
      bytes += this.queueBytes[i];
    }
  }

  private sendBatch(batch: OutboundMessage[], bytes: number, single: boolean, sizes?: number[]): void {
    this.sending = true;
    if (!single) setImmediate(() => this.prefetch());
    this.options.sink.send(batch).then(
      () => {
        this.sending = false;
        if (single) this.singles.shift();
        this.acked += batch.length;
        this.unacked -= bytes;
        this.written.rows += batch.length;
        this.written.bytes += bytes;
        this.options.onAcknowledged();
        this.pump();
      },
      (error: Error) => {
        this.sending = false;
        if (error instanceof BatchTooLargeError) {
          if (batch.length > 1) {
            // Nothing of a refused batch was written: send its messages one by one, in order.
            this.singles = batch.map((message, i) => ({ message, bytes: sizes![i] }));
            this.pump();
            return;
          }
          const m = batch[0];
          this.fail(
            new DataException(
              m.table,
              m.id,
              `Kafka refused the message as too large (${bytes - 64} bytes before compression, topic ${m.topic}): ` +
                `raise the topic's max.message.bytes (and the broker's message.max.bytes if needed), then resume the task`,
              { cause: error },
            ),
          );
          return;
        }
        // The cause tells a broken connection (retried for the connection window) from the rest.
        this.fail(new Error(`Kafka did not acknowledge a batch: ${error.message}`, { cause: error }));
      },
    );
  }

  /**
   * How much the next batch may hold under the throttle, or null when it must wait (a timer then
   * resumes pumping). A batch is at most 50 ms of the rate, so the stream stays smooth.
   */
  private throttledBatchLimits(): { messages: number; bytes: number } | null {
    let messages = this.options.maxBatchMessages;
    let bytes = this.options.maxBatchBytes;
    let waitMs = 0;
    if (this.rowBucket) {
      const want = Math.max(1, Math.min(messages, Math.floor(this.rowBucket.ratePerSecond / 20)));
      waitMs = Math.max(waitMs, this.rowBucket.msUntil(want));
      messages = Math.min(messages, Math.max(1, Math.floor(this.rowBucket.available())));
    }
    if (this.byteBucket) {
      const next = this.queueBytes[this.queueHead];
      const want = Math.max(next, Math.min(bytes, this.byteBucket.ratePerSecond / 20));
      waitMs = Math.max(waitMs, this.byteBucket.msUntil(want));
      bytes = Math.min(bytes, Math.max(next, Math.floor(this.byteBucket.available())));
    }
    if (waitMs <= 0) return { messages, bytes };
    this.throttleTimer = setTimeout(() => {
      this.throttleTimer = null;
      this.pump();
    }, waitMs);
    return null;
  }

  private compactQueue(): void {
    if (this.queueHead === this.queue.length) {
      this.queue = [];
      this.queueBytes = [];
      this.queueHead = 0;
    } else if (this.queueHead > 50_000) {
      this.queue = this.queue.slice(this.queueHead);
      this.queueBytes = this.queueBytes.slice(this.queueHead);
      this.queueHead = 0;
    }
  }

  private fail(error: Error): void {
    this.stop();
    this.options.onFatal(error);
  }
}
