import { AUTH_ERROR_CODES } from './auth.error-codes';
import { BACKFILLS_ERROR_CODES } from './backfills.error-codes';
import { CONNECTIONS_ERROR_CODES } from './connections.error-codes';
import { FLEET_ERROR_CODES } from './fleet.error-codes';
import { NOTIFICATIONS_ERROR_CODES } from './notifications.error-codes';
import { PRECHECK_ERROR_CODES } from './precheck.error-codes';
import { REQUEST_ERROR_CODES } from './request.error-codes';
import { TASKS_ERROR_CODES } from './tasks.error-codes';
import { USERS_ERROR_CODES } from './users.error-codes';

/**
 * Every `code` the API answers with. Clients switch on them, so a code never changes once
 * released: add a new one to its module's list and tsc accepts it in `DomainError`.
 */
export const ERROR_CODES = [
  ...REQUEST_ERROR_CODES,
  ...AUTH_ERROR_CODES,
  ...USERS_ERROR_CODES,
  ...TASKS_ERROR_CODES,
  ...PRECHECK_ERROR_CODES,
  ...BACKFILLS_ERROR_CODES,
  ...CONNECTIONS_ERROR_CODES,
  ...FLEET_ERROR_CODES,
  ...NOTIFICATIONS_ERROR_CODES,
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** The codes by name, for matching without a string literal: `error.code === ErrorCode.PRECHECK_NOT_FOUND`. */
export const ErrorCode = Object.freeze(Object.fromEntries(ERROR_CODES.map((code) => [code, code]))) as { readonly [C in ErrorCode]: C };
