/** The result of one precheck item, and of a whole run (the worst of its items). */
export const PRECHECK_RESULTS = ['PASSED', 'ALARM', 'FAILED'] as const;

export type PrecheckResult = (typeof PRECHECK_RESULTS)[number];

/** An item is PENDING until its check has run. */
export const PRECHECK_ITEM_STATES = ['PENDING', ...PRECHECK_RESULTS] as const;

export type PrecheckItemState = (typeof PRECHECK_ITEM_STATES)[number];

/** ERROR: the run itself broke (not a failed item); the run has no result then. */
export const PRECHECK_RUN_STATUSES = ['RUNNING', 'FINISHED', 'ERROR'] as const;

export type PrecheckRunStatus = (typeof PRECHECK_RUN_STATUSES)[number];
