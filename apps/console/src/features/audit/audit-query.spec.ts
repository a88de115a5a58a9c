import { describe, expect, it } from 'vitest';
import type { AuditFilterValues } from './audit-filters';
import { auditQuery } from './audit-query';

const none: AuditFilterValues = { taskId: '', actor: '', action: '', result: '', fromDay: '', toDay: '' };

describe('the audit log filters as the API takes them', () => {
  it('leaves out what is not chosen', () => {
    expect(auditQuery(none)).toEqual({});
  });

  it('takes both days whole, in UTC when the console shows UTC', () => {
    expect(auditQuery({ ...none, fromDay: '2026-12-01', toDay: '2026-12-03' }, 'UTC')).toMatchObject({
      from: '2026-12-01T00:00:00.000Z',
      to: '2026-12-04T00:00:00.000Z',
    });
  });

  it("takes the browser's days otherwise", () => {
    const q = auditQuery({ ...none, fromDay: '2026-12-01', toDay: '2026-12-01' }, 'local');
    expect(q.from).toBe(new Date(2026, 11, 1).toISOString());
    expect(q.to).toBe(new Date(2026, 11, 2).toISOString());
  });

  it('passes the other filters as chosen', () => {
    expect(auditQuery({ ...none, action: 'tasks.*', result: 'failure', actor: 'ops' })).toEqual({ action: 'tasks.*', result: 'failure', actor: 'ops' });
  });
});
