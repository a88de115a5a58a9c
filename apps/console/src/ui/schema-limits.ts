import type { ZodTypeAny } from 'zod';
import { formatDecimal } from './format';

/** The bounds a contracts schema puts on a number: hints say what the API accepts, never a copy. */
export interface NumberLimits {
  min?: number;
  max?: number;
  integer: boolean;
  /** The API's default when the field is left out (a ZodDefault). */
  defaultValue?: number;
}

// By type name, not instanceof: the contracts may be built against another copy of zod than the console's.
const kind = (schema: ZodTypeAny) => (schema._def as { typeName?: string }).typeName;
type Def = { innerType?: ZodTypeAny; schema?: ZodTypeAny; defaultValue?: () => unknown; checks?: { kind: string; value?: number }[] };
const def = (schema: ZodTypeAny) => schema._def as Def;

/** Defaults, optionals and refinements wrap the schema that says what the value is. */
function unwrapped(schema: ZodTypeAny, onDefault?: (value: unknown) => void): ZodTypeAny {
  let inner = schema;
  for (;;) {
    const k = kind(inner);
    if (k === 'ZodDefault') onDefault?.(def(inner).defaultValue!());
    if (k === 'ZodDefault' || k === 'ZodOptional' || k === 'ZodNullable') inner = def(inner).innerType!;
    else if (k === 'ZodEffects') inner = def(inner).schema!;
    else return inner;
  }
}

/** Looks through defaults, optionals and refinements to the number schema underneath. */
export function numberLimits(schema: ZodTypeAny): NumberLimits {
  let defaultValue: number | undefined;
  const inner = unwrapped(schema, (v) => (defaultValue ??= v as number));
  if (kind(inner) !== 'ZodNumber') throw new Error('numberLimits: not a number schema');
  const checks = def(inner).checks ?? [];
  const bound = (k: string) => checks.find((c) => c.kind === k)?.value;
  return { min: bound('min'), max: bound('max'), integer: checks.some((c) => c.kind === 'int'), defaultValue };
}

/** A field's schema inside an object schema that may be refined (`retrySchema`). */
export function fieldSchema(objectSchema: ZodTypeAny, field: string): ZodTypeAny {
  const inner = unwrapped(objectSchema);
  if (kind(inner) !== 'ZodObject') throw new Error('fieldSchema: not an object schema');
  const shape = (inner as unknown as { shape: Record<string, ZodTypeAny> }).shape;
  if (!shape[field]) throw new Error(`fieldSchema: no field ${field}`);
  return shape[field];
}

/** "1–10,000,000", "at least 0.1", "default 360": the hint of a number field. */
export function rangeHint(limits: NumberLimits, unit = ''): string {
  const n = (v: number) => `${formatDecimal(v)}${unit}`;
  const range =
    limits.min !== undefined && limits.max !== undefined
      ? `${n(limits.min)}–${n(limits.max)}`
      : limits.min !== undefined
        ? `at least ${n(limits.min)}`
        : limits.max !== undefined
          ? `at most ${n(limits.max)}`
          : '';
  return [range, limits.defaultValue !== undefined ? `default ${n(limits.defaultValue)}` : ''].filter(Boolean).join(', ');
}

/** The input attributes of the same bounds. */
export function numberInputProps(limits: NumberLimits): { min?: number; max?: number; step: number | 'any' } {
  return { min: limits.min, max: limits.max, step: limits.integer ? 1 : 'any' };
}
