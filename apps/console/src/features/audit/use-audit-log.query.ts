import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { listAuditLog, type AuditLogFilterParams } from '../../api/audit.api';

/** ['audit-log', taskId]: an operation on a task invalidates its history with this prefix. */
export const auditKeys = {
  all: ['audit-log'] as const,
  task: (taskId: string) => [...auditKeys.all, taskId] as const,
};

/** The audit log page: newest first, older entries page by page (cursor). */
export function useAuditLog(filters: AuditLogFilterParams, enabled: boolean) {
  return useInfiniteQuery({
    queryKey: [...auditKeys.task(filters.taskId ?? ''), filters.actor ?? '', filters.action ?? '', filters.result ?? '', filters.from ?? '', filters.to ?? ''],
    queryFn: ({ pageParam, signal }) => listAuditLog({ ...filters, cursor: pageParam }, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
    enabled,
  });
}

/** A task's history on its page, refreshed as operations land. */
export function useTaskHistory(taskId: string) {
  return useQuery({ queryKey: [...auditKeys.task(taskId), ''], queryFn: ({ signal }) => listAuditLog({ taskId }, signal), refetchInterval: 10_000 });
}
