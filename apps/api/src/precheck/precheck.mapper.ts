import type { PrecheckItemView, PrecheckRunView, PrecheckResult } from '@walbridge/contracts';
import { precheckItemInfo, submitBlockers } from '@walbridge/domain';
import type { PrecheckRunEntity } from '@walbridge/persistence';

export function toPrecheckRunView(run: PrecheckRunEntity, currentFingerprint: string): PrecheckRunView {
  const items: PrecheckItemView[] = (run.items ?? [])
    .slice()
    .sort((a, b) => a.position - b.position)
    .map((item) => {
      const info = precheckItemInfo(item.key);
      return {
        id: item.id,
        key: item.key,
        name: info?.name ?? item.key,
        description: info?.description ?? '',
        target: info?.target ?? 'task',
        result: item.result,
        reason: item.reason,
        suggestion: item.suggestion,
        affectedObjects: item.affectedObjects,
        confirmed: item.confirmedAt !== null,
        confirmedAt: item.confirmedAt?.toISOString() ?? null,
      };
    });
  const done = items.filter((i) => i.result !== 'PENDING').length;
  const passed = items.filter((i) => i.result === 'PASSED').length;
  const outdated = run.configHash !== null && run.configHash !== currentFingerprint;
  const blockers = submitBlockers({ status: run.status, error: run.error, items }, outdated);
  return {
    id: run.id,
    taskId: run.taskId,
    status: run.status,
    result: (run.result as PrecheckResult | null) ?? null,
    progress: { done, total: items.length },
    successRate: items.length ? Math.round((100 * passed) / items.length) : 0,
    startedAt: run.createdAt.toISOString(),
    finishedAt: run.finishedAt?.toISOString() ?? null,
    error: run.error,
    outdated,
    submittable: blockers.length === 0,
    blockers,
    items,
  };
}
