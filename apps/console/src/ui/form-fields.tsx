import { useId, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes, type TextareaHTMLAttributes } from 'react';
import { useFormContext, useFormState, type FieldValues, type UseFormSetError } from 'react-hook-form';
import { ApiError } from '../api/api-client';
import { errorAt, errorUnder, inFieldWords } from './form-errors';
import type { SubmitProblem } from './zod-form';

export { errorAt, errorUnder };

/**
 * Puts the API's 400 `details[].field` next to the form's fields. `prefix` is the part of the
 * API path above the form (`policy.` for the policy step); details about fields the form does
 * not show are returned, to be listed at the top.
 */
export function applyApiErrors<V extends FieldValues>(
  error: unknown,
  setError: UseFormSetError<V>,
  isField: (path: string) => boolean,
  prefix = '',
): { field: string; message: string }[] {
  if (!(error instanceof ApiError) || error.statusCode !== 400) return [];
  const unplaced: { field: string; message: string }[] = [];
  for (const detail of error.details) {
    const path = prefix && detail.field.startsWith(prefix) ? detail.field.slice(prefix.length) : detail.field;
    if ((!prefix || detail.field.startsWith(prefix)) && isField(path)) {
      setError(path as never, { type: 'server', message: detail.message }, { shouldFocus: unplaced.length === 0 });
    } else {
      unplaced.push(detail);
    }
  }
  return unplaced;
}

interface FieldFrameProps {
  id: string;
  label: ReactNode;
  hint?: ReactNode;
  error?: string;
  children: ReactNode;
  className?: string;
}

