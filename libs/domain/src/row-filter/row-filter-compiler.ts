import { UNCHANGED_TOAST, type Tuple, type TupleValue } from '../pgoutput/messages';
import { quoteIdent, quoteLiteral } from '../sql-text';
import {
  SQL_TYPE_OF_KIND,
  TIMESTAMP_INFINITY,
  compareCodePoints,
  compareDecimal,
  compareFloat,
  compileLike,
  parseBoolean,
  parseDate,
  parseDecimal,
  parseFloatText,
  parseTime,
  parseTimestamp,
  parseUuid,
  stripTrailingSpaces,
  type ValueKind,
} from './pg-values';
import { RowFilterError, parseRowFilter, type ColumnRef, type CompareOp, type Literal, type RowFilterNode } from './row-filter-parser';

/** A column as the condition sees it: its name, its type as shown to users, and how it compares. */
export interface FilterColumn {
  name: string;
  /** format_type() text, e.g. 'numeric(12,2)'; only used in messages and as the cast of enum literals. */
  type: string;
  kind: ValueKind;
  /** Labels of an enum type in their sort order. */
  enumLabels?: readonly string[];
}

/**
 * The outcome of a condition on one row as the set of values it may have: a definite SQL
 * TRUE, FALSE or NULL (unknown) is one bit; a row image that lacks a value the condition reads
 * (an unchanged TOAST value, a non-key column of a key-only image) gives every bit. SQL's
 * three-valued logic is applied to each possibility.
 */
const T = 1;
const F = 2;
const U = 4;
const ANY = T | F | U;

type Eval = (row: Tuple, fallback: Tuple | null) => number;

export interface CompiledRowFilter {
  /** Positions (in the relation's columns) the condition reads. */
  readonly positions: readonly number[];
  /**
   * true: the row passes, or might pass but a value the condition reads is missing from this
   * image (never drop a change on a guess); false: the condition is FALSE or NULL for the row.
   * `fallback` supplies values the row holds as unchanged TOAST (an UPDATE's old image).
   */
  test(row: Tuple, fallback?: Tuple | null): boolean;
  /** Like test, but tells whether the decision was certain. */
  evaluate(row: Tuple, fallback?: Tuple | null): 'pass' | 'drop' | 'unknown';
}

interface Bound {
  column: FilterColumn;
  position: number;
  /** Columns outside this set are missing from the image being tested (key-only images). */
  known: boolean;
}

// ------------------------------------------------------------------------------------------------
// literals: typed by the column they are compared with
// ------------------------------------------------------------------------------------------------

type Comparable = unknown;

interface Codec {
  /** The literal as a comparable, or throws RowFilterError at the literal. */
  literal(value: Literal, column: FilterColumn): Comparable;
  /** A value as PostgreSQL sent it; undefined when the text cannot be read (then the row cannot be judged). */
  value(text: string): Comparable | undefined;
  compare(a: Comparable, b: Comparable): number;
}

function invalid(value: Literal, column: FilterColumn, what: string, hint = ''): RowFilterError {
  const shown = value.type === 'string' ? quoteLiteral(value.text) : value.text;
  return new RowFilterError(value.pos, `${shown} is not ${what} for column ${column.name} (${column.type})${hint}`);
}

function needString(value: Literal, column: FilterColumn): string {
  if (value.type !== 'string') {
    const what = value.type === 'number' ? 'a number' : value.text;
    throw new RowFilterError(value.pos, `column ${column.name} (${column.type}) is compared with ${what}: write the value in quotes, e.g. '${value.type === 'number' ? value.text : '…'}'`);
  }
  return value.text;
}

const decimalCodec: Codec = {
  literal(value, column) {
    if (value.type === 'boolean') throw invalid(value, column, 'a number');
    const d = parseDecimal(value.text);
    if (!d) throw invalid(value, column, 'a number');
    return d;
  },
  value: (text) => parseDecimal(text) ?? undefined,
  compare: (a, b) => compareDecimal(a as never, b as never),
};

const floatCodec = (single: boolean): Codec => ({
  literal(value, column) {
    if (value.type === 'boolean') throw invalid(value, column, 'a number');
    const v = parseFloatText(value.text, single);
    if (v === null) throw invalid(value, column, `a number in the range of ${single ? 'real' : 'double precision'}`);
    return v;
  },
  value(text) {
    const v = parseFloatText(text, single);
    return v === null ? undefined : v;
  },
  compare: (a, b) => compareFloat(a as number, b as number),
});

