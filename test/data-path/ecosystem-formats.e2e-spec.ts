import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyChangelog, decodeWithFlink, sharedKafka, sourceDb, type FlinkRow, type ReadMessage } from '@walbridge/testing';
import { onSource, startTask, stopTask, type RunningTask, type TaskPolicyInput } from './task-fixture';

/**
 * Issue 17: the debezium-json and canal-json topics are read by a consumer nobody here wrote,
 * Flink's own deserializers (flink-json 1.20, tools/java/flink-decoder), and the changelog they
 * produce rebuilds a table equal to the source. The workload has inserts, updates, a key update,
 * deletes, NULLs and a multi-row transaction over a table of varied types. REPLICA IDENTITY FULL:
 * Flink refuses Debezium updates without a before image, and whole old images let the rebuild
 * check every retraction.
 */

const DDL = (q: string) =>
  `CREATE TABLE ${q} (id bigint PRIMARY KEY, i2 smallint, i4 integer, amount numeric(12,2), r real, d double precision,
     name text, code character varying(20), flag boolean, born date, at timestamp(6), atz timestamptz, t time,
     raw bytea, tags text[], nums integer[], u uuid, doc jsonb);
   ALTER TABLE ${q} REPLICA IDENTITY FULL`;

const COLUMNS = 'id, i2, i4, amount, r, d, name, code, flag, born, at, atz, t, raw, tags, nums, u, doc';

async function workload(q: string): Promise<void> {
  await onSource(
    `INSERT INTO ${q} (${COLUMNS}) VALUES
       (1, -32768, 2147483647, -9999999999.99, 1.5, 0.1, 'héllo "w"' || E'\\n' || 'line 2', 'a', true, '2024-02-29', '2024-03-10 02:30:00.5',
        '2024-03-10 02:30:00.123-08', '12:34:56', '\\x00ff10', ARRAY['a b', NULL, 'é'], '{1,NULL,3}', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"b": 1, "a": [1, 2.50]}'),
       (2, 0, 0, 0, -0.25, -1e-10, '', '', false, '1970-01-01', '1970-01-01 00:00:00', '1970-01-01 00:00:00+00', '00:00:00', '\\x', '{}', '{}',
        '00000000-0000-0000-0000-000000000000', '[]'),
       (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`,
    `UPDATE ${q} SET amount = 10.50, name = 'changed', tags = ARRAY['x'], atz = '2030-01-01 00:00:00.001+05:30' WHERE id = 1`,
    `UPDATE ${q} SET id = 30, flag = true WHERE id = 3`, // a key change
    `DELETE FROM ${q} WHERE id = 2`,
    `BEGIN; INSERT INTO ${q} (id, name) VALUES (4, 'four'), (5, 'five'); UPDATE ${q} SET name = 'FOUR' WHERE id = 4; DELETE FROM ${q} WHERE id = 5; COMMIT`,
    `INSERT INTO ${q} (id, name) VALUES (99, 'the end')`,
  );
}

/** The source table as the decoder prints values (see FlinkChangelogDecoder), per format. */
async function sourceRows(q: string, format: 'debezium-json' | 'canal-json'): Promise<Record<string, unknown>[]> {
  const db = await sourceDb();
  const iso = (c: string) => `to_char(${c}, 'YYYY-MM-DD"T"HH24:MI:SS.US')`;
  const textArray = (c: string) => `(SELECT COALESCE(jsonb_agg(x::text ORDER BY n), '[]') FROM unnest(${c}) WITH ORDINALITY AS u(x, n))`;
  const typed =
    format === 'debezium-json'
      ? // Debezium types them: Flink reads bytes as bytes (base64 here), arrays as arrays.
        `encode(raw, 'base64') AS raw, CASE WHEN tags IS NULL THEN NULL ELSE ${textArray('tags')} END AS tags,
         CASE WHEN nums IS NULL THEN NULL ELSE ${textArray('nums')} END AS nums`
      : // Canal's values are PostgreSQL's text.
        `raw::text AS raw, tags::text AS tags, nums::text AS nums`;
  try {
    const { rows } = await db.query(
      `SELECT id::text, i2::text, i4::text, amount::text, r::text, d::text, name, code, flag, born::text,
              ${iso('at')} AS at, (extract(epoch FROM atz) * 1000)::bigint::text AS atz, t::text AS t, ${typed}, u::text, doc::text
         FROM ${q} ORDER BY ${q}.id`,
    );
    return rows;
  } finally {
    await db.end();
  }
}

