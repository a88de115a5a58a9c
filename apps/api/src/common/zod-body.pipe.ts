import { type PipeTransform } from '@nestjs/common';
import type { ZodTypeAny, output } from 'zod';
import { DomainError } from '@walbridge/domain';

/** Validates a request part with a contracts schema; every problem names its field. */
export class ZodPipe<S extends ZodTypeAny> implements PipeTransform<unknown, output<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown): output<S> {
    const parsed = this.schema.safeParse(value);
    if (parsed.success) return parsed.data;
    const details = parsed.error.issues.map((issue) => ({
      field: issue.path.join('.') || '(body)',
      message: issue.message,
    }));
    throw new DomainError('invalid', 'VALIDATION_FAILED', 'the request is invalid', details);
  }
}
