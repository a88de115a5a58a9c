import type { ApiErrorBody } from '@walbridge/contracts';
import type { NextFunction, Request, Response } from 'express';
import type { AuthService } from './auth.service';

/**
 * The OpenAPI UI and document are not Nest routes, so the global guard does not see them: the
 * same rule, applied here. A browser without a session is sent to the console's login.
 */
export function docsAccess(auth: AuthService) {
  return (req: Request, res: Response, next: NextFunction): void => {
    auth.authenticate(req).then(
      (principal) => {
        if (principal) return next();
        if (req.method === 'GET' && req.path === '/' && req.accepts(['json', 'html']) === 'html') {
          return res.redirect(302, `/login?next=${encodeURIComponent(req.originalUrl)}`);
        }
        res.status(401).json({
          statusCode: 401,
          error: 'Unauthorized',
          code: 'AUTHENTICATION_REQUIRED',
          message: 'log in, or send an API token as "Authorization: Bearer <token>"',
          details: [],
        } satisfies ApiErrorBody);
      },
      (error: unknown) => next(error),
    );
  };
}
