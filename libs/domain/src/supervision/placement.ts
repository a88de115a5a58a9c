/**
 * Where a task runs in a fleet of schedulers (issue 19): every scheduler asks these questions
 * for itself, from its own live count and the counts its peers publish, so no coordinator is
 * needed. BullMQ delivers a start to any scheduler; a scheduler that should not run it declines
 * and leaves it for the one that should (its reconcile pass or the release notice finds it), and
 * the lease (Redis SET NX) settles the rare race of two that both think they should.
 */
export interface SchedulerLoad {
  id: string;
  /** Tasks whose lease the scheduler holds. */
  tasks: number;
  /** WALBRIDGE_SCHEDULER_MAX_TASKS of that scheduler. */
  capacity: number;
  draining: boolean;
}

export type PlacementDecision =
  | { take: true }
  | {
      take: false;
      reason: 'draining' | 'full' | 'lessLoadedPeer';
      /** No scheduler of the fleet has room: the task waits, visibly, until one has. */
      waitingForCapacity: boolean;
    };

export function hasRoom(s: SchedulerLoad): boolean {
  return !s.draining && s.tasks < s.capacity;
}

/** Orders by load, then by id, so that two equally loaded schedulers never both decline. */
function lighter(a: SchedulerLoad, b: SchedulerLoad): boolean {
  return a.tasks < b.tasks || (a.tasks === b.tasks && a.id < b.id);
}

/** Should `self` take (start, resume, adopt) a task nobody owns now? */
export function decidePlacement(self: SchedulerLoad, peers: readonly SchedulerLoad[]): PlacementDecision {
  const others = peers.filter((p) => p.id !== self.id);
  const waitingForCapacity = !others.some(hasRoom);
  if (self.draining) return { take: false, reason: 'draining', waitingForCapacity };
  if (self.tasks >= self.capacity) return { take: false, reason: 'full', waitingForCapacity };
  if (others.some((p) => hasRoom(p) && lighter(p, self))) return { take: false, reason: 'lessLoadedPeer', waitingForCapacity: false };
  return { take: true };
}

/**
 * Should `self` hand one of its tasks over to a lighter scheduler now? Only the most loaded
 * scheduler of the fleet moves tasks, one at a time, and only while the spread is uneven by two
 * or more (moving one task out of a difference of one would just swap the imbalance).
 */
export function decideRebalance(self: SchedulerLoad, peers: readonly SchedulerLoad[], enabled: boolean): boolean {
  if (!enabled || self.draining || self.tasks === 0) return false;
  const others = peers.filter((p) => p.id !== self.id);
  // The heaviest is the one with most tasks, the lowest id among equals (the same order as placement).
  const heavier = others.some((p) => !p.draining && (p.tasks > self.tasks || (p.tasks === self.tasks && p.id < self.id)));
  if (heavier) return false;
  const receivers = others.filter(hasRoom);
  if (!receivers.length) return false;
  const lightest = Math.min(...receivers.map((p) => p.tasks));
  return self.tasks - lightest >= 2;
}

/** The visible reason of a task no scheduler takes because every one is full (or draining). */
export function capacityWaitText(fleet: readonly SchedulerLoad[]): string {
  const live = fleet.filter((s) => !s.draining);
  const used = live.reduce((n, s) => n + s.tasks, 0);
  const capacity = live.reduce((n, s) => n + s.capacity, 0);
  const draining = fleet.length - live.length;
  return (
    `waiting for scheduler capacity: ${live.length} scheduler(s) run ${used} of ${capacity} task(s) they may take` +
    (draining ? `, ${draining} draining` : '') +
    '; the task starts as soon as one has room (raise WALBRIDGE_SCHEDULER_MAX_TASKS or add a scheduler)'
  );
}
