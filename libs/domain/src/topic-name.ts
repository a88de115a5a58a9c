import type { TableRef } from './partitioning';

export type TopicNameResult = { ok: true; name: string } | { ok: false; reason: string };

// Kafka's limit (249, so that partition directory names stay below 255 bytes).
export const MAX_TOPIC_NAME_LENGTH = 249;

const PLACEHOLDERS: ReadonlyArray<[string, (t: TableRef) => string]> = [
  ['$database$', (t) => t.database],
  ['$schema$', (t) => t.schema],
  ['$tablename$', (t) => t.table],
];

function isLegal(code: number): boolean {
  return (
    (code >= 97 && code <= 122) || // a-z
    (code >= 65 && code <= 90) || // A-Z
    (code >= 48 && code <= 57) || // 0-9
    code === 46 || // .
    code === 95 || // _
    code === 45 // -
  );
}

function checkShape(name: string): TopicNameResult {
  if (name.length === 0) return { ok: false, reason: 'topic name is empty' };
  if (name.length > MAX_TOPIC_NAME_LENGTH) {
    return { ok: false, reason: `topic name is ${name.length} characters long; at most ${MAX_TOPIC_NAME_LENGTH} are allowed` };
  }
  if (name === '.' || name === '..') return { ok: false, reason: `topic name cannot be '${name}'` };
  // Kafka's own topics (__consumer_offsets, __transaction_state…): writing there corrupts the cluster.
  if (name.startsWith('__')) return { ok: false, reason: `topic name cannot start with '__': those are Kafka's internal topics` };
  return { ok: true, name };
}

/**
 * Renders an auto-generated topic name: `$database$`, `$schema$` and `$tablename$` are replaced
 * (case-sensitive), everything else is literal; then every character outside [A-Za-z0-9._-],
 * in the names as well as in the literal text, becomes '_' (one '_' per Unicode character).
 */
export function renderTopicName(format: string, table: TableRef): TopicNameResult {
  let out = '';
  let i = 0;
  outer: while (i < format.length) {
    if (format.charCodeAt(i) === 36 /* $ */) {
      for (const [placeholder, value] of PLACEHOLDERS) {
        if (format.startsWith(placeholder, i)) {
          out += sanitize(value(table));
          i += placeholder.length;
          continue outer;
        }
      }
    }
    const cp = format.codePointAt(i) as number;
    out += isLegal(cp) ? format[i] : '_';
    i += cp > 0xffff ? 2 : 1;
  }
  return checkShape(out);
}

function sanitize(s: string): string {
  let out = '';
  for (const ch of s) out += ch.length === 1 && isLegal(ch.charCodeAt(0)) ? ch : '_';
  return out;
}

/**
 * Checks a literal topic name (the "specific topic" policy). Unlike renderTopicName nothing is
 * replaced: the topic must already exist under exactly this name, so an illegal character is
 * an error rather than something to fix up.
 */
export function validateTopicName(name: string): TopicNameResult {
  for (let i = 0; i < name.length; i++) {
    if (!isLegal(name.charCodeAt(i))) {
      const cp = name.codePointAt(i) as number;
      return {
        ok: false,
        reason: `topic name contains ${JSON.stringify(String.fromCodePoint(cp))}; only letters, digits, '.', '_' and '-' are allowed`,
      };
    }
  }
  return checkShape(name);
}
