/** Operation names of PRODUCT.md §4, as the API lists them in `allowedOperations` and 409s. */
export const TASK_OPERATIONS = ['edit', 'editObjects', 'editSettings', 'precheck', 'submit', 'pause', 'resume', 'stop', 'forceStop', 'reset', 'delete', 'dropSlot'] as const;

export type TaskOperation = (typeof TASK_OPERATIONS)[number];

/**
 * An operation accepted by the API and still being carried out by a scheduler (the task row's
 * requested_operation). applyObjects: the tables of a running or paused task were edited and the
 * publication is being altered.
 */
export const PENDING_OPERATIONS = ['stop', 'forceStop', 'reset', 'dropSlot', 'applyObjects'] as const;

export type PendingOperation = (typeof PENDING_OPERATIONS)[number];
