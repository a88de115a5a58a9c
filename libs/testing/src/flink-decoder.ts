import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './test-env';

/** One changelog row as Flink's deserializer produced it (tools/java/flink-decoder). */
export interface FlinkRow {
  kind: '+I' | '-U' | '+U' | '-D';
  row: Record<string, unknown>;
}

let classpath: string | undefined;

/** The decoder's classpath; builds it with Maven when the cache lacks it (npm test builds it up front). */
export function flinkDecoderClasspath(): string {
  if (classpath) return classpath;
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'tools', 'java', 'flink-decoder.mjs')], { encoding: 'utf8', timeout: 20 * 60_000 });
  if (r.status !== 0) throw new Error(`the Flink decoder could not be built: ${r.stderr.trim()}`);
  classpath = r.stdout.trim();
  return classpath;
}

/**
 * Message values (tombstones as null) through Flink's debezium-json or canal-json deserializer,
 * for a table of the given Flink row type ("ROW<`id` BIGINT, ...>"): the changelog it produces.
 */
export function decodeWithFlink(format: 'debezium-json' | 'canal-json', rowType: string, values: (string | null)[], options: { schemaInclude?: boolean } = {}): FlinkRow[] {
  const args = ['-cp', flinkDecoderClasspath(), 'dev.walbridge.tools.FlinkChangelogDecoder', format, rowType];
  if (options.schemaInclude) args.push('--schema-include');
  const r = spawnSync('java', args, { input: values.map((v) => v ?? '').join('\n') + '\n', encoding: 'utf8', timeout: 120_000, maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`Flink's ${format} deserializer failed (exit ${r.status}): ${r.stderr.trim()}`);
  return r.stdout
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as FlinkRow);
}

/**
 * A table rebuilt from a changelog the way a Flink sink with a primary key applies it: +I/+U
 * upsert the row, -U/-D remove it. A -U/-D of a row that is not there, or a +I of one that is,
 * is an error, and so is a retraction whose values differ from the row it removes (the
 * source's tables have REPLICA IDENTITY FULL, so old images are whole): either would mean the
 * changelog does not describe the source.
 */
export function applyChangelog(rows: FlinkRow[], key: (row: Record<string, unknown>) => string): Map<string, Record<string, unknown>> {
  const table = new Map<string, Record<string, unknown>>();
  for (const { kind, row } of rows) {
    const k = key(row);
    if (kind === '+I' && table.has(k)) throw new Error(`+I of ${k}, which is already there`);
    if ((kind === '-U' || kind === '-D') && !table.has(k)) throw new Error(`${kind} of ${k}, which is not there`);
    if (kind === '-U' || kind === '-D') {
      if (JSON.stringify(table.get(k)) !== JSON.stringify(row)) throw new Error(`${kind} of ${k} retracts ${JSON.stringify(row)}, but the row is ${JSON.stringify(table.get(k))}`);
      table.delete(k);
    }
    else table.set(k, row);
  }
  return table;
}
