import type { ErrorCode } from '@walbridge/vocabulary';

/**
 * Errors the domain and the services raise on purpose. The code is stable (clients may switch
 * on it); the API's exception filter maps the kind to an HTTP status in one place.
 */
/** `upstream`: a source database or Kafka cluster the request needed refused or failed. */
export type DomainErrorKind =
  | 'invalid'
  | 'unauthenticated'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'rate-limited'
  | 'unavailable'
  | 'upstream';

export interface FieldProblem {
  field: string;
  message: string;
}

export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    /** One of the vocabulary's ERROR_CODES, so a mistyped code fails tsc. */
    readonly code: ErrorCode,
    message: string,
    readonly details: FieldProblem[] = [],
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}
