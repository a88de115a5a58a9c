import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiErrorBody } from '@walbridge/contracts';
import { applyChangelog, decodeWithFlink, demoDestination, demoSource, sharedKafka, sourceDb, uniqueName, type FlinkRow, type ReadMessage } from '@walbridge/testing';
import { api, onSource, startOneTableTask, startTask, stopTask, type RunningTask, type TaskPolicyInput } from './task-fixture';

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
    run = await startOneTableTask(DDL, policy as Partial<TaskPolicyInput>);
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

/**
 * debezium-json with Debezium's defaults (precise decimals, epoch numbers) over the DRS type list,
 * as pgoutput really sends it: each column has the documented Connect type and semantic name, and
 * its value, decoded here independently, is what the source holds.
 */
const DRS: [column: string, type: string, value: string, connect: string][] = [
  ['c_int2', 'smallint', `'-32768'`, 'int16'],
  ['c_int4', 'integer', '2147483647', 'int32'],
  ['c_int8', 'bigint', `'-9223372036854775808'`, 'int64'],
  ['c_numeric', 'numeric', `'-123456789012345678901234567890.123456789'`, 'struct io.debezium.data.VariableScaleDecimal'],
  ['c_numeric_s', 'numeric(12,2)', `'-9999999999.99'`, 'bytes org.apache.kafka.connect.data.Decimal'],
  ['c_real', 'real', `'-Infinity'`, 'float'],
  ['c_double', 'double precision', `'1e-300'`, 'double'],
  ['c_money', 'money', `'-92233720368547758.08'`, 'bytes org.apache.kafka.connect.data.Decimal'],
  ['c_char', 'character(5)', `' b '`, 'string'],
  ['c_varchar', 'character varying(10)', `'ünïcödé'`, 'string'],
  ['c_text', 'text', `E'line1\\nline2 "dq" \\\\'`, 'string'],
  ['c_bytea', 'bytea', `'\\x00ff10'`, 'bytes'],
  ['c_date', 'date', `'4713-01-01 BC'`, 'int32 io.debezium.time.Date'],
  ['c_time', 'time without time zone', `'23:59:59.999999'`, 'int64 io.debezium.time.MicroTime'],
  ['c_timetz', 'time with time zone', `'12:34:56.5+05:30'`, 'string io.debezium.time.ZonedTime'],
  ['c_ts', 'timestamp without time zone', `'1850-02-03 04:05:06.789'`, 'int64 io.debezium.time.MicroTimestamp'],
  ['c_tstz', 'timestamp with time zone', `'2024-03-10 02:30:00.25-08'`, 'string io.debezium.time.ZonedTimestamp'],
  ['c_interval', 'interval', `'1 year 3 days 04:05:06.789'`, 'int64 io.debezium.time.MicroDuration'],
  ['c_bool', 'boolean', 'true', 'boolean'],
  ['c_flag', 'DOMAIN', 'false', 'boolean'],
  ['c_enum', 'ENUM', `'c"d'`, 'string io.debezium.data.Enum'],
  ['c_point', 'point', `'(1.5,-2)'`, 'struct io.debezium.data.geometry.Point'],
  ['c_circle', 'circle', `'<(1.5,-2.5),0.125>'`, 'string'],
  ['c_inet', 'inet', `'10.0.0.1'`, 'string'],
  ['c_macaddr', 'macaddr', `'08:00:2b:01:02:03'`, 'string'],
  ['c_bit', 'bit(4)', `B'1010'`, 'bytes io.debezium.data.Bits'],
  ['c_varbit', 'bit varying', `B'101010101'`, 'bytes io.debezium.data.Bits'],
  ['c_tsvector', 'tsvector', `'a fat cat'`, 'string'],
  ['c_uuid', 'uuid', `'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'`, 'string io.debezium.data.Uuid'],
  ['c_xml', 'xml', `'<a b="1">x &amp; y</a>'`, 'string io.debezium.data.Xml'],
  ['c_json', 'json', `'{"b": 1,   "a": [1,2]}'`, 'string io.debezium.data.Json'],
  ['c_jsonb', 'jsonb', `'{"b": 1, "a": [1, 2.50]}'`, 'string io.debezium.data.Json'],
  ['c_int_arr', 'integer[]', `'{1,2,NULL}'`, 'array'],
  ['c_text_arr', 'text[]', `'{"a b","c\\"d",NULL,"NULL"}'`, 'array'],
  ['c_tstz_arr', 'timestamp with time zone[]', `ARRAY['2024-01-01 00:00+00'::timestamptz, '2024-06-01 12:00:00.5+02']`, 'array'],
  ['c_composite', 'COMPOSITE', `ROW(1, 'a "b"')`, 'string'],
  ['c_int4range', 'int4range', `'[1,10)'`, 'string'],
  ['c_multirange', 'int4multirange', `'{[1,3), [5,7)}'`, 'string'],
  ['c_pg_lsn', 'pg_lsn', `'16/B374D848'`, 'string'],
];

