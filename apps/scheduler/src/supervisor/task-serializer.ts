import { Injectable } from '@nestjs/common';

/**
 * A keyed mutex: operations on one task run one after the other, so two paths (a job and the
 * reconcile loop, an exit and a restart) can never both fork a worker for the same slot.
 */
@Injectable()
export class TaskSerializer {
  private readonly tails = new Map<string, Promise<void>>();

  /** Runs `work` after every earlier operation on the same task has finished. */
  run(taskId: string, work: () => Promise<void>): Promise<void> {
    const previous = this.tails.get(taskId) ?? Promise.resolve();
    const run = previous.then(work);
    const tail = run.catch(() => undefined);
    this.tails.set(taskId, tail);
    void tail.then(() => {
      if (this.tails.get(taskId) === tail) this.tails.delete(taskId);
    });
    return run;
  }
}
