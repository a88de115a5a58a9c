/** A position that may be confirmed once every message enqueued before it is acknowledged. */
interface Marker {
  /** How many messages were enqueued before the position. */
  seq: number;
  lsn: bigint;
  /** The commit time of the transaction it ends (null: a keepalive or heartbeat position). */
  commitTime: number | null;
}

/**
 * Confirm tracking: which source position may be confirmed to PostgreSQL. A transaction's end,
 * or a keepalive/heartbeat position between transactions, is marked with the number of messages
 * enqueued before it; once Kafka acknowledged that many, the furthest such position is confirmed
 * (at-least-once: after a crash the slot resends from there). Like Debezium's offset context, it
 * knows positions and counts only, never the messages.
 */
export class ConfirmTracker {
  private readonly markers: Marker[] = [];
  private markersHead = 0;
  /** Snapshot chunks waiting for their acknowledgement. */
  private ackWaiters: { seq: number; run: () => void }[] = [];
  private confirmed: bigint;

  /**
   * @param confirmedLsn where the slot stands at start: what may be reported before anything new is acknowledged.
   * @param confirm tells the source a new confirmed position.
   */
  constructor(
    confirmedLsn: bigint,
    private readonly confirm: (lsn: bigint) => void,
  ) {
    this.confirmed = confirmedLsn;
  }

  get confirmedLsn(): bigint {
    return this.confirmed;
  }

  /** `lsn` may be confirmed once the first `seq` messages are acknowledged. */
  mark(seq: number, lsn: bigint, commitTime: number | null): void {
    const last = this.markers.length > this.markersHead ? this.markers[this.markers.length - 1] : null;
    // Consecutive markers with nothing between them collapse: only the latest position matters.
    if (last && last.seq === seq) {
      if (lsn > last.lsn) last.lsn = lsn;
      if (last.commitTime === null) last.commitTime = commitTime;
    } else {
      this.markers.push({ seq, lsn, commitTime });
    }
  }

  /** Runs `run` once the first `seq` messages are acknowledged (see acknowledged). */
  whenAcknowledged(seq: number, run: () => void): void {
    this.ackWaiters.push({ seq, run });
  }

  /**
   * The first `ackedSeq` messages are acknowledged: runs the waiters now due, then confirms the
   * furthest marker whose preceding messages are all acknowledged.
   */
  acknowledged(ackedSeq: number): void {
    let target = this.confirmed;
    while (this.markersHead < this.markers.length && this.markers[this.markersHead].seq <= ackedSeq) {
      const marker = this.markers[this.markersHead++];
      if (marker.lsn > target) target = marker.lsn;
    }
    if (this.markersHead > 1024 && this.markersHead * 2 > this.markers.length) {
      this.markers.splice(0, this.markersHead);
      this.markersHead = 0;
    }
    if (this.ackWaiters.length && this.ackWaiters[0].seq <= ackedSeq) {
      const due = this.ackWaiters.filter((w) => w.seq <= ackedSeq);
      this.ackWaiters = this.ackWaiters.filter((w) => w.seq > ackedSeq);
      for (const w of due) w.run();
    }
    if (target > this.confirmed) {
      this.confirmed = target;
      this.confirm(target);
    }
  }

  /** The commit time of the oldest transaction not confirmed yet (null: none waits). */
  oldestUnconfirmedCommitTime(): number | null {
    for (let i = this.markersHead; i < this.markers.length; i++) {
      const t = this.markers[i].commitTime;
      if (t !== null) return t;
    }
    return null;
  }
}
