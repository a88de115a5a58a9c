/** User accounts and API tokens. */
export const USERS_ERROR_CODES = ['USER_NOT_FOUND', 'USERNAME_TAKEN', 'LAST_ADMIN', 'CANNOT_DELETE_SELF', 'TOKEN_NOT_FOUND'] as const;
