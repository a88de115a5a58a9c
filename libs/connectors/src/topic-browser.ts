import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Consumer, type IHeaders } from 'kafkajs';
import type { DestinationConfig, MessageBrowseView, MessageQuery, TopicMessageView, TopicPartitionView } from '@walbridge/contracts';
import { openKafkaSession } from './destination-probe';
import { PROBE_TIMEOUTS, kafkaClientConfig } from './kafka-client-config';
import type { OutboundPolicy } from './outbound-policy';
import type { MessageDecoder } from './message-decoders';
import type { ExplainedFailure } from './source-errors';

/** With a table or operation filter, up to this many messages per partition are read to find matches. */
const FILTERED_WINDOW = 2_000;

interface Range {
  topic: string;
  partition: number;
  start: bigint;
  end: bigint;
}

/** Table and operation of a message, from Walbridge's envelope or a Debezium / Canal one. */
export function envelopeFacts(value: unknown): { table: string | null; operation: string | null } {
  if (!value || typeof value !== 'object') return { table: null, operation: null };
  const v = value as Record<string, unknown>;
  const payload = (v.payload && typeof v.payload === 'object' ? v.payload : v) as Record<string, unknown>;
  const source = payload.source as Record<string, unknown> | undefined;
  const schema = (v.schema && typeof v.schema === 'string' ? v.schema : source?.schema) as string | undefined;
  const table = (typeof v.table === 'string' ? v.table : source?.table) as string | undefined;
  const op = typeof v.type === 'string' ? v.type : typeof payload.op === 'string' ? ({ c: 'INSERT', r: 'INSERT', u: 'UPDATE', d: 'DELETE', t: 'TRUNCATE' } as Record<string, string>)[payload.op] : undefined;
  return { table: table ? (schema ? `${schema}.${table}` : table) : null, operation: v.isDdl === true ? 'DDL' : (op ?? null) };
}

function headerText(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    const values = Array.isArray(v) ? v : [v];
    out[k] = values.map((x) => (x === undefined ? '' : Buffer.isBuffer(x) ? x.toString('utf8') : String(x))).join(', ');
  }
  return out;
}

async function toView(
  topic: string,
  partition: number,
  message: { offset: string; timestamp: string; key: Buffer | null; value: Buffer | null; headers?: IHeaders },
  decoder: MessageDecoder | null,
): Promise<TopicMessageView> {
  let text: string | null = null;
  let parsed: unknown = undefined;
  let key = message.key ? message.key.toString('utf8') : null;
  let decoded: { from: 'avro' | 'avro-registry'; keyId: number | null; valueId: number | null } | null = null;
  let decodeError: string | null = null;
  if (decoder) {
    try {
      const [k, v] = await Promise.all([message.key ? decoder.key(message.key) : null, message.value ? decoder.value(message.value) : null]);
      if (k) key = k.text;
      if (v) {
        text = v.text;
        parsed = JSON.parse(v.text);
      }
      const from = v?.decodedFrom ?? k?.decodedFrom;
      if (from) decoded = { from, keyId: k?.schemaId ?? null, valueId: v?.schemaId ?? null };
    } catch (error) {
      decodeError = (error as Error).message;
    }
  }
  if (message.value && text === null && !decoded) {
    const utf8 = message.value.toString('utf8');
    try {
      parsed = JSON.parse(utf8);
      text = utf8;
    } catch {
      parsed = undefined;
    }
  }
  const facts = envelopeFacts(parsed);
  return {
    topic,
    partition,
    offset: message.offset,
    timestamp: new Date(Number(message.timestamp)).toISOString(),
    key,
    headers: headerText(message.headers),
    value: text,
    valueBase64: message.value && text === null ? message.value.toString('base64') : null,
    sizeBytes: message.value?.length ?? 0,
    ...facts,
    decodedFrom: decoded?.from ?? null,
    schemaIds: decoded?.from === 'avro-registry' ? { key: decoded.keyId, value: decoded.valueId } : null,
    decodeError,
  };
}

/**
 * Reads the latest messages (or those from an offset or a time) of some topics, never
 * committing anything: a throwaway consumer group, deleted afterwards. Stops at `budgetMs`.
 */
