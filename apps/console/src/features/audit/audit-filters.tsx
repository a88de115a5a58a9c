import { useId } from 'react';
import { AUDIT_RESULTS, type AuditResult } from '@walbridge/contracts';
import { FilterSelect } from '../../ui/filter-select';
import { SearchInput } from '../../ui/search-input';
import { AUDIT_ACTION_CHOICES } from './audit-action-text';

/** What the audit log page filters on, as its address holds them (days as YYYY-MM-DD). */
export interface AuditFilterValues {
  taskId: string;
  actor: string;
  action: string;
  result: AuditResult | '';
  fromDay: string;
  toDay: string;
}

export const RESULT_TEXT: Record<AuditResult, string> = { success: 'Succeeded', failure: 'Failed', denied: 'Denied' };

interface AuditFiltersProps {
  values: AuditFilterValues;
  onChange: (key: keyof AuditFilterValues, value: string) => void;
}

/** Task, user, action, result and a range of days (both included, in the clock the console shows: see audit-query). */
export function AuditFilters({ values, onChange }: AuditFiltersProps) {
  const ids = { from: useId(), to: useId() };
  return (
    <div className="filters">
      <SearchInput label="Task id" placeholder="A task's id" value={values.taskId} onSearch={(v) => onChange('taskId', v)} />
      <SearchInput label="User" placeholder="A user name" value={values.actor} onSearch={(v) => onChange('actor', v)} />
      <FilterSelect label="Action" allLabel="All actions" value={values.action} options={AUDIT_ACTION_CHOICES} onChange={(v) => onChange('action', v ?? '')} />
      <FilterSelect label="Result" allLabel="Any result" value={values.result} options={AUDIT_RESULTS.map((r) => ({ value: r, label: RESULT_TEXT[r] }))} onChange={(v) => onChange('result', v ?? '')} />
      <div className="field">
        <label htmlFor={ids.from}>From</label>
        <input id={ids.from} type="date" value={values.fromDay} max={values.toDay || undefined} onChange={(e) => onChange('fromDay', e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor={ids.to}>To</label>
        <input id={ids.to} type="date" value={values.toDay} min={values.fromDay || undefined} onChange={(e) => onChange('toDay', e.target.value)} />
      </div>
    </div>
  );
}
