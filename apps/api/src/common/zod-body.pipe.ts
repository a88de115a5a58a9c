import { type PipeTransform } from '@nestjs/common';
import type { ZodError, ZodTypeAny, output } from 'zod';
import { DomainError, type FieldProblem } from '@walbridge/domain';

export function zodProblems(error: ZodError): FieldProblem[] {
  return error.issues.map((issue) => ({ field: issue.path.join('.') || '(body)', message: issue.message }));
}

export function invalidRequest(details: FieldProblem[]): DomainError {
  return new DomainError('invalid', 'VALIDATION_FAILED', 'the request is invalid', details);
}

// PostgreSQL stores neither NUL nor half a surrogate pair (text, jsonb): refused here, by field,
// rather than failing later in the database.
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function unstorable(value: unknown, path: string[] = [], found: FieldProblem[] = []): FieldProblem[] {
  if (found.length >= 10) return found;
  if (typeof value === 'string') {
    if (UNSTORABLE.test(value)) {
      const nul = value.includes('\u0000');
      found.push({ field: path.join('.') || '(body)', message: nul ? 'may not contain the NUL character (\\u0000)' : 'is not valid Unicode (unpaired surrogate)' });
    }
  } else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      if (UNSTORABLE.test(key)) found.push({ field: [...path, '(key)'].join('.'), message: 'a key is not storable text' });
      unstorable(child, [...path, key], found);
    }
  }
  return found;
}

/** Validates a request part with a contracts schema; every problem names its field. */
export class ZodPipe<S extends ZodTypeAny> implements PipeTransform<unknown, output<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown): output<S> {
    const bad = unstorable(value);
    if (bad.length) throw new DomainError('invalid', 'VALIDATION_FAILED', 'the request is invalid', bad);
    const parsed = this.schema.safeParse(value);
    if (parsed.success) return parsed.data;
    throw invalidRequest(zodProblems(parsed.error));
  }
}
