import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeColumns, relationIds } from '@walbridge/connectors';
import {
  compileRowFilter,
  parseRowFilter,
  rowFilterToSql,
  rowFilterToText,
  valueKindOf,
  type CompareOp,
  type FilterColumn,
  type Literal,
  type RowFilterNode,
} from '@walbridge/domain';
import { sourceDb } from '@walbridge/testing';
import { onSource, qualified, uniqueSuffix } from './task-fixture';

/**
 * The worker's row filter evaluator against PostgreSQL itself: random rows of every comparable
 * type (edge values and NULLs included) and random conditions; for each condition the rows the
 * evaluator lets through must be exactly those `SELECT … WHERE <the same condition as SQL>`
 * returns. The SQL is generated from the parsed tree with every name and value quoted and each
 * value cast to the type the evaluator gives it: the evaluator's meaning, checked by PostgreSQL.
 *
 * WALBRIDGE_FILTER_SEED replays a run.
 */
const SEED = Number(process.env.WALBRIDGE_FILTER_SEED ?? Date.now() % 1_000_000);
const ROWS = 250;
const CONDITIONS = 400;

type Kind = 'd' | 'i8' | 'f4' | 'f8' | 'b' | 't' | 'c' | 'dt' | 'ts' | 'tz' | 'tm' | 'u' | 'e' | 'j';

const TYPES: Record<Kind, string> = {
  d: 'numeric',
  i8: 'bigint',
  f4: 'real',
  f8: 'double precision',
  b: 'boolean',
  t: 'text',
  c: 'character(4)',
  dt: 'date',
  ts: 'timestamp',
  tz: 'timestamptz',
  tm: 'time',
  u: 'uuid',
  e: 'ENUM',
  j: 'jsonb',
};

const LABELS = ['new', 'paid', 'shipped'];

/** Values the rows take (as SQL input text; null is SQL NULL). */
const VALUES: Record<Kind, (string | null)[]> = {
  d: ['0', '-1.5', '1000', '123456789012345678901234567890.12345', '0.5', '-0.000001', 'NaN', 'Infinity', '-Infinity', '42', '1.50'],
  i8: ['9223372036854775807', '-9223372036854775808', '0', '42', '2', '3'],
  f4: ['0.1', '-0', '3.4e38', 'NaN', 'Infinity', '1.5', '-2.25'],
  f8: ['0.1', '1e-300', 'NaN', '-Infinity', '2', '0.30000000000000004'],
  b: ['true', 'false'],
  t: ['', 'a', 'A', 'b', 'é', '😀', 'abc', 'ab ', 'z', '\uffff', 'a%b', 'a_b', 'a\\b'],
  c: ['ab', 'ab  ', 'zz', '', 'é', 'a_b'],
  dt: ['2024-02-29', '0044-03-15 BC', 'infinity', '-infinity', '1970-01-01', '2024-01-01'],
  ts: ['2024-01-01 00:00:00', '2024-01-01 10:00:00.5', 'infinity', '1999-12-31 23:59:59.999999', '0001-01-01 00:00:00 BC', '2024-01-01 10:00:00'],
  tz: ['2024-01-01 00:00:00+00', '2024-01-01 06:30:00+00', '-infinity', '1850-01-01 00:00:00+00', '2023-12-31 19:00:00-05'],
  tm: ['00:00:00', '12:30:00.25', '24:00:00', '23:59:59.999999', '12:30:00'],
  u: ['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12', '00000000-0000-0000-0000-000000000000', 'ffffffff-0000-0000-0000-000000000000'],
  e: LABELS,
  j: ['{}', '{"a": 1}'],
};

