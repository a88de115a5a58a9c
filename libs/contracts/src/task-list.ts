/**
 * The task list's query vocabulary (`GET /api/v1/tasks`), shared by the API's validation and the
 * console's sortable columns: a field sorts ascending, `-field` descending.
 */
export const TASK_SORT_FIELDS = ['name', 'status', 'createdAt', 'delaySeconds'] as const;
export type TaskSortField = (typeof TASK_SORT_FIELDS)[number];
export type TaskSort = TaskSortField | `-${TaskSortField}`;
export const TASK_SORTS = [...TASK_SORT_FIELDS, ...TASK_SORT_FIELDS.map((f) => `-${f}` as const)] as readonly TaskSort[];
export const DEFAULT_TASK_SORT: TaskSort = '-createdAt';
