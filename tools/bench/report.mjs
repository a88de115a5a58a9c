// The benchmark's result: a table on stdout and the same figures in test-results/bench/result.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

// PRODUCT.md §11 (F-PERF), end-to-end throughput.
const TARGET_ROWS_PER_SEC = 50_000;
const TARGET_CEILING_PCT = 50;

/** Builds the result object from the three measurements. */
export function buildResult({ options, nproc, endToEnd, messages, decoding, producer }) {
  const messageBytes = messages.averageBytes;
  const ceiling = Math.min(decoding.rowsPerSec, producer.recordsPerSec);
  const ratioPct = (endToEnd.rowsPerSec / ceiling) * 100;
  const result = {
    date: new Date().toISOString(),
    nproc,
    options: { rows: options.rows, txRows: options.txRows, rowBytes: options.rowBytes, loaders: options.loaders },
    endToEnd: {
      ...endToEnd,
      // Kafka bytes (key + value of the average message), comparable with ProducerPerformance's MB/s.
      mbPerSec: (endToEnd.rowsPerSec * messageBytes) / 1024 / 1024,
      sourceMbPerSec: (endToEnd.rowsPerSec * options.rowBytes) / 1024 / 1024,
    },
    message: { averageBytes: messageBytes, sampled: messages.sampled, example: messages.example },
    decoding,
    producer,
    ceiling: { rowsPerSec: ceiling, limitedBy: ceiling === decoding.rowsPerSec ? 'pg_recvlogical' : 'kafka producer' },
    ratioPct,
    targets: {
      rowsPerSec: TARGET_ROWS_PER_SEC,
      ceilingPct: TARGET_CEILING_PCT,
      met: endToEnd.rowsPerSec >= TARGET_ROWS_PER_SEC && ratioPct >= TARGET_CEILING_PCT,
    },
  };
  return { ...result, notes: notes(result) };
}

const int = (n) => (n == null ? '-' : Math.round(n).toLocaleString('en-US'));
const fixed = (n, digits = 1) => (n == null ? '-' : n.toFixed(digits));
const pct = (n) => (n == null ? '-' : `${n} %`);

/** Prints the result as an aligned two-column table. */
export function printResult(r) {
  const e = r.endToEnd;
  const rows = [
    ['date', r.date],
    ['nproc', String(r.nproc)],
    ['load', `${int(r.options.rows)} rows of ~${r.options.rowBytes} B in ${int(Math.ceil(r.options.rows / r.options.txRows))} tx of ${r.options.txRows} rows`],
    ['avg Walbridge message (key + value)', `${int(r.message.averageBytes)} B`],
    null,
    ['end to end rows/s', `${int(e.rowsPerSec)}  (${fixed(e.seconds, 2)} s, first commit → all in Kafka)`],
    ['end to end MB/s (Kafka bytes)', `${fixed(e.mbPerSec)}  (source rows: ${fixed(e.sourceMbPerSec)} MB/s)`],
    ['worker peak RSS', `${fixed(e.workerPeakRssMb)} MB`],
    ['load committed in', `${fixed(e.loadSeconds, 2)} s  (${int(r.options.rows / e.loadSeconds)} rows/s offered)`],
    ['first message in Kafka after', `${int(e.firstMessageMs)} ms`],
    ['CPU during run (100 % = 1 core)', `worker ${pct(e.cpu.workerPct)}, walsender ${pct(e.cpu.walsenderPct)}, ` +
      `postgres incl. loader ${pct(e.cpu.postgresAllPct)}, kafka ${pct(e.cpu.kafkaBrokerPct)}, everything else ${pct(e.cpu.otherPct)}; ` +
      `machine ${pct(e.cpu.machineBusyPct)} of ${r.nproc * 100} %`],
    null,
    ['pg_recvlogical rows/s', `${int(r.decoding.rowsPerSec)}  (${fixed(r.decoding.seconds, 2)} s, ${fixed(r.decoding.walMbPerSec)} MB/s of WAL)`],
    ['kafka producer-perf records/s', `${int(r.producer.recordsPerSec)}  (${int(r.producer.records)} x ${r.producer.recordSize} B, ${fixed(r.producer.mbPerSec, 2)} MB/s)`],
    ['machine ceiling rows/s', `${int(r.ceiling.rowsPerSec)}  (${r.ceiling.limitedBy})`],
    ['end to end / ceiling', `${fixed(r.ratioPct)} %`],
    null,
    ['F-PERF target', `>= ${int(r.targets.rowsPerSec)} rows/s and >= ${r.targets.ceilingPct} % of ceiling: ${r.targets.met ? 'MET' : 'NOT MET'}`],
  ];
  const width = Math.max(...rows.filter(Boolean).map(([k]) => k.length));
  const rule = '-'.repeat(width + 2 + Math.max(...rows.filter(Boolean).map(([, v]) => v.length)));
  console.log(`\nWalbridge benchmark\n${rule}`);
  for (const row of rows) console.log(row ? `${row[0].padEnd(width)}  ${row[1]}` : rule);
  console.log(rule);
  for (const note of r.notes) console.log(`note: ${note}`);
}

/** Hints for reading the figures: when they say more about the set-up than about Walbridge. */
function notes(r) {
  const e = r.endToEnd;
  const out = [];
  const offered = r.options.rows / e.loadSeconds;
  if (offered < e.rowsPerSec * 1.5) {
    out.push(`the load (${int(offered)} rows/s) was not much faster than the pipeline: try --loaders 2 to measure the pipeline, not the load`);
  }
  if (e.cpu.workerPct != null && e.cpu.workerPct >= 90) out.push(`the worker used ${e.cpu.workerPct} % of a core: it is CPU-bound (one Node.js thread)`);
  if (e.cpu.machineBusyPct != null && e.cpu.machineBusyPct >= r.nproc * 90) out.push('the machine was CPU-saturated during the run: every process competed for the cores');
  if (e.cpu.otherPct != null && e.cpu.otherPct >= 30) {
    out.push(`processes outside the pipeline used ${e.cpu.otherPct} % of a core during the run: the end-to-end figure understates Walbridge; rerun on a quiet machine`);
  }
  if (r.options.rows < 200_000) out.push('fewer than 200,000 rows: start-up effects (JIT, batching warm-up) weigh on every figure');
  return out;
}

export function writeResult(file, result) {
  mkdirSync(dirname(file), { recursive: true }); // a concurrent `npm test` may have wiped test-results/
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
}
