import { beforeEach, describe, expect, it } from 'vitest';
import { draftKey, loadDraft, removeDraft, saveDraft, taskDrafts, type WizardDraft } from './wizard-draft';
import { DEFAULT_BASIC, DEFAULT_CONNECTIONS } from './wizard-values';

/** localStorage as the browser offers it (the unit tests run in Node). */
class MemoryStorage implements Storage {
  private items = new Map<string, string>();
  get length() {
    return this.items.size;
  }
  clear() {
    this.items.clear();
  }
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  key(index: number) {
    return [...this.items.keys()][index] ?? null;
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
  setItem(key: string, value: string) {
    this.items.set(key, value);
  }
}

function draft(overrides: Partial<WizardDraft> = {}): WizardDraft {
  return {
    version: 1,
    taskId: null,
    step: 2,
    reached: 2,
    updatedAt: '2025-01-01T00:00:00.000Z',
    basic: { ...DEFAULT_BASIC, name: 'orders-cdc' },
    connections: {
      source: { ...DEFAULT_CONNECTIONS.source, host: 'db', password: 'source-secret' },
      destination: {
        ...DEFAULT_CONNECTIONS.destination,
        password: 'kafka-secret',
        clientKey: '-----BEGIN PRIVATE KEY-----k-----END PRIVATE KEY-----',
        schemaRegistry: { url: 'http://reg:8081', username: 'reg', password: 'registry-secret' },
      },
    },
    policy: null,
    confirm: null,
    ...overrides,
  };
}

describe('the wizard draft in localStorage', () => {
  let storage: MemoryStorage;
  beforeEach(() => {
    storage = new MemoryStorage();
  });

  it('comes back as it was left, but never with a password or a private key', () => {
    saveDraft(storage, 'alice', draft());
    const raw = storage.getItem(draftKey('alice', null))!;
    expect(raw).not.toContain('source-secret');
    expect(raw).not.toContain('kafka-secret');
    expect(raw).not.toContain('registry-secret');
    expect(raw).not.toContain('PRIVATE KEY');
    const loaded = loadDraft(storage, 'alice', null);
    expect(loaded).toMatchObject({ step: 2, basic: { name: 'orders-cdc' }, connections: { source: { host: 'db', password: '' }, destination: { schemaRegistry: { url: 'http://reg:8081', password: '' } } } });
  });

  it('is kept per user of the browser and per task', () => {
    saveDraft(storage, 'alice', draft());
    saveDraft(storage, 'alice', draft({ taskId: 't-1', basic: { ...DEFAULT_BASIC, name: 'second' } }));
    expect(loadDraft(storage, 'bob', null)).toBeNull();
    expect(loadDraft(storage, 'alice', 't-1')?.basic.name).toBe('second');
    expect(taskDrafts(storage, 'alice')).toEqual([expect.objectContaining({ taskId: 't-1', name: 'second' })]);
    removeDraft(storage, 'alice', 't-1');
    expect(loadDraft(storage, 'alice', 't-1')).toBeNull();
    expect(loadDraft(storage, 'alice', null)).not.toBeNull();
  });

  it('ignores a draft it cannot use rather than half-restoring it', () => {
    storage.setItem(draftKey('alice', null), '{not json');
    expect(loadDraft(storage, 'alice', null)).toBeNull();
    storage.setItem(draftKey('alice', null), JSON.stringify({ version: 99 }));
    expect(loadDraft(storage, 'alice', null)).toBeNull();
  });
});
