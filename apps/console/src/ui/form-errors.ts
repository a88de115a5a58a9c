import type { FieldError, FieldValues, UseFormSetError } from 'react-hook-form';
import { ApiError } from '../api/api-client';

/*
 * Everything about a form's errors that is not a component: where the API's 400 details go, what
 * a submit that failed otherwise reports, and the messages in the words of the form. The field
 * components (form-fields.tsx) and the submit hook (zod-form.ts) both import it, not each other.
 *
 * Messages of the shared zod schemas and of the API name fields by their JSON keys ("name is
 * required", "at is required when mode is at"). Next to a field the user reads its label instead.
 */

export interface SubmitProblem {
  /** API details about fields this step does not show. */
  details: { field: string; message: string }[];
  /** Anything but a 400: network, 409, 5xx. */
  error: unknown;
}

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

/**
 * The first message in a field's error (react-hook-form's `getFieldState(name).error`) or beneath
 * it: a list's error is an array of its elements' errors (`brokers.0`), a row's an object of its
 * cells' (`tables.0.filter`).
 */
export function firstMessage(error: FieldError | object | undefined): string | undefined {
  const first = (n: unknown, depth: number): string | undefined => {
    if (!n || typeof n !== 'object' || depth > 4) return undefined;
    const message = (n as { message?: unknown }).message;
    if (typeof message === 'string' && message) return message;
    for (const [key, child] of Object.entries(n)) {
      if (key === 'ref' || key === 'type' || key === 'types') continue;
      const found = first(child, depth + 1);
      if (found) return found;
    }
    return undefined;
  };
  return first(error, 0);
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * "at is required when mode is at" next to "Start at" reads "Start at is required"; a message
 * that opens with the field's key ("delayThresholdSeconds must be 0-3600") opens with its label.
 * The field is only on screen in that mode, so the condition says nothing to the user.
 */
export function inFieldWords(message: string, path: string, label: unknown): string {
  if (typeof label !== 'string' || !label) return message;
  const key = path.split('.').filter((p) => !/^\d+$/.test(p)).at(-1) ?? '';
  if (!key) return message;
  const required = new RegExp(`^${escape(key)} is required( when .*)?$`).exec(message);
  if (required) return `${label} is required`;
  if (message.startsWith(`${key}:`) || message.startsWith(`${key} `)) return `${label}${message.slice(key.length)}`;
  return message;
}

/** Field keys of the API's texts (precheck suggestions) in the console's words. */
const API_FIELD_WORDS: [RegExp, string | ((match: string, ...groups: string[]) => string)][] = [
  [/add "(\w+)"(?: and "(\w+)")? to policy\.dmlOperations \(and to the dmlOperations of these tables\)/g, (_m: string, a: string, b?: string) => `tick ${b ? `${a} and ${b}` : a} under “DML operations” in step 3 (and in the operations of these tables)`],
  [/add "(\w+)"(?: and "(\w+)")? to policy\.dmlOperations/g, (_m: string, a: string, b?: string) => `tick ${b ? `${a} and ${b}` : a} under “DML operations” in step 3`],
  [/policy\.dmlOperations/g, '“DML operations” (step 3)'],
  [/policy\.topicPolicy\.nameFormat/g, '“Topic name format” (step 3)'],
  [/policy\.topicPolicy\.replicationFactor/g, '“Replication factor” (step 3)'],
  [/policy\.topicPolicy\.partitions/g, '“Partitions” (step 3)'],
  [/policy\.topicPolicy\.topic/g, '“Topic” (step 3)'],
  [/policy\.tables/g, 'the selected tables (step 3)'],
  [/policy\.objectScope/g, '“Synchronize” (step 3)'],
  [/alarms\.walRetentionLimitMb/g, '“WAL retention alarm” (step 5)'],
  [/alarms\.delayThresholdSeconds/g, '“Delay threshold” (step 5)'],
];

export function inConsoleWords(text: string): string {
  return API_FIELD_WORDS.reduce((t, [pattern, words]) => t.replace(pattern, words as (match: string, ...groups: string[]) => string), text);
}
