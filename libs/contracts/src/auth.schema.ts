import { ROLES, type Role } from '@walbridge/vocabulary';
import { z } from 'zod';

export function hasRole(have: Role, need: Role): boolean {
  return ROLES.indexOf(have) >= ROLES.indexOf(need);
}

// Lowercase only, so "Admin" and "admin" can never be two accounts; login lowercases what is typed.
const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._@-]{2,63}$/;

export const usernameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(USERNAME_PATTERN, 'username: 3-64 characters, letters, digits, . _ @ - (case-insensitive), starting with a letter or digit');

export const passwordSchema = z
  .string()
  .min(8, 'password must be at least 8 characters')
  .max(128, 'password must be at most 128 characters')
  .refine((v) => v.trim().length > 0, 'password may not be blank');

export const loginSchema = z.object({
  // Not the username rules: a login with any text must answer "invalid credentials", not a hint.
  username: z.string().min(1, 'username is required').max(256),
  password: z.string().min(1, 'password is required').max(1024),
});

export const changePasswordSchema = z.object({
  currentPassword: z.string().min(1, 'currentPassword is required').max(1024),
  newPassword: passwordSchema,
});

export const createUserSchema = z.object({
  username: usernameSchema,
  password: passwordSchema,
  role: z.enum(ROLES),
});

export const updateUserSchema = z
  .object({ password: passwordSchema.optional(), role: z.enum(ROLES).optional() })
  .strict()
  .refine((v) => v.password !== undefined || v.role !== undefined, { message: 'give password and/or role', path: ['(body)'] });

export const createTokenSchema = z.object({
  name: z
    .string()
    .trim()
    .min(1, 'name is required')
    .max(100, 'name must be at most 100 characters')
    .refine((v) => !/[\u0000-\u001f\u007f]/.test(v), 'name may not contain control characters'),
  /** The user the token acts as (its role applies); the caller when left out. */
  username: usernameSchema.optional(),
  /** Days until the token stops working; left out: the server's WALBRIDGE_TOKEN_DEFAULT_DAYS (90). */
  expiresInDays: z.number().int().min(1).max(3650).optional(),
});

export const AUDIT_RESULTS = ['success', 'failure', 'denied'] as const;
export type AuditResult = (typeof AUDIT_RESULTS)[number];

const auditLogFilters = z.object({
  taskId: z.string().uuid('taskId must be a UUID').optional(),
  /** Who: a username, or `(unknown user)` for failed logins with a name that does not exist. */
  actor: z.string().min(1).max(64).optional(),
  /** What, e.g. `tasks.stop` or `auth.login`; `tasks.*` takes every action starting with `tasks.`. */
  action: z.string().regex(/^[a-z0-9.-]{1,100}(\.\*)?$/, 'action looks like tasks.stop, auth.login or tasks.*').optional(),
  /** How it ended. */
  result: z.enum(AUDIT_RESULTS, { errorMap: () => ({ message: `result is one of ${AUDIT_RESULTS.join(', ')}` }) }).optional(),
  /** Entries at or after this time (ISO 8601, e.g. 2026-12-01T00:00:00Z). */
  from: isoTime('from').optional(),
  /** Entries before this time (ISO 8601). */
  to: isoTime('to').optional(),
  /** Exclusive: entries older than this one (newest first). */
  cursor: z.string().regex(/^\d{1,18}$/, 'cursor must be the nextCursor of a previous page').optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

/** The audit log page's query (a page of entries, newest first). */
const fromBeforeTo = (q: { from?: Date; to?: Date }) => !q.from || !q.to || q.from < q.to;
const FROM_BEFORE_TO = { message: 'from must be before to', path: ['to'] };

export const auditLogQuerySchema = auditLogFilters.refine(fromBeforeTo, FROM_BEFORE_TO);

/** The same filters for the CSV export, which has no pages: every matching entry, newest first, up to AUDIT_EXPORT_MAX_ROWS. */
export const auditLogExportQuerySchema = auditLogFilters.omit({ cursor: true, limit: true }).refine(fromBeforeTo, FROM_BEFORE_TO);

/** An export larger than this is cut, and says so in its last line: narrow the filters. */
export const AUDIT_EXPORT_MAX_ROWS = 100_000;

function isoTime(field: string) {
  return z
    .string()
    .datetime({ offset: true, message: `${field} must be an ISO 8601 time such as 2026-12-01T00:00:00Z` })
    .transform((v) => new Date(v));
}

export type LoginInput = z.input<typeof loginSchema>;
export type ChangePasswordInput = z.output<typeof changePasswordSchema>;
export type CreateUserInput = z.output<typeof createUserSchema>;
export type UpdateUserInput = z.output<typeof updateUserSchema>;
export type CreateTokenInput = z.output<typeof createTokenSchema>;
export type AuditLogQuery = z.output<typeof auditLogQuerySchema>;
export type AuditLogExportQuery = z.output<typeof auditLogExportQuerySchema>;

export interface UserView {
  id: string;
  username: string;
  role: Role;
  createdAt: string;
  updatedAt: string;
  lastLoginAt: string | null;
}

/** Who is calling, and with which kind of credential. */
export interface MeView {
  id: string;
  username: string;
  role: Role;
  authenticatedBy: 'session' | 'token';
}

export interface LoginResult {
  /** The session token: also set as an httpOnly cookie; usable as `Authorization: Bearer`. */
  token: string;
  expiresAt: string;
  user: MeView;
}

export interface TokenView {
  id: string;
  name: string;
  username: string;
  role: Role;
  /** The first characters, so a leaked token can be recognised in the list; never the whole. */
  prefix: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
}

/** The only time a token is returned whole. */
export interface CreatedTokenView extends TokenView {
  token: string;
}


export interface AuditLogEntryView {
  id: string;
  at: string;
  actor: string;
  actorRole: Role | null;
  action: string;
  method: string;
  path: string;
  taskId: string | null;
  /** The task's name now (null once the task is deleted: the trail outlives it). */
  taskName: string | null;
  targetId: string | null;
  result: AuditResult;
  statusCode: number;
  error: string | null;
  ip: string | null;
}

export interface AuditLogPage {
  items: AuditLogEntryView[];
  nextCursor: string | null;
}
