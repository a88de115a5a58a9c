/**
 * The version of the messages Walbridge's processes exchange: every BullMQ job payload and every
 * worker IPC message carries it as `v`. During a rolling upgrade an api or scheduler of the next
 * release and one of the previous run side by side (README "Running a fleet"), and a scheduler
 * upgraded in place forks workers of the new release; so a release reads the messages of the one
 * before it. Bump PROTOCOL_VERSION when a message changes in a way the previous release would
 * misread, and keep OLDEST_ACCEPTED_PROTOCOL at the old value for one release.
 */
export const PROTOCOL_VERSION = 2;

/** The releases before versioning sent no `v`: their messages are version 1. */
export const UNVERSIONED_PROTOCOL = 1;

/** The oldest version this release still understands: one release back. */
export const OLDEST_ACCEPTED_PROTOCOL = 1;

export interface ProtocolRange {
  current: number;
  oldest: number;
}

const THIS_RELEASE: ProtocolRange = { current: PROTOCOL_VERSION, oldest: OLDEST_ACCEPTED_PROTOCOL };

export type ProtocolVerdict = { accepted: true; version: number } | { accepted: false; version: unknown; reason: string };

/** A payload or message stamped with this release's version. */
export function withProtocol<T extends object>(payload: T): T & { v: number } {
  return { ...payload, v: PROTOCOL_VERSION };
}

/**
 * Whether a message (`what`: e.g. "task-control job start-task", "the worker's start message")
 * from another process may be read here, and if not, a log line that names both versions and
 * what the operator does about it. `receiver`: "this scheduler", "this worker".
 */
export function judgeProtocol(message: unknown, what: string, receiver: string, range: ProtocolRange = THIS_RELEASE): ProtocolVerdict {
  const v = message !== null && typeof message === 'object' ? (message as { v?: unknown }).v : undefined;
  const version = v === undefined ? UNVERSIONED_PROTOCOL : v;
  const speaks = `${receiver} speaks protocol v${range.current} and reads v${range.oldest}${range.oldest === range.current ? '' : `..v${range.current}`}`;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    return { accepted: false, version, reason: `${what} carries an invalid protocol version ${JSON.stringify(version)}; ${speaks}; it was not sent by Walbridge` };
  }
  if (version > range.current) {
    return {
      accepted: false,
      version,
      reason: `${what} carries protocol v${version}, newer than ${receiver} understands (${speaks}): it comes from a newer release; upgrade ${receiver} (finish the rolling upgrade)`,
    };
  }
  if (version < range.oldest) {
    return {
      accepted: false,
      version,
      reason: `${what} carries protocol v${version}, older than ${receiver} still reads (${speaks}): it comes from a release more than one version back; upgrade the sender (every api, scheduler and worker must be at most one release apart)`,
    };
  }
  return { accepted: true, version };
}
