import type { CookieOptions, Request } from 'express';

export const SESSION_COOKIE = 'walbridge_session';

/**
 * httpOnly: page scripts never see it. SameSite=Strict: no other site can make the browser send
 * it, which is the CSRF protection. Secure whenever the browser came over HTTPS.
 */
export function sessionCookieOptions(req: Request, maxAgeMs?: number): CookieOptions {
  return { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/', ...(maxAgeMs ? { maxAge: maxAgeMs } : {}) };
}