/** Flink's printed values brought to the forms sourceRows selects (java.time's toString drops zero seconds and fractions). */
function normalized(row: Record<string, unknown>): Record<string, unknown> {
  const out = { ...row };
  if (typeof out.at === 'string') {
    const [date, time] = out.at.split('T');
    const [hms, frac = ''] = (time.length === 5 ? `${time}:00` : time).split('.');
    out.at = `${date}T${hms}.${frac.padEnd(6, '0')}`;
  }
  if (typeof out.atz === 'string') out.atz = String(Date.parse(out.atz.includes('T') ? out.atz : out.atz.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00')));
  if (typeof out.t === 'string' && out.t.length === 5) out.t = `${out.t}:00`;
  if (typeof out.d === 'string' && /E/.test(out.d)) out.d = String(Number(out.d));
  return out;
}

const ROW_COMMON = '`id` BIGINT, `i2` SMALLINT, `i4` INT, `amount` DECIMAL(12, 2), `r` FLOAT, `d` DOUBLE, `name` STRING, `code` STRING, `flag` BOOLEAN, `born` DATE, `at` TIMESTAMP(6)';
const ROW_TYPES = {
  'debezium-json': `ROW<${ROW_COMMON}, \`atz\` TIMESTAMP_LTZ(6), \`t\` TIME(0), \`raw\` BYTES, \`tags\` ARRAY<STRING>, \`nums\` ARRAY<INT>, \`u\` STRING, \`doc\` STRING>`,
  // timestamptz, bytea and arrays as PostgreSQL prints them: Flink's canal-json parses only its own text forms of those.
  'canal-json': `ROW<${ROW_COMMON}, \`atz\` STRING, \`t\` TIME(0), \`raw\` STRING, \`tags\` STRING, \`nums\` STRING, \`u\` STRING, \`doc\` STRING>`,
};

describe.each([
  ['debezium-json', { format: 'debezium-json', formatOptions: { includeSchema: true, tombstones: true, decimalHandling: 'string', timeHandling: 'iso' } }],
  ['canal-json', { format: 'canal-json' }],
] as const)('%s read by Flink’s own deserializer', (format, policy) => {
  let run: RunningTask<'items', 'main'>;
  let messages: ReadMessage[];
  let changelog: FlinkRow[];

  beforeAll(async () => {
    run = await startTask<'items', 'main'>({
      tables: { items: { ddl: DDL } },
      topics: { main: 1 },
      policy: ({ tables, topics }) => ({
        objectScope: 'tables',
        tables: [{ schema: 'shop', table: tables.items }],
        topicPolicy: { mode: 'specific', topic: topics.main },
        ...(policy as Partial<TaskPolicyInput>),
      }),
    });
    await workload(run.qualified.items);
    const isLast = (m: ReadMessage) => !m.tombstone && m.value.includes('"the end"');
    messages = await sharedKafka().readUntil(run.topics.main, (ms) => ms.some(isLast), 'the last row');
    changelog = decodeWithFlink(format, ROW_TYPES[format], messages.map((m) => (m.tombstone ? null : m.value)), { schemaInclude: format === 'debezium-json' });
  });

  afterAll(async () => {
    if (run) await stopTask(run.task.id).catch(() => undefined);
  });

  it('rebuilds a table equal to the source from the changelog Flink produces', async () => {
    const rebuilt = applyChangelog(changelog, (r) => String(r.id));
    const expected = await sourceRows(run.qualified.items, format);
    expect(expected.map((r) => r.id)).toEqual(['1', '4', '30', '99']);
    expect([...rebuilt.values()].map(normalized).sort((a, b) => Number(a.id) - Number(b.id))).toEqual(expected);
  });

  it('gives Flink the changelog kinds of the workload', () => {
    const kinds = changelog.map((c) => `${c.kind}${String(c.row.id)}`);
    // Debezium turns the key change into a delete and a create; Canal keeps it one UPDATE.
    const keyChange = format === 'debezium-json' ? ['-D3', '+I30'] : ['-U3', '+U30'];
    expect(kinds).toEqual(['+I1', '+I2', '+I3', '-U1', '+U1', ...keyChange, '-D2', '+I4', '+I5', '-U4', '+U4', '-D5', '+I99']);
  });

  if (format === 'debezium-json') {
    it('keys each message by {primary key}, follows each delete with a tombstone, and wraps schema and payload', () => {
      const keys = messages.map((m) => JSON.parse(m.key!) as { schema: { name: string }; payload: { id: number } });
      expect(keys.every((k) => k.schema.name.endsWith(`.shop.${run.tables.items}.Key`))).toBe(true);
      const shape = messages.map((m, i) => `${m.tombstone ? 'tombstone' : (JSON.parse(m.value) as { payload: { op: string } }).payload.op}:${keys[i].payload.id}`);
      expect(shape).toEqual(['c:1', 'c:2', 'c:3', 'u:1', 'd:3', 'tombstone:3', 'c:30', 'd:2', 'tombstone:2', 'c:4', 'c:5', 'u:4', 'd:5', 'tombstone:5', 'c:99']);
      const first = JSON.parse(messages[0].value) as { payload: { source: Record<string, unknown> } };
      expect(first.payload.source).toMatchObject({ connector: 'postgresql', db: 'demo', schema: 'shop', table: run.tables.items, snapshot: 'false' });
    });
  }
});
