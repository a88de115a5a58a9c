import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UNCHANGED_TOAST, type Tuple } from '../pgoutput/messages';
import { compareCodePoints, compareDecimal, parseDecimal, parseTimestamp, parseUuid, compileLike } from './pg-values';
import { compileRowFilter, rowFilterToSql, rowFilterToText, type FilterColumn } from './row-filter-compiler';
import { RowFilterError, parseRowFilter, rowFilterColumns, type RowFilterNode } from './row-filter-parser';
import { rowFilterProblems } from './row-filter-problems';

const COLUMNS: FilterColumn[] = [
  { name: 'id', type: 'bigint', kind: 'decimal' },
  { name: 'amount', type: 'numeric(30,10)', kind: 'decimal' },
  { name: 'ratio', type: 'real', kind: 'float4' },
  { name: 'score', type: 'double precision', kind: 'float8' },
  { name: 'active', type: 'boolean', kind: 'boolean' },
  { name: 'note', type: 'text', kind: 'text' },
  { name: 'code', type: 'character(5)', kind: 'bpchar' },
  { name: 'day', type: 'date', kind: 'date' },
  { name: 'at', type: 'timestamp without time zone', kind: 'timestamp' },
  { name: 'atz', type: 'timestamp with time zone', kind: 'timestamptz' },
  { name: 'tod', type: 'time without time zone', kind: 'time' },
  { name: 'ref', type: 'uuid', kind: 'uuid' },
  { name: 'status', type: 'shop.status', kind: 'enum', enumLabels: ['new', 'paid', 'shipped'] },
  { name: 'attrs', type: 'jsonb', kind: 'other' },
  { name: 'Mixed Case', type: 'text', kind: 'text' },
];

type Row = Partial<Record<string, string | null | typeof UNCHANGED_TOAST>>;
const row = (values: Row): Tuple => COLUMNS.map((c) => (c.name in values ? values[c.name]! : null));
const passes = (condition: string, values: Row, fallback?: Row) =>
  compileRowFilter(condition, COLUMNS).test(row(values), fallback ? row(fallback) : null);

function errorOf(fn: () => unknown): RowFilterError {
  try {
    fn();
  } catch (e) {
    if (e instanceof RowFilterError) return e;
    throw e;
  }
  throw new Error('expected a RowFilterError');
}

