import { useId, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes, type TextareaHTMLAttributes } from 'react';
import { useFormContext, useFormState } from 'react-hook-form';
import { ApiError } from '../api/api-client';
import { firstMessage, inFieldWords, type SubmitProblem } from './form-errors';

/**
 * The error to show next to a field, in its label's words, from react-hook-form's field state.
 * `under`: also a message beneath the field (a list typed as text, brokers, is checked element
 * by element: brokers.0); `errorPaths`: other fields whose errors belong to this input.
 */
function useFieldError(name: string, label: unknown, { errorPaths = [], under = false }: { errorPaths?: string[]; under?: boolean } = {}): string | undefined {
  const { getFieldState } = useFormContext();
  // Subscribes to these fields only, so a keystroke elsewhere does not render this one again.
  const formState = useFormState({ name: [name, ...errorPaths] as never });
  const own = getFieldState(name, formState).error;
  const raw = (under ? firstMessage(own) : own?.message) || errorPaths.map((p) => firstMessage(getFieldState(p, formState).error)).find(Boolean);
  return raw ? inFieldWords(raw, name, label) : undefined;
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
  /**
   * A pick list read from a live system (topics, users): the input becomes a combobox (the
   * browser's own datalist, announced as one by screen readers) that still takes a new name.
   */
  suggestions?: FieldSuggestion[];
}

export interface FieldSuggestion {
  value: string;
  /** Shown next to the value, e.g. "3 partitions". */
  label?: string;
}

export function TextField({ name, label, hint, errorPaths = [], asNumber, className, suggestions, ...input }: TextFieldProps) {
  const id = useId();
  const { register } = useFormContext();
  const error = useFieldError(name, label, { errorPaths, under: true });
  const listId = suggestions?.length ? `${id}-options` : undefined;
  return (
    <FieldFrame id={id} label={label} hint={hint} error={error} className={className}>
      <input
        id={id}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, hint, error)}
        list={listId}
        {...input}
        {...register(name, asNumber ? { setValueAs: numberInput } : undefined)}
      />
      {listId && (
        <datalist id={listId}>
          {suggestions!.map((s) => (
            <option key={s.value} value={s.value} label={s.label} />
          ))}
        </datalist>
      )}
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
  const error = useFieldError(name, label, { errorPaths });
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
  const error = useFieldError(name, label);
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
  const error = useFieldError(name, undefined);
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
  const error = useFieldError(name, undefined);
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
