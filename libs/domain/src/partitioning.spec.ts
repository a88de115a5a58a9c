import { describe, expect, it } from 'vitest';
import { murmur2, toPositive } from './murmur2';
import { choosePartition, hashPartition, partitionHashInput, PARTITION_POLICIES, TablePartitioner } from './partitioning';

const orders = { database: 'shop', schema: 'public', table: 'orders' };

describe('partitioning', () => {
  it('hashes like the Java default partitioner', () => {
    // toPositive(-973932308) = 1173551340; 1173551340 % 10 = 0, % 7 = 1173551340 - 7 * 167650191 = 3
    expect(hashPartition('21', 10)).toBe(0);
    expect(hashPartition('21', 7)).toBe(3);
    expect(hashPartition('foobar', 1)).toBe(0);
  });

  it('defines the hashed string per policy', () => {
    expect(partitionHashInput('table', orders, '["1"]')).toBe('shop.public.orders');
    expect(partitionHashInput('schema', orders, '["1"]')).toBe('shop.public');
    expect(partitionHashInput('primaryKey', orders, '["1"]')).toBe('["1"]');
    expect(partitionHashInput('primaryKey', orders, null)).toBe('shop.public.orders');
    expect(partitionHashInput('zero', orders, '["1"]')).toBeNull();
  });

  it('chooses partitions per policy', () => {
    const p = (s: string) => toPositive(murmur2(s)) % 12;
    expect(choosePartition('table', 12, orders, '["1"]')).toBe(p('shop.public.orders'));
    expect(choosePartition('schema', 12, orders, null)).toBe(p('shop.public'));
    expect(choosePartition('primaryKey', 12, orders, '["42"]')).toBe(p('["42"]'));
    expect(choosePartition('primaryKey', 12, orders, null)).toBe(p('shop.public.orders'));
    expect(choosePartition('zero', 12, orders, '["42"]')).toBe(0);
  });

  it('spreads primary keys over partitions', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 200; i++) seen.add(choosePartition('primaryKey', 8, orders, JSON.stringify([String(i)])));
    expect(seen.size).toBe(8);
  });

  it('TablePartitioner agrees with choosePartition for every policy', () => {
    for (const policy of PARTITION_POLICIES) {
      const tp = new TablePartitioner(policy, 6, orders);
      for (const key of ['["1"]', '["2","x"]', null]) {
        expect(tp.partition(key), `${policy} ${key}`).toBe(choosePartition(policy, 6, orders, key));
      }
    }
  });

  it('rejects bad partition counts and policies', () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      expect(() => hashPartition('x', bad)).toThrow(RangeError);
      expect(() => choosePartition('zero', bad, orders, null)).toThrow(RangeError);
    }
    expect(() => choosePartition('random' as never, 3, orders, null)).toThrow(/unknown partition policy/);
  });
});
