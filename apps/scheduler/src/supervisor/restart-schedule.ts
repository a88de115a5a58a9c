import { Injectable } from '@nestjs/common';

/** Pending restarts of failed streams (their backoff timers) and the failed attempts of each episode. */
@Injectable()
export class RestartSchedule {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly failures = new Map<string, number>();

  pending(taskId: string): boolean {
    return this.timers.has(taskId);
  }

  schedule(taskId: string, delayMs: number, restart: () => void): void {
    this.timers.set(
      taskId,
      setTimeout(() => {
        this.timers.delete(taskId);
        restart();
      }, delayMs),
    );
  }

  cancel(taskId: string): void {
    const timer = this.timers.get(taskId);
    if (timer) clearTimeout(timer);
    this.timers.delete(taskId);
  }

  cancelAll(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
  }

  /** Failed attempts since the task last proved healthy here. */
  attempts(taskId: string): number {
    return this.failures.get(taskId) ?? 0;
  }

  setAttempts(taskId: string, attempts: number): void {
    this.failures.set(taskId, attempts);
  }

  /** The episode is over (recovered, or the task left this scheduler); returns how many attempts it had. */
  endEpisode(taskId: string): number {
    const attempts = this.attempts(taskId);
    this.failures.delete(taskId);
    return attempts;
  }
}
