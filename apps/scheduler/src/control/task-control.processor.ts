import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import { TaskLogRepository, TaskRepository } from '@walbridge/persistence';
import { QueueName, TaskControlJob, type TaskControlPayloads } from '@walbridge/queue';
import { WorkerSupervisor } from '../supervisor/worker-supervisor.service';

type ControlJob = { [J in TaskControlJob]: Job<TaskControlPayloads[J], void, J> }[TaskControlJob];

/** The only consumer of the control queue: turns requests into supervisor actions. */
@Processor(QueueName.TaskControl)
export class TaskControlProcessor extends WorkerHost {
  private readonly logger = new Logger(TaskControlProcessor.name);

  constructor(
    private readonly supervisor: WorkerSupervisor,
    private readonly tasks: TaskRepository,
    private readonly logs: TaskLogRepository,
  ) {
    super();
  }

  async process(job: ControlJob): Promise<void> {
    this.logger.log(`${job.name} for task ${job.data.taskId}`);
    switch (job.name) {
      case TaskControlJob.StartTask: {
        // A scheduled start fires here; an immediate one is already STARTING.
        const moved = await this.tasks.transition(job.data.taskId, ['PENDING_START'], 'STARTING');
        if (moved) await this.logs.append(job.data.taskId, 'info', 'scheduled start time reached');
        await this.supervisor.ensureRunning(job.data.taskId);
        return;
      }
      case TaskControlJob.StopTask:
        await this.supervisor.stop(job.data.taskId, job.data.force);
        return;
    }
  }
}