/** A Connect Decimal's value: base64 of the unscaled value's big-endian two's complement. */
function decimalOf(b64: string, scale: number): string {
  const bytes = Buffer.from(b64, 'base64');
  let v = BigInt('0x' + (bytes.toString('hex') || '0'));
  if (bytes.length && bytes[0] & 0x80) v -= 1n << BigInt(8 * bytes.length);
  const neg = v < 0n;
  const digits = (neg ? -v : v).toString().padStart(scale + 1, '0');
  return (neg ? '-' : '') + (scale ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits);
}

describe('debezium-json with Debezium’s defaults over the DRS type list', () => {
  let run: RunningTask<'types', 'main'>;
  let value: { schema: { fields: { field: string; fields: { field: string; type: string; name?: string }[] }[] }; payload: { after: Record<string, unknown> } };
  let raw: string;
  let source: Record<string, string | null>;

  beforeAll(async () => {
    const type = (t: string, s: string) => (t === 'ENUM' ? `shop.mood_${s}` : t === 'COMPOSITE' ? `shop.pair_${s}` : t === 'DOMAIN' ? `shop.flag_${s}` : t);
    run = await startTask<'types', 'main'>({
      before: (s) => [`CREATE TYPE shop.mood_${s} AS ENUM ('a b', 'c"d')`, `CREATE TYPE shop.pair_${s} AS (x int, y text)`, `CREATE DOMAIN shop.flag_${s} AS boolean`],
      tables: { types: { ddl: (q, s) => `CREATE TABLE ${q} (id int PRIMARY KEY, ${DRS.map(([c, t]) => `${c} ${type(t, s)}`).join(', ')})` } },
      topics: { main: 1 },
      policy: ({ tables, topics }) => ({
        objectScope: 'tables',
        tables: [{ schema: 'shop', table: tables.types }],
        topicPolicy: { mode: 'specific', topic: topics.main },
        format: 'debezium-json',
        formatOptions: { includeSchema: true },
      }),
    });
    const q = run.qualified.types;
    await onSource(
      `INSERT INTO ${q} (id, ${DRS.map(([c]) => c).join(', ')}) VALUES (1, ${DRS.map(([, t, v]) => `${v}::${type(t, run.suffix)}`).join(', ')})`,
      `INSERT INTO ${q} (id) VALUES (2)`,
    );
    const messages = await sharedKafka().readTopic(run.topics.main, 2);
    raw = messages[0].value;
    value = JSON.parse(raw);
    expect(JSON.parse(messages[1].value).payload.after).toEqual(Object.fromEntries([['id', 2], ...DRS.map(([c]) => [c, null])]));
    const db = await sourceDb();
    try {
      // Independent of the encoder: PostgreSQL computes what each Debezium value must be.
      const { rows } = await db.query({
        text: `SELECT c_int2::text, c_int4::text, c_int8::text, c_numeric::text, c_numeric_s::text, c_real::text, c_double::text,
                      c_money::numeric::text AS c_money, c_char, c_varchar, c_text, encode(c_bytea, 'base64') AS c_bytea,
                      (c_date - DATE '1970-01-01')::text AS c_date, (extract(epoch FROM c_time) * 1000000)::bigint::text AS c_time,
                      (c_timetz AT TIME ZONE 'UTC')::time::text || 'Z' AS c_timetz, (extract(epoch FROM c_ts) * 1000000)::bigint::text AS c_ts,
                      to_char(c_tstz AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS c_tstz, (extract(epoch FROM c_interval) * 1000000)::bigint::text AS c_interval,
                      c_bool::text, c_flag::text, c_enum::text, c_point[0]::text || ',' || c_point[1]::text AS c_point, c_circle::text, c_inet /* output text, not ::text: Debezium's */, c_macaddr::text,
                      c_bit::text, c_varbit::text, c_tsvector::text, c_uuid::text, c_xml::text, c_json::text, c_jsonb::text, c_int_arr::text, c_text_arr::text,
                      (SELECT string_agg(to_char(x AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'), ',') FROM unnest(c_tstz_arr) x) AS c_tstz_arr,
                      c_composite::text, c_int4range::text, c_multirange::text, c_pg_lsn::text
                 FROM ${q} WHERE id = 1`,
        types: { getTypeParser: () => (v: string) => v },
      });
      source = rows[0];
    } finally {
      await db.end();
    }
  });

  afterAll(async () => {
    if (run) await stopTask(run.task.id).catch(() => undefined);
  });

  it('gives every column the documented Connect type and Debezium name', () => {
    const after = value.schema.fields.find((f) => f.field === 'after')!.fields;
    expect(after.map((f) => [f.field, [f.type, f.name].filter(Boolean).join(' ')])).toEqual([['id', 'int32'], ...DRS.map(([c, , , connect]) => [c, connect])]);
  });

  it('writes each value as Debezium does, equal to the source row', () => {
    const a = value.payload.after;
    const isoTrim = (s: string) => s.replace(/\.?0+$/, '');
    const bitsLe = (bits: string) => {
      let v = BigInt('0b' + bits);
      const out = Buffer.alloc(Math.ceil(bits.length / 8));
      for (let i = 0; i < out.length; i++, v >>= 8n) out[i] = Number(v & 0xffn);
      return out.toString('base64');
    };
    // 64-bit and exact values are checked in the message text: JSON.parse would round them.
    expect(raw).toContain(`"c_int8":${source.c_int8}`);
    expect(raw).toContain(`"c_ts":${source.c_ts}`);
    expect(raw).toContain(`"c_time":${source.c_time}`);
    expect(raw).toContain(`"c_interval":${source.c_interval}`);
    const numeric = a.c_numeric as { scale: number; value: string };
    expect({
      c_int2: String(a.c_int2),
      c_int4: String(a.c_int4),
      c_numeric: decimalOf(numeric.value, numeric.scale),
      c_numeric_s: decimalOf(a.c_numeric_s as string, 2),
      c_real: a.c_real,
      c_double: String(a.c_double),
      c_money: decimalOf(a.c_money as string, 2),
      c_char: a.c_char,
      c_varchar: a.c_varchar,
      c_text: a.c_text,
      c_bytea: a.c_bytea,
      c_date: String(a.c_date),
      c_timetz: a.c_timetz,
      c_tstz: a.c_tstz,
      c_bool: String(a.c_bool),
      c_flag: String(a.c_flag),
      c_enum: a.c_enum,
      c_point: `${(a.c_point as { x: number }).x},${(a.c_point as { y: number }).y}`,
      c_circle: a.c_circle,
      c_inet: a.c_inet,
      c_macaddr: a.c_macaddr,
      c_bit: a.c_bit,
      c_varbit: a.c_varbit,
      c_tsvector: a.c_tsvector,
      c_uuid: a.c_uuid,
      c_xml: a.c_xml,
      c_json: a.c_json,
      c_jsonb: a.c_jsonb,
      c_int_arr: a.c_int_arr,
      c_text_arr: a.c_text_arr,
      c_tstz_arr: a.c_tstz_arr,
      c_composite: a.c_composite,
      c_int4range: a.c_int4range,
      c_multirange: a.c_multirange,
      c_pg_lsn: a.c_pg_lsn,
    }).toEqual({
      c_int2: source.c_int2,
      c_int4: source.c_int4,
      c_numeric: source.c_numeric,
      c_numeric_s: source.c_numeric_s,
      c_real: source.c_real, // -Infinity: a string, as Jackson writes it
      c_double: String(Number(source.c_double)),
      c_money: source.c_money,
      c_char: source.c_char, // padded, as Debezium sends character(n)
      c_varchar: source.c_varchar,
      c_text: source.c_text,
      c_bytea: source.c_bytea,
      c_date: source.c_date,
      c_timetz: source.c_timetz,
      c_tstz: `${isoTrim(source.c_tstz!)}Z`,
      c_bool: source.c_bool,
      c_flag: source.c_flag,
      c_enum: source.c_enum,
      c_point: source.c_point,
      c_circle: source.c_circle,
      c_inet: source.c_inet,
      c_macaddr: source.c_macaddr,
      c_bit: bitsLe(source.c_bit!),
      c_varbit: bitsLe(source.c_varbit!),
      c_tsvector: source.c_tsvector,
      c_uuid: source.c_uuid,
      c_xml: source.c_xml,
      c_json: source.c_json,
      c_jsonb: source.c_jsonb,
      c_int_arr: [1, 2, null],
      c_text_arr: ['a b', 'c"d', null, 'NULL'],
      c_tstz_arr: source.c_tstz_arr!.split(',').map((t) => `${isoTrim(t)}Z`),
      c_composite: source.c_composite,
      c_int4range: source.c_int4range,
      c_multirange: source.c_multirange,
      c_pg_lsn: source.c_pg_lsn,
    });
  });
});

