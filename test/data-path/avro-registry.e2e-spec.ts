import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumeWithApicurio, demoDestination, sharedKafka, sourceDb, testEnv, testSchemaRegistry, type AvroConsumed, type ReadMessage } from '@walbridge/testing';
import type { MessageBrowseView } from '@walbridge/contracts';
import type { Browser } from 'playwright-core';
import { launchBrowser } from '../console/browser';
import { consolePage } from '../console/console-fixture';
import { api, onSource, startTask, stopTask, type RunningTask } from './task-fixture';

// Apicurio runs without authentication and ignores the credentials: they are there to prove the
// message browser uses them server-side and never shows them.
const REGISTRY_LOGIN = { username: 'registry-reader', password: 'registry-pass-5e1f' };

/**
 * Issue 17 item 3: format avro-registry with a real registry (Apicurio Registry, Confluent's API)
 * and a consumer nobody here wrote (Apicurio's AvroKafkaDeserializer in a Java Kafka consumer,
 * tools/java/avro-consumer). The records rebuild a table equal to the source; a column added
 * while streaming is a new version of the value schema, and later records carry it.
 */

const DDL = (q: string) =>
  `CREATE TABLE ${q} (id bigint PRIMARY KEY, n integer, amount numeric(12,2), name text, flag boolean, born date,
     at timestamp(6), atz timestamptz, t time, u uuid)`;

