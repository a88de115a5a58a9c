/** Logging in, sessions and tokens in requests, roles. */
export const AUTH_ERROR_CODES = [
  'AUTHENTICATION_REQUIRED',
  'CROSS_SITE_REQUEST',
  'FORBIDDEN',
  'INVALID_CREDENTIALS',
  'WRONG_PASSWORD',
  'LOGIN_BACKOFF',
  'LOGIN_BUSY',
  'LOGIN_CONCURRENCY',
  'TOO_MANY_LOGIN_ATTEMPTS',
] as const;
