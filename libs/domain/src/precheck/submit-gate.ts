import type { PrecheckRunStatus } from '@walbridge/vocabulary';

/** What the submit rule of PRODUCT.md §3 needs to know about the latest precheck run. */
export interface GateRun {
  status: PrecheckRunStatus;
  error: string | null;
  items: ReadonlyArray<{ key: string; name: string; result: string; confirmed: boolean }>;
}

/**
 * Why the task may not be submitted on this run's account (empty: it may). The latest run must
 * be finished without a FAILED item, each ALARM confirmed, and the configuration unchanged since.
 */
export function submitBlockers(run: GateRun | null, outdated: boolean): string[] {
  if (!run) return ['no precheck has been run: run the precheck (POST /tasks/{id}/precheck) first'];
  if (run.status === 'RUNNING') return ['the precheck is still running'];
  if (run.status === 'ERROR') return [`the precheck could not complete (${run.error ?? 'unknown error'}): check again`];
  const blockers: string[] = [];
  if (outdated) blockers.push('the configuration changed after the precheck: check again');
  const failed = run.items.filter((i) => i.result === 'FAILED');
  if (failed.length) blockers.push(`precheck items failed: ${failed.map((i) => i.name).join(', ')}`);
  const unconfirmed = run.items.filter((i) => i.result === 'ALARM' && !i.confirmed);
  if (unconfirmed.length) blockers.push(`alarm items are not confirmed: ${unconfirmed.map((i) => i.name).join(', ')}`);
  return blockers;
}
