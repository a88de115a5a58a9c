import type { ConnectionProblem, ErrorCode } from '@walbridge/contracts';
import { DomainError } from '@walbridge/domain';
import type { TaskRepository } from '@walbridge/persistence';
import type { ProbeJob, ProbePayloads } from '@walbridge/queue';
import { loadLiveTask } from '../common/live-task';
import type { ProbeClient } from './probe-client.service';

/** Probes that read one task's source or destination for the user. */
type TaskProbeJob = ProbeJob.TestTaskConnection | ProbeJob.ListSourceObjects | ProbeJob.BrowseMessages | ProbeJob.ListTopics;

/** What a scheduler answers when it could not reach the server, in words the console shows. */
export interface ProbeFailure {
  problem: ConnectionProblem;
  message: string;
  suggestion: string;
}

/**
 * A probe about one live task: 404 before asking, and 404 too when the task was deleted before
 * the scheduler read it (the scheduler answers null then).
 */
export async function probeLiveTask<R, J extends TaskProbeJob>(tasks: TaskRepository, probes: ProbeClient, name: J, payload: ProbePayloads[J]): Promise<R> {
  await loadLiveTask(tasks, payload.taskId);
  const result = await probes.request<R | null, J>(name, payload);
  if (!result) await loadLiveTask(tasks, payload.taskId);
  return result!;
}

/** A scheduler that could not reach the server: 502 with `code`, the problem and what to do. */
export function assertReached<O extends { ok: true } | { ok: false; failure: ProbeFailure }>(outcome: O, code: ErrorCode): asserts outcome is Extract<O, { ok: true }> {
  if (outcome.ok) return;
  const { failure } = outcome as Extract<O, { ok: false }>;
  throw new DomainError('upstream', code, failure.message, [], { problem: failure.problem, suggestion: failure.suggestion });
}
