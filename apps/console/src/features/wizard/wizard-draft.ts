import { EMPTY_SCHEMA_REGISTRY, type BasicValues, type ConfirmValues, type ConnectionValues, type PolicyValues, type SchemaRegistryValues } from './wizard-values';

export type WizardStep = 1 | 2 | 3 | 4 | 5;

/**
 * The wizard's state as it survives leaving the page: in localStorage, per user of this browser,
 * one draft for a task not created yet ("new") and one per task being set up. Never a secret:
 * passwords and private keys are typed again (or, once the task exists, kept by the API).
 */
export interface WizardDraft {
  version: 1;
  taskId: string | null;
  step: WizardStep;
  /** Highest step reached: the stepper lets the user jump back, not past it. */
  reached: WizardStep;
  updatedAt: string;
  basic: BasicValues;
  connections: ConnectionValues;
  policy: PolicyValues | null;
  confirm: ConfirmValues | null;
}

const PREFIX = 'walbridge.wizard';

export function draftKey(username: string, taskId: string | null): string {
  return `${PREFIX}.${username}.${taskId ?? 'new'}`;
}

const withoutRegistryPassword = (r: SchemaRegistryValues | undefined): SchemaRegistryValues => ({ ...EMPTY_SCHEMA_REGISTRY, ...r, password: '' });

/** What may be stored: the draft without any credential. */
export function withoutSecrets(draft: WizardDraft): WizardDraft {
  return {
    ...draft,
    connections: {
      source: { ...draft.connections.source, password: '' },
      destination: { ...draft.connections.destination, password: '', clientKey: '', schemaRegistry: withoutRegistryPassword(draft.connections.destination.schemaRegistry) },
    },
  };
}

export function saveDraft(storage: Storage, username: string, draft: WizardDraft): void {
  try {
    storage.setItem(draftKey(username, draft.taskId), JSON.stringify({ ...withoutSecrets(draft), updatedAt: new Date().toISOString() }));
  } catch {
    // Storage full or disabled (private mode): the wizard still works, only without a draft.
  }
}

export function loadDraft(storage: Storage, username: string, taskId: string | null): WizardDraft | null {
  try {
    const raw = storage.getItem(draftKey(username, taskId));
    if (!raw) return null;
    const draft = JSON.parse(raw) as WizardDraft;
    // A draft of an older console, or edited by hand, is dropped rather than half-used.
    if (draft?.version !== 1 || typeof draft.step !== 'number' || !draft.basic || !draft.connections) return null;
    if ((draft.taskId ?? null) !== taskId) return null;
    return draft;
  } catch {
    return null;
  }
}

export function removeDraft(storage: Storage, username: string, taskId: string | null): void {
  try {
    storage.removeItem(draftKey(username, taskId));
  } catch {
    // nothing to do
  }
}

/** Tasks this user started setting up in this browser, most recent first. */
export function taskDrafts(storage: Storage, username: string): { taskId: string; name: string; step: WizardStep; updatedAt: string }[] {
  const found: { taskId: string; name: string; step: WizardStep; updatedAt: string }[] = [];
  const prefix = `${PREFIX}.${username}.`;
  for (let i = 0; i < storage.length; i++) {
    const key = storage.key(i);
    if (!key?.startsWith(prefix) || key.endsWith('.new')) continue;
    const draft = loadDraft(storage, username, key.slice(prefix.length));
    if (draft?.taskId) found.push({ taskId: draft.taskId, name: draft.basic.name, step: draft.step, updatedAt: draft.updatedAt });
  }
  return found.sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
}

/** The task this tab's "new" wizard created: Back into its old steps leads to that task's setup. */
export const createdKey = (username: string) => `${PREFIX}.${username}.created`;

export function sessionGet(key: string): string | null {
  try {
    return window.sessionStorage.getItem(key);
  } catch {
    return null;
  }
}

export function sessionSet(key: string, value: string): void {
  try {
    window.sessionStorage.setItem(key, value);
  } catch {
    // storage disabled: Back then opens an empty wizard, the task stays in the list
  }
}

export function sessionRemove(key: string): void {
  try {
    window.sessionStorage.removeItem(key);
  } catch {
    // storage disabled: nothing was kept
  }
}
