import { describe, expect, it, vi } from 'vitest';
import { DataException, type PgOutputMessage, type RelationSchema } from '@walbridge/domain';
import type { TableRoute } from '../routing';
import type { OutboundMessage } from '../sink/kafka-sink';
import { ChangeIntake } from './change-intake';
import { RELATION, ROUTE, SCHEMA, routeFor, tx } from './orders-stream.fixture';

/** The intake with its output recorded; `describe` answers when the test says so. */
function harness(route: TableRoute | null = ROUTE) {
  const events: string[] = [];
  const messages: OutboundMessage[] = [];
  const fail = vi.fn();
  let answer: (schema: RelationSchema) => void = () => undefined;
  const intake = new ChangeIntake(
    { describe: () => new Promise<RelationSchema>((resolve) => (answer = resolve)), route: () => route, now: () => 1_700_000_001_000 },
    {
      enqueue: (m) => {
        messages.push(m);
        events.push(`message ${m.id}`);
      },
      mark: (lsn, commitTime) => events.push(`mark ${lsn.toString(16)}${commitTime === null ? '' : ' (commit)'}`),
      describing: () => events.push('pause'),
      described: () => events.push('resume'),
      fail,
    },
  );
  const described = async () => {
    answer(SCHEMA);
    await new Promise((r) => setImmediate(r));
  };
  return { intake, events, messages, fail, described };
}

const push = (intake: ChangeIntake, stream: PgOutputMessage[]) => stream.forEach((m) => intake.push(m));

describe('ChangeIntake', () => {
  it('encodes each change at once and marks the end of its transaction as a position to confirm', async () => {
    const h = harness();
    h.intake.push(RELATION);
    await h.described();
    push(h.intake, tx(0x200n, 0x260n, [1, 2]));
    expect(h.events).toEqual(['pause', 'resume', 'message 0000000000000200-00000000', 'message 0000000000000200-00000001', 'mark 260 (commit)']);
    expect(h.intake.counts).toEqual({ rowsRead: 2, inserts: 2, updates: 0, deletes: 0 });
    expect(h.intake.seen).toBe(0x260n);
  });

  it('holds what follows a Relation message until the table is described, in stream order', async () => {
    const h = harness();
    h.intake.push(RELATION);
    push(h.intake, tx(0x200n, 0x260n, [1]));
    h.intake.keepalive(0x300n);
    expect(h.events).toEqual(['pause']);
    expect(h.intake.isIdle()).toBe(false);
    await h.described();
    expect(h.events).toEqual(['pause', 'resume', 'message 0000000000000200-00000000', 'mark 260 (commit)', 'mark 300']);
    expect(h.intake.isIdle()).toBe(true);
  });

  it.each([
    ['a keepalive between transactions', { tag: 'keepalive' } as const, ['mark 300']],
    ['a heartbeat message between transactions', { tag: 'message' } as const, ['mark 300']],
  ])('marks %s, but not inside a transaction', async (_, kind, between) => {
    const at = (h: ReturnType<typeof harness>, lsn: bigint) =>
      kind.tag === 'keepalive' ? h.intake.keepalive(lsn) : h.intake.push({ tag: 'message', transactional: false, lsn, prefix: 'walbridge', content: Buffer.alloc(0) } as PgOutputMessage);
    const outside = harness();
    at(outside, 0x300n);
    expect(outside.events).toEqual(between);
    const inside = harness();
    inside.intake.push(RELATION);
    await inside.described();
    inside.intake.push({ tag: 'begin', finalLsn: 0x400n, commitTime: 1, xid: 9 });
    at(inside, 0x350n);
    expect(inside.events.filter((e) => e.startsWith('mark'))).toEqual([]);
    expect(inside.intake.openTransactionCommitTime).toBe(1);
  });

  it('gives filtered changes an index too, so ids do not move when filters change', async () => {
    const h = harness(routeFor({ filter: "note LIKE 'row 2'" }));
    h.intake.push(RELATION);
    await h.described();
    push(h.intake, tx(0x200n, 0x260n, [1, 2]));
    expect(h.messages.map((m) => m.id)).toEqual(['0000000000000200-00000001']);
    expect(h.intake.counts.rowsRead).toBe(2);
  });

  it('fails with a protocol error for a change before its Relation message, and takes nothing more', () => {
    const h = harness();
    push(h.intake, tx(0x200n, 0x260n, [1]));
    expect(h.fail).toHaveBeenCalledWith(expect.objectContaining({ message: expect.stringMatching(/^protocol error: INSERT of relation 42/) }));
  });

  it('fails with a data exception naming table and id when a change cannot be encoded', async () => {
    const h = harness();
    h.intake.push(RELATION);
    await h.described();
    h.intake.push({ tag: 'begin', finalLsn: 0x300n, commitTime: 1, xid: 1 });
    h.intake.push({ tag: 'insert', relationId: 42, newTuple: ['1', Buffer.from('binary')] });
    expect(h.fail).toHaveBeenCalledWith(expect.any(DataException));
    expect(h.fail.mock.calls[0][0].message).toMatch(/^data exception on shop\.orders, message id 0000000000000300-00000000/);
  });

  it('names the table it could not describe', async () => {
    const fail = vi.fn();
    const failing = new ChangeIntake(
      { describe: async () => Promise.reject(new Error('registry unreachable')), route: () => ROUTE, now: () => 0 },
      { enqueue: vi.fn(), mark: vi.fn(), describing: vi.fn(), described: vi.fn(), fail },
    );
    failing.push(RELATION);
    await new Promise((r) => setImmediate(r));
    expect(fail).toHaveBeenCalledWith(expect.objectContaining({ message: 'cannot describe table shop.orders: registry unreachable' }));
  });

  it('stops taking messages once stopped', async () => {
    const h = harness();
    h.intake.push(RELATION);
    await h.described();
    h.intake.stop();
    push(h.intake, tx(0x200n, 0x260n, [1]));
    expect(h.messages).toEqual([]);
  });
});
