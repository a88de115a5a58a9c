import { describe, expect, it } from 'vitest';
import { DomainError } from '@walbridge/domain';
import type { SchedulerRecord } from '@walbridge/queue';
import type { FleetRegistryRepository } from './fleet-registry.repository';
import { FleetService } from './fleet.service';

const record = (over: Partial<SchedulerRecord> = {}): SchedulerRecord => ({
  id: 'host-a:100',
  host: 'host-a',
  pid: 100,
  version: '0.1.0',
  startedAt: '2026-12-03T10:00:00.000Z',
  heartbeatAt: '2026-12-03T10:05:00.000Z',
  tasks: 2,
  capacity: 50,
  draining: false,
  taskIds: ['t2', 't1'],
  ...over,
});

/** The Redis records as plain data: what the schedulers published, drain keys written, tasks waiting. */
function fakeRegistry(records: SchedulerRecord[], waiting: { taskId: string; reason: string }[] = []) {
  const drains = new Set<string>();
  const fake = {
    schedulers: async () => records,
    allWaiting: async () => waiting,
    requestDrain: async (id: string) => void drains.add(id),
    drainRequested: async (id: string) => drains.has(id),
  };
  return { registry: fake as unknown as FleetRegistryRepository, drains };
}

describe('FleetService', () => {
  it('lists the schedulers oldest first with their heartbeat, load and sorted task ids, and the tasks waiting for room', async () => {
    const { registry } = fakeRegistry(
      [record({ id: 'b', startedAt: '2026-12-03T11:00:00.000Z' }), record({ id: 'a' })],
      [{ taskId: 'z', reason: 'waiting for scheduler capacity: 2 schedulers, 100 of 100 tasks' }, { taskId: 'y', reason: 'r' }],
    );
    const view = await new FleetService(registry).list();
    expect(view.items.map((s) => s.id)).toEqual(['a', 'b']);
    expect(view.items[0]).toEqual({
      id: 'a',
      host: 'host-a',
      pid: 100,
      version: '0.1.0',
      startedAt: '2026-12-03T10:00:00.000Z',
      lastHeartbeatAt: '2026-12-03T10:05:00.000Z',
      tasks: 2,
      capacity: 50,
      draining: false,
      taskIds: ['t1', 't2'],
    });
    expect(view.waiting.map((w) => w.taskId)).toEqual(['y', 'z']);
  });

  it('writes a drain request for a scheduler in the fleet and shows it draining before its next heartbeat', async () => {
    const { registry, drains } = fakeRegistry([record({ id: 'a' })]);
    const service = new FleetService(registry);
    expect(await service.drain('a')).toMatchObject({ id: 'a', draining: true });
    expect([...drains]).toEqual(['a']);
    expect((await service.list()).items[0].draining).toBe(true);
  });

  it('refuses to drain a scheduler that is not in the fleet, with a code the console can match', async () => {
    const { registry, drains } = fakeRegistry([record({ id: 'a' })]);
    const error = await new FleetService(registry).drain('gone').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ kind: 'not-found', code: 'SCHEDULER_NOT_FOUND' });
    expect(drains.size).toBe(0);
  });

  it('names the scheduler holding each task, with its host', async () => {
    const { registry } = fakeRegistry([record({ id: 'a', host: 'host-a', taskIds: ['t1'] }), record({ id: 'b', host: 'host-b', taskIds: ['t9', 't2'] })]);
    const schedulerOf = await new FleetService(registry).placements();
    expect(schedulerOf('t9')).toEqual({ id: 'b', host: 'host-b' });
    expect(schedulerOf('t1')).toEqual({ id: 'a', host: 'host-a' });
    expect(schedulerOf('t0')).toBeNull();
  });

  it('shows no scheduler, rather than failing the task views, when Redis does not answer', async () => {
    const registry = { schedulers: async () => Promise.reject(new Error('ECONNREFUSED')) } as unknown as FleetRegistryRepository;
    expect((await new FleetService(registry).placements())('t1')).toBeNull();
  });
});
