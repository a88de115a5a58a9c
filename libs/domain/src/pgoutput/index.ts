export { decodePgOutput } from './decode';
export { PgOutputDecodeError } from './byte-reader';
export {
  UNCHANGED_TOAST,
  COLUMN_FLAG_KEY,
  TRUNCATE_CASCADE,
  TRUNCATE_RESTART_IDENTITY,
  type UnchangedToast,
  type TupleValue,
  type Tuple,
  type ReplicaIdentity,
  type RelationColumn,
  type BeginMessage,
  type CommitMessage,
  type OriginMessage,
  type RelationMessage,
  type TypeMessage,
  type InsertMessage,
  type UpdateMessage,
  type DeleteMessage,
  type TruncateMessage,
  type LogicalMessage,
  type PgOutputMessage,
} from './messages';
