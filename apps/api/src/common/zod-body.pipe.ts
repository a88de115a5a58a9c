import { type PipeTransform } from '@nestjs/common';
import type { ZodError, ZodTypeAny, output } from 'zod';
import { DomainError, type FieldProblem } from '@walbridge/domain';

export function zodProblems(error: ZodError): FieldProblem[] {
  return error.issues.map((issue) => ({ field: issue.path.join('.') || '(body)', message: issue.message }));
}

export function invalidRequest(details: FieldProblem[]): DomainError {
  return new DomainError('invalid', 'VALIDATION_FAILED', 'the request is invalid', details);
}

/** Validates a request part with a contracts schema; every problem names its field. */
export class ZodPipe<S extends ZodTypeAny> implements PipeTransform<unknown, output<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown): output<S> {
    const parsed = this.schema.safeParse(value);
    if (parsed.success) return parsed.data;
    throw invalidRequest(zodProblems(parsed.error));
  }
}
