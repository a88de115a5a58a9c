import type { PipeTransform } from '@nestjs/common';
import { connectionTestBodySchema, type ConnectionTestInput } from '@walbridge/contracts';
import { invalidRequest, zodProblems } from '../common/zod-body.pipe';

/**
 * The body may be flat (`{type, host, port, ...}`, as PRODUCT.md §9 shows it) or nested under
 * `connection`; problems name the fields the way the caller sent them.
 */
export class ConnectionTestPipe implements PipeTransform<unknown, ConnectionTestInput> {
  transform(value: unknown): ConnectionTestInput {
    const parsed = connectionTestBodySchema.safeParse(value);
    if (parsed.success) return parsed.data;
    const flat = !!value && typeof value === 'object' && !('connection' in value);
    const details = zodProblems(parsed.error).map((p) => (flat ? { ...p, field: p.field.replace(/^connection\./, '') } : p));
    throw invalidRequest(details);
  }
}
