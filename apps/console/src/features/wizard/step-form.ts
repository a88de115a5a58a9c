import { zodResolver } from '@hookform/resolvers/zod';
import { useEffect, useRef, useState } from 'react';
import type { FieldValues, Resolver, UseFormReturn } from 'react-hook-form';
import { z, type ZodTypeAny } from 'zod';
import { ApiError } from '../../api/api-client';
import { applyApiErrors } from '../../ui/form-fields';

/**
 * Validates a step's form with the shared contracts schema, on the values as the API would get
 * them (`toInput`), so rules and messages are the API's own and issue paths name form fields.
 */
export function stepResolver<V extends FieldValues>(toInput: (values: V) => unknown, schema: ZodTypeAny): Resolver<V> {
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

export interface StepProblem {
  /** API details about fields this step does not show. */
  details: { field: string; message: string }[];
  /** Anything but a 400: network, 409, 5xx. */
  error: unknown;
}

/**
 * Runs a step's "Next" action; a 400 from the API puts its messages next to the fields
 * (`isField` says which paths the form shows), anything else is returned as the step's problem.
 */
export function useStepSubmit<V extends FieldValues>(form: UseFormReturn<V>, isField: (path: string) => boolean, prefix = '') {
  const [problem, setProblem] = useState<StepProblem | null>(null);
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
