// The benchmark's result: a table on stdout and the same figures in test-results/bench/result.json.
// Each scenario returns { scenario, load, figures, notes, details }; --repeat N prints every run
// and then the median and min-max of each figure (the targets judged on the medians).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { summarize, tableLines } from './summary.mjs';

/** The fields every result carries, around a scenario's own figures. */
export function runResult({ scenario, nproc, options, load, figures, notes = [], details = {} }) {
  return { scenario, date: new Date().toISOString(), nproc, options, load, figures, notes, details };
}

function header(r) {
  return [['scenario', r.scenario], ['date', r.date], ['nproc', String(r.nproc)], ['load', r.load], null];
}

/** Prints one run as an aligned two-column table and its notes. */
export function printRun(r, { index, of } = {}) {
  const title = `\nWalbridge benchmark: ${r.scenario}${of > 1 ? ` (run ${index} of ${of})` : ''}`;
  console.log(tableLines(title, [...header(r), ...r.figures]).join('\n'));
  for (const note of r.notes) console.log(`note: ${note}`);
}

/** The summary of N runs of one scenario: medians, ranges and the targets on the medians. */
export function summaryResult(runs) {
  const figures = summarize(runs);
  const targets = figures.filter((f) => f?.target);
  return {
    scenario: runs[0].scenario,
    runs: runs.length,
    date: new Date().toISOString(),
    nproc: runs[0].nproc,
    load: runs[0].load,
    figures,
    allTargetsMet: targets.length ? targets.every((f) => f.met) : null,
    notes: [...new Set(runs.flatMap((r) => r.notes))],
  };
}

export function printSummary(s) {
  const title = `\nWalbridge benchmark: ${s.scenario}, median of ${s.runs} runs (min–max)`;
  console.log(tableLines(title, [...header(s), ...s.figures]).join('\n'));
  for (const note of s.notes) console.log(`note: ${note}`);
}

/** CPU hints shared by the scenarios: when the figures say more about the set-up than about Walbridge. */
export function cpuNotes(cpu, nproc) {
  const out = [];
  if (cpu.workerPct != null && cpu.workerPct >= 90) out.push(`the worker used ${cpu.workerPct} % of a core: it is CPU-bound (one Node.js thread)`);
  if (cpu.machineBusyPct != null && nproc && cpu.machineBusyPct >= nproc * 90) out.push('the machine was CPU-saturated during the run: every process competed for the cores');
  if (cpu.otherPct != null && cpu.otherPct >= 30) {
    out.push(`processes outside the pipeline used ${cpu.otherPct} % of a core during the run: the figures understate Walbridge; rerun on a quiet machine`);
  }
  return out;
}

export function writeResult(file, result) {
  mkdirSync(dirname(file), { recursive: true }); // a concurrent `npm test` may have wiped test-results/
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
}
