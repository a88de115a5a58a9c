import { SlotLostError } from './task-failure';
import { formatBytes } from './notification-text';

/**
 * Whether a starting worker may use, must create, or has lost its replication slot
 * (PRODUCT.md §12, issue 12 item 6). A slot this task created, or one it ever confirmed a
 * position in, is never created again behind the operator's back: a new slot starts at the
 * current WAL position, so everything committed since the old one's position would be skipped
 * without a trace. Pure: the worker reads the facts, this decides and words the failure.
 */

/** The slot as pg_replication_slots shows it (null fields when it does not exist). */
export interface ObservedSlot {
  exists: boolean;
  /** pg_replication_slots.wal_status (PostgreSQL 13+): reserved, extended, unreserved, lost. */
  walStatus: string | null;
  confirmedLsn: string | null;
}

/** What the task remembers of its slot (metadata database). */
export interface SlotHistory {
  /** The last position the task confirmed (null: never confirmed one). */
  confirmedLsn: string | null;
  /** Where the slot this task created starts (its consistent point); null: not created by it. */
  createdLsn: string | null;
}

/** The server's WAL figures, for the invalidated case. */
export interface SlotWalFigures {
  currentLsn: string | null;
  /** max_slot_wal_keep_size as the server shows it (e.g. 64MB; -1 is unlimited). */
  maxSlotWalKeepSize: string | null;
  /** pg_wal_lsn_diff(current WAL, the slot's confirmed LSN). */
  behindBytes: number | null;
}

export type SlotDecision = { action: 'use' } | { action: 'create' } | { action: 'lost'; error: SlotLostError };

/** How to get going again, shared by every slot-loss text. */
export const SLOT_LOSS_WAY_OUT =
  'reset the task to create a new slot and stream from then on (changes committed before the reset are not delivered); ' +
  'then resynchronize the affected tables with a backfill (POST /api/v1/tasks/{id}/backfills), or reconcile them downstream, for the changes in between';

export function decideSlot(slot: string, observed: ObservedSlot, history: SlotHistory, wal: SlotWalFigures = { currentLsn: null, maxSlotWalKeepSize: null, behindBytes: null }): SlotDecision {
  const known = history.confirmedLsn ?? history.createdLsn;
  if (observed.exists && observed.walStatus === 'lost') {
    const since = observed.confirmedLsn ?? known;
    const figures = {
      slotName: slot,
      walStatus: 'lost',
      lostSinceLsn: since,
      currentWalLsn: wal.currentLsn,
      behindBytes: wal.behindBytes,
      maxSlotWalKeepSize: wal.maxSlotWalKeepSize,
    };
    const how = [
      wal.maxSlotWalKeepSize ? `it needed more WAL than max_slot_wal_keep_size = ${wal.maxSlotWalKeepSize} keeps` : 'it needed more WAL than the server keeps',
      wal.currentLsn ? `the WAL is now at ${wal.currentLsn}` : null,
      wal.behindBytes !== null ? `${formatBytes(wal.behindBytes)} past the slot's confirmed LSN` : null,
    ]
      .filter(Boolean)
      .join(', ');
    return {
      action: 'lost',
      error: new SlotLostError(
        slot,
        'invalidated',
        since,
        `replication slot ${slot} was invalidated by the source (wal_status = lost: ${how}); changes since LSN ${since ?? 'its last position'} ` +
          `cannot be recovered: the WAL holding them was removed; ${SLOT_LOSS_WAY_OUT}; raise max_slot_wal_keep_size so it does not happen again`,
        figures,
      ),
    };
  }
  if (observed.exists) return { action: 'use' };
  if (known === null) return { action: 'create' };
  return {
    action: 'lost',
    error: new SlotLostError(
      slot,
      'dropped',
      known,
      `replication slot ${slot} was dropped; changes since LSN ${known} cannot be recovered (the slot no longer exists on the source, ` +
        `and a new one would start at the current position and skip them silently, so none is created); ${SLOT_LOSS_WAY_OUT}`,
      { slotName: slot, lostSinceLsn: known, currentWalLsn: wal.currentLsn },
    ),
  };
}
