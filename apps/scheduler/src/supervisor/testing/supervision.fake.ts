/**
 * Fakes of the supervisor's ports (Immich style): in-memory tasks, logs, lease and fleet, and
 * worker processes the spec drives by hand (report a message, exit). Only the specs import
 * this; the build leaves `*.fake.ts` out.
 */
import { expect, vi } from 'vitest';
import type { AppConfig } from '@walbridge/config';
import type { PlacementDecision } from '@walbridge/domain';
import { NEW_TASK_LIFECYCLE, type SecretsService, type TaskEntity, type TaskLogRepository, type TaskRepository } from '@walbridge/persistence';
import { InMemoryTaskRepository } from '@walbridge/persistence/testing';
import type { SchedulerToWorker, WorkerMode, WorkerToScheduler } from '@walbridge/queue';
import type { FleetRegistry } from '../../fleet/fleet-registry.service';
import type { TaskLeaseService } from '../../lease/task-lease.service';
import type { TaskMonitor } from '../../monitoring/task-monitor.service';
import type { BackfillCoordinator } from '../../snapshot/backfill-coordinator.service';
import { ExitOutcomes } from '../exit-outcome.service';
import { FailureHandling } from '../failure-handling.service';
import { ObjectEdits } from '../object-edit.service';
import { Reconciler } from '../reconcile.service';
import { RestartSchedule } from '../restart-schedule';
import { SupervisedWorkers } from '../supervised-workers';
import { TaskHandover } from '../task-handover.service';
import { TaskOwnership } from '../task-ownership.service';
import { TaskSerializer } from '../task-serializer';
import { WorkerLauncher } from '../worker-launcher.service';
import { WorkerProcessPort, type WorkerProcess } from '../worker-process.port';
import { WorkerReports } from '../worker-reports.service';
import { WorkerSupervisor } from '../worker-supervisor.service';

export class FakeWorkerProcess implements WorkerProcess {
  exited = false;
  killed = false;
  readonly sent: SchedulerToWorker[] = [];
  private readonly messageListeners: ((message: WorkerToScheduler) => void)[] = [];
  private readonly exitListeners: ((code: number | null, signal: NodeJS.Signals | null) => void)[] = [];

  constructor(
    readonly taskId: string,
    readonly mode: WorkerMode,
    readonly pid: number,
  ) {}

  send(message: SchedulerToWorker): void {
    if (!this.exited) this.sent.push(message);
  }

  /** A killed process exits at once by the signal. */
  kill(): void {
    this.killed = true;
    this.exit(null, 'SIGKILL');
  }

  onMessage(listener: (message: WorkerToScheduler) => void): void {
    this.messageListeners.push(listener);
  }

  onExit(listener: (code: number | null, signal: NodeJS.Signals | null) => void): void {
    this.exitListeners.push(listener);
  }

  onError(): void {}

  /** The worker reports something over IPC. */
  report(message: WorkerToScheduler): void {
    for (const listener of this.messageListeners) listener(message);
  }

  exit(code: number | null, signal: NodeJS.Signals | null = null): void {
    if (this.exited) return;
    this.exited = true;
    for (const listener of this.exitListeners) listener(code, signal);
  }
}

export class FakeWorkerProcesses extends WorkerProcessPort {
  readonly started: FakeWorkerProcess[] = [];

  start(taskId: string, mode: WorkerMode): FakeWorkerProcess {
    const worker = new FakeWorkerProcess(taskId, mode, 1000 + this.started.length);
    this.started.push(worker);
    return worker;
  }

  last(): FakeWorkerProcess | undefined {
    return this.started.at(-1);
  }
}

