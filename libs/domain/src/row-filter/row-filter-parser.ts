/**
 * Row filter conditions (PRODUCT.md §5, F-FILTER): a small SQL subset, parsed here into an AST
 * that the worker evaluates itself. Condition text never reaches SQL: nothing in this folder
 * builds a statement to run, and the worker never passes a condition to the source.
 *
 *   condition  := or
 *   or         := and { OR and }
 *   and        := not { AND not }
 *   not        := NOT not | '(' or ')' | predicate
 *   predicate  := column                                   -- a boolean column
 *               | operand compare operand                  -- one side a column, the other a value
 *               | column IS [NOT] NULL
 *               | column [NOT] IN '(' value { ',' value } ')'
 *               | column [NOT] BETWEEN value AND value
 *               | column [NOT] LIKE 'pattern'              -- % and _, backslash escapes
 *   compare    := = | <> | != | < | <= | > | >=
 *   value      := 'string' | [+|-] number | TRUE | FALSE
 *   column     := name | "quoted name"                    -- unquoted names fold to lower case
 *
 * A value gets its type from the column it is compared with (see row-filter-compiler.ts).
 */

/** A condition that cannot be used, with the 1-based character position it refers to. */
export class RowFilterError extends Error {
  override readonly name = 'RowFilterError';
  constructor(
    readonly position: number,
    readonly reason: string,
  ) {
    super(`position ${position}: ${reason}`);
  }
}

export type CompareOp = '=' | '<>' | '<' | '<=' | '>' | '>=';

export interface ColumnRef {
  kind: 'column';
  name: string;
  pos: number;
}

export interface Literal {
  kind: 'literal';
  /** string: a quoted literal (`text` is its content); number: a numeric token as written. */
  type: 'string' | 'number' | 'boolean' | 'null';
  text: string;
  pos: number;
}

export type Operand = ColumnRef | Literal;

export type RowFilterNode =
  | { kind: 'or' | 'and'; items: RowFilterNode[] }
  | { kind: 'not'; item: RowFilterNode }
  | { kind: 'compare'; op: CompareOp; column: ColumnRef; value: Literal }
  | { kind: 'isNull'; column: ColumnRef; negated: boolean }
  | { kind: 'in'; column: ColumnRef; values: Literal[]; negated: boolean }
  | { kind: 'between'; column: ColumnRef; low: Literal; high: Literal; negated: boolean }
  | { kind: 'like'; column: ColumnRef; pattern: Literal; negated: boolean }
  | { kind: 'column'; column: ColumnRef };

const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'IN', 'BETWEEN', 'LIKE', 'IS', 'NULL', 'TRUE', 'FALSE']);
/** Deep enough for any hand-written condition, shallow enough for the call stack. */
const MAX_DEPTH = 64;

type Token =
  | { t: 'kw'; v: string; pos: number }
  | { t: 'ident'; v: string; pos: number }
  | { t: 'string'; v: string; pos: number }
  | { t: 'number'; v: string; pos: number }
  | { t: 'op'; v: string; pos: number }
  | { t: 'end'; v: ''; pos: number };

const isDigit = (c: string) => c >= '0' && c <= '9';
const isIdentStart = (c: string) => /[A-Za-z_\u0080-\uffff]/.test(c);
const isIdentPart = (c: string) => /[A-Za-z0-9_$\u0080-\uffff]/.test(c);

