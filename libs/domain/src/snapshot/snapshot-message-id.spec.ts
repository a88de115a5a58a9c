import { describe, expect, it } from 'vitest';
import { SnapshotMessageIds, snapshotMessageId } from './snapshot-message-id';

const BACKFILL = '0b9f3c1e-1111-4222-8333-944445555666';

describe('SnapshotMessageIds', () => {
  // Pinned: ids already in users' topics must not change (a consumer tells repeats by them).
  it.each([
    ['["1"]', 'snapshot-0b9f3c1e1111-4639da573f1cf008'],
    ['["é€😀","x"]', 'snapshot-0b9f3c1e1111-eb957568e2e9f493'],
    ['x'.repeat(2000), 'snapshot-0b9f3c1e1111-bcecf2c61fdcb476'],
  ])('gives key %s the id it always had', (key, id) => {
    expect(snapshotMessageId(BACKFILL, 'public.t', key)).toBe(id);
  });

  it('gives one instance the same ids as fresh ones, whatever the keys before', () => {
    const ids = new SnapshotMessageIds(BACKFILL, 'public.t');
    const keys = ['["1"]', 'y'.repeat(5000), '["2"]', '["é€😀","x"]', '', '["1"]'];
    for (const key of keys) expect(ids.idOf(key)).toBe(snapshotMessageId(BACKFILL, 'public.t', key));
  });
});
