import { Processor } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import { QueueName, TaskControlJob, type TaskControlPayloads } from '@walbridge/queue';
import { WorkerSupervisor } from '../supervisor/worker-supervisor.service';
import { VersionedProcessor } from '../queue/versioned-processor';

type ControlJob = { [J in TaskControlJob]: Job<TaskControlPayloads[J], void, J> }[TaskControlJob];

/**
 * The only consumer of the control queue: turns requests into supervisor actions. Every request
 * is also visible in the task's status or requested operation, so a lost job only delays it
 * until the next reconcile pass.
 */
@Processor(QueueName.TaskControl)
export class TaskControlProcessor extends VersionedProcessor<ControlJob> {
  protected readonly logger = new Logger(TaskControlProcessor.name);

  constructor(private readonly supervisor: WorkerSupervisor) {
    super();
  }

  protected async handle(job: ControlJob): Promise<void> {
    this.logger.log(`${job.name} for task ${job.data.taskId}`);
    switch (job.name) {
      case TaskControlJob.StartTask:
        // A scheduled start fires here; an immediate start or a resume is already STARTING.
        await this.supervisor.startScheduled(job.data.taskId);
        return;
      case TaskControlJob.StopTask:
        await this.supervisor.stop(job.data.taskId, job.data.force);
        return;
      case TaskControlJob.PauseTask:
        await this.supervisor.pause(job.data.taskId);
        return;
      case TaskControlJob.ResetTask:
        await this.supervisor.reset(job.data.taskId);
        return;
      case TaskControlJob.DropSlot:
        await this.supervisor.dropSlot(job.data.taskId);
        return;
      case TaskControlJob.ApplyObjects:
        await this.supervisor.applyObjects(job.data.taskId);
        return;
    }
  }
}
