/**
 * What a notification says (PRODUCT.md §6): which task, what happened, the figures, and what to
 * do. One pure function for every channel (inbox, webhook, e-mail), so they all say the same.
 */
import type { FailureKind, NotificationKind, NotificationSeverity } from '@walbridge/vocabulary';

export type { NotificationKind, NotificationSeverity };

export interface NotifiedTask {
  id: string;
  name: string;
}

export type NotificationInput =
  | {
      kind: 'delayAlarm';
      delaySeconds: number;
      thresholdSeconds: number;
      sustainSeconds: number;
      /** Epoch ms: when the delay went above the threshold. */
      aboveSince: number;
      confirmedLsn: string | null;
      rowsReadPerSecond: number | null;
      rowsWrittenPerSecond: number | null;
      retainedWalBytes: number | null;
      throttle: { rowsPerSecond?: number; mbPerSecond?: number };
    }
  | {
      kind: 'delayRecovered';
      delaySeconds: number;
      thresholdSeconds: number;
      aboveSince: number;
      firedAt: number;
      peakSeconds: number;
      lastedSeconds: number;
    }
  | {
      kind: 'taskAbnormal';
      status: 'START_FAILED' | 'INCREMENTAL_FAILED';
      error: string;
      failureKind: FailureKind;
      /** With failureKind slotLost: which slot, why, and since which LSN changes are lost. */
      slotLost?: { slot: string; reason: 'dropped' | 'invalidated'; sinceLsn: string | null; figures: Record<string, string | number | null> };
      since: number;
      /** Still retrying (until retryUntil), or gave up. */
      retrying: boolean;
      retryUntil: number;
      autoStopAt: number;
    }
  | {
      kind: 'dataException';
      status: string;
      error: string;
      since: number;
      retrying: boolean;
      retryUntil: number;
    }
  | {
      kind: 'taskAutoStopped';
      previousStatus: string;
      since: number | null;
      abnormalStopDays: number;
      error: string | null;
    }
  | {
      kind: 'slotWalRetention';
      status: string;
      slotName: string;
      retainedWalBytes: number;
      limitBytes: number;
    }
  | {
      /** A source table needs attention: no key (UPDATE/DELETE fail or it is not captured), or rows before it was added were not delivered. */
      kind: 'sourceTable';
      event: 'keyless' | 'addedLate';
      table: string;
      detail: string;
    }
  | {
      kind: 'fullSyncFinished';
      tables: number;
      rowsSent: number;
      seconds: number;
      /** Tables that could not be read (dropped meanwhile, …). */
      notRead: string[];
    }
  | {
      kind: 'fullSyncFailed';
      error: string;
      tablesDone: number;
      tables: number;
      rowsSent: number;
    }
  | { kind: 'test'; channelName: string };

export type NotificationFigures = Record<string, string | number | boolean | null>;

