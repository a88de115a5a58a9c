import type { PrecheckTask } from './precheck-facts';
import type { PrecheckOutcome } from './precheck-items';

/** Operations whose absence leaves rows downstream that the source no longer has. */
const REMOVING_OPERATIONS = ['DELETE', 'TRUNCATE'] as const;

/** Items decided by the configuration alone. */
export function evaluateTask(task: PrecheckTask): PrecheckOutcome[] {
  const { policy } = task;
  const affected = new Set<string>();
  const reasons: string[] = [];
  const missing: string[] = [];
  for (const op of REMOVING_OPERATIONS) {
    const without: string[] = [];
    if (!policy.dmlOperations.includes(op)) {
      const restoring = policy.tables.filter((t) => t.dmlOperations?.includes(op)).map((t) => `${t.schema}.${t.table}`);
      without.push(restoring.length ? `every table but ${restoring.join(', ')}` : 'every table');
    }
    for (const t of policy.tables) {
      if (t.dmlOperations && !t.dmlOperations.includes(op) && policy.dmlOperations.includes(op)) without.push(`${t.schema}.${t.table}`);
    }
    if (!without.length) continue;
    missing.push(`"${op}"`);
    reasons.push(`${op} is not synchronized for ${without.join(', ')}`);
    for (const w of without) affected.add(w);
  }
  if (!reasons.length) return [{ key: 'dml-delete', result: 'PASSED', reason: null, suggestion: null, affectedObjects: [] }];
  return [
    {
      key: 'dml-delete',
      result: 'ALARM',
      reason: `${reasons.join('; ')}: rows deleted or truncated on the source stay in the downstream copies`,
      suggestion: `add ${missing.join(' and ')} to policy.dmlOperations (and to the dmlOperations of these tables), unless removals must not reach Kafka`,
      affectedObjects: [...affected],
    },
  ];
}