function describe(token: Token): string {
  switch (token.t) {
    case 'end':
      return 'the end of the condition';
    case 'string':
      return `the string '${token.v.length > 20 ? token.v.slice(0, 20) + '…' : token.v}'`;
    case 'ident':
      return `the name ${token.v}`;
    case 'kw':
      return token.v;
    default:
      return `'${token.v}'`;
  }
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    const pos = i + 1;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f') {
      i++;
    } else if (c === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length) throw new RowFilterError(pos, 'the string starting here is not closed with a quote (\')');
        if (text[i] === "'") {
          if (text[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += text[i++];
      }
      tokens.push({ t: 'string', v: value, pos });
    } else if (c === '"') {
      let name = '';
      i++;
      for (;;) {
        if (i >= text.length) throw new RowFilterError(pos, 'the quoted name starting here is not closed with a double quote (")');
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            name += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        name += text[i++];
      }
      if (!name) throw new RowFilterError(pos, 'a quoted name may not be empty');
      tokens.push({ t: 'ident', v: name, pos });
    } else if (isDigit(c) || (c === '.' && isDigit(text[i + 1] ?? ''))) {
      const match = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(text.slice(i))!;
      const after = text[i + match[0].length] ?? '';
      if (isIdentPart(after) || after === '.') throw new RowFilterError(i + match[0].length + 1, `unexpected '${after}' after the number ${match[0]}`);
      tokens.push({ t: 'number', v: match[0], pos });
      i += match[0].length;
    } else if (isIdentStart(c)) {
      let j = i;
      while (j < text.length && isIdentPart(text[j])) j++;
      const word = text.slice(i, j);
      const upper = word.toUpperCase();
      // PostgreSQL folds unquoted names to lower case (ASCII letters only, as for UTF-8 databases).
      if (KEYWORDS.has(upper)) tokens.push({ t: 'kw', v: upper, pos });
      else tokens.push({ t: 'ident', v: word.replace(/[A-Z]+/g, (s) => s.toLowerCase()), pos });
      i = j;
    } else {
      const two = text.slice(i, i + 2);
      if (two === '--' || two === '/*') throw new RowFilterError(pos, 'comments are not supported in a condition');
      if (two === '<=' || two === '>=' || two === '<>' || two === '!=') {
        tokens.push({ t: 'op', v: two === '!=' ? '<>' : two, pos });
        i += 2;
      } else if ('=<>(),+-'.includes(c)) {
        tokens.push({ t: 'op', v: c, pos });
        i++;
      } else {
        const cp = text.codePointAt(i)!;
        const shown = cp < 0x20 || cp === 0x7f ? `U+${cp.toString(16).toUpperCase().padStart(4, '0')}` : `'${String.fromCodePoint(cp)}'`;
        throw new RowFilterError(pos, `unexpected character ${shown}: conditions use column names, values, comparisons, AND/OR/NOT, IN, BETWEEN, LIKE and IS [NOT] NULL`);
      }
    }
  }
  tokens.push({ t: 'end', v: '', pos: text.length + 1 });
  return tokens;
}

class Parser {
  private i = 0;
  private depth = 0;

  constructor(private readonly tokens: Token[]) {}

