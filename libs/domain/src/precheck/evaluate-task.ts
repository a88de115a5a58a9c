import type { PrecheckTask } from './precheck-facts';
import type { PrecheckOutcome } from './precheck-items';

/** Items decided by the configuration alone. */
export function evaluateTask(task: PrecheckTask): PrecheckOutcome[] {
  const { policy } = task;
  const without: string[] = [];
  if (!policy.dmlOperations.includes('DELETE')) {
    const restoring = policy.tables.filter((t) => t.dmlOperations?.includes('DELETE')).map((t) => `${t.schema}.${t.table}`);
    without.push(restoring.length ? `every table but ${restoring.join(', ')}` : 'every table');
  }
  for (const t of policy.tables) {
    if (t.dmlOperations && !t.dmlOperations.includes('DELETE') && policy.dmlOperations.includes('DELETE')) without.push(`${t.schema}.${t.table}`);
  }
  if (!without.length) return [{ key: 'dml-delete', result: 'PASSED', reason: null, suggestion: null, affectedObjects: [] }];
  return [
    {
      key: 'dml-delete',
      result: 'ALARM',
      reason: `DELETE is not synchronized for ${without.join(', ')}: rows deleted on the source stay in the downstream copies`,
      suggestion: 'add "DELETE" to policy.dmlOperations (and to the dmlOperations of these tables), unless deletions must not reach Kafka',
      affectedObjects: without,
    },
  ];
}
