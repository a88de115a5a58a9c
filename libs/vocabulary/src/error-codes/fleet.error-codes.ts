/** The schedulers of the fleet. */
export const FLEET_ERROR_CODES = ['SCHEDULER_NOT_FOUND'] as const;