function FieldFrame({ id, label, hint, error, children, className }: FieldFrameProps) {
  return (
    <div className={`field${error ? ' field--invalid' : ''}${className ? ` ${className}` : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children}
      {hint && (
        <p className="field__hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field__error" id={`${id}-error`} role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

function describedBy(id: string, hint: unknown, error: unknown): string | undefined {
  const ids = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean);
  return ids.length ? ids.join(' ') : undefined;
}

type NativeInput = Omit<InputHTMLAttributes<HTMLInputElement>, 'name' | 'id'>;

interface TextFieldProps extends NativeInput {
  name: string;
  label: ReactNode;
  hint?: ReactNode;
  /** Other paths whose errors belong to this input (an API rule about a derived field). */
  errorPaths?: string[];
  asNumber?: boolean;
  className?: string;
}

export function TextField({ name, label, hint, errorPaths = [], asNumber, className, ...input }: TextFieldProps) {
  const id = useId();
  const { register } = useFormContext();
  const { errors } = useFormState({ name: [name, ...errorPaths] as never });
  // Under the field too: a list typed as text (brokers) is checked element by element (brokers.0).
  const raw = errorUnder(errors, name) ?? errorPaths.map((p) => errorUnder(errors, p)).find(Boolean);
  const error = raw && inFieldWords(raw, name, label);
  return (
    <FieldFrame id={id} label={label} hint={hint} error={error} className={className}>
      <input
        id={id}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, hint, error)}
        {...input}
        {...register(name, asNumber ? { setValueAs: numberInput } : undefined)}
      />
    </FieldFrame>
  );
}

/** An empty number box stays "" (reported as missing), anything else becomes a number or NaN. */
function numberInput(value: unknown): unknown {
  if (value === '' || value === null || value === undefined) return '';
  return typeof value === 'number' ? value : Number(value);
}

interface TextAreaFieldProps extends Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, 'name' | 'id'> {
  name: string;
  label: ReactNode;
  hint?: ReactNode;
  errorPaths?: string[];
  className?: string;
}

export function TextAreaField({ name, label, hint, errorPaths = [], className, ...textarea }: TextAreaFieldProps) {
  const id = useId();
  const { register } = useFormContext();
  const { errors } = useFormState({ name: [name, ...errorPaths] as never });
  const raw = errorAt(errors, name) ?? errorPaths.map((p) => errorUnder(errors, p)).find(Boolean);
  const error = raw && inFieldWords(raw, name, label);
  return (
    <FieldFrame id={id} label={label} hint={hint} error={error} className={className}>
      <textarea id={id} aria-invalid={error ? true : undefined} aria-describedby={describedBy(id, hint, error)} {...textarea} {...register(name)} />
    </FieldFrame>
  );
}

interface SelectFieldProps extends Omit<SelectHTMLAttributes<HTMLSelectElement>, 'name' | 'id'> {
  name: string;
  label: ReactNode;
  hint?: ReactNode;
  options: readonly { value: string; label: string }[];
}

export function SelectField({ name, label, hint, options, ...select }: SelectFieldProps) {
  const id = useId();
  const { register } = useFormContext();
  const { errors } = useFormState({ name: name as never });
  const raw = errorAt(errors, name);
  const error = raw && inFieldWords(raw, name, label);
  return (
    <FieldFrame id={id} label={label} hint={hint} error={error}>
      <select id={id} aria-invalid={error ? true : undefined} aria-describedby={describedBy(id, hint, error)} {...select} {...register(name)}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </FieldFrame>
  );
}

interface CheckboxFieldProps extends Omit<NativeInput, 'type'> {
  name: string;
  label: ReactNode;
  hint?: ReactNode;
}

export function CheckboxField({ name, label, hint, ...input }: CheckboxFieldProps) {
  const id = useId();
  const { register } = useFormContext();
  const { errors } = useFormState({ name: name as never });
  const error = errorAt(errors, name);
  return (
    <div className={`check${error ? ' field--invalid' : ''}`}>
      <input id={id} type="checkbox" aria-invalid={error ? true : undefined} aria-describedby={describedBy(id, hint, error)} {...input} {...register(name)} />
      <label htmlFor={id}>{label}</label>
      {hint && (
        <p className="field__hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field__error" id={`${id}-error`} role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

/** Radio buttons in a fieldset whose legend labels the group. */
export function RadioGroupField({
  name,
  legend,
  options,
  hint,
}: {
  name: string;
  legend: ReactNode;
  options: readonly { value: string; label: ReactNode; hint?: ReactNode }[];
  hint?: ReactNode;
}) {
  const groupId = useId();
  const { register } = useFormContext();
  const { errors } = useFormState({ name: name as never });
  const error = errorAt(errors, name);
  return (
    <fieldset className="choice-group" aria-describedby={describedBy(groupId, hint, error)}>
      <legend>{legend}</legend>
      <div className="choice-group__options">
        {options.map((o) => (
          <label key={o.value} className="choice">
            <input type="radio" value={o.value} {...register(name)} />
            <span>
              {o.label}
              {o.hint && <span className="choice__hint">{o.hint}</span>}
            </span>
          </label>
        ))}
      </div>
      {hint && (
        <p className="field__hint" id={`${groupId}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field__error" id={`${groupId}-error`} role="alert">
          {error}
        </p>
      )}
    </fieldset>
  );
}

/** Errors of the API that name no field of the form on screen. */
export function UnplacedErrors({ details }: { details: { field: string; message: string }[] }) {
  if (!details.length) return null;
  return (
    <div className="notice notice--error" role="alert">
      <p>The API refused the values:</p>
      <ul>
        {details.map((d) => (
          <li key={`${d.field}:${d.message}`}>
            <code>{d.field}</code>: {d.message}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** What went wrong with a submit: API details about fields not on screen, or any other failure. */
export function SubmitProblemNotice({ problem }: { problem: SubmitProblem | null }) {
  if (!problem) return null;
  if (problem.details.length) return <UnplacedErrors details={problem.details} />;
  const error = problem.error;
  const message = error instanceof Error ? error.message : String(error);
  return (
    <div className="notice notice--error" role="alert">
      {message}
      {error instanceof ApiError && !error.isNetworkError && <span className="muted"> (HTTP {error.statusCode})</span>}
    </div>
  );
}
