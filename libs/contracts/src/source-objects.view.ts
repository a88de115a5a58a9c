export type ReplicaIdentity = 'default' | 'full' | 'index' | 'nothing';

export interface SourceTableView {
  name: string;
  /** r = table, p = partitioned table (its partitions publish under its name). */
  kind: 'table' | 'partitioned';
  primaryKey: string[];
  replicaIdentity: ReplicaIdentity;
  /** pg_class.reltuples (summed over partitions); null when never analyzed. */
  estimatedRows: number | null;
  unlogged: boolean;
  temporary: boolean;
  /** false when the task's role may not SELECT it. */
  selectable: boolean;
  /** Its columns in table order (the pick list of include/exclude columns). */
  columns: string[];
}

export interface SourceSchemaView {
  name: string;
  tables: SourceTableView[];
}

export interface SourceObjectsView {
  database: string;
  schemas: SourceSchemaView[];
  tableCount: number;
}

/** A topic of the task's Kafka cluster, for the topic pick lists. */
export interface DestinationTopicView {
  name: string;
  partitions: number;
}

export interface DestinationTopicsView {
  /** Sorted by name; internal topics (`__…`) left out. */
  topics: DestinationTopicView[];
  /** More topics than a pick list shows (the first ones by name are listed). */
  truncated: boolean;
}