export async function browseTopics(
  destination: DestinationConfig,
  topics: string[],
  query: MessageQuery,
  budgetMs: number,
  policy: OutboundPolicy,
  /** The task's wire format when it is not JSON (see messageDecoderFor). */
  decoder: MessageDecoder | null = null,
): Promise<{ ok: true; view: MessageBrowseView } | { ok: false; failure: ExplainedFailure }> {
  const opened = await openKafkaSession(destination, 'walbridge-message-browser', policy);
  if (!opened.ok) return opened;
  const { admin } = opened.session;
  const filtered = !!(query.table || query.operation);
  const window = BigInt(filtered ? Math.max(FILTERED_WINDOW, query.limit) : query.limit);
  const view: MessageBrowseView = { topics: [], messages: [], scanned: 0, truncated: false };
  const ranges: Range[] = [];
  let consumer: Consumer | null = null;
  const groupId = `walbridge-browser-${randomUUID()}`;
  try {
    const existing = new Set(await admin.listTopics());
    for (const name of topics) {
      if (!existing.has(name)) {
        view.topics.push({ name, exists: false, partitions: [] });
        continue;
      }
      const offsets = await admin.fetchTopicOffsets(name);
      const byTime = query.from ? await admin.fetchTopicOffsetsByTimestamp(name, Date.parse(query.from)) : null;
      const partitions: TopicPartitionView[] = offsets.map((o) => ({ partition: o.partition, low: o.low, high: o.high })).sort((a, b) => a.partition - b.partition);
      view.topics.push({ name, exists: true, partitions });
      for (const p of partitions) {
        const low = BigInt(p.low);
        const high = BigInt(p.high);
        let start: bigint;
        let end = high;
        if (query.offset !== undefined) {
          start = BigInt(query.offset) > low ? BigInt(query.offset) : low;
          end = start + window < high ? start + window : high;
        } else if (byTime) {
          const at = BigInt(byTime.find((b) => b.partition === p.partition)?.offset ?? p.high);
          start = at < 0n ? high : at;
          end = start + window < high ? start + window : high;
        } else {
          start = high - window > low ? high - window : low;
        }
        const wanted = query.partition === undefined || query.partition === p.partition;
        ranges.push({ topic: name, partition: p.partition, start: wanted ? start : high, end: wanted ? end : high });
      }
    }
    const work = ranges.filter((r) => r.start < r.end);
    if (work.length) {
      const kafka = new Kafka({ ...kafkaClientConfig(destination, 'walbridge-message-browser', PROBE_TIMEOUTS), logLevel: logLevel.NOTHING });
      consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 250, retry: { retries: 1 } });
      await consumer.connect();
      const read: TopicMessageView[] = [];
      const pending = new Set(work.map((r) => `${r.topic}\u0000${r.partition}`));
      let finish!: () => void;
      const done = new Promise<void>((resolve) => (finish = resolve));
      const topicsToRead = [...new Set(work.map((r) => r.topic))];
      await consumer.subscribe({ topics: topicsToRead, fromBeginning: true });
      const active = consumer;
      await consumer.run({
        autoCommit: false,
        eachMessage: async ({ topic, partition, message }) => {
          const range = ranges.find((r) => r.topic === topic && r.partition === partition);
          if (!range) return;
          const offset = BigInt(message.offset);
          if (offset >= range.start && offset < range.end) {
            view.scanned += 1;
            const m = await toView(topic, partition, message, decoder);
            if ((!query.table || m.table === query.table) && (!query.operation || m.operation === query.operation)) read.push(m);
          }
          if (offset + 1n >= range.end && pending.delete(`${topic}\u0000${partition}`)) {
            active.pause([{ topic, partitions: [partition] }]);
            if (!pending.size) finish();
          }
        },
      });
      // Every partition of the subscribed topics starts where its range does (an empty range at its end).
      for (const r of ranges.filter((x) => topicsToRead.includes(x.topic))) consumer.seek({ topic: r.topic, partition: r.partition, offset: String(r.start) });
      const timedOut = await Promise.race([done.then(() => false), new Promise<boolean>((resolve) => setTimeout(() => resolve(true), budgetMs))]);
      view.truncated = timedOut;
      // The latest: newest first. From an offset or a time: the first ones from there, in order.
      const forward = query.offset !== undefined || !!query.from;
      const order = (a: TopicMessageView, b: TopicMessageView) =>
        a.timestamp !== b.timestamp ? (a.timestamp < b.timestamp ? -1 : 1) : a.partition - b.partition || (BigInt(a.offset) < BigInt(b.offset) ? -1 : 1);
      read.sort(order);
      view.messages = forward ? read.slice(0, query.limit) : read.slice(-query.limit).reverse();
    }
    return { ok: true, view };
  } finally {
    if (consumer) {
      await consumer.disconnect().catch(() => undefined);
      await admin.deleteGroups([groupId]).catch(() => undefined);
    }
    await opened.session.close();
  }
}