export interface NotificationText {
  kind: NotificationKind;
  severity: NotificationSeverity;
  title: string;
  message: string;
  runbook: string;
  figures: NotificationFigures;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function describeNotification(task: NotifiedTask | null, input: NotificationInput): NotificationText {
  const name = task ? `task ${task.name}` : 'Walbridge';
  const named = task ? `task ${task.name} (${task.id})` : 'Walbridge';
  switch (input.kind) {
    case 'delayAlarm': {
      const throttle = throttleText(input.throttle);
      return {
        kind: input.kind,
        severity: 'warning',
        title: `${cap(name)}: delay ${formatSeconds(input.delaySeconds)}, above its ${formatSeconds(input.thresholdSeconds)} threshold for ${formatSeconds(input.sustainSeconds)}`,
        message:
          `The delay of ${named} has been above its threshold of ${formatSeconds(input.thresholdSeconds)} since ${iso(input.aboveSince)} ` +
          `(longer than the sustain window of ${formatSeconds(input.sustainSeconds)}); it is now ${formatSeconds(input.delaySeconds)}. ` +
          `Changes committed on the source reach Kafka that late. Rows read/written per second: ${rate(input.rowsReadPerSecond)}/${rate(input.rowsWrittenPerSecond)}; ` +
          `confirmed LSN ${input.confirmedLsn ?? 'none yet'}` +
          (input.retainedWalBytes !== null ? `; WAL retained by the slot: ${formatBytes(input.retainedWalBytes)}.` : '.'),
        runbook: [
          throttle
            ? `1. Throughput: if rows or bytes written per second sit at the task's throttle (${throttle}), the throttle is the bottleneck.`
            : '1. Throughput: compare rows read and written per second on the task page.',
          '2. If the task reads much more than it writes, Kafka is slow to acknowledge: check the brokers (request latency, under-replicated partitions, disk) and the network from the scheduler host.',
          '3. A bulk load or a large transaction on the source is sent in commit order: the delay falls once it is through; watch rows written per second.',
          '4. While the task lags, its replication slot keeps WAL on the source: make sure the source has the disk for it.',
          'A recovery notice follows when the delay is back at or below the threshold.',
        ].join('\n'),
        figures: {
          delaySeconds: round(input.delaySeconds),
          thresholdSeconds: input.thresholdSeconds,
          sustainSeconds: input.sustainSeconds,
          aboveSince: iso(input.aboveSince),
          confirmedLsn: input.confirmedLsn,
          rowsReadPerSecond: roundOrNull(input.rowsReadPerSecond),
          rowsWrittenPerSecond: roundOrNull(input.rowsWrittenPerSecond),
          retainedWalBytes: input.retainedWalBytes,
        },
      };
    }
    case 'delayRecovered':
      return {
        kind: input.kind,
        severity: 'info',
        title: `${cap(name)}: delay back to ${formatSeconds(input.delaySeconds)}, at or below its ${formatSeconds(input.thresholdSeconds)} threshold`,
        message:
          `The delay of ${named} is back at or below its threshold of ${formatSeconds(input.thresholdSeconds)}: ${formatSeconds(input.delaySeconds)} now. ` +
          `It had been above it since ${iso(input.aboveSince)} (${formatSeconds(input.lastedSeconds)}, alarm sent at ${iso(input.firedAt)}), peaking at ${formatSeconds(input.peakSeconds)}.`,
        runbook: 'Nothing to do. If it happens often, look at what made the task slow at that time (source load, Kafka latency, the throttle).',
        figures: {
          delaySeconds: round(input.delaySeconds),
          thresholdSeconds: input.thresholdSeconds,
          aboveSince: iso(input.aboveSince),
          alarmAt: iso(input.firedAt),
          peakDelaySeconds: round(input.peakSeconds),
          lastedSeconds: input.lastedSeconds,
        },
      };
    case 'taskAbnormal': {
      if (input.failureKind === 'slotLost') return slotLostText(task, input);
      const window = input.failureKind === 'network' ? 'connection' : 'other-failure';
      const figures = {
        status: input.status,
        failureKind: input.failureKind,
        error: input.error,
        failingSince: iso(input.since),
        retrying: input.retrying,
        retryUntil: iso(input.retryUntil),
        autoStopAt: iso(input.autoStopAt),
      };
      if (input.retrying) {
        return {
          kind: input.kind,
          severity: 'critical',
          title: `${cap(name)} is failing (${input.status}): ${clip(input.error, 120)}`,
          message:
            `${cap(named)} failed with ${article(input.failureKind)} ${input.failureKind} failure: ${input.error}. ` +
            `Walbridge restarts it with backoff until ${iso(input.retryUntil)} (the task's ${window} retry window). ` +
            'Changes committed meanwhile wait in the replication slot, and streaming continues from the confirmed LSN once a restart succeeds; ' +
            'if the slot turns out to be gone or invalidated, those changes are lost and the task fails saying so.',
          runbook: (input.failureKind === 'network'
            ? [
                '1. Check that the source database and the Kafka brokers are reachable from the scheduler hosts and accept connections (server restarts, firewall, DNS, TLS certificates).',
                '2. A short outage needs nothing: the task resumes by itself, and a notice is not repeated for the same failure episode.',
              ]
            : [
                '1. Read the error and the task log (level warning and error).',
                '2. Typical causes: a deleted topic, a privilege taken from the source user, a change larger than the broker accepts.',
                '3. Fix the cause: the task picks up by itself while it retries.',
              ]
          )
            .concat(`If the window passes, the task stays ${input.status === 'START_FAILED' ? 'START_FAILED' : 'INCREMENTAL_FAILED'} until resumed, and is stopped automatically at ${iso(input.autoStopAt)}.`)
            .join('\n'),
          figures,
        };
      }
      return {
        kind: input.kind,
        severity: 'critical',
        title: `${cap(name)} gave up retrying: ${input.status}`,
        message:
          `${cap(named)} is ${input.status}: it kept failing for its ${window} retry window (since ${iso(input.since)}), the last time with: ${input.error}. ` +
          `It is not restarted until someone resumes it, and will be stopped automatically at ${iso(input.autoStopAt)} (alarms.abnormalStopDays). ` +
          'Its replication slot keeps WAL on the source meanwhile.',
        runbook: [
          '1. Find the cause in the error and the task log (level warning and error), and fix it.',
          '2. Resume the task (Resume in the console, or POST /api/v1/tasks/{id}/resume): it streams again from its confirmed LSN.',
          '3. If the slot is gone or unusable, reset the task (changes committed in between are not delivered).',
          '4. If the task is no longer needed, stop it, so its slot stops retaining WAL on the source.',
        ].join('\n'),
        figures,
      };
    }
    case 'dataException':
      return {
        kind: input.kind,
        severity: 'critical',
        title: `${cap(name)}: data exception, a change cannot be delivered`,
        message:
          `${cap(named)} cannot deliver a change: ${input.error}. The change is not skipped: the task stops at it (${input.status}) ` +
          (input.retrying ? `and retries until ${iso(input.retryUntil)}` : 'and no longer retries') +
          '; nothing committed after it is delivered until it is.',
        runbook: [
          "1. The task log names the table and the message id of the change.",
          "2. A message larger than the broker accepts: raise the topic's max.message.bytes (and the broker's message.max.bytes and replica.fetch.max.bytes), or leave the large column out of the task; then resume the task.",
          '3. A value that cannot be encoded: check the column type and report it with the message id.',
        ].join('\n'),
        figures: { status: input.status, error: input.error, failingSince: iso(input.since), retrying: input.retrying, retryUntil: iso(input.retryUntil) },
      };
    case 'taskAutoStopped':
      return {
        kind: input.kind,
        severity: 'warning',
        title: `${cap(name)} was stopped automatically after ${input.abnormalStopDays} days abnormal`,
        message:
          `${cap(named)} had been abnormal (${input.previousStatus}) since ${iso(input.since) ?? 'an unknown time'} and was stopped after ` +
          `${input.abnormalStopDays} days (alarms.abnormalStopDays): its replication slot and publication are dropped, so the source no longer retains WAL for it.` +
          (input.error ? ` Last error: ${input.error}` : ''),
        runbook:
          'The task is COMPLETED and does not resume. To replicate these tables again, fix the cause of the failure and create a new task; ' +
          'changes committed between the failure and the new task’s start are not delivered.',
        figures: { previousStatus: input.previousStatus, failingSince: iso(input.since), abnormalStopDays: input.abnormalStopDays, error: input.error },
      };
    case 'slotWalRetention':
      return {
        kind: input.kind,
        severity: 'warning',
        title: `${cap(name)}: replication slot retains ${formatBytes(input.retainedWalBytes)} of WAL (limit ${formatBytes(input.limitBytes)})`,
        message:
          `Replication slot ${input.slotName} of ${named} retains ${formatBytes(input.retainedWalBytes)} of WAL on the source, above the limit of ` +
          `${formatBytes(input.limitBytes)}. The source keeps that WAL on disk until the task confirms it; a full disk stops the source database.`,
        runbook: [retentionAdvice(input.status), "To cap what any slot may keep, set max_slot_wal_keep_size on the source (a slot beyond it is invalidated and the task must be reset)."].join('\n'),
        figures: { status: input.status, slotName: input.slotName, retainedWalBytes: input.retainedWalBytes, limitBytes: input.limitBytes },
      };
    case 'sourceTable':
      return {
        kind: input.kind,
        severity: 'warning',
        title:
          input.event === 'keyless'
            ? `${cap(name)}: table ${input.table} has no primary key and no REPLICA IDENTITY FULL`
            : `${cap(name)}: table ${input.table} was added late, its earlier rows were not delivered`,
        message: `${cap(named)}: ${input.detail}.`,
        runbook: (input.event === 'keyless'
          ? [
              `1. Give ${input.table} a primary key, or run ALTER TABLE ${input.table} REPLICA IDENTITY FULL (every column then identifies a row).`,
              '2. Until then its UPDATE and DELETE are not captured: either they fail on the source (the publication takes the table with its schema), or the table is left out of the task.',
            ]
          : [
              `1. The rows ${input.table} held before it was added to the publication are not in Kafka: reload them downstream (for example from a SELECT on the source).`,
              '2. Or read them with a backfill: POST /api/v1/tasks/{id}/backfills {"tables":[{"schema":…,"table":…}]}. To capture new tables from their first row, have a superuser create the publication FOR TABLES IN SCHEMA (PostgreSQL 15+) or FOR ALL TABLES: the task uses it as it is.',
            ]
        ).join('\n'),
        figures: { table: input.table, event: input.event },
      };
    case 'fullSyncFinished':
      return {
        kind: input.kind,
        severity: input.notRead.length ? 'warning' : 'info',
        title: `${cap(name)}: full synchronization finished, ${input.rowsSent} row(s) of ${input.tables} table(s) in ${formatSeconds(input.seconds)}`,
        message:
          `The existing rows of ${named} have been delivered to Kafka (${input.rowsSent} row(s) from ${input.tables} table(s), ${formatSeconds(input.seconds)}); ` +
          'the task now streams changes only (INCREMENTAL).' +
          (input.notRead.length ? ` Not read: ${input.notRead.join(', ')}.` : ''),
        runbook: input.notRead.length
          ? 'A table that was not read (dropped during the synchronization, or not captured) can be read again with a backfill: POST /api/v1/tasks/{id}/backfills.'
          : 'Nothing to do.',
        figures: { tables: input.tables, rowsSent: input.rowsSent, seconds: Math.round(input.seconds), notRead: input.notRead.join(', ') || null },
      };
    case 'fullSyncFailed':
      return {
        kind: input.kind,
        severity: 'warning',
        title: `${cap(name)}: full synchronization interrupted after ${input.tablesDone}/${input.tables} table(s)`,
        message:
          `The full synchronization of ${named} stopped: ${input.error}. ${input.rowsSent} row(s) were delivered so far; ` +
          'every table resumes at its last acknowledged chunk when the task streams again.',
        runbook: 'Fix the cause shown in the task log (the task retries on its own within its retry window), or resume the task once it is fixed.',
        figures: { tablesDone: input.tablesDone, tables: input.tables, rowsSent: input.rowsSent, error: input.error },
      };
    case 'test':
      return {
        kind: input.kind,
        severity: 'info',
        title: `Test notification for channel ${input.channelName}`,
        message: `A test of notification channel ${input.channelName}, sent on request. If you read this, the channel works.`,
        runbook: 'Nothing to do.',
        figures: { channel: input.channelName },
      };
  }
}

/** A lost slot (dropped, or invalidated by max_slot_wal_keep_size): changes since its position are gone. */
function slotLostText(task: NotifiedTask | null, input: Extract<NotificationInput, { kind: 'taskAbnormal' }>): NotificationText {
  const name = task ? `task ${task.name}` : 'Walbridge';
  const named = task ? `task ${task.name} (${task.id})` : 'Walbridge';
  const lost = input.slotLost;
  const slot = lost?.slot ?? 'of the task';
  const since = lost?.sinceLsn ?? 'its last confirmed position';
  const what = lost?.reason === 'invalidated' ? 'was invalidated by the source (wal_status = lost)' : 'was dropped';
  const reset = task ? `POST /api/v1/tasks/${task.id}/reset` : 'POST /api/v1/tasks/{id}/reset';
  return {
    kind: 'taskAbnormal',
    severity: 'critical',
    title: `${cap(name)}: replication slot ${slot} ${lost?.reason === 'invalidated' ? 'invalidated' : 'dropped'}, changes since LSN ${since} cannot be recovered`,
    message:
      `Replication slot ${slot} of ${named} ${what}; changes since LSN ${since} cannot be recovered: they were committed on the source ` +
      `but never reached Kafka, and the source no longer keeps them for this task. The task is ${input.status} and is not retried ` +
      '(a new slot would start at the current position and skip those changes without a trace). ' +
      `Error: ${input.error}`,
    runbook: [
      `1. Reset the task (Reset in the console, or ${reset}): a new slot is created at the current WAL position; run the precheck again and submit the task. Changes committed between LSN ${since} and the reset are not delivered.`,
      '2. Then close the gap with a full synchronization of the captured tables: a backfill (POST /api/v1/tasks/{id}/backfills) re-reads their current rows; or reconcile them downstream.',
      lost?.reason === 'invalidated'
        ? `3. The slot needed more WAL than max_slot_wal_keep_size${lost.figures.maxSlotWalKeepSize ? ` (${lost.figures.maxSlotWalKeepSize})` : ''} keeps: raise it, or keep the task from lagging (pauses, failures) that long.`
        : '3. Find out who dropped the slot (the source\'s log shows pg_drop_replication_slot calls): slots of running tasks must be left alone; stop a task to remove its slot.',
      '4. If the task is no longer needed, stop or delete it instead.',
    ].join('\n'),
    figures: {
      status: input.status,
      failureKind: input.failureKind,
      error: input.error,
      failingSince: iso(input.since),
      retrying: false,
      autoStopAt: iso(input.autoStopAt),
      slotName: lost?.slot ?? null,
      slotLoss: lost?.reason ?? null,
      lostSinceLsn: lost?.sinceLsn ?? null,
      ...(lost?.reason === 'invalidated'
        ? { currentWalLsn: lost.figures.currentWalLsn ?? null, behindBytes: lost.figures.behindBytes ?? null, maxSlotWalKeepSize: lost.figures.maxSlotWalKeepSize ?? null }
        : {}),
    },
  };
}

function retentionAdvice(status: string): string {
  switch (status) {
    case 'PAUSED':
      return 'The task is PAUSED: resume it, or stop it (which drops the slot) if it is no longer needed.';
    case 'START_FAILED':
    case 'INCREMENTAL_FAILED':
      return 'The task is abnormal: fix its failure and resume it, or stop it (which drops the slot).';
    case 'COMPLETED':
    case 'STOP_FAILED':
    case 'CONFIGURATION':
      return 'The slot is left over (force stop or failed stop): drop it with the drop-slot action or the SQL shown on the task page.';
    default:
      return 'The task is streaming but behind, or the source writes WAL faster than the task confirms it: see the task’s delay and throughput.';
  }
}

function throttleText(throttle: { rowsPerSecond?: number; mbPerSecond?: number }): string {
  return [throttle.rowsPerSecond ? `${throttle.rowsPerSecond} rows/s` : '', throttle.mbPerSecond ? `${throttle.mbPerSecond} MB/s` : ''].filter(Boolean).join(', ');
}

/** "45 s", "6 min", "6 min 10 s", "2 h 5 min". */
export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '0 s';
  if (seconds < 60) return `${seconds < 10 ? Math.round(seconds * 10) / 10 : Math.round(seconds)} s`;
  const s = Math.round(seconds);
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
  const m = Math.floor((s % 3600) / 60);
  return `${Math.floor(s / 3600)} h${m ? ` ${m} min` : ''}`;
}

/** Binary units, as PostgreSQL's pg_size_pretty: "512 bytes", "1.5 MB", "12 GB". */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} bytes` : `${value >= 100 ? Math.round(value) : Math.round(value * 10) / 10} ${units[unit]}`;
}

function rate(value: number | null): string {
  return value === null ? 'unknown' : String(Math.round(value));
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

function roundOrNull(value: number | null): number | null {
  return value === null ? null : round(value);
}

function cap(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function article(word: string): string {
  return /^[aeiou]/i.test(word) ? 'an' : 'a';
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
