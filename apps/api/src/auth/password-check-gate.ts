import { DomainError } from '@walbridge/domain';

/**
 * Bounds concurrent password checks. scrypt runs on libuv's thread pool (4 threads), which DNS
 * lookups and file reads share: a login flood that filled it made /health take seconds. At most
 * `concurrency` checks run and `queue` wait; anything beyond is answered 503 with Retry-After at
 * once, before any hashing, so a flood costs the API almost nothing.
 */
export class PasswordCheckGate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly concurrency: number,
    private readonly queue: number,
  ) {}

  async run<T>(check: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) {
      if (this.waiting.length >= this.queue) {
        throw new DomainError('unavailable', 'LOGIN_BUSY', 'too many logins are being checked right now; try again in a second', [], { retryAfterSeconds: 1 });
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running++;
    }
    try {
      return await check();
    } finally {
      // Hand the slot straight to the next waiter (the count stays), or free it.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
