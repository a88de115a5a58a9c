export { parseLsn, formatLsn, lsnToHex16, compareLsn, maxLsn } from './lsn';
export { messageId } from './message-id';
export * from './pgoutput';
export type { ColumnSchema, RelationSchema } from './relation-schema';
export { identityColumnsOf, shapeChange, type CatalogKeys, type ShapeChange } from './relation-shape';
export {
  EnvelopeEncoder,
  EnvelopeEncodeError,
  messageKey,
  type ChangeKind,
  type OperationKind,
  type TruncateChange,
  type SchemaChangeEvent,
  type TruncateOptions,
  type EnvelopeOptions,
  type EnvelopeRecord,
  type EnvelopeRow,
  type RowChange,
} from './envelope';
export { textCastOf, castOutputToText, type TextCast } from './pg-text-cast';
export { columnProjection, type ColumnList, type ColumnProjection } from './column-projection';
export { murmur2, toPositive } from './murmur2';
export {
  PARTITION_POLICIES,
  TablePartitioner,
  choosePartition,
  hashPartition,
  partitionHashInput,
  type PartitionPolicy,
  type TableRef,
} from './partitioning';
export { MAX_TOPIC_NAME_LENGTH, renderTopicName, validateTopicName, type TopicNameResult } from './topic-name';

// Task rules that live in this library alongside the data path.
export * from './errors';
export * from './task-lifecycle';
export * from './task-edit-scope';
export { quoteIdent, quoteLiteral, qualifiedName } from './sql-text';
export { canonicalJson } from './canonical-json';
export { REDACTED, redactSecrets, redactUrlPath } from './redact';
export { applyMergePatch } from './json-merge-patch';
export { topicOfTable, topicNameProblems, type TopicRouting } from './task-topics';
export * from './precheck';
export { defaultSlotName } from './slot-name';
export * from './access-policy';
export * from './failure-policy';
export * from './task-failure';
export * from './slot-loss';
export * from './publication-scope';
export * from './slot-cleanup';
export * from './delay-alarm';
export { TokenBucket } from './token-bucket';
export * from './notification-text';
export * from './channel-choice';
export * from './slot-retention-alarm';
export * from './webhook-signature';
export * from './task-metrics';
export * from './row-filter';
export * from './credential-endpoint';
export * from './formats';
export * from './snapshot';
export * from './supervision';
export * from './catch-up-eta';