  parse(): RowFilterNode {
    if (this.peek().t === 'end') throw new RowFilterError(1, 'the condition is empty');
    const node = this.or();
    const next = this.peek();
    if (next.t !== 'end') {
      const hint =
        next.t === 'op' && next.v === ')'
          ? ' (a closing parenthesis without an opening one)'
          : next.t === 'ident'
            ? ' (a name with spaces or capitals needs double quotes: "My Column")'
            : '';
      throw new RowFilterError(next.pos, `expected AND, OR or the end of the condition, found ${describe(next)}${hint}`);
    }
    return node;
  }

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.i + offset, this.tokens.length - 1)];
  }

  private next(): Token {
    return this.tokens[Math.min(this.i++, this.tokens.length - 1)];
  }

  private isKw(v: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.t === 'kw' && t.v === v;
  }

  private isOp(v: string): boolean {
    const t = this.peek();
    return t.t === 'op' && t.v === v;
  }

  private expectKw(v: string, context: string): void {
    const t = this.next();
    if (t.t !== 'kw' || t.v !== v) throw new RowFilterError(t.pos, `expected ${v} ${context}, found ${describe(t)}`);
  }

  private expectOp(v: string, context: string): Token {
    const t = this.next();
    if (t.t !== 'op' || t.v !== v) throw new RowFilterError(t.pos, `expected '${v}' ${context}, found ${describe(t)}`);
    return t;
  }

  private nested<T>(pos: number, parse: () => T): T {
    if (++this.depth > MAX_DEPTH) throw new RowFilterError(pos, `the condition nests deeper than ${MAX_DEPTH} levels`);
    try {
      return parse();
    } finally {
      this.depth--;
    }
  }

  private or(): RowFilterNode {
    const items = [this.and()];
    while (this.isKw('OR')) {
      this.next();
      items.push(this.and());
    }
    return items.length === 1 ? items[0] : { kind: 'or', items };
  }

  private and(): RowFilterNode {
    const items = [this.not()];
    while (this.isKw('AND')) {
      this.next();
      items.push(this.not());
    }
    return items.length === 1 ? items[0] : { kind: 'and', items };
  }

  private not(): RowFilterNode {
    const t = this.peek();
    if (this.isKw('NOT')) {
      this.next();
      return this.nested(t.pos, () => ({ kind: 'not', item: this.not() }));
    }
    if (this.isOp('(')) {
      this.next();
      const inner = this.nested(t.pos, () => this.or());
      const close = this.peek();
      if (close.t !== 'op' || close.v !== ')') {
        throw new RowFilterError(close.pos, `expected ')' to close the parenthesis opened at position ${t.pos}, found ${describe(close)}`);
      }
      this.next();
      return inner;
    }
    return this.predicate();
  }

  private predicate(): RowFilterNode {
    const left = this.operand('a column name');
    const t = this.peek();
    if (t.t === 'op' && ['=', '<>', '<', '<=', '>', '>='].includes(t.v)) {
      this.next();
      const right = this.operand(`a column name or a value after '${t.v}'`);
      return comparison(left, t.v as CompareOp, right, t.pos);
    }
    if (this.isKw('IS')) {
      this.next();
      const negated = this.isKw('NOT');
      if (negated) this.next();
      this.expectKw('NULL', `after IS${negated ? ' NOT' : ''} (only IS [NOT] NULL is supported)`);
      return { kind: 'isNull', column: this.subject(left, 'IS NULL'), negated };
    }
    const negated = this.isKw('NOT') && (this.isKw('IN', 1) || this.isKw('BETWEEN', 1) || this.isKw('LIKE', 1));
    if (negated) this.next();
    const word = negated ? ` NOT` : '';
    if (this.isKw('IN')) {
      this.next();
      const column = this.subject(left, `${word} IN`);
      this.expectOp('(', 'after IN');
      const values = [this.value('a value in the IN list')];
      while (this.isOp(',')) {
        this.next();
        values.push(this.value('a value after \',\''));
      }
      this.expectOp(')', 'to close the IN list');
      return { kind: 'in', column, values, negated };
    }
    if (this.isKw('BETWEEN')) {
      this.next();
      const column = this.subject(left, `${word} BETWEEN`);
      const low = this.value('a value after BETWEEN');
      this.expectKw('AND', 'between the two bounds of BETWEEN');
      const high = this.value('a value after BETWEEN … AND');
      return { kind: 'between', column, low, high, negated };
    }
    if (this.isKw('LIKE')) {
      this.next();
      const column = this.subject(left, `${word} LIKE`);
      const pattern = this.value('a quoted pattern after LIKE');
      if (pattern.type !== 'string') throw new RowFilterError(pattern.pos, 'LIKE needs a quoted pattern, e.g. \'abc%\'');
      return { kind: 'like', column, pattern, negated };
    }
    if (left.kind === 'column') return { kind: 'column', column: left };
    throw new RowFilterError(
      t.t === 'end' ? left.pos : t.pos,
      t.t === 'end'
        ? 'a value alone is not a condition: compare a column with it'
        : `expected a comparison (=, <>, <, <=, >, >=), IS [NOT] NULL, IN, BETWEEN or LIKE, found ${describe(t)}`,
    );
  }

  private subject(operand: Operand, what: string): ColumnRef {
    if (operand.kind !== 'column') throw new RowFilterError(operand.pos, `${what.trim()} needs a column on its left, not a value`);
    return operand;
  }

  private operand(expected: string): Operand {
    const t = this.peek();
    if (t.t === 'ident') {
      this.next();
      return { kind: 'column', name: t.v, pos: t.pos };
    }
    return this.value(expected);
  }

  private value(expected: string): Literal {
    const t = this.next();
    switch (t.t) {
      case 'string':
        return { kind: 'literal', type: 'string', text: t.v, pos: t.pos };
      case 'number':
        return { kind: 'literal', type: 'number', text: t.v, pos: t.pos };
      case 'kw':
        if (t.v === 'TRUE' || t.v === 'FALSE') return { kind: 'literal', type: 'boolean', text: t.v, pos: t.pos };
        if (t.v === 'NULL') return { kind: 'literal', type: 'null', text: 'NULL', pos: t.pos };
        break;
      case 'op':
        if (t.v === '-' || t.v === '+') {
          const n = this.next();
          if (n.t !== 'number') throw new RowFilterError(n.pos, `expected a number after '${t.v}', found ${describe(n)}`);
          return { kind: 'literal', type: 'number', text: t.v === '-' ? '-' + n.v : n.v, pos: t.pos };
        }
        break;
      case 'ident':
        throw new RowFilterError(t.pos, `expected ${expected}, found the name ${t.v}: values are compared with a column, not columns with each other (quote text values: '${t.v}')`);
    }
    throw new RowFilterError(t.pos, `expected ${expected}, found ${describe(t)}`);
  }
}

