import { describe, expect, it } from 'vitest';
import { judgeProtocol, PROTOCOL_VERSION, withProtocol, type ProtocolRange } from './protocol';

describe('which protocol versions a process reads', () => {
  // A release of v3 that still reads v2 (the one before it).
  const range: ProtocolRange = { current: 3, oldest: 2 };
  const rows: [string, unknown, boolean, RegExp | null][] = [
    ['its own version', { v: 3 }, true, null],
    ['the previous release', { v: 2 }, true, null],
    ['a newer release: upgrade the receiver', { v: 4 }, false, /carries protocol v4, newer than this scheduler understands \(this scheduler speaks protocol v3 and reads v2\.\.v3\).*upgrade this scheduler/],
    ['two releases back: upgrade the sender', { v: 1 }, false, /carries protocol v1, older than this scheduler still reads.*at most one release apart/],
    ['no version: a release before versioning (v1), too old here', { taskId: 't' }, false, /protocol v1, older/],
    ['a version that is no number', { v: '3' }, false, /invalid protocol version "3"/],
    ['a fraction', { v: 2.5 }, false, /invalid protocol version 2\.5/],
    ['not an object at all', 'start', false, /invalid protocol version 1|older/],
  ];
  it.each(rows)('%s', (_name, message, accepted, reason) => {
    const verdict = judgeProtocol(message, 'task-control job start-task', 'this scheduler', range);
    expect(verdict.accepted).toBe(accepted);
    if (!verdict.accepted) {
      expect(verdict.reason).toMatch(reason!);
      expect(verdict.reason).toContain('task-control job start-task');
    }
  });

  it("this release reads the previous release's unversioned messages and stamps its own", () => {
    expect(judgeProtocol({ taskId: 't', requestedBy: 'admin' }, 'a job', 'this scheduler')).toEqual({ accepted: true, version: 1 });
    expect(withProtocol({ taskId: 't' })).toEqual({ taskId: 't', v: PROTOCOL_VERSION });
    expect(judgeProtocol(withProtocol({ taskId: 't' }), 'a job', 'this scheduler').accepted).toBe(true);
  });
});