/** TaskRepository in memory (the shared fake, with the transition guard of its SQL), plus rows made to order. */
export class FakeTaskRepository extends InMemoryTaskRepository {
  add(id: string, fields: Partial<TaskEntity> = {}): TaskEntity {
    const task = {
      id,
      name: `task ${id}`,
      status: 'STARTING',
      config: { source: { host: 'db' }, destination: { brokers: ['k:9092'] }, policy: {}, throttle: {}, retry: { connectionMinutes: 60, otherMinutes: 10 }, alarms: { abnormalStopDays: 7 } },
      secrets: null,
      slotName: `wb_${id}`,
      publicationName: `wb_${id}_pub`,
      confirmedLsn: null,
      delaySeconds: null,
      requestedOperation: null,
      ...NEW_TASK_LIFECYCLE,
      lastError: null,
      ...fields,
    } as unknown as TaskEntity;
    this.rows.set(id, task);
    return task;
  }

  get(id: string): TaskEntity {
    return this.rows.get(id)!;
  }
}

export class FakeTaskLogs {
  readonly lines: { taskId: string; level: string; message: string }[] = [];

  async append(taskId: string, level: string, message: string): Promise<void> {
    this.lines.push({ taskId, level, message });
  }

  of(taskId: string): string[] {
    return this.lines.filter((l) => l.taskId === taskId).map((l) => `${l.level}: ${l.message}`);
  }
}

/** One Redis lease key per task; `stolen` ones belong to another scheduler. */
export class FakeLease {
  readonly schedulerId = 'me';
  readonly ttlMs = 3000;
  readonly holders = new Map<string, string>();
  /** Redis does not answer: renewals fail with an error. */
  unreachable = false;

  async acquire(taskId: string): Promise<boolean> {
    const holder = this.holders.get(taskId);
    if (holder && holder !== this.schedulerId) return false;
    this.holders.set(taskId, this.schedulerId);
    return true;
  }

  async renew(taskId: string): Promise<boolean> {
    if (this.unreachable) throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
    return this.holders.get(taskId) === this.schedulerId;
  }

  async release(taskId: string): Promise<void> {
    if (this.holders.get(taskId) === this.schedulerId) this.holders.delete(taskId);
  }

  async owner(taskId: string): Promise<string | null> {
    return this.holders.get(taskId) ?? null;
  }
}

export class FakeFleet {
  draining = false;
  placement: PlacementDecision & { waitText?: string; newlyWaiting?: boolean } = { take: true };
  tasks: string[] = [];
  readonly released: string[] = [];

  setTasks(ids: Iterable<string>): void {
    this.tasks = [...ids];
  }

  /** WALBRIDGE_SCHEDULER_MAX_TASKS of this scheduler. */
  capacity = Number.POSITIVE_INFINITY;

  async place(): Promise<PlacementDecision & { waitText?: string; newlyWaiting?: boolean }> {
    // Decided on the load of now; the lease is taken (and counted) only after Redis round trips.
    const full = this.tasks.length >= this.capacity;
    await new Promise((r) => setTimeout(r, 1));
    return full ? { take: false, reason: 'full', waitingForCapacity: true } : this.placement;
  }

  async placed(): Promise<void> {}

  async announceReleased(taskId: string): Promise<void> {
    this.released.push(taskId);
  }
}

/** Records what the monitor was told; the failure notifications are what a user would see. */
export class FakeMonitor {
  readonly failures: Parameters<TaskMonitor['failed']>[0][] = [];
  readonly slots: unknown[] = [];
  readonly events: string[] = [];

  async workerStarted(task: TaskEntity): Promise<void> {
    this.events.push(`started ${task.id}`);
  }
  streaming(taskId: string): void {
    this.events.push(`streaming ${taskId}`);
  }
  async progress(): Promise<void> {}
  async workerEnded(taskId: string): Promise<void> {
    this.events.push(`ended ${taskId}`);
  }
  async slotMeasured(_task: unknown, slot: unknown): Promise<void> {
    this.slots.push(slot);
  }
  async tableNotice(): Promise<void> {}
  async failed(report: Parameters<TaskMonitor['failed']>[0]): Promise<void> {
    this.failures.push(report);
  }
}