describe('avro-registry read by Apicurio’s own Avro deserializer', () => {
  let run: RunningTask<'items', 'main'>;
  let records: AvroConsumed[];
  let messages: ReadMessage[];

  beforeAll(async () => {
    const registry = testSchemaRegistry();
    run = await startTask<'items', 'main'>({
      tables: { items: { ddl: DDL } },
      topics: { main: 1 },
      input: { destination: demoDestination({ schemaRegistry: { url: registry.url, ...REGISTRY_LOGIN } }) },
      policy: ({ tables, topics }) => ({
        objectScope: 'tables',
        tables: [{ schema: 'shop', table: tables.items }],
        topicPolicy: { mode: 'specific', topic: topics.main },
        format: 'avro-registry',
      }),
    });
    const q = run.qualified.items;
    await onSource(
      `INSERT INTO ${q} VALUES (1, -7, -9999999999.99, 'héllo "w"', true, '2024-02-29', '2024-03-10 02:30:00.5', '2024-03-10 02:30:00.123-08', '12:34:56', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'),
         (2, 0, 0, '', false, '1970-01-01', '1970-01-01 00:00:00', '1970-01-01 00:00:00+00', '00:00:00', '00000000-0000-0000-0000-000000000000'),
         (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`,
      `UPDATE ${q} SET amount = 10.50, name = 'changed' WHERE id = 1`,
      `UPDATE ${q} SET id = 30, flag = true WHERE id = 3`,
      `DELETE FROM ${q} WHERE id = 2`,
      `ALTER TABLE ${q} ADD COLUMN extra text`,
      `INSERT INTO ${q} (id, name, extra) VALUES (99, 'the end', 'new column')`,
    );
    // c1 c2 c3, u1, d3 c30 (key change), d2, c99
    records = consumeWithApicurio(testEnv.kafkaBrokers.join(','), run.topics.main, 8);
    messages = await sharedKafka().readUntil(run.topics.main, (ms) => ms.length >= 8, '8 messages');
  }, 150_000);

  afterAll(async () => {
    if (run) await stopTask(run.task.id).catch(() => undefined);
  });

  it('rebuilds a table equal to the source from the records', async () => {
    const table = new Map<string, Record<string, unknown>>();
    for (const { key, value } of records) {
      const v = value as { op: string; before: Record<string, unknown> | null; after: Record<string, unknown> | null };
      if (v.op === 'd') table.delete(String(key!.id));
      else table.set(String(key!.id), v.after!);
    }
    const db = await sourceDb();
    try {
      const { rows } = await db.query(
        `SELECT id, n, amount::text, name, flag, born::text, (extract(epoch FROM at) * 1000)::bigint AS at,
                (extract(epoch FROM atz) * 1000)::bigint AS atz, t::text, u::text, extra FROM ${run.qualified.items} ORDER BY id`,
      );
      const rebuilt = [...table.values()]
        .sort((a, b) => Number(a.id) - Number(b.id))
        .map((r) => ({
          ...r,
          id: String(r.id),
          extra: r.extra ?? null,
          // java.time prints LocalDateTime/Instant/LocalTime without trailing zero fields.
          at: r.at === null ? null : String(Date.parse(`${r.at as string}Z`)),
          atz: r.atz === null ? null : String(Date.parse(r.atz as string)),
          t: r.t === null ? null : (r.t as string).length === 5 ? `${r.t as string}:00` : r.t,
        }));
      expect(rows.map((r) => r.id)).toEqual(['1', '30', '99']);
      expect(rebuilt).toEqual(rows);
    } finally {
      await db.end();
    }
  });

  it('writes the Confluent wire format and turns a key change into a delete and a create', () => {
    expect(messages.every((m) => m.bytes[0] === 0 && m.key!.charCodeAt(0) === 0)).toBe(true);
    expect(records.map((r) => `${(r.value as { op: string }).op}${String(r.key!.id)}`)).toEqual(['c1', 'c2', 'c3', 'u1', 'd3', 'c30', 'd2', 'c99']);
  });

  it('registers <topic>-key and <topic>-value, a new value version once a column is added', async () => {
    const { url } = testSchemaRegistry();
    const versions = async (subject: string) => (await (await fetch(`${url}/subjects/${subject}/versions`)).json()) as number[];
    expect(await versions(`${run.topics.main}-key`)).toEqual([1]);
    expect(await versions(`${run.topics.main}-value`)).toEqual([1, 2]);
    const last = records.at(-1)!.value as { after: { extra: string } };
    expect(last.after.extra).toBe('new column');
  });

  it('the message browser shows the records decoded with the task’s registry, never its credentials (API and console)', async () => {
    const res = await api.request<MessageBrowseView>('GET', `/api/v1/tasks/${run.task.id}/messages?limit=8`);
    expect(res.status).toBe(200);
    expect(JSON.stringify(res.body)).not.toContain(REGISTRY_LOGIN.password);
    const [newest, ...rest] = res.body.messages;
    expect(res.body.messages).toHaveLength(8);
    expect(res.body.messages.every((m) => m.decodedFrom === 'avro-registry' && m.decodeError === null && m.valueBase64 === null)).toBe(true);
    // The newest record (id 99) was written with the second value schema, which has the added column.
    expect(newest).toMatchObject({ table: `shop.${run.tables.items}`, operation: 'INSERT', key: JSON.stringify({ id: 99 }) });
    expect(JSON.parse(newest.value!)).toMatchObject({ op: 'c', after: { id: 99, name: 'the end', extra: 'new column' } });
    expect(newest.schemaIds!.value).not.toBe(rest.at(-1)!.schemaIds!.value);
    // The first record, with the first schema: exact decimals, the delete's before image.
    expect(JSON.parse(rest.at(-1)!.value!)).toMatchObject({ op: 'c', after: { id: 1, amount: '-9999999999.99', name: 'héllo "w"' } });
    expect(rest.map((m) => m.operation)).toContain('DELETE');

    let browser: Browser | undefined;
    try {
      browser = await launchBrowser();
      const { page, errors, close } = await consolePage(browser);
      await page.goto(`${testEnv.apiUrl}/tasks/${run.task.id}`);
      const region = page.getByRole('region', { name: 'Messages' });
      await region.getByRole('button', { name: 'Read messages' }).click();
      const first = region.getByRole('list', { name: 'Messages' }).getByRole('listitem').first();
      await first.waitFor({ timeout: 30_000 });
      await first.getByText('{"id":99}').waitFor();
      await first.getByText('Value', { exact: true }).click();
      await first.getByText(/Decoded from Avro \(Confluent wire format, value schema id \d+, key schema id \d+\)/).waitFor();
      await first.getByText(/"extra": "new column"/).waitFor();
      expect(await page.content()).not.toContain(REGISTRY_LOGIN.password);
      expect(errors).toEqual([]);
      await close();
    } finally {
      await browser?.close();
    }
  }, 90_000);
});
