import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { answerError } from './error-answer';

/**
 * DNS rebinding: a site whose name suddenly resolves to 127.0.0.1 talks to a local api as "its
 * own origin". With WALBRIDGE_ALLOWED_HOSTS set, a Host header outside the list gets 421.
 */
export function allowedHostsOnly(hosts: readonly string[]): RequestHandler {
  const allowed = new Set(hosts);
  return (req: Request, res: Response, next: NextFunction) => {
    const host = (req.headers.host ?? '').toLowerCase();
    if (!allowed.size || allowed.has(host) || allowed.has(host.replace(/:\d+$/, ''))) return next();
    answerError(res, 421, 'HOST_NOT_ALLOWED', 'this host name is not one the api answers to (WALBRIDGE_ALLOWED_HOSTS)');
  };
}
