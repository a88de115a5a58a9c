import { zodResolver } from '@hookform/resolvers/zod';
import { useEffect, useRef, useState } from 'react';
import type { FieldValues, Resolver, UseFormReturn } from 'react-hook-form';
import { z, type ZodTypeAny } from 'zod';
import { ApiError } from '../api/api-client';
import { applyApiErrors, type SubmitProblem } from './form-errors';

/**
 * Validates a form with a shared contracts schema, on the values as the API would get them
 * (`toInput`), so rules and messages are the API's own and issue paths name form fields.
 */
export function zodFormResolver<V extends FieldValues>(toInput: (values: V) => unknown, schema: ZodTypeAny): Resolver<V> {
  const validated = z.preprocess((values) => toInput(values as V), schema) as unknown as z.ZodType<unknown, z.ZodTypeDef, V>;
  return zodResolver(validated, undefined, { raw: true }) as unknown as Resolver<V>;
}

/** Reports every change of the form (debounced), so a draft keeps what was typed in any step. */
export function useFormChanges<V extends FieldValues>(form: UseFormReturn<V>, onChange: (values: V) => void, delayMs = 250): void {
  const latest = useRef(onChange);
  latest.current = onChange;
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let pending = false;
    const flush = () => {
      if (!pending) return;
      pending = false;
      latest.current(form.getValues());
    };
    const subscription = form.watch(() => {
      pending = true;
      clearTimeout(timer);
      timer = setTimeout(flush, delayMs);
    });
    return () => {
      subscription.unsubscribe();
      clearTimeout(timer);
      // Leaving the step (or the page) must not lose the last keystrokes.
      flush();
    };
  }, [form, delayMs]);
}

/**
 * Runs a form's submit action; a 400 from the API puts its messages next to the fields
 * (`isField` says which paths the form shows), anything else is returned as the problem.
 */
export function useApiSubmit<V extends FieldValues>(form: UseFormReturn<V>, isField: (path: string) => boolean, prefix = '') {
  const [problem, setProblem] = useState<SubmitProblem | null>(null);
  const run = (action: (values: V) => Promise<void>) =>
    form.handleSubmit(async (values) => {
      setProblem(null);
      try {
        await action(values);
      } catch (error) {
        const unplaced = applyApiErrors(error, form.setError, isField, prefix);
        const validation = error instanceof ApiError && error.statusCode === 400;
        if (!validation || unplaced.length) setProblem({ details: unplaced, error: validation ? null : error });
      }
    });
  return { run, problem, clearProblem: () => setProblem(null) };
}

/**
 * Empty inputs become "not set": an empty optional text must not be sent as "" (which the API
 * validates as a value), and an empty number input (NaN) must fall back to the default or be
 * reported as missing.
 */
export function withoutBlanks<T>(value: T): T {
  if (typeof value === 'string') return (value.trim() === '' ? undefined : value) as T;
  if (typeof value === 'number') return (Number.isNaN(value) ? undefined : value) as T;
  if (Array.isArray(value)) return value.map((v) => withoutBlanks(v)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const cleaned = withoutBlanks(v);
      if (cleaned !== undefined) out[k] = cleaned;
    }
    return out as T;
  }
  return value;
}
