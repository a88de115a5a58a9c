import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { fork, type ChildProcess } from 'node:child_process';
import type { AppConfig } from '@walbridge/config';
import { FORCE_STOPPED_ERROR, type TaskConfig, type TaskStatus } from '@walbridge/contracts';
import { abnormalStopAt, decideRetry, isNeverRetried, retryWindowMs, slotCleanupSql, type FailureKind, type RetryDecision } from '@walbridge/domain';
import { APP_CONFIG } from '@walbridge/nest-common';
import { HEALTHY, SecretsService, connectionsWithSecrets, TaskLogRepository, TaskRepository, type TaskEntity, type TaskRuntimePatch } from '@walbridge/persistence';
import type { SchedulerToWorker, SlotLostReport, SlotReport, WorkerMode, WorkerTaskConfig, WorkerToScheduler } from '@walbridge/queue';
import { FleetRegistry } from '../fleet/fleet-registry.service';
import { TaskLeaseService } from '../lease/task-lease.service';
import { TaskMonitor } from '../monitoring/task-monitor.service';
import { BackfillCoordinator } from '../snapshot/backfill-coordinator.service';
import { restartDelayMs } from './backoff';
import { workerTuning } from '../worker-tuning';

/** Statuses in which a task should have a streaming worker somewhere (unless its retries gave up). */
const RUNNABLE: TaskStatus[] = ['STARTING', 'FULL_SYNC', 'INCREMENTAL', 'INCREMENTAL_FAILED'];
/** Where reset may run: the statuses §4 allows it in, plus those a failing task flickers through meanwhile. */
const RESETTABLE: TaskStatus[] = ['PAUSED', 'INCREMENTAL_FAILED', 'START_FAILED', 'STARTING', 'FULL_SYNC', 'INCREMENTAL'];
const RECONCILE_EVERY_MS = 2000;
const GRACEFUL_STOP_TIMEOUT_MS = 60_000;
const INSPECT_TIMEOUT_MS = 30_000;
const WORKER_MAX_OLD_SPACE_MB = 128;
const WORKER_MAX_SEMI_SPACE_MB = 8;
/**
 * A restarted worker that connects is not yet proof of recovery (a change Kafka refuses fails
 * right after connecting, every time): the failure episode ends once the confirmed LSN moves,
 * or after this long streaming without a failure.
 */
const HEALTHY_AFTER_MS = 30_000;

/**
 * Why a worker process runs, which decides what its exit means:
 * stream (an unexpected exit is a failure to retry), pause / stop / forceStop (asked to end),
 * teardown (drop slot and publication for a stop), dropSlot (the same for a leftover slot),
 * reset (drop and recreate the slot), resetPending (a streaming worker killed to make way for a reset),
 * apply (a streaming worker draining so that a new one streams the edited tables), publish (alter the
 * publication of a paused task whose tables were edited), handover (a streaming worker draining so
 * that another scheduler adopts the task: a drain or a rebalance).
 */
type Intent = 'stream' | 'pause' | 'stop' | 'forceStop' | 'teardown' | 'dropSlot' | 'reset' | 'resetPending' | 'apply' | 'publish' | 'handover';

interface ManagedWorker {
  taskId: string;
  child: ChildProcess;
  mode: WorkerMode;
  intent: Intent;
  streaming: boolean;
  stoppedCleanly: boolean;
  failure: { message: string; kind: FailureKind; retry: boolean; dataException: boolean; slotLost?: SlotLostReport } | null;
  /** Metadata writes a report asked for (the slot's creation point): done before the exit is handled. */
  writes: Promise<unknown>;
  killTimer?: NodeJS.Timeout;
  /** Set once streaming: the failure episode is closed when the stream proves healthy. */
  probation?: { since: number; baselineLsn: string | null | undefined; done: boolean };
  /**
   * A stream started for edited tables (the task as read at the start): the edit counts as
   * applied once this worker streams, i.e. its publication is altered.
   */
  applying?: TaskEntity;
  /** Backfills this worker was given (at its start or since), so each is sent once. */
  backfillIds?: Set<string>;
  /** Snapshot reports are stored one after the other, in the order the worker sent them. */
  snapshotChain?: Promise<void>;
}

/**
 * Owns worker processes: one per running task, on the scheduler that holds the task's lease.
 * Everything here reacts to the task's status in the metadata database, so a control job, a
 * restart of this process or the death of another scheduler all converge the same way.
 * Operations on one task are serialized, so two paths (a job and the reconcile loop) can never
 * both fork a worker for the same slot.
 */
