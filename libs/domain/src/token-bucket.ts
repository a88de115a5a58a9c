/**
 * A token bucket for the task throttle (PRODUCT.md §2: max rows/s and MB/s): tokens refill at
 * `ratePerSecond` up to one second's worth, so a burst never exceeds the rate over any second.
 * The clock is injected; the bucket does no I/O and sets no timer: the caller waits `msUntil`.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  readonly capacity: number;

  constructor(
    readonly ratePerSecond: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!(ratePerSecond > 0)) throw new Error('a token bucket needs a positive rate');
    this.capacity = ratePerSecond;
    this.tokens = this.capacity;
    this.last = now();
  }

  available(): number {
    this.refill();
    return this.tokens;
  }

  /** Whether `amount` may go now: there are that many tokens, or the bucket is full (an item larger than a second's worth still passes, alone). */
  allows(amount: number): boolean {
    this.refill();
    return this.tokens >= Math.min(amount, this.capacity);
  }

  /** Spends tokens; the balance may go negative after an oversized item, which later items then wait for. */
  take(amount: number): void {
    this.refill();
    this.tokens -= amount;
  }

  /** Milliseconds until `allows(amount)` becomes true (0 if it is now). */
  msUntil(amount: number): number {
    this.refill();
    const missing = Math.min(amount, this.capacity) - this.tokens;
    return missing <= 0 ? 0 : Math.ceil((missing * 1000) / this.ratePerSecond);
  }

  private refill(): void {
    const now = this.now();
    if (now > this.last) {
      this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.ratePerSecond);
      this.last = now;
    }
  }
}
