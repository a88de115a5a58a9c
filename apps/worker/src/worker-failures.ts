import { NetworkFailure, OperatorActionNeeded } from '@walbridge/domain';

/** Set-up stalled (a server accepted a connection and stopped answering): retried as a network failure. */
export class StartStalledError extends NetworkFailure {
  constructor(phase: string, ms: number) {
    super(`the worker did not start streaming within ${Math.round(ms / 1000)} s (stalled while ${phase})`);
  }
}

/**
 * A topic the task writes to was deleted while it ran. Nothing is written anywhere else, and the
 * task is not restarted behind the operator's back (a restart would create an auto topic again,
 * empty): it fails until someone recreates the topic, or accepts a new one, and resumes it.
 */
export class TopicGoneError extends OperatorActionNeeded {
  constructor(topics: string[]) {
    super(
      `Kafka topic ${topics.join(', ')} no longer exists (deleted while the task was running); nothing was written to another topic. ` +
        'Recreate the topic (auto-generated topics are created again at resume) and resume the task',
    );
  }
}

/** The replication connection ended without us asking: a connection failure, retried as one. */
export class ReplicationClosedError extends NetworkFailure {
  constructor() {
    super('replication connection closed by the server');
  }
}