export class FakeBackfills {
  readonly calls: string[] = [];
  async plansFor(): Promise<[]> {
    return [];
  }
  async streamingStatus(): Promise<'INCREMENTAL'> {
    return 'INCREMENTAL';
  }
  /** Backfills the API requested (open ones). */
  readonly open: { id: string }[] = [];
  async changesFor(_taskId: string, known: ReadonlySet<string>): Promise<{ added: { id: string }[]; cancelled: string[] }> {
    return { added: this.open.filter((b) => !known.has(b.id)), cancelled: [] };
  }
  async record(): Promise<void> {}
  async tablesAdded(): Promise<void> {}
  async taskStopped(taskId: string): Promise<void> {
    this.calls.push(`stopped ${taskId}`);
  }
  async taskReset(task: TaskEntity): Promise<void> {
    this.calls.push(`reset ${task.id}`);
  }
  async failedDuringFullSync(task: TaskEntity): Promise<void> {
    this.calls.push(`failed ${task.id}`);
  }
}

/** The supervisor's services wired as the Nest module does, on the fakes above. */
export function supervision(config: Partial<AppConfig> = {}) {
  const appConfig = {
    WALBRIDGE_WORKER_RESTART_MIN_MS: 5,
    WALBRIDGE_WORKER_RESTART_MAX_MS: 20,
    WALBRIDGE_TIME_SCALE: 1,
    WALBRIDGE_OUTBOUND_DENY: [],
    ...config,
  } as unknown as AppConfig;
  const tasks = new FakeTaskRepository();
  const logs = new FakeTaskLogs();
  const lease = new FakeLease();
  const fleet = new FakeFleet();
  const monitor = new FakeMonitor();
  const backfills = new FakeBackfills();
  const processes = new FakeWorkerProcesses();
  const secrets = { openTask: () => ({ sourcePassword: 'wbpw-fake' }) } as unknown as SecretsService;

  const repo = tasks as unknown as TaskRepository;
  const logRepo = logs as unknown as TaskLogRepository;
  const mon = monitor as unknown as TaskMonitor;
  const bf = backfills as unknown as BackfillCoordinator;
  const fl = fleet as unknown as FleetRegistry;
  const workers = new SupervisedWorkers();
  const restarts = new RestartSchedule();
  const serial = new TaskSerializer();
  const ownership = new TaskOwnership(lease as unknown as TaskLeaseService, fl, logRepo, workers, restarts);
  const launcher = new WorkerLauncher(appConfig, processes, workers, repo, secrets, mon, bf);
  const outcomes = new ExitOutcomes(repo, logRepo, bf, ownership);
  const failures = new FailureHandling(appConfig, repo, logRepo, mon, bf, restarts, ownership, outcomes);
  const objectEdits = new ObjectEdits(repo, logRepo, workers, ownership, restarts, launcher, serial, outcomes);
  const reports = new WorkerReports(repo, logRepo, mon, bf, restarts, objectEdits);
  const supervisor = new WorkerSupervisor(repo, logRepo, mon, fl, workers, ownership, restarts, serial, launcher, reports, outcomes, failures, objectEdits);
  const handover = new TaskHandover(workers, ownership, serial);
  const reconciler = new Reconciler(repo, bf, workers, ownership, supervisor);
  return { tasks, logs, lease, fleet, monitor, backfills, processes, workers, restarts, ownership, launcher, supervisor, handover, reconciler };
}

/** A started stream that reported `streaming`: the task is INCREMENTAL, the worker is returned. */
export async function streamingTask(s: ReturnType<typeof supervision>, id = 't1', fields: Partial<TaskEntity> = {}): Promise<FakeWorkerProcess> {
  s.tasks.add(id, fields);
  await s.supervisor.ensureRunning(id);
  const worker = s.processes.last()!;
  worker.report({ type: 'streaming' });
  await vi.waitFor(() => expect(s.tasks.get(id).status).toBe('INCREMENTAL'));
  return worker;
}
