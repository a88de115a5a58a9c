import { ByteReader, PgOutputDecodeError } from './byte-reader';
import {
  COLUMN_FLAG_KEY,
  TRUNCATE_CASCADE,
  TRUNCATE_RESTART_IDENTITY,
  UNCHANGED_TOAST,
  type PgOutputMessage,
  type RelationColumn,
  type ReplicaIdentity,
  type TupleValue,
} from './messages';

// Message and tuple tags as byte values, so dispatch is an integer switch.
const BEGIN = 0x42; // B
const COMMIT = 0x43; // C
const ORIGIN = 0x4f; // O
const RELATION = 0x52; // R
const TYPE = 0x59; // Y
const INSERT = 0x49; // I
const UPDATE = 0x55; // U
const DELETE = 0x44; // D
const TRUNCATE = 0x54; // T
const MESSAGE = 0x4d; // M

const TUPLE_NEW = 0x4e; // N
const TUPLE_KEY = 0x4b; // K
const TUPLE_OLD = 0x4f; // O

const VALUE_NULL = 0x6e; // n
const VALUE_TOAST = 0x75; // u
const VALUE_TEXT = 0x74; // t
const VALUE_BINARY = 0x62; // b

// Tags that exist in later protocol versions (streaming, two-phase); naming them makes the error
// point at the likely cause: a slot or subscription started with options we do not support.
const LATER_VERSION_TAGS: Record<string, string> = {
  S: 'Stream Start',
  E: 'Stream Stop',
  c: 'Stream Commit',
  A: 'Stream Abort',
  b: 'Begin Prepare',
  P: 'Prepare',
  K: 'Commit Prepared',
  r: 'Rollback Prepared',
  p: 'Stream Prepare',
};

function describeByte(b: number): string {
  return `'${String.fromCharCode(b)}' (0x${b.toString(16).padStart(2, '0')})`;
}

function describeMessageType(tag: number): string {
  const later = LATER_VERSION_TAGS[String.fromCharCode(tag)];
  return later === undefined
    ? describeByte(tag)
    : `${describeByte(tag)}, ${later}: sent for proto_version > 1 or the streaming/two_phase options; only proto_version 1 is supported`;
}

function readTuple(r: ByteReader): TupleValue[] {
  const count = r.u16('tuple column count');
  const values = new Array<TupleValue>(count);
  for (let i = 0; i < count; i++) {
    const kind = r.u8('tuple value kind');
    switch (kind) {
      case VALUE_TEXT:
        values[i] = r.text(r.i32('text value length'), 'text value');
        break;
      case VALUE_NULL:
        values[i] = null;
        break;
      case VALUE_TOAST:
        values[i] = UNCHANGED_TOAST;
        break;
      case VALUE_BINARY:
        values[i] = r.bytes(r.i32('binary value length'), 'binary value');
        break;
      default:
        throw new PgOutputDecodeError(`unknown tuple value kind ${describeByte(kind)} for column ${i} at offset ${r.pos - 1}`);
    }
  }
  return values;
}

function expectTupleTag(r: ByteReader, expected: number, what: string): void {
  const tag = r.u8(what);
  if (tag !== expected) {
    throw new PgOutputDecodeError(`expected ${what} '${String.fromCharCode(expected)}', got ${describeByte(tag)} at offset ${r.pos - 1}`);
  }
}

function readReplicaIdentity(r: ByteReader): ReplicaIdentity {
  const c = r.u8('replica identity');
  // d, n, f, i
  if (c === 0x64 || c === 0x6e || c === 0x66 || c === 0x69) return String.fromCharCode(c) as ReplicaIdentity;
  throw new PgOutputDecodeError(`unknown replica identity ${describeByte(c)} at offset ${r.pos - 1}`);
}

/**
 * Decodes one pgoutput message: the XLogData payload, i.e. the bytes after the 25-byte 'w'
 * header of a CopyData frame. Pass `offset` to skip that header without slicing. Throws
 * PgOutputDecodeError on unknown message types, truncation or trailing bytes.
 */
