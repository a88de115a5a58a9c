import { Injectable } from '@nestjs/common';
import { fork, type ChildProcess } from 'node:child_process';
import { withProtocol, type SchedulerToWorker, type WorkerMode, type WorkerToScheduler } from '@walbridge/queue';
import { WorkerProcessPort, type WorkerProcess } from './worker-process.port';

const WORKER_MAX_OLD_SPACE_MB = 128;
const WORKER_MAX_SEMI_SPACE_MB = 8;

/** `WorkerProcessPort` with real child processes of `@walbridge/worker`. */
@Injectable()
export class WorkerProcessRepository extends WorkerProcessPort {
  private readonly workerEntry = require.resolve('@walbridge/worker');

  /**
   * Workers that may touch the slot carry `--task=<id>` (what operators and tests look for); a
   * read-only slot check carries `--inspect-slot=<id>` instead.
   */
  start(taskId: string, mode: WorkerMode): WorkerProcess {
    const args = mode === 'inspect' ? [`--inspect-slot=${taskId}`] : [`--task=${taskId}`, `--mode=${mode}`];
    const child = fork(this.workerEntry, args, {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      // The live set is bounded by backpressure (a few MB in flight); a tight old-space limit
      // makes V8 collect the garbage of a large stream instead of letting RSS grow. Half the
      // default young generation keeps a 1,000,000-row transaction under PRODUCT.md's 200 MB
      // (npm run bench -- --tx-rows 1000000: 175 MB instead of 207 MB, same throughput).
      execArgv: [...process.execArgv, `--max-old-space-size=${WORKER_MAX_OLD_SPACE_MB}`, `--max-semi-space-size=${WORKER_MAX_SEMI_SPACE_MB}`],
    });
    return new ChildWorkerProcess(child);
  }
}

class ChildWorkerProcess implements WorkerProcess {
  constructor(private readonly child: ChildProcess) {}

  get pid(): number | undefined {
    return this.child.pid;
  }

  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  send(message: SchedulerToWorker): void {
    if (this.child.connected) this.child.send(withProtocol(message));
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }

  onMessage(listener: (message: WorkerToScheduler) => void): void {
    this.child.on('message', listener);
  }

  onExit(listener: (code: number | null, signal: NodeJS.Signals | null) => void): void {
    this.child.on('exit', listener);
  }

  onError(listener: (error: Error) => void): void {
    this.child.on('error', listener);
  }
}
