import { describe, expect, it } from 'vitest';
import { backfillsAddedTables } from './added-tables';

describe('backfillsAddedTables', () => {
  it.each([
    [{}, false],
    [{ syncMode: 'incremental' as const }, false],
    [{ syncMode: 'full+incremental' as const }, true],
    [{ syncMode: 'full+incremental' as const, backfillAddedTables: false }, false],
    [{ syncMode: 'incremental' as const, backfillAddedTables: true }, true],
  ])('%j → %s', (policy, expected) => {
    expect(backfillsAddedTables(policy)).toBe(expected);
  });
});
