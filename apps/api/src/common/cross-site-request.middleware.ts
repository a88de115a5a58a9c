import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { SESSION_COOKIE } from '../auth/session-cookie';
import { answerError } from './error-answer';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function hasBody(req: Request): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

/**
 * Cross-site request forgery (issue 14 item 2). SameSite=Strict keeps other *sites* from sending
 * the session cookie, but a page on another port of the same host is the same site. So:
 * - a request body on an unsafe method must be JSON (415 otherwise): an HTML form can only send
 *   urlencoded, multipart or text/plain, and a page script cannot send JSON cross-origin without
 *   a CORS preflight we never grant. Bodiless operations (POST …/pause) are not affected.
 * - an unsafe request carrying the session cookie (and no Authorization header) must come from
 *   this origin: `Sec-Fetch-Site: same-origin`, or an `Origin` equal to ours or allowed by
 *   WALBRIDGE_ALLOWED_ORIGINS / WALBRIDGE_CORS_ORIGINS (403 otherwise). Bearer calls carry no
 *   ambient credential and are not affected.
 */
export function refuseCrossSiteRequests(allowedOrigins: readonly string[]): RequestHandler {
  const allowed = new Set(allowedOrigins.map((o) => new URL(o).origin));
  return (req: Request, res: Response, next: NextFunction) => {
    if (!UNSAFE.has(req.method)) return next();
    if (hasBody(req) && !req.is(['application/json', 'application/*+json'])) {
      return answerError(res, 415, 'UNSUPPORTED_MEDIA_TYPE', 'request bodies must be JSON (content-type: application/json)', '(body)');
    }
    const cookie = (req.cookies as Record<string, unknown> | undefined)?.[SESSION_COOKIE];
    if (req.headers.authorization !== undefined || cookie === undefined) return next();
    const origin = req.get('origin');
    const site = req.get('sec-fetch-site');
    const originAllowed = origin !== undefined && (origin === `${req.protocol}://${req.get('host')}` || allowed.has(origin));
    if (site === 'same-origin' || originAllowed) return next();
    if (site === undefined && origin === undefined) {
      return answerError(res, 403, 'CROSS_SITE_REQUEST', 'a change made with the session cookie needs the Origin header browsers send; scripts should use a bearer token');
    }
    return answerError(res, 403, 'CROSS_SITE_REQUEST', `a change made with the session cookie must come from this origin, not ${origin ?? `a ${site} page`} (allowed origins: WALBRIDGE_ALLOWED_ORIGINS)`);
  };
}
