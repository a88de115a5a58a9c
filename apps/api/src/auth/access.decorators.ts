import { SetMetadata, applyDecorators } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import type { Role } from '@walbridge/contracts';

export const IS_PUBLIC = 'walbridge:public';
export const REQUIRED_ROLE = 'walbridge:required-role';
export const SKIP_AUDIT = 'walbridge:skip-audit';

/**
 * Reachable without a session or token. Only the health check and login are; everything else is
 * guarded by default, including routes added later.
 */
export const Public = () => applyDecorators(SetMetadata(IS_PUBLIC, true), ApiExtension('x-walbridge-public', true));

/**
 * The least role a route (or every route of a controller) needs. Without it, reading needs a
 * viewer and changing needs an operator (libs/domain access-policy). Also shown in OpenAPI.
 */
export const Roles = (minimum: Role) =>
  applyDecorators(SetMetadata(REQUIRED_ROLE, minimum), ApiExtension('x-walbridge-role', minimum));

/** For routes that write their own, more precise audit entries (login). */
export const SkipAudit = () => SetMetadata(SKIP_AUDIT, true);

export const ANY_ORIGIN = 'walbridge:any-origin';

/**
 * Exempt from the same-origin check of cookie-authenticated changes: only for what a forged
 * request could not abuse (logging out ends the caller's own session; it must always work).
 */
export const AnyOrigin = () => SetMetadata(ANY_ORIGIN, true);
