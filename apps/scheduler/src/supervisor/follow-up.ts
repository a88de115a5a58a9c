/**
 * What an outcome leaves to the supervisor (the one that can start and redirect workers), so the
 * services that handle exits never call back into it.
 */
export type FollowUp =
  | { action: 'stop'; force: boolean }
  | { action: 'reset' }
  /** Whatever the task wants now, as after a restart's backoff. */
  | { action: 'restart' }
  /** A failed stream restarts after its backoff. */
  | { action: 'restartIn'; delayMs: number }
  | null;
