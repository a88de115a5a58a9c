import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { answerError } from './error-answer';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function hasBody(req: Request): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

/**
 * Cross-site request forgery (issue 14 item 2). SameSite=Strict keeps other *sites* from sending
 * the session cookie, but a page on another port of the same host is the same site. So a
 * request body on an unsafe method must be JSON (415 otherwise): an HTML form can only send
 * urlencoded, multipart or text/plain, and a page script cannot send JSON cross-origin without a
 * CORS preflight we never grant. Bodiless operations (POST …/pause) are not affected. The origin
 * of cookie-authenticated changes is checked by the auth guard (`crossSiteRefusal`), once the
 * cookie is known to be a session: a forged cookie stays a 401.
 */
export function jsonBodiesOnly(): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (UNSAFE.has(req.method) && hasBody(req) && !req.is(['application/json', 'application/*+json'])) {
      return answerError(res, 415, 'UNSUPPORTED_MEDIA_TYPE', 'request bodies must be JSON (content-type: application/json)', '(body)');
    }
    next();
  };
}

/**
 * An unsafe request authenticated by the session cookie must come from this origin:
 * `Sec-Fetch-Site: same-origin`, or an `Origin` equal to ours or listed in WALBRIDGE_ALLOWED_ORIGINS
 * / WALBRIDGE_CORS_ORIGINS. Returns why not, or null. Bearer calls carry no ambient credential
 * and are never asked.
 */
export function crossSiteRefusal(req: Request, allowedOrigins: ReadonlySet<string>): string | null {
  if (!UNSAFE.has(req.method) || req.headers.authorization !== undefined) return null;
  const origin = req.get('origin');
  const site = req.get('sec-fetch-site');
  const originAllowed = origin !== undefined && (origin === `${req.protocol}://${req.get('host')}` || allowedOrigins.has(origin));
  if (site === 'same-origin' || originAllowed) return null;
  if (site === undefined && origin === undefined) return 'a change made with the session cookie needs the Origin header browsers send; scripts should use a bearer token';
  return `a change made with the session cookie must come from this origin, not ${origin ?? `a ${site} page`} (allowed origins: WALBRIDGE_ALLOWED_ORIGINS)`;
}
