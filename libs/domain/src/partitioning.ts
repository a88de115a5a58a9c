import { murmur2, toPositive } from './murmur2';

export type PartitionPolicy = 'table' | 'primaryKey' | 'schema' | 'zero';

export const PARTITION_POLICIES: readonly PartitionPolicy[] = ['table', 'primaryKey', 'schema', 'zero'];

export interface TableRef {
  database: string;
  schema: string;
  table: string;
}

function checkCount(partitionCount: number): void {
  if (!Number.isInteger(partitionCount) || partitionCount < 1) {
    throw new RangeError(`partition count must be a positive integer, got ${partitionCount}`);
  }
}

/** Kafka's choice for a hashed string: toPositive(murmur2(utf8(s))) % partitionCount. */
export function hashPartition(hashInput: string, partitionCount: number): number {
  checkCount(partitionCount);
  return toPositive(murmur2(hashInput)) % partitionCount;
}

/**
 * The string a policy hashes, or null when the policy does not hash (zero → partition 0):
 *
 * - table: `database.schema.table`
 * - primaryKey: the Kafka message key text, i.e. the JSON array of primary key values as
 *   strings exactly as messageKey() renders it ('["42"]', '["7","a\\"b"]'), so the partition is
 *   a function of the key and a consumer can recompute it from the record key; a table
 *   without a primary key (messageKey null) falls back to the table string
 * - schema: `database.schema`
 */
export function partitionHashInput(policy: PartitionPolicy, table: TableRef, messageKey: string | null): string | null {
  switch (policy) {
    case 'table':
      return table.database + '.' + table.schema + '.' + table.table;
    case 'primaryKey':
      return messageKey ?? table.database + '.' + table.schema + '.' + table.table;
    case 'schema':
      return table.database + '.' + table.schema;
    case 'zero':
      return null;
    default:
      throw new Error(`unknown partition policy ${JSON.stringify(policy)}`);
  }
}

export function choosePartition(policy: PartitionPolicy, partitionCount: number, table: TableRef, messageKey: string | null): number {
  checkCount(partitionCount);
  const input = partitionHashInput(policy, table, messageKey);
  return input === null ? 0 : toPositive(murmur2(input)) % partitionCount;
}

/**
 * choosePartition for one table and topic, with the per-table answer computed once: only the
 * primaryKey policy with a keyed table has to hash per message.
 */
export class TablePartitioner {
  private readonly fixed: number;
  private readonly perKey: boolean;

  constructor(
    readonly policy: PartitionPolicy,
    readonly partitionCount: number,
    table: TableRef,
  ) {
    this.fixed = choosePartition(policy, partitionCount, table, null);
    this.perKey = policy === 'primaryKey';
  }

  partition(messageKey: string | Uint8Array | null): number {
    return this.perKey && messageKey !== null ? toPositive(murmur2(messageKey)) % this.partitionCount : this.fixed;
  }
}
