import type { PolicyConfig, TableSelection } from '@walbridge/contracts';
import type { PgOutputMessage, RelationSchema } from '@walbridge/domain';
import { createRouter, type TableRoute } from '../routing';

/** Stream messages of one table (shop.orders, OID 42) for the pipeline's specs. */
export const RELATION: PgOutputMessage = {
  tag: 'relation',
  relationId: 42,
  schema: 'shop',
  table: 'orders',
  replicaIdentity: 'd',
  columns: [
    { flags: 1, isKey: true, name: 'id', typeOid: 20, typeMod: -1 },
    { flags: 0, isKey: false, name: 'note', typeOid: 25, typeMod: -1 },
  ],
};

export const SCHEMA: RelationSchema = {
  relationId: 42,
  database: 'demo',
  schema: 'shop',
  table: 'orders',
  replicaIdentity: 'd',
  columns: [
    { name: 'id', type: 'bigint', kind: 'decimal' },
    { name: 'note', type: 'text', kind: 'text' },
  ],
  pkNames: ['id'],
};

/** A task's policy for the worker's unit specs: shop.orders to the topic `orders`, JSON, incremental. */
export function policyConfig(overrides: Partial<PolicyConfig> = {}): PolicyConfig {
  return {
    dmlOperations: ['INSERT', 'UPDATE', 'DELETE'],
    objectScope: 'tables',
    tables: [{ schema: 'shop', table: 'orders' }],
    topicPolicy: { mode: 'specific', topic: 'orders' },
    partitionPolicy: 'table',
    format: 'json',
    compression: 'none',
    syncMode: 'incremental',
    ...overrides,
  };
}

/** The route the worker's router builds for SCHEMA under a policy (one table, one topic). */
export function routeFor(selection: Partial<TableSelection> = {}, policy: Partial<PolicyConfig> = {}): TableRoute {
  const base = policyConfig({ tables: [{ schema: 'shop', table: 'orders', ...selection }] });
  return createRouter({ ...base, ...policy }, new Map([['orders', 1]]))(SCHEMA)!;
}

export const ROUTE = routeFor();

export function tx(commitLsn: bigint, endLsn: bigint, rows: number[]): PgOutputMessage[] {
  return [
    { tag: 'begin', finalLsn: commitLsn, commitTime: 1_700_000_000_000, xid: 7 },
    ...rows.map((id): PgOutputMessage => ({ tag: 'insert', relationId: 42, newTuple: [String(id), `row ${id}`] })),
    { tag: 'commit', flags: 0, commitLsn, endLsn, commitTime: 1_700_000_000_000 },
  ];
}
