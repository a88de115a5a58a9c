import type { ConnectionTarget } from '@walbridge/contracts';
import { ApiError } from '../../api/api-client';

/**
 * A saved connection's 400 names `name` and `connection.host`; the console's connection forms
 * hold the fields as `source.host` (the task's names), and the name at `nameField`.
 */
export function asConnectionFields(target: ConnectionTarget, error: unknown, nameField: string): unknown {
  if (!(error instanceof ApiError)) return error;
  const field = (f: string) => (f === 'name' ? nameField : f.replace(/^connection\./, `${target}.`));
  return new ApiError({ statusCode: error.statusCode, error: error.error, code: error.code, message: error.message, details: error.details.map((d) => ({ ...d, field: field(d.field) })) });
}