describe('format settings through the API', () => {
  const task = (policy: Record<string, unknown>) => ({
    name: uniqueName('fmt').replace(/_/g, '-').slice(0, 50),
    source: demoSource(),
    destination: demoDestination(),
    policy: { tables: [{ schema: 'shop', table: 'orders' }], topicPolicy: { mode: 'specific', topic: 'walbridge-demo' }, ...policy },
  });
  const fields = (body: unknown) => Object.fromEntries(((body as ApiErrorBody).details ?? []).map((d) => [d.field, d.message]));

  it('refuses a bad format or option with a 400 naming the field and the rule', async () => {
    const bad = await api.request('POST', '/api/v1/tasks', task({ format: 'debezium-json', formatOptions: { decimalHandling: 'double', timeHandling: 'millis', tombstones: 1 } }));
    expect(bad.status).toBe(400);
    expect(fields(bad.body)).toEqual({
      'policy.formatOptions.decimalHandling': 'decimalHandling must be "precise" or "string"',
      'policy.formatOptions.timeHandling': 'timeHandling must be "micros" or "iso"',
      'policy.formatOptions.tombstones': 'tombstones must be true or false',
    });
    const misplaced = await api.request('POST', '/api/v1/tasks', task({ format: 'canal-json', formatOptions: { includeSchema: true } }));
    expect(misplaced.status).toBe(400);
    expect(fields(misplaced.body)).toEqual({ 'policy.formatOptions': 'formatOptions apply only to format debezium-json (format is canal-json)' });
    const unknown = await api.request('POST', '/api/v1/tasks', task({ format: 'debezium' }));
    expect(fields(unknown.body)).toEqual({ 'policy.format': 'format must be one of json, avro, debezium-json, canal-json, avro-registry' });
  });

  it('keeps the Debezium options of a task', async () => {
    const options = { includeSchema: true, tombstones: true, decimalHandling: 'string', timeHandling: 'iso' };
    const created = await api.request<{ id: string; policy: Record<string, unknown> }>('POST', '/api/v1/tasks', task({ format: 'debezium-json', formatOptions: options }));
    expect(created.status).toBe(201);
    const read = await api.request<{ policy: Record<string, unknown> }>('GET', `/api/v1/tasks/${created.body.id}`);
    expect(read.body.policy).toMatchObject({ format: 'debezium-json', formatOptions: options });
    await api.request('DELETE', `/api/v1/tasks/${created.body.id}`);
  });
});
