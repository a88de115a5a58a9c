/**
 * How a failing task is retried (PRODUCT.md §4): network failures for the task's
 * connection-retry window, anything else for the shorter other-failure window; then the task is
 * abnormal until someone resumes it, and it is stopped automatically after N days.
 *
 * Durations are divided by a time scale (1 in production) so tests can compress minutes and days.
 */

import { TaskFailure, type FailureKind } from './task-failure';

const DATA_EXCEPTION_CODE = 'DATA_EXCEPTION';
const SLOT_LOST_CODE = 'SLOT_LOST';

export interface RetryWindows {
  connectionMinutes: number;
  otherMinutes: number;
}

/** The parts of an error worth looking at; Node, pg, kafkajs and @platformatic/kafka errors all fit. */
export interface FailureLike {
  name?: unknown;
  code?: unknown;
  /** A Kafka protocol error code name: kafkajs calls it type, @platformatic/kafka apiId. */
  type?: unknown;
  apiId?: unknown;
  message?: unknown;
  cause?: unknown;
  originalError?: unknown;
  /** AggregateError (@platformatic/kafka nests one per retry and per broker). */
  errors?: unknown;
}

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

/** Socket-level errno codes: the peer could not be reached or the connection broke. */
const NETWORK_ERRNOS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'EADDRNOTAVAIL',
]);

/**
 * PostgreSQL SQLSTATEs meaning "the server is not there right now": class 08 (connection
 * exception), shutdown and start-up (57P01-57P03), and no free connection slot (53300).
 */
function isNetworkSqlState(code: string): boolean {
  return /^08[0-9A-Z]{3}$/.test(code) || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300';
}

/** kafkajs errors for an unreachable broker or a cluster that is electing leaders. */
const NETWORK_KAFKA_ERRORS = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
  'KafkaJSNoBrokerAvailableError',
  'KafkaJSMetadataNotLoaded',
]);

/** @platformatic/kafka's codes for a broker that cannot be reached or does not answer in time. */
const NETWORK_PLATFORMATIC_CODES = new Set(['PLT_KFK_NETWORK', 'PLT_KFK_TIMEOUT']);

/** Refused credentials: not a network failure even when a client wraps them in one. */
const AUTHENTICATION_ERRORS = new Set(['PLT_KFK_AUTHENTICATION', 'KafkaJSSASLAuthenticationError']);

const NETWORK_KAFKA_PROTOCOL_TYPES = new Set([
  'REQUEST_TIMED_OUT',
  'NETWORK_EXCEPTION',
  'LEADER_NOT_AVAILABLE',
  'NOT_LEADER_FOR_PARTITION',
  'NOT_LEADER_OR_FOLLOWER',
  'BROKER_NOT_AVAILABLE',
  'REPLICA_NOT_AVAILABLE',
  'NOT_ENOUGH_REPLICAS',
  'NOT_ENOUGH_REPLICAS_AFTER_APPEND',
  'NOT_CONTROLLER',
  'COORDINATOR_NOT_AVAILABLE',
]);

/** Messages of errors that carry no code (pg's "Connection terminated unexpectedly" and friends). */
const NETWORK_MESSAGES = [
  /connection terminated/i,
  /connection (?:was )?closed/i,
  /connection (?:timed out|timeout)/i,
  /timeout expired/i,
  /socket hang up/i,
  /the database system is (?:starting up|shutting down|in recovery mode)/i,
  /terminating connection due to administrator command/i,
];

/**
 * Network (retry for the connection window) or other (retry for the other-failure window).
 * Looks through wrapped causes and aggregated errors, so "Kafka did not acknowledge a batch"
 * caused by a broken connection counts as a network failure. Authentication and permission
 * errors are not network failures: retrying them for hours would only hide a wrong password.
 */
