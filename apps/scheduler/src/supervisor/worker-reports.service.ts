import { Injectable, Logger } from '@nestjs/common';
import { isNeverRetried, taskLogText } from '@walbridge/domain';
import { HEALTHY, TaskLogRepository, TaskRepository } from '@walbridge/persistence';
import type { WorkerToScheduler } from '@walbridge/queue';
import { TaskMonitor } from '../monitoring/task-monitor.service';
import { BackfillCoordinator } from '../snapshot/backfill-coordinator.service';
import { ObjectEdits } from './object-edit.service';
import { RestartSchedule } from './restart-schedule';
import type { ManagedWorker } from './supervised-workers';
import { slotPatch } from './worker-launcher.service';

/**
 * A restarted worker that connects is not yet proof of recovery (a change Kafka refuses fails
 * right after connecting, every time): the failure episode ends once the confirmed LSN moves,
 * or after this long streaming without a failure.
 */
const HEALTHY_AFTER_MS = 30_000;

/** What a worker reports over IPC: status, progress, slot facts, failures, snapshot positions. */
@Injectable()
export class WorkerReports {
  private readonly logger = new Logger(WorkerReports.name);

  constructor(
    private readonly tasks: TaskRepository,
    private readonly logs: TaskLogRepository,
    private readonly monitor: TaskMonitor,
    private readonly backfills: BackfillCoordinator,
    private readonly restarts: RestartSchedule,
    private readonly objectEdits: ObjectEdits,
  ) {}

  async handle(worker: ManagedWorker, message: WorkerToScheduler): Promise<void> {
    const { taskId } = worker;
    switch (message.type) {
      case 'log':
        await this.logs.append(taskId, message.level, message.message);
        return;
      case 'streaming':
        worker.streaming = true;
        worker.probation = { since: Date.now(), baselineLsn: undefined, done: false };
        // In line with the snapshot reports: a full synchronization that finishes at once still
        // finds the task in FULL_SYNC, never before it.
        worker.snapshotChain = (worker.snapshotChain ?? Promise.resolve())
          .then(() => this.streaming(worker))
          .catch((e: Error) => this.logger.error(`streaming report of task ${taskId}: ${e.message}`));
        return worker.snapshotChain;
      case 'progress':
        await this.tasks.update(taskId, {
          confirmedLsn: message.progress.confirmedLsn,
          delaySeconds: message.progress.delayMs / 1000,
        });
        await this.checkRecovered(worker, message.progress.confirmedLsn);
        await this.monitor.progress(taskId, message.progress);
        return;
      case 'tableNotice':
        await this.monitor.tableNotice(taskId, message.notice).catch((e: Error) => this.logger.warn(`notifying a table of task ${taskId}: ${e.message}`));
        return;
      case 'slotCreated': {
        // Before anything else may read the task again (a restart after a crash reads it): the
        // slot this task created must never be created again silently if it disappears.
        const write = this.tasks.update(taskId, { slotCreatedLsn: message.lsn, slotExists: true });
        worker.writes = worker.writes.then(() => write).catch((e: Error) => this.logger.error(`recording the slot of task ${taskId}: ${e.message}`));
        await write;
        return;
      }
      case 'slot':
        await this.tasks.update(taskId, slotPatch(message.slot));
        await this.monitor.slotMeasured(taskId, message.slot);
        return;
      case 'failed':
        worker.failure = {
          message: message.message,
          kind: message.kind,
          retry: !isNeverRetried(message.kind) && message.retry !== false,
          dataException: !!message.dataException,
          ...(message.slotLost ? { slotLost: message.slotLost } : {}),
        };
        this.logger.warn(`worker of task ${taskId} failed (${message.kind}): ${message.message}`);
        await this.logs.append(taskId, 'error', message.message);
        if (message.dataException) {
          await this.logs.append(taskId, 'error', taskLogText.dataException(message.dataException.table, message.dataException.messageId));
        }
        return;
      case 'stopped':
        worker.stoppedCleanly = true;
        return;
      case 'snapshot':
        worker.snapshotChain = (worker.snapshotChain ?? Promise.resolve())
          .then(() => this.backfills.record(taskId, message))
          .catch((e: Error) => this.logger.error(`snapshot progress of task ${taskId}: ${e.message}`));
        return worker.snapshotChain;
      case 'tablesAdded':
        // The reconcile loop hands the backfill to this worker like any other.
        await this.backfills.tablesAdded(taskId, message.tables).catch((e: Error) => this.logger.warn(`backfill of the new tables of task ${taskId}: ${e.message}`));
        return;
    }
  }

  /** The worker streams: the task is FULL_SYNC while its full synchronization is open, else INCREMENTAL. */
  private async streaming(worker: ManagedWorker): Promise<void> {
    const { taskId } = worker;
    // A full synchronization still to finish puts the streaming task in FULL_SYNC.
    await this.tasks.transition(taskId, ['STARTING', 'INCREMENTAL_FAILED'], await this.backfills.streamingStatus(taskId), { lastError: null });
    this.monitor.streaming(taskId);
    await this.objectEdits.streamed(worker);
  }

  /** Ends the failure episode once the stream moved past where it was stuck (or held long enough). */
  private async checkRecovered(worker: ManagedWorker, confirmedLsn: string | null): Promise<void> {
    const probation = worker.probation;
    if (!probation || probation.done) return;
    if (probation.baselineLsn === undefined) probation.baselineLsn = confirmedLsn;
    const moved = confirmedLsn !== probation.baselineLsn;
    if (!moved && Date.now() - probation.since < HEALTHY_AFTER_MS) return;
    probation.done = true;
    const failures = this.restarts.endEpisode(worker.taskId);
    await this.tasks.update(worker.taskId, HEALTHY);
    if (failures > 0) await this.logs.append(worker.taskId, 'info', taskLogText.recovered(failures));
  }
}
