import type { AuditResult } from '@walbridge/contracts';
import type { TimeZoneChoice } from '../../ui/time-zone';
import type { AuditFilterValues } from './audit-filters';

/**
 * The API's filters: `from` is the start of the first day, `to` the start of the day after the
 * last, in the clock the console shows times in (the browser's, or UTC when the toggle says so).
 */
export function auditQuery(
  values: AuditFilterValues,
  zone: TimeZoneChoice = 'local',
): { taskId?: string; actor?: string; action?: string; result?: AuditResult; from?: string; to?: string } {
  const day = (d: string, plusDays = 0) => {
    const [y, m, dd] = d.split('-').map(Number);
    return (zone === 'UTC' ? new Date(Date.UTC(y, m - 1, dd + plusDays)) : new Date(y, m - 1, dd + plusDays)).toISOString();
  };
  return {
    taskId: values.taskId || undefined,
    actor: values.actor || undefined,
    action: values.action || undefined,
    result: values.result || undefined,
    from: values.fromDay ? day(values.fromDay) : undefined,
    to: values.toDay ? day(values.toDay, 1) : undefined,
  };
}