export function classifyFailure(error: unknown): FailureKind {
  if (typeof error === 'string') return isNetworkError({ message: error }) ? 'network' : 'other';
  // Our own failures say what they are (task-failure.ts). Only the failure itself decides: a
  // wrapper chose to be a failure of another kind (and the data exception's table and id are
  // reported from the failure itself).
  if (error instanceof TaskFailure) return error.kind;
  const tree = errorTree(error);
  // A plain copy of one (after a trip through JSON) still carries its code.
  const code = (error as { code?: unknown } | null)?.code;
  if (code === DATA_EXCEPTION_CODE) return 'data';
  if (code === SLOT_LOST_CODE) return 'slotLost';
  if (tree.some((e) => AUTHENTICATION_ERRORS.has(String(e.code)) || AUTHENTICATION_ERRORS.has(String(e.name)))) return 'other';
  return tree.some(isNetworkError) ? 'network' : 'other';
}

/**
 * The error and everything it wraps (cause, kafkajs' originalError, AggregateError's errors),
 * breadth first, bounded (errors can be cyclic).
 */
export function errorTree(error: unknown): FailureLike[] {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  const tree: FailureLike[] = [];
  while (queue.length && tree.length < 64) {
    const current = queue.shift();
    if (!current || typeof current !== 'object' || seen.has(current)) continue;
    seen.add(current);
    const e = current as FailureLike;
    tree.push(e);
    queue.push(e.cause, e.originalError, ...(Array.isArray(e.errors) ? e.errors : []));
  }
  return tree;
}

function isNetworkError(e: FailureLike): boolean {
  // A network failure of ours wrapped by another error ("cannot describe table …: registry unreachable").
  if (e instanceof TaskFailure) return e.kind === 'network';
  const code = typeof e.code === 'string' ? e.code : undefined;
  if (code && (NETWORK_ERRNOS.has(code) || NETWORK_PLATFORMATIC_CODES.has(code) || isNetworkSqlState(code))) return true;
  if (typeof e.name === 'string' && NETWORK_KAFKA_ERRORS.has(e.name)) return true;
  for (const type of [e.type, e.apiId]) if (typeof type === 'string' && NETWORK_KAFKA_PROTOCOL_TYPES.has(type)) return true;
  const message = typeof e.message === 'string' ? e.message : '';
  if (message && NETWORK_MESSAGES.some((re) => re.test(message))) return true;
  // "connect ECONNREFUSED 127.0.0.1:5432" when the code was lost on the way.
  return [...NETWORK_ERRNOS].some((errno) => message.includes(errno));
}

/** Failure kinds no retry can fix: the task stops at once and says why. */
export function isNeverRetried(kind: FailureKind): boolean {
  return kind === 'data' || kind === 'slotLost';
}

export function retryWindowMs(kind: FailureKind, windows: RetryWindows): number {
  if (isNeverRetried(kind)) return 0;
  return (kind === 'network' ? windows.connectionMinutes : windows.otherMinutes) * MINUTE_MS;
}

export interface RetryDecision {
  retry: boolean;
  /** Until when (epoch ms) failures of this kind are retried, counted from the episode's start. */
  retryUntil: number;
}

/**
 * Whether a failure at `now` is retried: the episode started at `failingSince` (the first failure
 * since the task last streamed) and the window is the one of the latest failure's kind.
 */
export function decideRetry(kind: FailureKind, failingSince: number, now: number, windows: RetryWindows, timeScale = 1, retryable = true): RetryDecision {
  if (isNeverRetried(kind) || !retryable) return { retry: false, retryUntil: now };
  const retryUntil = failingSince + retryWindowMs(kind, windows) / scale(timeScale);
  return { retry: now < retryUntil, retryUntil };
}

/** When an abnormal task (abnormal since `abnormalSince`) is stopped automatically. */
export function abnormalStopAt(abnormalSince: number, abnormalStopDays: number, timeScale = 1): number {
  return abnormalSince + (abnormalStopDays * DAY_MS) / scale(timeScale);
}

function scale(timeScale: number): number {
  return Number.isFinite(timeScale) && timeScale > 0 ? timeScale : 1;
}