/** Literals conditions use: as written in a condition (strings quoted, numbers bare). */
const LITERALS: Record<Kind, [Literal['type'], string][]> = {
  d: [['number', '0'], ['number', '-1.5'], ['number', '1e3'], ['number', '123456789012345678901234567890.12345'], ['number', '.5'], ['string', 'NaN'], ['string', ' Infinity '], ['number', '42.000'], ['string', '-1e-6']],
  i8: [['number', '9223372036854775807'], ['number', '-9223372036854775808'], ['number', '2.5'], ['number', '42'], ['string', '3']],
  f4: [['number', '0.1'], ['number', '0'], ['number', '3.4e38'], ['string', 'NaN'], ['string', 'Infinity'], ['number', '1.5'], ['number', '-2.25']],
  f8: [['number', '0.1'], ['number', '1e-300'], ['string', 'NaN'], ['string', '-Infinity'], ['number', '2'], ['number', '0.30000000000000004']],
  b: [['boolean', 'TRUE'], ['boolean', 'FALSE'], ['string', 'yes'], ['string', 'off'], ['string', 't']],
  t: [['string', ''], ['string', 'a'], ['string', 'B'], ['string', 'é'], ['string', '😀'], ['string', 'ab'], ['string', 'ab '], ['string', '\uffff']],
  c: [['string', 'ab'], ['string', 'ab '], ['string', 'zz'], ['string', ''], ['string', 'é']],
  dt: [['string', '2024-02-29'], ['string', '0044-03-15 BC'], ['string', 'infinity'], ['string', '-infinity'], ['string', '1970-01-01']],
  ts: [['string', '2024-01-01'], ['string', '2024-01-01 10:00:00.5'], ['string', '2024-01-01T10:00'], ['string', 'infinity'], ['string', '0001-01-01 00:00:00 BC']],
  tz: [['string', '2024-01-01 00:00:00+00'], ['string', '2024-01-01 12:00+05:30'], ['string', '2024-01-01T00:00:00Z'], ['string', '-infinity'], ['string', '1850-01-01 00:53:28+00:53:28']],
  tm: [['string', '00:00'], ['string', '12:30:00.25'], ['string', '24:00'], ['string', '23:59:59.999999']],
  u: [['string', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'], ['string', '{A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11}'], ['string', 'a0eebc999c0b4ef8bb6d6bb9bd380a12'], ['string', '00000000-0000-0000-0000-000000000000']],
  e: LABELS.map((l): [Literal['type'], string] => ['string', l]),
  j: [],
};

const PATTERNS = ['a%', '%b', '_b%', 'a\\%b', 'a\\_b', '%', '', 'ab__', '%é%', 'a_b', '😀', '%\\\\%'];

const ORDERED = new Set<Kind>(['d', 'i8', 'f4', 'f8', 'b', 't', 'c', 'dt', 'ts', 'tz', 'tm', 'u', 'e']);

function conditions(): fc.Arbitrary<RowFilterNode> {
  const kinds = Object.keys(TYPES) as Kind[];
  const column = (k: Kind) => ({ kind: 'column' as const, name: k, pos: 0 });
  const literal = (k: Kind) => fc.constantFrom(...LITERALS[k]).map(([type, text]) => ({ kind: 'literal' as const, type, text, pos: 0 }));
  const predicate = fc.constantFrom(...kinds).chain((k): fc.Arbitrary<RowFilterNode> => {
    const options: fc.Arbitrary<RowFilterNode>[] = [fc.record({ kind: fc.constant('isNull' as const), column: fc.constant(column(k)), negated: fc.boolean() })];
    if (ORDERED.has(k)) {
      options.push(
        fc.record({ kind: fc.constant('compare' as const), op: fc.constantFrom<CompareOp>('=', '<>', '<', '<=', '>', '>='), column: fc.constant(column(k)), value: literal(k) }),
        fc.record({ kind: fc.constant('in' as const), column: fc.constant(column(k)), values: fc.array(literal(k), { minLength: 1, maxLength: 3 }), negated: fc.boolean() }),
        fc.record({ kind: fc.constant('between' as const), column: fc.constant(column(k)), low: literal(k), high: literal(k), negated: fc.boolean() }),
      );
    }
    if (k === 't' || k === 'c') {
      options.push(
        fc.record({
          kind: fc.constant('like' as const),
          column: fc.constant(column(k)),
          pattern: fc.constantFrom(...PATTERNS).map((text) => ({ kind: 'literal' as const, type: 'string' as const, text, pos: 0 })),
          negated: fc.boolean(),
        }),
      );
    }
    if (k === 'b') options.push(fc.constant({ kind: 'column' as const, column: column(k) }));
    return fc.oneof(...options);
  });
  const { tree } = fc.letrec<{ tree: RowFilterNode }>((tie) => ({
    tree: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      predicate,
      predicate,
      fc.record({ kind: fc.constant('not' as const), item: tie('tree') }),
      fc.record({ kind: fc.constantFrom('and' as const, 'or' as const), items: fc.array(tie('tree'), { minLength: 2, maxLength: 3 }) }),
    ),
  }));
  return tree;
}

describe(`row filters evaluate like PostgreSQL (seed ${SEED})`, () => {
  const table = qualified(`rfeq_${uniqueSuffix()}`);
  const enumType = `shop.rfeq_status_${uniqueSuffix()}`;
  let columns: FilterColumn[];
  let rows: (string | null)[][];

  beforeAll(async () => {
    const kinds = Object.keys(TYPES) as Kind[];
    const type = (k: Kind) => (TYPES[k] === 'ENUM' ? enumType : TYPES[k]);
    await onSource(
      `CREATE TYPE ${enumType} AS ENUM (${LABELS.map((l) => `'${l}'`).join(', ')})`,
      `CREATE TABLE ${table} (id int PRIMARY KEY, ${kinds.map((k) => `${k} ${type(k)}`).join(', ')})`,
    );
    const random = fc.sample(fc.array(fc.nat(), { minLength: kinds.length, maxLength: kinds.length }), { seed: SEED, numRuns: ROWS });
    const db = await sourceDb();
    try {
      for (let i = 0; i < ROWS; i++) {
        const values = kinds.map((k, j) => {
          const pool = VALUES[k];
          const n = random[i][j] % (pool.length + 1);
          return n === pool.length ? null : pool[n];
        });
        await db.query(`INSERT INTO ${table} VALUES ($1, ${kinds.map((k, j) => `$${j + 2}::${type(k)}`).join(', ')})`, [i, ...values]);
      }
      // What the worker gets: each type's output text, in column order.
      const printed = await db.query({ text: `SELECT * FROM ${table} ORDER BY id`, rowMode: 'array', types: { getTypeParser: () => (v: string) => v } });
      rows = printed.rows as (string | null)[][];
      const [relid] = await relationIds(db, [{ schema: 'shop', table: table.slice(6, -1) }]);
      columns = (await describeColumns(db, [relid!])).map((c) => ({
        name: c.name,
        type: c.type,
        kind: valueKindOf({ baseType: c.base_type, typtype: c.typtype, collationDeterministic: c.deterministic }),
        ...(c.enum_labels ? { enumLabels: c.enum_labels } : {}),
      }));
    } finally {
      await db.end();
    }
  });

  afterAll(async () => {
    await onSource(`DROP TABLE IF EXISTS ${table}`, `DROP TYPE IF EXISTS ${enumType}`).catch(() => undefined);
  });

  it('reads the column types as the worker does', () => {
    expect(columns.map((c) => c.kind)).toEqual(['decimal', 'decimal', 'decimal', 'float4', 'float8', 'boolean', 'text', 'bpchar', 'date', 'timestamp', 'timestamptz', 'time', 'uuid', 'enum', 'other']);
  });

  it(`lets through exactly the rows PostgreSQL selects, for ${CONDITIONS} random conditions`, async () => {
    const trees = fc.sample(conditions(), { seed: SEED, numRuns: CONDITIONS });
    const db = await sourceDb();
    const mismatches: string[] = [];
    let selective = 0;
    try {
      for (const tree of trees) {
        // Through the text a user would write: the parser is part of what is checked.
        const text = rowFilterToText(tree);
        const ast = parseRowFilter(text);
        const filter = compileRowFilter(ast, columns);
        const ours = rows.filter((r) => filter.evaluate(r) === 'pass').map((r) => Number(r[0]));
        const { rows: theirs } = await db.query<{ id: number }>(`SELECT id FROM ${table} WHERE ${rowFilterToSql(ast, columns)} ORDER BY id`);
        const expected = theirs.map((r) => r.id);
        if (JSON.stringify(ours) !== JSON.stringify(expected)) {
          const onlyOurs = ours.filter((id) => !expected.includes(id)).slice(0, 3);
          const onlyTheirs = expected.filter((id) => !ours.includes(id)).slice(0, 3);
          mismatches.push(`${text}\n  only ours: ${onlyOurs.map((id) => JSON.stringify(rows[id])).join(' ')}\n  only PostgreSQL: ${onlyTheirs.map((id) => JSON.stringify(rows[id])).join(' ')}`);
        }
        if (expected.length > 0 && expected.length < ROWS) selective++;
      }
    } finally {
      await db.end();
    }
    expect(mismatches.slice(0, 5), `seed ${SEED}: ${mismatches.length} of ${CONDITIONS} conditions disagree`).toEqual([]);
    // The conditions are not trivially all-or-nothing.
    expect(selective).toBeGreaterThan(CONDITIONS / 3);
  });
});
