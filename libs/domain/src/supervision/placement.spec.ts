import { describe, expect, it } from 'vitest';
import { capacityWaitText, decidePlacement, decideRebalance, type SchedulerLoad } from './placement';

const s = (id: string, tasks: number, capacity = 4, draining = false): SchedulerLoad => ({ id, tasks, capacity, draining });

describe('decidePlacement', () => {
  const cases: { name: string; self: SchedulerLoad; peers: SchedulerLoad[]; expected: ReturnType<typeof decidePlacement> }[] = [
    { name: 'alone with room', self: s('a', 0), peers: [], expected: { take: true } },
    { name: 'alone and full', self: s('a', 4), peers: [], expected: { take: false, reason: 'full', waitingForCapacity: true } },
    { name: 'full, a peer has room', self: s('a', 4), peers: [s('b', 1)], expected: { take: false, reason: 'full', waitingForCapacity: false } },
    { name: 'draining, a peer has room', self: s('a', 1, 4, true), peers: [s('b', 3)], expected: { take: false, reason: 'draining', waitingForCapacity: false } },
    { name: 'draining, the others full', self: s('a', 0, 4, true), peers: [s('b', 4)], expected: { take: false, reason: 'draining', waitingForCapacity: true } },
    { name: 'a less loaded peer', self: s('a', 2), peers: [s('b', 1)], expected: { take: false, reason: 'lessLoadedPeer', waitingForCapacity: false } },
    { name: 'equal load, lower id peer takes it', self: s('b', 1), peers: [s('a', 1)], expected: { take: false, reason: 'lessLoadedPeer', waitingForCapacity: false } },
    { name: 'equal load, self has the lower id', self: s('a', 1), peers: [s('b', 1), s('c', 1)], expected: { take: true } },
    { name: 'the lighter peer is full (smaller capacity)', self: s('a', 2), peers: [s('b', 1, 1)], expected: { take: true } },
    { name: 'the lighter peer is draining', self: s('a', 2), peers: [s('b', 0, 4, true)], expected: { take: true } },
    { name: 'itself among the peers is ignored', self: s('a', 1), peers: [s('a', 0), s('b', 1)], expected: { take: true } },
  ];
  it.each(cases)('$name', ({ self, peers, expected }) => expect(decidePlacement(self, peers)).toEqual(expected));

  it('fills a fleet evenly when each takes what it should', () => {
    const fleet = [s('a', 0, 3), s('b', 0, 3), s('c', 0, 3)];
    let waiting = 0;
    for (let task = 0; task < 10; task++) {
      const takers = fleet.filter((me) => decidePlacement(me, fleet).take);
      expect(takers.length, 'exactly one scheduler takes a task, or none').toBeLessThanOrEqual(1);
      if (takers[0]) takers[0].tasks++;
      else waiting++;
    }
    expect(fleet.map((x) => x.tasks)).toEqual([3, 3, 3]);
    expect(waiting).toBe(1);
  });
});

describe('decideRebalance', () => {
  const cases: { name: string; self: SchedulerLoad; peers: SchedulerLoad[]; enabled?: boolean; expected: boolean }[] = [
    { name: 'a newcomer with nothing', self: s('a', 4), peers: [s('b', 0)], expected: true },
    { name: 'off', self: s('a', 4), peers: [s('b', 0)], enabled: false, expected: false },
    { name: 'a difference of one', self: s('a', 2), peers: [s('b', 1)], expected: false },
    { name: 'not the heaviest', self: s('a', 3), peers: [s('b', 4), s('c', 0)], expected: false },
    { name: 'equally heavy, lower id moves', self: s('a', 3), peers: [s('b', 3), s('c', 0)], expected: true },
    { name: 'equally heavy, higher id waits', self: s('b', 3), peers: [s('a', 3), s('c', 0)], expected: false },
    { name: 'the light one is full', self: s('a', 4), peers: [s('b', 1, 1)], expected: false },
    { name: 'the light one is draining', self: s('a', 4), peers: [s('b', 0, 4, true)], expected: false },
    { name: 'self draining (the drain moves everything anyway)', self: s('a', 4, 4, true), peers: [s('b', 0)], expected: false },
    { name: 'a heavier peer that drains does not count', self: s('a', 3), peers: [s('b', 4, 4, true), s('c', 0)], expected: true },
  ];
  it.each(cases)('$name', ({ self, peers, enabled, expected }) => expect(decideRebalance(self, peers, enabled ?? true)).toBe(expected));

  it('moving one task at a time ends in an even spread', () => {
    const fleet = [s('a', 6, 10), s('b', 0, 10), s('c', 0, 10)];
    for (let move = 0; move < 10; move++) {
      const giver = fleet.find((me) => decideRebalance(me, fleet, true));
      if (!giver) break;
      giver.tasks--;
      fleet.find((me) => decidePlacement(me, fleet).take)!.tasks++;
    }
    expect(fleet.map((x) => x.tasks)).toEqual([2, 2, 2]);
  });
});

describe('capacityWaitText', () => {
  it('says why and what to do', () => {
    expect(capacityWaitText([s('a', 2, 2), s('b', 1, 3, true)])).toBe(
      'waiting for scheduler capacity: 1 scheduler(s) run 2 of 2 task(s) they may take, 1 draining; ' +
        'the task starts as soon as one has room (raise WALBRIDGE_SCHEDULER_MAX_TASKS or add a scheduler)',
    );
  });
});
