import { describe, expect, it } from 'vitest';
import { toggleColumn, topicSuggestions } from './pick-lists';

describe('topicSuggestions', () => {
  it('names each topic with its partition count', () => {
    expect(topicSuggestions({ topics: [{ name: 'a', partitions: 1 }, { name: 'b', partitions: 3 }], truncated: false })).toEqual([
      { value: 'a', label: '1 partition' },
      { value: 'b', label: '3 partitions' },
    ]);
    expect(topicSuggestions(undefined)).toEqual([]);
  });
});

describe('toggleColumn', () => {
  const order = ['id', 'name', 'email', 'total'];
  it.each([
    { list: '', column: 'email', on: true, out: 'email' },
    { list: 'total', column: 'id', on: true, out: 'id, total' },
    { list: 'id, email', column: 'email', on: false, out: 'id' },
    { list: 'id,email', column: 'email', on: true, out: 'id, email' },
    { list: 'typed_by_hand, id', column: 'name', on: true, out: 'id, name, typed_by_hand' },
  ])('$list with $column $on → $out', ({ list, column, on, out }) => {
    expect(toggleColumn(list, column, on, order)).toBe(out);
  });
});