const booleanCodec: Codec = {
  literal(value, column) {
    if (value.type === 'boolean') return value.text === 'TRUE' ? 1 : 0;
    if (value.type === 'number') throw invalid(value, column, 'a boolean', ': use TRUE or FALSE');
    const b = parseBoolean(value.text);
    if (b === null) throw invalid(value, column, 'a boolean', ': use TRUE or FALSE');
    return b;
  },
  value: (text) => (text === 't' ? 1 : text === 'f' ? 0 : undefined),
  compare: (a, b) => (a as number) - (b as number),
};

const textCodec: Codec = {
  literal: (value, column) => needString(value, column),
  value: (text) => text,
  compare: (a, b) => compareCodePoints(a as string, b as string),
};

const bpcharCodec: Codec = {
  literal: (value, column) => stripTrailingSpaces(needString(value, column)),
  value: (text) => stripTrailingSpaces(text),
  compare: (a, b) => compareCodePoints(a as string, b as string),
};

const uuidCodec: Codec = {
  literal(value, column) {
    const u = parseUuid(needString(value, column));
    if (u === null) throw invalid(value, column, 'a uuid');
    return u;
  },
  value: (text) => parseUuid(text) ?? undefined,
  compare: (a, b) => ((a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : 0),
};

const dateCodec: Codec = {
  literal(value, column) {
    const d = parseDate(needString(value, column));
    if (d === null) throw invalid(value, column, 'a date', ": write 'YYYY-MM-DD' (or 'infinity')");
    return d;
  },
  value: (text) => parseDate(text) ?? undefined,
  compare: (a, b) => ((a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0),
};

const bigintCompare = (a: Comparable, b: Comparable) => ((a as bigint) < (b as bigint) ? -1 : (a as bigint) > (b as bigint) ? 1 : 0);

const timestampCodec: Codec = {
  literal(value, column) {
    const text = needString(value, column);
    const t = parseTimestamp(text, 'none');
    if (t === null) {
      const hint = parseTimestamp(text, 'required') !== null
        ? ': a timestamp without time zone takes no offset'
        : ": write 'YYYY-MM-DD HH:MM:SS[.ffffff]' (or 'infinity')";
      throw invalid(value, column, 'a timestamp', hint);
    }
    return t;
  },
  value: (text) => parseTimestamp(text, 'none') ?? undefined,
  compare: bigintCompare,
};

const timestamptzCodec: Codec = {
  literal(value, column) {
    const text = needString(value, column);
    const t = parseTimestamp(text, 'required');
    if (t === null) {
      const hint = parseTimestamp(text, 'none') !== null
        ? ": give the offset, e.g. '" + text.trim() + (/\d{2}:\d{2}/.test(text) ? '' : ' 00:00:00') + "+00', so the moment does not depend on a time zone setting"
        : ": write 'YYYY-MM-DD HH:MM:SS[.ffffff]+HH[:MM]' (or 'infinity')";
      throw invalid(value, column, 'a timestamp with an offset', hint);
    }
    return t;
  },
  value: (text) => parseTimestamp(text, 'required') ?? undefined,
  compare: bigintCompare,
};

const timeCodec: Codec = {
  literal(value, column) {
    const t = parseTime(needString(value, column));
    if (t === null) throw invalid(value, column, 'a time of day', ": write 'HH:MM[:SS[.ffffff]]'");
    return t;
  },
  value: (text) => parseTime(text) ?? undefined,
  compare: (a, b) => (a as number) - (b as number),
};

function enumCodec(labels: readonly string[]): Codec {
  const order = new Map(labels.map((l, i) => [l, i]));
  return {
    literal(value, column) {
      const i = order.get(needString(value, column));
      if (i === undefined) {
        const list = labels.length > 12 ? labels.slice(0, 12).join(', ') + ', …' : labels.join(', ');
        throw invalid(value, column, 'a value of its enum type', ` (values: ${list})`);
      }
      return i;
    },
    value: (text) => order.get(text),
    compare: (a, b) => (a as number) - (b as number),
  };
}

const CODECS: Record<Exclude<ValueKind, 'enum' | 'other'>, Codec> = {
  decimal: decimalCodec,
  float4: floatCodec(true),
  float8: floatCodec(false),
  boolean: booleanCodec,
  text: textCodec,
  bpchar: bpcharCodec,
  uuid: uuidCodec,
  date: dateCodec,
  timestamp: timestampCodec,
  timestamptz: timestamptzCodec,
  time: timeCodec,
};

function codecOf(column: FilterColumn, at: ColumnRef, what: string): Codec {
  if (column.kind === 'enum') return enumCodec(column.enumLabels ?? []);
  if (column.kind === 'other') {
    throw new RowFilterError(at.pos, `column ${column.name} has type ${column.type}, which a condition can only test with IS [NOT] NULL (${what} is not supported for it)`);
  }
  return CODECS[column.kind];
}

// ------------------------------------------------------------------------------------------------
// evaluation: three-valued logic over possibility sets
// ------------------------------------------------------------------------------------------------

function notMask(m: number): number {
  return ((m & T) << 1) | ((m & F) >> 1) | (m & U);
}

function andMask(a: number, b: number): number {
  let r = 0;
  if (a & T && b & T) r |= T;
  if (a & F || b & F) r |= F;
  if ((a & U && b & (T | U)) || (b & U && a & (T | U))) r |= U;
  return r;
}

function orMask(a: number, b: number): number {
  let r = 0;
  if (a & T || b & T) r |= T;
  if (a & F && b & F) r |= F;
  if ((a & U && b & (F | U)) || (b & U && a & (F | U))) r |= U;
  return r;
}

const truth = (b: boolean) => (b ? T : F);

const COMPARE: Record<CompareOp, (c: number) => boolean> = {
  '=': (c) => c === 0,
  '<>': (c) => c !== 0,
  '<': (c) => c < 0,
  '<=': (c) => c <= 0,
  '>': (c) => c > 0,
  '>=': (c) => c >= 0,
};

/** The row's value for a column: text, SQL NULL (null), or undefined when this image lacks it. */
function reader(bound: Bound): (row: Tuple, fallback: Tuple | null) => string | null | undefined {
  const { position, known } = bound;
  if (!known) return () => undefined;
  return (row, fallback) => {
    const v: TupleValue = row[position];
    if (v === UNCHANGED_TOAST) {
      // A TOASTed value is never NULL; a null in the fallback (a key-only image) means "not sent".
      const f = fallback === null ? undefined : fallback[position];
      return typeof f === 'string' ? f : undefined;
    }
    return typeof v === 'string' || v === null ? v : undefined;
  };
}

class Compiler {
  readonly positions: number[] = [];
  readonly bindings = new Map<ColumnRef, Bound>();

  constructor(
    private readonly columns: readonly FilterColumn[],
    private readonly known: ((position: number) => boolean) | null,
  ) {}

  bind(ref: ColumnRef): Bound {
    const position = this.columns.findIndex((c) => c.name === ref.name);
    if (position < 0) {
      const folded = this.columns.find((c) => c.name.toLowerCase() === ref.name.toLowerCase());
      const hint = folded
        ? `; names without double quotes are read in lower case: write "${folded.name.replace(/"/g, '""')}"`
        : ` (columns: ${this.columns.map((c) => c.name).slice(0, 20).join(', ')}${this.columns.length > 20 ? ', …' : ''})`;
      throw new RowFilterError(ref.pos, `there is no column ${quoteIdent(ref.name)}${hint}`);
    }
    if (!this.positions.includes(position)) this.positions.push(position);
    const bound: Bound = { column: this.columns[position], position, known: this.known ? this.known(position) : true };
    this.bindings.set(ref, bound);
    return bound;
  }

  compile(node: RowFilterNode): Eval {
    switch (node.kind) {
      case 'and':
      case 'or': {
        const items = node.items.map((n) => this.compile(n));
        const combine = node.kind === 'and' ? andMask : orMask;
        const stop = node.kind === 'and' ? F : T;
        return (row, fallback) => {
          let m = items[0](row, fallback);
          for (let i = 1; i < items.length && m !== stop; i++) m = combine(m, items[i](row, fallback));
          return m;
        };
      }
      case 'not': {
        const item = this.compile(node.item);
        return (row, fallback) => notMask(item(row, fallback));
      }
      case 'isNull': {
        const read = reader(this.bind(node.column));
        const negated = node.negated;
        return (row, fallback) => {
          const v = read(row, fallback);
          return v === undefined ? T | F : truth((v === null) !== negated);
        };
      }
      case 'column': {
        const bound = this.bind(node.column);
        if (bound.column.kind !== 'boolean') {
          throw new RowFilterError(node.column.pos, `column ${bound.column.name} (${bound.column.type}) is not boolean, so it is not a condition by itself: compare it with a value`);
        }
        const read = reader(bound);
        return (row, fallback) => {
          const v = read(row, fallback);
          return v === undefined ? ANY : v === null ? U : v === 't' ? T : v === 'f' ? F : ANY;
        };
      }
      case 'compare': {
        const bound = this.bind(node.column);
        const codec = codecOf(bound.column, node.column, `'${node.op}'`);
        const literal = codec.literal(node.value, bound.column);
        return this.test(bound, codec, COMPARE[node.op], literal);
      }
      case 'between': {
        const bound = this.bind(node.column);
        const codec = codecOf(bound.column, node.column, 'BETWEEN');
        const low = codec.literal(node.low, bound.column);
        const high = codec.literal(node.high, bound.column);
        const read = reader(bound);
        const negated = node.negated;
        // x BETWEEN a AND b is x >= a AND x <= b: FALSE when the bounds are reversed, as in SQL.
        return (row, fallback) => {
          const v = read(row, fallback);
          if (v === undefined) return ANY;
          if (v === null) return U;
          const c = codec.value(v);
          if (c === undefined) return ANY;
          const inside = codec.compare(c, low) >= 0 && codec.compare(c, high) <= 0;
          return truth(inside !== negated);
        };
      }
      case 'in': {
        const bound = this.bind(node.column);
        const codec = codecOf(bound.column, node.column, 'IN');
        const values = node.values.map((v) => codec.literal(v, bound.column));
        const read = reader(bound);
        const negated = node.negated;
        return (row, fallback) => {
          const v = read(row, fallback);
          if (v === undefined) return ANY;
          if (v === null) return U;
          const c = codec.value(v);
          if (c === undefined) return ANY;
          let found = false;
          for (let i = 0; i < values.length && !found; i++) found = codec.compare(c, values[i]) === 0;
          return truth(found !== negated);
        };
      }
      case 'like': {
        const bound = this.bind(node.column);
        if (bound.column.kind !== 'text' && bound.column.kind !== 'bpchar') {
          const reason = bound.column.kind === 'other'
            ? `column ${bound.column.name} has type ${bound.column.type}, which a condition can only test with IS [NOT] NULL`
            : `LIKE applies to text columns; ${bound.column.name} is ${bound.column.type}`;
          throw new RowFilterError(node.column.pos, reason);
        }
        const match = compileLike(node.pattern.text);
        if (typeof match === 'string') throw new RowFilterError(node.pattern.pos, match);
        const read = reader(bound);
        const negated = node.negated;
        // character(n) is matched with its padding, as PostgreSQL does (bpchar LIKE sees the spaces).
        return (row, fallback) => {
          const v = read(row, fallback);
          if (v === undefined) return ANY;
          if (v === null) return U;
          return truth(match(v) !== negated);
        };
      }
    }
  }

  private test(bound: Bound, codec: Codec, holds: (c: number) => boolean, literal: Comparable): Eval {
    const read = reader(bound);
    return (row, fallback) => {
      const v = read(row, fallback);
      if (v === undefined) return ANY;
      if (v === null) return U;
      const c = codec.value(v);
      if (c === undefined) return ANY;
      return truth(holds(codec.compare(c, literal)));
    };
  }
}

/**
 * Binds a condition to a table's columns and compiles it into a closure over row images, once
 * per relation: unknown columns, values that do not fit the column's type and operators the type
 * does not support are refused here with their position. `known` limits the columns an image
 * carries (a key-only old image): conditions on the others cannot be judged on it.
 */
export function compileRowFilter(
  condition: string | RowFilterNode,
  columns: readonly FilterColumn[],
  known: ((position: number) => boolean) | null = null,
): CompiledRowFilter {
  const ast = typeof condition === 'string' ? parseRowFilter(condition) : condition;
  const compiler = new Compiler(columns, known);
  const root = compiler.compile(ast);
  return {
    positions: compiler.positions,
    test: (row, fallback = null) => (root(row, fallback) & T) !== 0,
    evaluate(row, fallback = null) {
      const m = root(row, fallback);
      return m === T ? 'pass' : (m & T) === 0 ? 'drop' : 'unknown';
    },
  };
}

/**
 * The condition as PostgreSQL SQL with the same meaning: every value is cast to the type the
 * evaluator gives it, text is ordered in the "C" collation. The worker does not use it (it
 * evaluates conditions itself); it is the oracle of the equivalence tests and what a push-down
 * into publication row filters would send. Names and values are quoted, never spliced.
 */
export function rowFilterToSql(condition: string | RowFilterNode, columns: readonly FilterColumn[]): string {
  const ast = typeof condition === 'string' ? parseRowFilter(condition) : condition;
  // Compiling first refuses what the evaluator refuses, so the SQL only exists for valid conditions.
  compileRowFilter(ast, columns);
  const byName = new Map(columns.map((c) => [c.name, c]));
  const col = (ref: ColumnRef) => quoteIdent(ref.name);
  const lit = (value: Literal, column: FilterColumn) => {
    const text = value.type === 'boolean' ? value.text.toLowerCase() : value.text;
    // Parenthesized: BETWEEN's bounds take no COLLATE clause otherwise.
    if (column.kind === 'enum') return `(${quoteLiteral(text)}::${column.type})`;
    const cast = `${quoteLiteral(text)}::${SQL_TYPE_OF_KIND[column.kind as keyof typeof SQL_TYPE_OF_KIND]}`;
    return column.kind === 'text' || column.kind === 'bpchar' ? `(${cast} COLLATE "C")` : `(${cast})`;
  };
  const sql = (node: RowFilterNode): string => {
    switch (node.kind) {
      case 'and':
      case 'or':
        return '(' + node.items.map(sql).join(node.kind === 'and' ? ' AND ' : ' OR ') + ')';
      case 'not':
        return `(NOT ${sql(node.item)})`;
      case 'isNull':
        return `(${col(node.column)} IS ${node.negated ? 'NOT ' : ''}NULL)`;
      case 'column':
        return `(${col(node.column)})`;
      case 'compare': {
        const c = byName.get(node.column.name)!;
        return `(${col(node.column)} ${node.op} ${lit(node.value, c)})`;
      }
      case 'between': {
        const c = byName.get(node.column.name)!;
        return `(${col(node.column)} ${node.negated ? 'NOT ' : ''}BETWEEN ${lit(node.low, c)} AND ${lit(node.high, c)})`;
      }
      case 'in': {
        const c = byName.get(node.column.name)!;
        return `(${col(node.column)} ${node.negated ? 'NOT ' : ''}IN (${node.values.map((v) => lit(v, c)).join(', ')}))`;
      }
      case 'like':
        return `(${col(node.column)} ${node.negated ? 'NOT ' : ''}LIKE ${quoteLiteral(node.pattern.text)})`;
    }
  };
  return sql(ast);
}

/** A condition as text that parses back to the same tree (names quoted, values in their literal form). */
export function rowFilterToText(node: RowFilterNode): string {
  const col = (ref: ColumnRef) => quoteIdent(ref.name);
  const lit = (value: Literal) => (value.type === 'string' ? quoteLiteral(value.text) : value.text);
  switch (node.kind) {
    case 'and':
    case 'or':
      return '(' + node.items.map(rowFilterToText).join(node.kind === 'and' ? ' AND ' : ' OR ') + ')';
    case 'not':
      return `NOT ${rowFilterToText(node.item)}`;
    case 'isNull':
      return `${col(node.column)} IS ${node.negated ? 'NOT ' : ''}NULL`;
    case 'column':
      return col(node.column);
    case 'compare':
      return `${col(node.column)} ${node.op} ${lit(node.value)}`;
    case 'between':
      return `${col(node.column)} ${node.negated ? 'NOT ' : ''}BETWEEN ${lit(node.low)} AND ${lit(node.high)}`;
    case 'in':
      return `${col(node.column)} ${node.negated ? 'NOT ' : ''}IN (${node.values.map(lit).join(', ')})`;
    case 'like':
      return `${col(node.column)} ${node.negated ? 'NOT ' : ''}LIKE ${lit(node.pattern)}`;
  }
}

export { TIMESTAMP_INFINITY };
