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