@Injectable()
export class WorkerSupervisor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WorkerSupervisor.name);
  private readonly workers = new Map<string, ManagedWorker>();
  /** Tasks whose lease we hold, with or without a live process (e.g. waiting to restart). */
  private readonly owned = new Set<string>();
  private readonly restartAttempts = new Map<string, number>();
  private readonly restartTimers = new Map<string, NodeJS.Timeout>();
  private readonly serial = new Map<string, Promise<void>>();
  private reconcileTimer?: NodeJS.Timeout;
  private renewTimer?: NodeJS.Timeout;
  private reconciling = false;
  private shuttingDown = false;
  private readonly workerEntry: string;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly tasks: TaskRepository,
    private readonly logs: TaskLogRepository,
    private readonly secrets: SecretsService,
    private readonly lease: TaskLeaseService,
    private readonly monitor: TaskMonitor,
    private readonly backfills: BackfillCoordinator,
    private readonly fleet: FleetRegistry,
  ) {
    this.workerEntry = require.resolve('@walbridge/worker');
  }

  onApplicationBootstrap(): void {
    this.reconcileTimer = setInterval(() => void this.reconcile(), RECONCILE_EVERY_MS);
    this.renewTimer = setInterval(() => void this.renewLeases(), this.lease.renewEveryMs);
    void this.reconcile();
  }

  // ---------------------------------------------------------------------------------------------
  // operations (each one serialized per task)
  // ---------------------------------------------------------------------------------------------

  /**
   * Start (or adopt) the task's worker here if no other scheduler owns it. `immediate` (a start
   * or resume request) skips a pending restart backoff.
   */
  ensureRunning(taskId: string, options: { immediate?: boolean } = {}): Promise<void> {
    return this.exclusive(taskId, () => this.doEnsureRunning(taskId, options.immediate ?? false));
  }

  /** Stop the task: drain and drop the slot, or with force kill the worker and leave the slot. */
  stop(taskId: string, force: boolean): Promise<void> {
    return this.exclusive(taskId, () => this.doStop(taskId, force));
  }

  /** Pause: the worker drains, confirms and exits; the slot stays. */
  pause(taskId: string): Promise<void> {
    return this.exclusive(taskId, () => this.doPause(taskId));
  }

  /** Reset: any streaming worker is killed, then the slot is dropped and created again. */
  reset(taskId: string): Promise<void> {
    return this.exclusive(taskId, () => this.doReset(taskId));
  }

  /** Drop the slot and publication a force-stopped task left on the source. */
  dropSlot(taskId: string): Promise<void> {
    return this.exclusive(taskId, () => this.doDropSlot(taskId));
  }

  /**
   * The tables of a running or paused task were edited: a streaming worker drains and a new one
   * alters the publication and streams with the new tables; a paused task's publication is
   * altered by a one-shot worker, so an added table's changes are captured from the edit on.
   */
  applyObjects(taskId: string): Promise<void> {
    return this.exclusive(taskId, () => this.doApplyObjects(taskId));
  }

  /**
   * Measure the slot of a task no worker streams (paused, failed, left over). Read-only on the
   * source, so it needs no lease; the result is kept only if the task did not move meanwhile.
   */
  async inspectSlot(task: TaskEntity): Promise<void> {
    const config = this.workerConfig(task);
    const child = this.fork(task.id, 'inspect');
    let slot: SlotReport | null = null;
    let failure: string | null = null;
    child.on('message', (message: WorkerToScheduler) => {
      if (message.type === 'slot') slot = message.slot;
      else if (message.type === 'failed') failure = message.message;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), INSPECT_TIMEOUT_MS);
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.once('error', () => resolve());
      if (child.connected) child.send({ type: 'start', mode: 'inspect', config } satisfies SchedulerToWorker);
    });
    clearTimeout(timer);
    if (slot) {
      await this.tasks.transition(task.id, [task.status], task.status, this.slotPatch(slot));
      await this.monitor.slotMeasured(task, slot);
    } else await this.tasks.transition(task.id, [task.status], task.status, { slotCheckedAt: new Date() });
    if (failure) this.logger.debug(`slot check of task ${task.id} failed: ${failure}`);
  }

  /**
   * Graceful handover of one task to the fleet (drain, rebalance): a streaming worker drains
   * (everything acknowledged, its LSN confirmed) and the lease is released the moment it exits;
   * a task waiting for its restart is released at once.
   */
  handOver(taskId: string): Promise<void> {
    return this.exclusive(taskId, async () => {
      const worker = this.workers.get(taskId);
      if (worker) {
        if (worker.mode === 'stream' && worker.intent === 'stream') {
          worker.intent = 'handover';
          this.send(worker, { type: 'stop', dropSlot: false });
          this.armKillTimer(worker);
        }
        return; // any other worker finishes what it does, then releases
      }
      if (this.owned.has(taskId)) await this.releaseToFleet(taskId);
    });
  }

  /** Drain: hands every task over; resolves once this scheduler holds none (or at the deadline). */
  async handOverAll(deadlineMs: number): Promise<void> {
    const until = Date.now() + deadlineMs;
    for (const taskId of [...this.owned]) void this.handOver(taskId).catch((e) => this.logger.error(e));
    while (this.owned.size > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  }

  /** The task a rebalance moves: the youngest healthy stream (the one with the least to lose). */
  handoverCandidate(): string | null {
    const streams = [...this.workers.values()].filter((w) => w.mode === 'stream' && w.intent === 'stream' && w.streaming);
    return streams.at(-1)?.taskId ?? null;
  }

  owns(taskId: string): boolean {
    return this.owned.has(taskId);
  }

  // ---------------------------------------------------------------------------------------------
  // what the operations do, inside the task's critical section
  // ---------------------------------------------------------------------------------------------

  private async doEnsureRunning(taskId: string, immediate: boolean): Promise<void> {
    if (this.shuttingDown || this.workers.has(taskId)) return;
    if (this.restartTimers.has(taskId)) {
      if (!immediate) return;
      this.cancelRestart(taskId);
    }
    if (!(await this.own(taskId, 'stream'))) return;
    const task = await this.tasks.findById(taskId);
    if (!task || !isRunnable(task)) {
      await this.releaseOwnership(taskId);
      return;
    }
    this.spawn(task, 'stream', 'stream');
  }

  private async doStop(taskId: string, force: boolean): Promise<void> {
    const worker = this.workers.get(taskId);
    if (worker) {
      if (worker.intent === 'forceStop') return;
      if (force) {
        worker.intent = 'forceStop';
        worker.child.kill('SIGKILL');
      } else if (worker.mode === 'stream' && worker.intent === 'stream') {
        this.send(worker, { type: 'stop', dropSlot: true });
        worker.intent = 'stop';
        this.armKillTimer(worker);
      }
      // Otherwise the worker is already ending (pausing, keeping the slot; or a one-shot teardown,
      // reset or drop-slot): once it has exited, the task is found STOPPING and stopped then.
      return;
    }
    if (!(await this.own(taskId))) return; // the owner's reconcile loop stops it
    this.cancelRestart(taskId);
    const task = await this.tasks.findById(taskId);
    if (!task || task.status !== 'STOPPING') {
      await this.releaseOwnership(taskId);
      return;
    }
    if (force) {
      await this.finishStop(task.id, false, true);
      return;
    }
    // No worker alive: start one only to drop the slot and publication.
    this.spawn(task, 'teardown', 'teardown');
  }

  private async doPause(taskId: string): Promise<void> {
    const worker = this.workers.get(taskId);
    if (worker) {
      if (worker.mode === 'stream' && worker.intent === 'stream') {
        worker.intent = 'pause';
        this.send(worker, { type: 'stop', dropSlot: false });
        this.armKillTimer(worker);
      }
      return;
    }
    if (!(await this.own(taskId))) return;
    this.cancelRestart(taskId);
    const task = await this.tasks.findById(taskId);
    if (!task || task.status !== 'PAUSING') {
      await this.releaseOwnership(taskId);
      return;
    }
    await this.finishPause(taskId, true);
  }

  private async doReset(taskId: string): Promise<void> {
    const worker = this.workers.get(taskId);
    if (worker) {
      // What the stream has not confirmed is about to be discarded anyway: no need to drain.
      if (worker.mode === 'stream' && worker.intent === 'stream') {
        worker.intent = 'resetPending';
        worker.child.kill('SIGKILL');
      }
      return;
    }
    if (!(await this.own(taskId))) return;
    this.cancelRestart(taskId);
    const task = await this.tasks.findById(taskId);
    if (!task || task.requestedOperation !== 'reset' || !RESETTABLE.includes(task.status)) {
      await this.releaseOwnership(taskId);
      return;
    }
    this.spawn(task, 'reset', 'reset');
  }

  private async doDropSlot(taskId: string): Promise<void> {
    if (this.workers.has(taskId)) return;
    if (!(await this.own(taskId))) return;
    const task = await this.tasks.findById(taskId);
    if (!task || task.requestedOperation !== 'dropSlot' || !['COMPLETED', 'STOP_FAILED'].includes(task.status)) {
      await this.releaseOwnership(taskId);
      return;
    }
    this.spawn(task, 'teardown', 'dropSlot');
  }

  private async doRestart(taskId: string): Promise<void> {
    if (this.shuttingDown || !this.owned.has(taskId) || this.workers.has(taskId)) return;
    const task = await this.tasks.findById(taskId);
    if (task && isRunnable(task) && this.fleet.draining) await this.releaseToFleet(taskId);
    else if (task && isRunnable(task)) this.spawn(task, 'stream', 'stream');
    else if (task?.status === 'STOPPING') await this.doStop(taskId, task.requestedOperation === 'forceStop');
    else if (task?.status === 'PAUSING') await this.doPause(taskId);
    else if (task?.requestedOperation === 'reset') await this.doReset(taskId);
    else if (task?.requestedOperation === 'applyObjects') await this.doApplyObjects(taskId);
    else await this.releaseOwnership(taskId);
  }

  private async doApplyObjects(taskId: string): Promise<void> {
    const worker = this.workers.get(taskId);
    if (worker) {
      if (worker.mode === 'stream' && worker.intent === 'stream') {
        // Already streaming the edit being asked for: it is done once that worker streams.
        if (worker.applying && !(await this.configChanged(worker.applying))) return;
        worker.intent = 'apply';
        this.send(worker, { type: 'stop', dropSlot: false });
        this.armKillTimer(worker);
      }
      // Any other worker is ending already: what follows its exit reads the request from the task.
      return;
    }
    if (this.shuttingDown || !(await this.own(taskId, 'stream'))) return;
    const task = await this.tasks.findById(taskId);
    if (!task || task.requestedOperation !== 'applyObjects') return this.releaseOwnership(taskId);
    if (task.status === 'PAUSED') {
      this.spawn(task, 'publish', 'publish');
      return;
    }
    if (RUNNABLE.includes(task.status) && task.retryExhaustedAt === null) {
      // A failing task waiting for its restart keeps its backoff: the restart applies the tables.
      if (this.restartTimers.has(taskId)) return;
      this.spawn(task, 'stream', 'stream').applying = task;
      return;
    }
    // Pausing: once PAUSED, a reconcile pass alters the publication with a one-shot worker.
    if (task.status === 'PAUSING') return;
    // Not streaming (failed for good, stopping...): the next streaming start applies the tables.
    if (!(await this.clearApplyObjects(task))) return this.doApplyObjects(taskId);
    await this.releaseOwnership(taskId);
  }

  private async configChanged(read: TaskEntity): Promise<boolean> {
    const now = await this.tasks.findById(read.id);
    return !now || JSON.stringify(now.config) !== JSON.stringify(read.config);
  }

  /**
   * Clears the request if the configuration is still the one read (a newer edit keeps its own
   * request); returns the task as cleared, or null when it changed meanwhile.
   */
  private async clearApplyObjects(task: TaskEntity): Promise<TaskEntity | null> {
    const cleared = await this.tasks.transition(task.id, [task.status], task.status, { requestedOperation: null }, task);
    return cleared ? { ...task, requestedOperation: null } : null;
  }

  /** After a worker that made way for an edit (or altered a paused task's publication): whatever the task asks for now. */
  private async afterObjectsWorker(worker: ManagedWorker): Promise<void> {
    const { taskId } = worker;
    const task = await this.tasks.findById(taskId);
    if (!task) return this.releaseOwnership(taskId);
    if (worker.intent === 'publish' && task.requestedOperation === 'applyObjects') {
      if (worker.stoppedCleanly) {
        if (!(await this.clearApplyObjects(task))) return this.doApplyObjects(taskId); // edited again meanwhile
      } else {
        const message = worker.failure?.message ?? 'the worker ended unexpectedly';
        await this.tasks.transition(taskId, [task.status], task.status, { requestedOperation: null, lastError: `applying the edited tables failed: ${message}` });
        await this.logs.append(taskId, 'error', `applying the edited tables failed: ${message}; they are applied again when the task is resumed`);
      }
      return this.doRestart(taskId);
    }
    if (task.status === 'PAUSING') return this.finishPause(taskId, worker.stoppedCleanly);
    return this.doRestart(taskId);
  }

  // ---------------------------------------------------------------------------------------------
  // worker processes
  // ---------------------------------------------------------------------------------------------

  /**
   * Workers that may touch the slot carry `--task=<id>` (what operators and tests look for); a
   * read-only slot check carries `--inspect-slot=<id>` instead.
   */
  private fork(taskId: string, mode: WorkerMode): ChildProcess {
    const args = mode === 'inspect' ? [`--inspect-slot=${taskId}`] : [`--task=${taskId}`, `--mode=${mode}`];
    return fork(this.workerEntry, args, {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      // The live set is bounded by backpressure (a few MB in flight); a tight old-space limit
      // makes V8 collect the garbage of a large stream instead of letting RSS grow. Half the
      // default young generation keeps a 1,000,000-row transaction under PRODUCT.md's 200 MB
      // (npm run bench -- --tx-rows 1000000: 175 MB instead of 207 MB, same throughput).
      execArgv: [...process.execArgv, `--max-old-space-size=${WORKER_MAX_OLD_SPACE_MB}`, `--max-semi-space-size=${WORKER_MAX_SEMI_SPACE_MB}`],
    });
  }

  private spawn(task: TaskEntity, mode: WorkerMode, intent: Intent): ManagedWorker {
    const child = this.fork(task.id, mode);
    const worker: ManagedWorker = { taskId: task.id, child, mode, intent, streaming: false, stoppedCleanly: false, failure: null, writes: Promise.resolve() };
    this.workers.set(task.id, worker);
    child.on('message', (message: WorkerToScheduler) => void this.onMessage(worker, message).catch((e) => this.logger.error(e)));
    child.on('exit', (code, signal) => void this.exclusive(task.id, () => this.afterExit(worker, code, signal)).catch((e) => this.logger.error(e)));
    child.on('error', (error) => this.logger.error(`worker of task ${task.id}: ${error.message}`));
    if (mode === 'stream') {
      // A streaming worker also gets the backfills to read, with their stored positions.
      worker.backfillIds = new Set();
      void this.backfills
        .plansFor(task)
        .catch((error: Error) => {
          this.logger.error(`backfills of task ${task.id}: ${error.message}`);
          return [];
        })
        .then((backfills) => {
          for (const b of backfills) worker.backfillIds!.add(b.id);
          this.send(worker, { type: 'start', mode, config: { ...this.workerConfig(task), backfills } });
        });
    } else {
      this.send(worker, { type: 'start', mode, config: this.workerConfig(task) });
    }
    this.logger.log(`worker pid ${child.pid} started for task ${task.id} (${intent})`);
    if (mode === 'stream') void this.monitor.workerStarted(task);
    return worker;
  }

  private workerConfig(task: TaskEntity): WorkerTaskConfig {
    const config = task.config as unknown as TaskConfig;
    // Read at every start, so a password changed through the API takes effect on the next connection.
    const secrets = this.secrets.openTask(task);
    return {
      taskId: task.id,
      slotName: task.slotName,
      publicationName: task.publicationName,
      ...connectionsWithSecrets(config, secrets),
      policy: config.policy,
      throttle: config.throttle,
      slotHistory: { confirmedLsn: task.confirmedLsn, createdLsn: task.slotCreatedLsn },
      outboundDeny: this.config.WALBRIDGE_OUTBOUND_DENY,
      tuning: workerTuning(),
    };
  }

  private async onMessage(worker: ManagedWorker, message: WorkerToScheduler): Promise<void> {
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
          .then(() => this.onStreaming(worker))
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
        await this.tasks.update(taskId, this.slotPatch(message.slot));
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
          // The data exception event (PRODUCT.md §5): what, where, and the way out.
          const { table, messageId } = message.dataException;
          await this.logs.append(
            taskId,
            'error',
            `data exception: the change ${messageId} of ${table} could not be delivered; it was not skipped and nothing after it ` +
              'was confirmed: fix the cause, then resume the task to deliver it',
          );
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
  private async onStreaming(worker: ManagedWorker): Promise<void> {
    const { taskId } = worker;
    // A full synchronization still to finish puts the streaming task in FULL_SYNC.
    await this.tasks.transition(taskId, ['STARTING', 'INCREMENTAL_FAILED'], await this.backfills.streamingStatus(taskId), { lastError: null });
    this.monitor.streaming(taskId);
    if (worker.applying) {
      const applied = worker.applying;
      worker.applying = undefined;
      // Edited again while this worker started: the newer edit gets its own restart.
      const fresh = await this.tasks.findById(taskId);
      if (fresh?.requestedOperation === 'applyObjects' && !(await this.clearApplyObjects({ ...applied, status: fresh.status }))) {
        void this.applyObjects(taskId).catch((e) => this.logger.error(e));
      }
    }
  }

  /** Ends the failure episode once the stream moved past where it was stuck (or held long enough). */
  private async checkRecovered(worker: ManagedWorker, confirmedLsn: string | null): Promise<void> {
    const probation = worker.probation;
    if (!probation || probation.done) return;
    if (probation.baselineLsn === undefined) probation.baselineLsn = confirmedLsn;
    const moved = confirmedLsn !== probation.baselineLsn;
    if (!moved && Date.now() - probation.since < HEALTHY_AFTER_MS) return;
    probation.done = true;
    const failures = this.restartAttempts.get(worker.taskId) ?? 0;
    this.restartAttempts.delete(worker.taskId);
    await this.tasks.update(worker.taskId, HEALTHY);
    if (failures > 0) await this.logs.append(worker.taskId, 'info', `recovered: streaming again after ${failures} failed attempt(s)`);
  }

  private async afterExit(worker: ManagedWorker, code: number | null, signal: NodeJS.Signals | null): Promise<void> {
    const { taskId } = worker;
    if (worker.killTimer) clearTimeout(worker.killTimer);
    await worker.writes;
    if (this.workers.get(taskId) === worker) this.workers.delete(taskId);
    if (worker.mode === 'stream') await this.monitor.workerEnded(taskId);
    // The lease was lost and the worker killed for it: the task is another scheduler's now.
    if (!this.owned.has(taskId)) return;
    switch (worker.intent) {
      case 'stop':
      case 'teardown':
        await this.finishStop(taskId, worker.stoppedCleanly, false);
        return;
      case 'forceStop':
        await this.finishStop(taskId, false, true);
        return;
      case 'pause':
        await this.finishPause(taskId, worker.stoppedCleanly);
        return;
      case 'dropSlot':
        await this.finishDropSlot(taskId, worker);
        return;
      case 'reset':
        await this.finishReset(taskId, worker);
        return;
      case 'resetPending':
        await this.doReset(taskId);
        return;
      case 'handover': {
        // Drained: everything it sent is confirmed, so the adopter resends nothing beyond that.
        const task = await this.tasks.findById(taskId);
        if (task && isRunnable(task)) await this.releaseToFleet(taskId);
        else await this.doRestart(taskId); // stopped, paused or reset meanwhile: that goes on here
        return;
      }
      case 'apply':
      case 'publish':
        if (this.shuttingDown) return;
        await this.afterObjectsWorker(worker);
        return;
      case 'stream':
        if (this.shuttingDown) return;
        await this.handleFailure(worker, signal ? `signal ${signal}` : `exit code ${code}`);
        return;
    }
  }

  /**
   * A streaming worker died: retry with backoff while the failure's window (counted from the
   * first failure of the episode) lasts, then leave the task abnormal until someone resumes it.
   */
  private async handleFailure(worker: ManagedWorker, how: string): Promise<void> {
    const { taskId } = worker;
    const reason = worker.failure?.message ?? `worker process ended unexpectedly (${how})`;
    const kind: FailureKind = worker.failure?.kind ?? 'other';
    const task = await this.tasks.findById(taskId);
    if (!task) return this.releaseOwnership(taskId);
    if (task.status === 'STOPPING') return this.doStop(taskId, task.requestedOperation === 'forceStop');
    if (task.status === 'PAUSING') return this.finishPause(taskId, false);
    if (task.requestedOperation === 'reset') return this.doReset(taskId);
    if (!RUNNABLE.includes(task.status)) return this.releaseOwnership(taskId);

    const now = Date.now();
    const since = task.failingSince?.getTime() ?? now;
    const { retry: retryWindows, alarms } = task.config as unknown as TaskConfig;
    const retryable = worker.failure?.retry ?? true;
    const decision = decideRetry(kind, since, now, retryWindows, this.config.WALBRIDGE_TIME_SCALE, retryable);
    // A task that never streamed failed to start; one that did is an incremental failure.
    const streamedBefore = task.status !== 'STARTING' || task.confirmedLsn !== null;
    const failure: TaskRuntimePatch = {
      lastError: reason,
      failingSince: new Date(since),
      failureKind: kind,
      retryUntil: new Date(decision.retryUntil),
      autoStopAt: new Date(abnormalStopAt(since, alarms.abnormalStopDays, this.config.WALBRIDGE_TIME_SCALE)),
    };

    if (decision.retry) {
      const attempt = this.restartAttempts.get(taskId) ?? 0;
      this.restartAttempts.set(taskId, attempt + 1);
      const delay = restartDelayMs(attempt, this.config.WALBRIDGE_WORKER_RESTART_MIN_MS, this.config.WALBRIDGE_WORKER_RESTART_MAX_MS);
      await this.tasks.transition(taskId, RUNNABLE, streamedBefore ? 'INCREMENTAL_FAILED' : 'STARTING', failure);
      await this.notifyFailure(task, streamedBefore ? 'INCREMENTAL_FAILED' : 'STARTING', worker, { reason, kind, since, decision, autoStopAt: failure.autoStopAt! });
      await this.logs.append(
        taskId,
        'warning',
        `${kind} failure: ${reason}; restarting in ${Math.round(delay / 100) / 10} s (attempt ${attempt + 1}, ` +
          `retrying until ${new Date(decision.retryUntil).toISOString()})`,
      );
      this.restartTimers.set(
        taskId,
        setTimeout(() => {
          this.restartTimers.delete(taskId);
          void this.exclusive(taskId, () => this.doRestart(taskId)).catch((e) => this.logger.error(e));
        }, delay),
      );
      return;
    }

    const status: TaskStatus = streamedBefore ? 'INCREMENTAL_FAILED' : 'START_FAILED';
    await this.tasks.transition(taskId, RUNNABLE, status, { ...failure, retryExhaustedAt: new Date(now) });
    await this.backfills.failedDuringFullSync({ ...task, failingSince: failure.failingSince! }, reason);
    await this.notifyFailure(task, streamedBefore ? 'INCREMENTAL_FAILED' : 'START_FAILED', worker, { reason, kind, since, decision, autoStopAt: failure.autoStopAt! });
    const windowMinutes = retryWindowMs(kind, retryWindows) / 60_000;
    const gaveUp =
      kind === 'slotLost'
        ? 'not retried (no retry can recover those changes; resuming fails the same way): reset the task to stream again from now'
        : kind === 'data' || !retryable
        ? 'not retried (it would fail the same way until the cause is fixed)'
        : `gave up after the ${windowMinutes}-minute ${kind === 'network' ? 'connection' : 'other-failure'} retry window`;
    await this.logs.append(
      taskId,
      'error',
      `${kind} failure: ${reason}; ${gaveUp}: the task is ${status} until resumed, and will be stopped automatically at ${failure.autoStopAt!.toISOString()}`,
    );
    await this.releaseOwnership(taskId);
  }

  /** Notifications never stand in the way of the failure handling itself. */
  private async notifyFailure(
    task: TaskEntity,
    status: 'STARTING' | 'START_FAILED' | 'INCREMENTAL_FAILED',
    worker: ManagedWorker,
    failure: { reason: string; kind: FailureKind; since: number; decision: RetryDecision; autoStopAt: Date },
  ): Promise<void> {
    await this.monitor
      .failed({
        task,
        status,
        error: failure.reason,
        kind: failure.kind,
        dataException: worker.failure?.dataException ?? false,
        slotLost: worker.failure?.slotLost ?? null,
        since: failure.since,
        retrying: failure.decision.retry,
        retryUntil: failure.decision.retryUntil,
        autoStopAt: failure.autoStopAt.getTime(),
        firstOfEpisode: task.failingSince === null,
      })
      .catch((e: Error) => this.logger.warn(`notifying the failure of task ${task.id}: ${e.message}`));
  }

  private async finishStop(taskId: string, cleanly: boolean, force: boolean): Promise<void> {
    const task = await this.tasks.findById(taskId);
    const slot = task?.slotName ?? '';
    // Each outcome is logged before the status says so: whoever sees COMPLETED finds the reason.
    if (force) {
      await this.logs.append(
        taskId,
        'warning',
        `task force stopped; replication slot ${slot} may remain on the source and retain WAL: ` +
          `drop it with ${slotCleanupSql(slot, task?.publicationName ?? slot)} or POST /api/v1/tasks/${taskId}/drop-slot`,
      );
      await this.tasks.transition(taskId, ['STOPPING'], 'COMPLETED', { delaySeconds: null, requestedOperation: null, ...HEALTHY, lastError: FORCE_STOPPED_ERROR });
    } else if (cleanly) {
      await this.logs.append(taskId, 'info', `task stopped; replication slot ${slot} and its publication dropped`);
      await this.tasks.transition(taskId, ['STOPPING'], 'COMPLETED', {
        delaySeconds: null,
        requestedOperation: null,
        slotExists: false,
        slotRetainedBytes: null,
        slotCheckedAt: new Date(),
        ...HEALTHY,
      });
    } else {
      await this.logs.append(taskId, 'error', `stop did not complete: replication slot ${slot} may remain; stop again or use drop-slot`);
      await this.tasks.transition(taskId, ['STOPPING'], 'STOP_FAILED', { lastError: 'stop did not complete; see the task log' });
    }
    await this.backfills.taskStopped(taskId).catch((e: Error) => this.logger.warn(`backfills of stopped task ${taskId}: ${e.message}`));
    await this.releaseOwnership(taskId);
  }

  private async finishPause(taskId: string, cleanly: boolean): Promise<void> {
    const task = await this.tasks.findById(taskId);
    // Stopped while pausing: the slot is still there, so this is a stop without a worker now.
    if (task?.status === 'STOPPING') return this.doStop(taskId, task.requestedOperation === 'forceStop');
    const moved = await this.tasks.transition(taskId, ['PAUSING'], 'PAUSED', { delaySeconds: null });
    if (moved) {
      await this.logs.append(
        taskId,
        cleanly ? 'info' : 'warning',
        `task paused at confirmed LSN ${task?.confirmedLsn ?? 'none'}; replication slot ${task?.slotName} kept: ` +
          'the source retains WAL from there until the task is resumed' +
          (cleanly ? '' : ' (the worker did not drain in time; unconfirmed changes will be sent again on resume)'),
      );
    }
    await this.releaseOwnership(taskId);
  }

  private async finishReset(taskId: string, worker: ManagedWorker): Promise<void> {
    const task = await this.tasks.findById(taskId);
    if (task && task.requestedOperation === 'reset' && RESETTABLE.includes(task.status)) {
      if (worker.stoppedCleanly) {
        const moved = await this.tasks.transition(taskId, [task.status], 'CONFIGURATION', {
          requestedOperation: null,
          precheckRequired: true,
          // The reset recreated it: the task owns the slot under its name (the precheck relies on it).
          slotExists: true,
          confirmedLsn: null,
          delaySeconds: null,
          lastError: null,
          scheduledStartAt: null,
          ...HEALTHY,
        });
        if (moved) {
          await this.backfills.taskReset(task).catch((e: Error) => this.logger.warn(`backfills of reset task ${taskId}: ${e.message}`));
          await this.logs.append(
            taskId,
            'warning',
            `task reset from ${task.status}: changes committed after ${task.confirmedLsn ?? 'the last confirmed position'} ` +
              'and before the new slot was created are not delivered; run the precheck again, then submit the task',
          );
        }
      } else {
        const message = worker.failure?.message ?? 'the reset worker ended unexpectedly';
        await this.tasks.transition(taskId, [task.status], task.status, { requestedOperation: null, lastError: `reset failed: ${message}` });
        await this.logs.append(taskId, 'error', `reset failed: ${message}`);
      }
    }
    await this.releaseOwnership(taskId);
  }

  private async finishDropSlot(taskId: string, worker: ManagedWorker): Promise<void> {
    const task = await this.tasks.findById(taskId);
    if (task && task.requestedOperation === 'dropSlot') {
      if (worker.stoppedCleanly) {
        // A stop failed because the slot could not be dropped: now that it is, the stop is complete.
        const to: TaskStatus = task.status === 'STOP_FAILED' ? 'COMPLETED' : task.status;
        await this.tasks.transition(taskId, [task.status], to, {
          requestedOperation: null,
          lastError: null,
          slotExists: false,
          slotRetainedBytes: null,
          slotCheckedAt: new Date(),
        });
        await this.logs.append(taskId, 'info', `replication slot ${task.slotName} and publication ${task.publicationName} dropped`);
      } else {
        const message = worker.failure?.message ?? 'the worker ended unexpectedly';
        await this.tasks.transition(taskId, [task.status], task.status, { requestedOperation: null, lastError: `drop-slot failed: ${message}` });
        await this.logs.append(taskId, 'error', `drop-slot failed: ${message}`);
      }
    }
    await this.releaseOwnership(taskId);
  }

  // ---------------------------------------------------------------------------------------------
  // convergence
  // ---------------------------------------------------------------------------------------------

  /** Catches up with status changes made elsewhere (API, other schedulers, a lost job). */
  private async reconcile(): Promise<void> {
    if (this.shuttingDown || this.reconciling) return;
    this.reconciling = true;
    try {
      const tasks = await this.tasks.findForReconcile();
      for (const task of tasks) {
        if (this.shuttingDown) break;
        if (task.status === 'STOPPING') await this.stop(task.id, task.requestedOperation === 'forceStop');
        else if (task.status === 'PAUSING') await this.pause(task.id);
        else if (task.requestedOperation === 'reset') await this.reset(task.id);
        else if (task.requestedOperation === 'dropSlot') await this.dropSlot(task.id);
        else if (task.requestedOperation === 'applyObjects') await this.applyObjects(task.id);
        else if (task.status === 'PENDING_START') await this.startIfDue(task);
        else if (isRunnable(task)) await this.ensureRunning(task.id);
        await this.syncBackfills(task).catch((e: Error) => this.logger.warn(`backfills of task ${task.id}: ${e.message}`));
      }
    } catch (error) {
      this.logger.warn(`reconcile failed: ${(error as Error).message}`);
    } finally {
      this.reconciling = false;
    }
  }

  /** Backfills requested or cancelled through the API reach the task's streaming worker here. */
  private async syncBackfills(task: TaskEntity): Promise<void> {
    const taskId = task.id;
    const worker = this.workers.get(taskId);
    // While tables are being edited, the running worker does not capture the added ones yet.
    if (!worker?.streaming || !worker.backfillIds || worker.intent !== 'stream' || task.requestedOperation !== null) return;
    const { added, cancelled } = await this.backfills.changesFor(taskId, worker.backfillIds);
    for (const backfill of added) {
      worker.backfillIds.add(backfill.id);
      this.send(worker, { type: 'backfill', backfill });
    }
    for (const backfillId of cancelled) {
      worker.backfillIds.delete(backfillId);
      this.send(worker, { type: 'cancelBackfill', backfillId });
    }
  }

  /** A scheduled start whose delayed job was lost (or is late) still happens on time. */
  private async startIfDue(task: TaskEntity): Promise<void> {
    if (!task.scheduledStartAt || task.scheduledStartAt.getTime() > Date.now()) return;
    await this.startScheduled(task.id);
  }

  /** PENDING_START → STARTING once, whoever gets there first (the delayed job or a reconcile loop). */
  async startScheduled(taskId: string): Promise<void> {
    const moved = await this.tasks.transition(taskId, ['PENDING_START'], 'STARTING', { scheduledStartAt: null });
    if (moved) await this.logs.append(taskId, 'info', 'scheduled start time reached');
    await this.ensureRunning(taskId, { immediate: true });
  }

  private async renewLeases(): Promise<void> {
    for (const taskId of [...this.owned]) {
      const kept = await this.lease.renew(taskId).catch(() => null);
      if (kept === false) {
        // Someone else may own the task now: never let two workers touch one slot.
        this.logger.warn(`lost the lease of task ${taskId}; killing its worker`);
        this.owned.delete(taskId);
        this.fleet.setTasks(this.owned);
        this.cancelRestart(taskId);
        const worker = this.workers.get(taskId);
        if (worker) {
          this.workers.delete(taskId);
          worker.child.kill('SIGKILL');
        }
      }
    }
  }

  /**
   * Takes the task's lease. A task nobody owns is taken to stream it only where the fleet's
   * placement says so (room here, no less loaded scheduler with room); a draining scheduler
   * takes nothing new at all.
   */
  private async own(taskId: string, purpose: 'stream' | 'oneShot' = 'oneShot'): Promise<boolean> {
    if (!this.owned.has(taskId)) {
      if (this.fleet.draining) return false;
      if (purpose === 'stream') {
        const owner = await this.lease.owner(taskId);
        if (owner && owner !== this.lease.schedulerId) return false;
        if (!owner) {
          const placement = await this.fleet.place(taskId);
          if (!placement.take) {
            if (placement.newlyWaiting && placement.waitText) await this.logs.append(taskId, 'warning', placement.waitText);
            return false;
          }
        }
      }
    }
    if (!(await this.lease.acquire(taskId))) return false;
    if (!this.owned.has(taskId)) {
      this.owned.add(taskId);
      this.fleet.setTasks(this.owned);
      await this.fleet.placed(taskId);
    }
    return true;
  }

  /** Leaves a runnable task to the other schedulers, and tells them so they adopt it at once. */
  private async releaseToFleet(taskId: string): Promise<void> {
    await this.releaseOwnership(taskId);
    await this.fleet.announceReleased(taskId);
    this.logger.log(`task ${taskId} released to the fleet`);
  }

  private cancelRestart(taskId: string): void {
    const timer = this.restartTimers.get(taskId);
    if (timer) clearTimeout(timer);
    this.restartTimers.delete(taskId);
  }

  private async releaseOwnership(taskId: string): Promise<void> {
    this.owned.delete(taskId);
    this.fleet.setTasks(this.owned);
    this.restartAttempts.delete(taskId);
    this.cancelRestart(taskId);
    await this.lease.release(taskId);
  }

  private armKillTimer(worker: ManagedWorker): void {
    if (worker.killTimer) return;
    worker.killTimer = setTimeout(() => worker.child.kill('SIGKILL'), GRACEFUL_STOP_TIMEOUT_MS);
  }

  private slotPatch(slot: SlotReport): TaskRuntimePatch {
    return {
      slotExists: slot.exists,
      slotRetainedBytes: slot.retainedWalBytes === null ? null : String(slot.retainedWalBytes),
      slotCheckedAt: new Date(),
    };
  }

  private send(worker: ManagedWorker, message: SchedulerToWorker): void {
    if (worker.child.connected) worker.child.send(message);
  }

  /** Runs `work` after every earlier operation on the same task has finished. */
  private exclusive(taskId: string, work: () => Promise<void>): Promise<void> {
    const previous = this.serial.get(taskId) ?? Promise.resolve();
    const run = previous.then(work);
    const tail = run.catch(() => undefined);
    this.serial.set(taskId, tail);
    void tail.then(() => {
      if (this.serial.get(taskId) === tail) this.serial.delete(taskId);
    });
    return run;
  }

  /** SIGTERM: workers drain and confirm, slots stay, and tasks resume after the restart. */
  async onApplicationShutdown(): Promise<void> {
    this.shuttingDown = true;
    clearInterval(this.reconcileTimer);
    clearInterval(this.renewTimer);
    for (const timer of this.restartTimers.values()) clearTimeout(timer);
    const exits = [...this.workers.values()].map(
      (worker) =>
        new Promise<void>((resolve) => {
          if (worker.child.exitCode !== null || worker.child.signalCode !== null) return resolve();
          worker.child.once('exit', () => resolve());
          // A worker already stopping or pausing drains on its own; a one-shot worker finishes.
          if (worker.mode === 'stream' && worker.intent === 'stream') this.send(worker, { type: 'stop', dropSlot: false });
          setTimeout(() => {
            worker.child.kill('SIGKILL');
            resolve();
          }, 20_000).unref();
        }),
    );
    await Promise.all(exits);
    for (const taskId of [...this.owned]) await this.lease.release(taskId).catch(() => undefined);
  }
}

function isRunnable(task: TaskEntity): boolean {
  return RUNNABLE.includes(task.status) && task.retryExhaustedAt === null && task.requestedOperation === null;
}
