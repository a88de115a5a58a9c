/** Precheck runs and the confirmation of their alarms (PRODUCT.md §3). */
export const PRECHECK_ERROR_CODES = ['PRECHECK_NOT_FOUND', 'PRECHECK_ITEM_NOT_FOUND', 'PRECHECK_NOT_FINISHED', 'PRECHECK_REQUIRED', 'NOT_AN_ALARM'] as const;