describe('parseRowFilter', () => {
  it('parses the SQL subset with precedence NOT > AND > OR and column-first comparisons', () => {
    const ast = parseRowFilter(`a = 1 OR NOT b < 'x' AND 5 <= c`);
    expect(ast).toMatchObject({
      kind: 'or',
      items: [
        { kind: 'compare', op: '=', column: { name: 'a' }, value: { type: 'number', text: '1' } },
        {
          kind: 'and',
          items: [
            { kind: 'not', item: { kind: 'compare', op: '<', column: { name: 'b' } } },
            { kind: 'compare', op: '>=', column: { name: 'c' }, value: { text: '5' } },
          ],
        },
      ],
    });
  });

  it('reads IN, BETWEEN, LIKE, IS [NOT] NULL, quoted names and quotes inside strings', () => {
    expect(parseRowFilter(`"Mixed ""Q"" Case" NOT IN ('a''b', -2.5e3) AND x IS NOT NULL AND y NOT BETWEEN 1 AND 2 AND z LIKE 'a%'`)).toMatchObject({
      kind: 'and',
      items: [
        { kind: 'in', column: { name: 'Mixed "Q" Case' }, negated: true, values: [{ type: 'string', text: "a'b" }, { type: 'number', text: '-2.5e3' }] },
        { kind: 'isNull', negated: true },
        { kind: 'between', negated: true },
        { kind: 'like', negated: false, pattern: { text: 'a%' } },
      ],
    });
    expect(rowFilterColumns(parseRowFilter('Amount > 1 AND "Amount" < 2 AND amount <> 3'))).toEqual(['amount', 'Amount']);
  });

  it.each([
    ['', 1, 'the condition is empty'],
    ['amount >', 9, "expected a column name or a value after '>', found the end of the condition"],
    ['amount > 1;', 11, "unexpected character ';'"],
    ["note = 'abc", 8, 'not closed'],
    ['(a = 1', 7, "expected ')' to close the parenthesis opened at position 1"],
    ['a = 1)', 6, 'a closing parenthesis without an opening one'],
    ['a = b', 5, 'comparing two columns is not supported'],
    ['1 = 2', 3, 'compares two values'],
    ['a = NULL', 5, 'use IS NULL'],
    ['a IN (1, NULL)', 10, 'use IS NULL'],
    ['a IS TRUE', 6, 'expected NULL after IS'],
    ['a LIKE 5', 8, 'LIKE needs a quoted pattern'],
    ['a = 1 b = 2', 7, 'expected AND, OR or the end of the condition, found the name b'],
    ['a = 1 -- comment', 7, 'comments are not supported'],
    ['a = 1; DROP TABLE t', 6, "unexpected character ';'"],
    ["'x'", 1, 'a value alone is not a condition'],
    ['a = 12abc', 7, "unexpected 'a' after the number 12"],
    ['a = "b"', 5, "comparing two columns is not supported (a text value is quoted: 'b')"],
  ])('refuses %j at position %i', (text, position, reason) => {
    const e = errorOf(() => parseRowFilter(text));
    expect(e.position).toBe(position);
    expect(e.reason).toContain(reason);
  });

  it('refuses nesting deeper than 64 levels without exhausting the stack', () => {
    expect(errorOf(() => parseRowFilter('('.repeat(100) + 'a = 1' + ')'.repeat(100))).reason).toContain('nests deeper than 64');
    expect(errorOf(() => parseRowFilter('NOT '.repeat(1000) + 'a')).reason).toContain('nests deeper than 64');
  });

  it('never fails with anything but a RowFilterError whose position lies inside the text (fuzz)', () => {
    const alphabet = fc.constantFrom(...`aZ_" '()=<>!,.-+%0123456789eE\\\n;`.split(''), 'AND', 'OR', 'NOT', 'IN', 'IS', 'NULL', 'LIKE', 'BETWEEN', 'é', '😀');
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 40 }).map((a) => a.join('')), (text) => {
        try {
          parseRowFilter(text);
        } catch (e) {
          expect(e).toBeInstanceOf(RowFilterError);
          expect((e as RowFilterError).position).toBeGreaterThanOrEqual(1);
          expect((e as RowFilterError).position).toBeLessThanOrEqual(text.length + 1);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('prints any tree as text that parses back to the same tree', () => {
    fc.assert(
      fc.property(arbitraryCondition(), (ast) => {
        expect(strip(parseRowFilter(rowFilterToText(ast)))).toEqual(strip(ast));
      }),
      { numRuns: 500 },
    );
  });

  it('reports syntax problems by field for the API', () => {
    expect(rowFilterProblems([{ filter: 'a = 1' }, {}, { filter: '  ' }, { filter: 'a >' }])).toEqual([
      { field: 'policy.tables.3.filter', message: "invalid condition at position 4: expected a column name or a value after '>', found the end of the condition" },
    ]);
  });
});

describe('compileRowFilter: types', () => {
  it('compares numeric and int8 exactly, beyond what a JS number holds', () => {
    expect(passes('id = 9223372036854775807', { id: '9223372036854775807' })).toBe(true);
    expect(passes('id = 9223372036854775806', { id: '9223372036854775807' })).toBe(false);
    expect(passes('id > 9223372036854775806', { id: '9223372036854775807' })).toBe(true);
    expect(passes('amount = 0.1', { amount: '0.1000000000' })).toBe(true);
    expect(passes('amount > 12345678901234567890.0000000001', { amount: '12345678901234567890.0000000002' })).toBe(true);
    expect(passes('amount < 12345678901234567890.0000000001', { amount: '12345678901234567890.0000000002' })).toBe(false);
    expect(passes('amount BETWEEN -1e2 AND 1E-3', { amount: '-0.5' })).toBe(true);
    expect(passes("amount < '1e3'", { amount: '999.9999999999' })).toBe(true);
    expect(passes("amount > 'Infinity'", { amount: 'NaN' })).toBe(true);
    expect(passes("amount = 'NaN'", { amount: 'NaN' })).toBe(true);
    expect(passes('id IN (1, 2.0, 3)', { id: '2' })).toBe(true);
    expect(passes('id > 2.5', { id: '3' })).toBe(true);
  });

  it('types float literals as the column type (real: 0.1 means the real nearest 0.1)', () => {
    expect(passes('ratio = 0.1', { ratio: '0.1' })).toBe(true);
    expect(passes('score = 0.1', { score: '0.1' })).toBe(true);
    expect(passes("score > 'Infinity'", { score: 'NaN' })).toBe(true);
    expect(passes('score = -0', { score: '0' })).toBe(true);
  });

  it('compares booleans, text in the C collation, character(n) without padding, uuids in any input form', () => {
    expect(passes('active', { active: 't' })).toBe(true);
    expect(passes('NOT active', { active: null })).toBe(false);
    expect(passes("active = 'yes'", { active: 't' })).toBe(true);
    expect(passes("note < 'b'", { note: 'B' })).toBe(true); // 'B' (0x42) sorts before 'b' in C
    expect(passes("note > 'z'", { note: 'é' })).toBe(true);
    expect(passes("note > '\uffff'", { note: '😀' })).toBe(true); // code point order, not UTF-16
    expect(passes("code = 'ab'", { code: 'ab   ' })).toBe(true);
    expect(passes("code LIKE 'ab'", { code: 'ab   ' })).toBe(false); // bpchar LIKE sees the padding
    expect(passes("ref = '{A0EEBC99-9C0B4EF8-BB6D6BB9-BD380A11}'", { ref: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11' })).toBe(true);
  });

  it('compares dates, timestamps (offsets honoured, BC, infinity) and times exactly', () => {
    expect(passes("day = '2024-02-29'", { day: '2024-02-29' })).toBe(true);
    expect(passes("day < '0001-01-01'", { day: '0044-03-15 BC' })).toBe(true);
    expect(passes("day < 'infinity'", { day: '294276-12-31' })).toBe(true);
    expect(passes("at > '2024-01-01'", { at: '2024-01-01 00:00:00.000001' })).toBe(true);
    expect(passes("at = '2024-01-01T10:00:00.5'", { at: '2024-01-01 10:00:00.5' })).toBe(true);
    expect(passes("atz = '2024-01-01 12:00:00+02'", { atz: '2024-01-01 10:00:00+00' })).toBe(true);
    expect(passes("atz = '2024-01-01 12:00:00Z'", { atz: '2024-01-01 17:30:00+05:30' })).toBe(true);
    expect(passes("atz > '-infinity'", { atz: '4714-11-24 00:00:00+00 BC' })).toBe(true);
    expect(passes("tod BETWEEN '09:00' AND '17:00'", { tod: '12:30:00' })).toBe(true);
    expect(passes("tod = '24:00'", { tod: '24:00:00' })).toBe(true);
  });

  it('orders enums by their declared order', () => {
    expect(passes("status > 'new'", { status: 'paid' })).toBe(true);
    expect(passes("status IN ('new', 'shipped')", { status: 'paid' })).toBe(false);
  });

  it.each([
    ['nope = 1', 1, 'there is no column "nope"'],
    ['mixed case = 1', 7, 'found the name case (a name with spaces or capitals needs double quotes'],
    ['"mixed case" = 1', 1, 'write "Mixed Case"'],
    ["id = 'abc'", 6, "'abc' is not a number for column id (bigint)"],
    ['id = TRUE', 6, 'TRUE is not a number'],
    ['note = 5', 8, "write the value in quotes, e.g. '5'"],
    ['ratio > 1e39', 9, 'in the range of real'],
    ["day = '2023-02-29'", 7, 'is not a date'],
    ["at = '2024-01-01 10:00+02'", 6, 'a timestamp without time zone takes no offset'],
    ["atz > '2024-01-01'", 7, "give the offset, e.g. '2024-01-01 00:00:00+00'"],
    ["status = 'lost'", 10, 'values: new, paid, shipped'],
    ["attrs = '{}'", 1, 'can only test with IS [NOT] NULL'],
    ["id LIKE '1%'", 1, 'LIKE applies to text columns'],
    ['note', 1, 'is not boolean'],
    ["note LIKE 'a\\'", 11, 'must not end with the escape character'],
    ["ref = 'not-a-uuid'", 7, 'is not a uuid'],
  ])('refuses %j at position %i', (text, position, reason) => {
    const e = errorOf(() => compileRowFilter(text, COLUMNS));
    expect(e.reason).toContain(reason);
    expect(e.position).toBe(position);
  });

  it('accepts IS NULL on any type', () => {
    expect(passes('attrs IS NULL', { attrs: null })).toBe(true);
    expect(passes('attrs IS NOT NULL', { attrs: '{}' })).toBe(true);
  });
});

describe('compileRowFilter: NULL and missing values', () => {
  it('applies three-valued logic: a row passes only when the condition is TRUE', () => {
    expect(passes('id > 1', { id: null })).toBe(false);
    expect(passes('NOT id > 1', { id: null })).toBe(false);
    expect(passes('id > 1 OR note IS NULL', { id: null })).toBe(true);
    expect(passes('NOT (id > 1 AND note IS NOT NULL)', { id: null, note: null })).toBe(true);
    expect(passes('NOT (id > 1 AND note IS NULL)', { id: null, note: null })).toBe(false);
    expect(passes('id NOT IN (1, 2)', { id: null })).toBe(false);
    expect(passes('note NOT LIKE \'a%\'', { note: null })).toBe(false);
  });

  it('takes an unchanged TOAST value from the old image, and lets the row through when no image has it', () => {
    expect(passes("note = 'big'", { note: UNCHANGED_TOAST }, { note: 'big' })).toBe(true);
    expect(passes("note = 'big'", { note: UNCHANGED_TOAST }, { note: 'other' })).toBe(false);
    const filter = compileRowFilter("note = 'big'", COLUMNS);
    expect(filter.evaluate(row({ note: UNCHANGED_TOAST }))).toBe('unknown');
    expect(filter.test(row({ note: UNCHANGED_TOAST }))).toBe(true);
    // Something known to be FALSE stays FALSE whatever the missing value is.
    expect(compileRowFilter("id = 1 AND note = 'big'", COLUMNS).evaluate(row({ id: '2', note: UNCHANGED_TOAST }))).toBe('drop');
    expect(compileRowFilter("id = 1 OR note = 'big'", COLUMNS).evaluate(row({ id: '1', note: UNCHANGED_TOAST }))).toBe('pass');
  });

  it('treats columns outside a key-only image as missing, not as NULL', () => {
    const keyOnly = compileRowFilter('id = 1 AND note IS NULL', COLUMNS, (p) => p === 0);
    expect(keyOnly.evaluate(row({ id: '1', note: null }))).toBe('unknown');
    expect(keyOnly.evaluate(row({ id: '2', note: null }))).toBe('drop');
    expect(keyOnly.positions).toEqual([0, 5]);
  });
});

describe('rowFilterToSql', () => {
  it('quotes names and casts every value to the type the evaluator gave it', () => {
    expect(rowFilterToSql(`"Mixed Case" < 'x''; DROP TABLE t; --' AND id IN (1, 2) AND NOT active AND status = 'new'`, COLUMNS)).toBe(
      `(("Mixed Case" < ('x''; DROP TABLE t; --'::text COLLATE "C")) AND ("id" IN (('1'::numeric), ('2'::numeric))) AND (NOT ("active")) AND ("status" = ('new'::shop.status)))`,
    );
  });
});

describe('values', () => {
  it('orders decimals like numeric, without floating point', () => {
    const d = (s: string) => parseDecimal(s)!;
    const sorted = ['-Infinity', '-1e20', '-1', '-0.5', '0', '0.000000000000000000001', '1', '1.0000000000000000001', '99999999999999999999', 'Infinity', 'NaN'];
    for (let i = 0; i < sorted.length; i++) {
      for (let j = 0; j < sorted.length; j++) expect(Math.sign(compareDecimal(d(sorted[i]), d(sorted[j]))), `${sorted[i]} vs ${sorted[j]}`).toBe(Math.sign(i - j));
    }
    expect(compareDecimal(d('1.50'), d('0001.5'))).toBe(0);
    expect(parseDecimal('1e1001')).toBeNull();
  });

  it('orders code points like UTF-8 bytes', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' }), (a, b) => {
        expect(Math.sign(compareCodePoints(a, b))).toBe(Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b))));
      }),
      { numRuns: 2000 },
    );
  });

  it('matches LIKE patterns per code point, with escapes, in linear-ish time', () => {
    const like = (p: string) => compileLike(p) as (v: string) => boolean;
    expect(like('a_c')('a😀c')).toBe(true);
    expect(like('a\\%c')('a%c')).toBe(true);
    expect(like('a\\%c')('abc')).toBe(false);
    expect(like('%a%b%')('xxaxxbxx')).toBe(true);
    expect(like('a%')('a\nb')).toBe(true);
    const started = Date.now();
    expect(like('%a%a%a%a%a%a%a%a%b')('a'.repeat(5000))).toBe(false);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('reads timestamps with second offsets and keeps microseconds', () => {
    expect(parseTimestamp('1850-01-01 00:00:00+00:53:28', 'required')! - parseTimestamp('1849-12-31 23:06:32+00', 'required')!).toBe(0n);
    expect(parseTimestamp('2024-01-01 00:00:00.000001', 'none')! - parseTimestamp('2024-01-01', 'none')!).toBe(1n);
    expect(parseUuid('A0EEBC999C0B4EF8BB6D6BB9BD380A11')).toBe('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11');
    expect(parseUuid('a0ee-bc99-')).toBeNull();
  });
});