export function decodePgOutput(buf: Buffer, offset = 0): PgOutputMessage {
  const r = new ByteReader(buf, offset);
  const tag = r.u8('message type');
  let msg: PgOutputMessage;
  switch (tag) {
    case INSERT: {
      const relationId = r.u32('relation id');
      expectTupleTag(r, TUPLE_NEW, 'new tuple marker');
      msg = { tag: 'insert', relationId, newTuple: readTuple(r) };
      break;
    }
    case UPDATE: {
      const relationId = r.u32('relation id');
      let keyTuple: TupleValue[] | null = null;
      let oldTuple: TupleValue[] | null = null;
      let marker = r.u8('tuple marker');
      if (marker === TUPLE_KEY) {
        keyTuple = readTuple(r);
        marker = r.u8('new tuple marker');
      } else if (marker === TUPLE_OLD) {
        oldTuple = readTuple(r);
        marker = r.u8('new tuple marker');
      }
      if (marker !== TUPLE_NEW) {
        throw new PgOutputDecodeError(`expected update tuple marker 'K', 'O' or 'N', got ${describeByte(marker)} at offset ${r.pos - 1}`);
      }
      msg = { tag: 'update', relationId, keyTuple, oldTuple, newTuple: readTuple(r) };
      break;
    }
    case DELETE: {
      const relationId = r.u32('relation id');
      const marker = r.u8('tuple marker');
      if (marker !== TUPLE_KEY && marker !== TUPLE_OLD) {
        throw new PgOutputDecodeError(`expected delete tuple marker 'K' or 'O', got ${describeByte(marker)} at offset ${r.pos - 1}`);
      }
      const tuple = readTuple(r);
      msg = marker === TUPLE_KEY
        ? { tag: 'delete', relationId, keyTuple: tuple, oldTuple: null }
        : { tag: 'delete', relationId, keyTuple: null, oldTuple: tuple };
      break;
    }
    case BEGIN:
      msg = { tag: 'begin', finalLsn: r.u64('final LSN'), commitTime: r.timestampMs('commit time'), xid: r.u32('xid') };
      break;
    case COMMIT:
      msg = {
        tag: 'commit',
        flags: r.u8('commit flags'),
        commitLsn: r.u64('commit LSN'),
        endLsn: r.u64('end LSN'),
        commitTime: r.timestampMs('commit time'),
      };
      break;
    case RELATION: {
      const relationId = r.u32('relation id');
      const schema = r.cstring('namespace');
      const table = r.cstring('relation name');
      const replicaIdentity = readReplicaIdentity(r);
      const count = r.u16('column count');
      const columns: RelationColumn[] = new Array<RelationColumn>(count);
      for (let i = 0; i < count; i++) {
        const flags = r.u8('column flags');
        columns[i] = {
          flags,
          isKey: (flags & COLUMN_FLAG_KEY) !== 0,
          name: r.cstring('column name'),
          typeOid: r.u32('column type oid'),
          typeMod: r.i32('column type modifier'),
        };
      }
      msg = { tag: 'relation', relationId, schema, table, replicaIdentity, columns };
      break;
    }
    case TYPE:
      msg = { tag: 'type', typeOid: r.u32('type oid'), schema: r.cstring('type namespace'), name: r.cstring('type name') };
      break;
    case ORIGIN:
      msg = { tag: 'origin', originLsn: r.u64('origin LSN'), name: r.cstring('origin name') };
      break;
    case TRUNCATE: {
      const count = r.u32('relation count');
      const options = r.u8('truncate options');
      const relationIds: number[] = [];
      for (let i = 0; i < count; i++) relationIds.push(r.u32('relation id'));
      msg = {
        tag: 'truncate',
        relationIds,
        options,
        cascade: (options & TRUNCATE_CASCADE) !== 0,
        restartIdentity: (options & TRUNCATE_RESTART_IDENTITY) !== 0,
      };
      break;
    }
    case MESSAGE: {
      const flags = r.u8('message flags');
      const lsn = r.u64('message LSN');
      const prefix = r.cstring('message prefix');
      const content = r.bytes(r.i32('message content length'), 'message content');
      msg = { tag: 'message', transactional: (flags & 1) !== 0, lsn, prefix, content };
      break;
    }
    default:
      throw new PgOutputDecodeError(`unknown pgoutput message type ${describeMessageType(tag)} at offset ${offset}`);
  }
  r.expectEnd(msg.tag + ' message');
  return msg;
}