const FLIPPED: Record<CompareOp, CompareOp> = { '=': '=', '<>': '<>', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

function comparison(left: Operand, op: CompareOp, right: Operand, pos: number): RowFilterNode {
  if (left.kind === 'column' && right.kind === 'column') {
    throw new RowFilterError(right.pos, `a comparison needs a column on one side and a value on the other; comparing two columns is not supported (a text value is quoted: '${right.name.replace(/'/g, "''")}')`);
  }
  if (left.kind === 'literal' && right.kind === 'literal') {
    throw new RowFilterError(pos, 'a comparison needs a column on one side; this one compares two values');
  }
  // `5 < amount` is kept as `amount > 5`: the column always comes first.
  return left.kind === 'column'
    ? { kind: 'compare', op, column: left, value: right as Literal }
    : { kind: 'compare', op: FLIPPED[op], column: right as ColumnRef, value: left };
}

/** Parses a condition; throws RowFilterError with the position and the reason when it cannot. */
export function parseRowFilter(text: string): RowFilterNode {
  const ast = new Parser(tokenize(text)).parse();
  rejectNullComparisons(ast);
  return ast;
}

/** `x = NULL` is never true in SQL: almost always a mistake for IS NULL, so it is refused. */
function rejectNullComparisons(node: RowFilterNode): void {
  const refuse = (value: Literal, what: string) => {
    if (value.type === 'null') throw new RowFilterError(value.pos, `${what} NULL is never true (NULL is unknown); use IS NULL or IS NOT NULL`);
  };
  switch (node.kind) {
    case 'or':
    case 'and':
      node.items.forEach(rejectNullComparisons);
      return;
    case 'not':
      rejectNullComparisons(node.item);
      return;
    case 'compare':
      refuse(node.value, `comparing with`);
      return;
    case 'in':
      node.values.forEach((v) => refuse(v, `an IN list holding`));
      return;
    case 'between':
      refuse(node.low, 'BETWEEN with');
      refuse(node.high, 'BETWEEN with');
      return;
    case 'like':
      return;
    default:
      return;
  }
}

/** Column names a condition refers to, in order of first appearance. */
export function rowFilterColumns(node: RowFilterNode): string[] {
  const names: string[] = [];
  const visit = (n: RowFilterNode) => {
    switch (n.kind) {
      case 'or':
      case 'and':
        n.items.forEach(visit);
        return;
      case 'not':
        visit(n.item);
        return;
      default:
        if (!names.includes(n.column.name)) names.push(n.column.name);
    }
  };
  visit(node);
  return names;
}
