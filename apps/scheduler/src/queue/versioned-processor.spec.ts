import { Logger } from '@nestjs/common';
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import { describe, expect, it, vi } from 'vitest';
import { PROTOCOL_VERSION } from '@walbridge/queue';
import { REFUSED_JOB_DELAY_MS, VersionedProcessor } from './versioned-processor';

class Recorder extends VersionedProcessor {
  protected readonly logger = new Logger('test');
  readonly handled: unknown[] = [];
  readonly warnings: string[] = [];
  constructor() {
    super();
    vi.spyOn(this.logger, 'warn').mockImplementation((m: unknown) => void this.warnings.push(String(m)));
  }
  protected async handle(job: Job): Promise<unknown> {
    this.handled.push(job.data);
    return 'done';
  }
}

function job(data: object) {
  const moved: number[] = [];
  const fake = { queueName: 'task-control', name: 'start-task', id: '7', data, moveToDelayed: async (at: number) => void moved.push(at) };
  return { job: fake as unknown as Job, moved };
}

describe('a queue consumer reads only the protocol versions it understands', () => {
  it("handles this release's jobs and the previous release's unversioned ones", async () => {
    const p = new Recorder();
    await expect(p.process(job({ taskId: 'a', v: PROTOCOL_VERSION }).job)).resolves.toBe('done');
    await expect(p.process(job({ taskId: 'b' }).job)).resolves.toBe('done');
    expect(p.handled).toHaveLength(2);
    expect(p.warnings).toEqual([]);
  });

  it('puts a newer release\'s job back, delayed, for a scheduler of that release, with a log line naming both versions', async () => {
    const p = new Recorder();
    const { job: j, moved } = job({ taskId: 'a', v: PROTOCOL_VERSION + 1 });
    const before = Date.now();
    await expect(p.process(j, 'token')).rejects.toBeInstanceOf(DelayedError);
    expect(p.handled).toEqual([]);
    expect(moved[0]).toBeGreaterThanOrEqual(before + REFUSED_JOB_DELAY_MS);
    expect(p.warnings[0]).toContain(`task-control job start-task (id 7) carries protocol v${PROTOCOL_VERSION + 1}, newer than this scheduler understands`);
    expect(p.warnings[0]).toContain('upgrade this scheduler');
  });

  it('fails a job nobody can read, without handling it', async () => {
    const p = new Recorder();
    const { job: j, moved } = job({ taskId: 'a', v: 'x' });
    await expect(p.process(j)).rejects.toBeInstanceOf(UnrecoverableError);
    expect(moved).toEqual([]);
    expect(p.handled).toEqual([]);
    expect(p.warnings[0]).toMatch(/invalid protocol version "x"/);
  });
});