// --------------------------------------------------------------------------------------------
// arbitrary condition trees (also used to check printing and parsing agree)
// --------------------------------------------------------------------------------------------

function strip(node: unknown): unknown {
  return JSON.parse(JSON.stringify(node, (k, v) => (k === 'pos' ? undefined : v)));
}

function arbitraryCondition(): fc.Arbitrary<RowFilterNode> {
  const column = fc.constantFrom('id', 'Mixed "Q"', 'note', 'é').map((name) => ({ kind: 'column' as const, name, pos: 0 }));
  const literal = fc.oneof(
    fc.string({ maxLength: 6 }).map((text) => ({ kind: 'literal' as const, type: 'string' as const, text, pos: 0 })),
    fc.constantFrom('0', '-1.5', '2e3', '.5', '10').map((text) => ({ kind: 'literal' as const, type: 'number' as const, text, pos: 0 })),
    fc.constantFrom('TRUE', 'FALSE').map((text) => ({ kind: 'literal' as const, type: 'boolean' as const, text, pos: 0 })),
  );
  const leaf: fc.Arbitrary<RowFilterNode> = fc.oneof(
    fc.record({ kind: fc.constant('compare' as const), op: fc.constantFrom('=', '<>', '<', '<=', '>', '>=' as const), column, value: literal }),
    fc.record({ kind: fc.constant('isNull' as const), column, negated: fc.boolean() }),
    fc.record({ kind: fc.constant('in' as const), column, values: fc.array(literal, { minLength: 1, maxLength: 3 }), negated: fc.boolean() }),
    fc.record({ kind: fc.constant('between' as const), column, low: literal, high: literal, negated: fc.boolean() }),
    fc.record({ kind: fc.constant('like' as const), column, pattern: fc.string({ maxLength: 5 }).map((text) => ({ kind: 'literal' as const, type: 'string' as const, text, pos: 0 })), negated: fc.boolean() }),
    fc.record({ kind: fc.constant('column' as const), column }),
  );
  const { tree } = fc.letrec<{ tree: RowFilterNode }>((tie) => ({
    tree: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      fc.record({ kind: fc.constant('not' as const), item: tie('tree') }),
      fc.record({ kind: fc.constantFrom('and' as const, 'or' as const), items: fc.array(tie('tree'), { minLength: 2, maxLength: 3 }) }),
    ),
  }));
  return tree;
}

