import { describe, expect, it } from 'vitest';
import { slotCleanupSql } from './slot-cleanup';

describe('slotCleanupSql', () => {
  it('drops the slot, then the publication', () => {
    expect(slotCleanupSql('walbridge_abc', 'walbridge_abc')).toBe(
      `SELECT pg_drop_replication_slot('walbridge_abc'); DROP PUBLICATION IF EXISTS "walbridge_abc";`,
    );
  });

  it('quotes names so that the statement stays one statement', () => {
    expect(slotCleanupSql("a'b", 'p"q')).toBe(`SELECT pg_drop_replication_slot('a''b'); DROP PUBLICATION IF EXISTS "p""q";`);
  });
});
