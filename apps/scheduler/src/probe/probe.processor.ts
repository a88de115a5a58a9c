import { Processor } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import { ProbeJob, QueueName, type ProbePayloads } from '@walbridge/queue';
import { PrecheckRunner } from '../precheck/precheck-runner.service';
import { ConnectionProbeService } from './connection-probe.service';
import { VersionedProcessor } from '../queue/versioned-processor';

type AnyProbeJob = { [J in ProbeJob]: Job<ProbePayloads[J], unknown, J> }[ProbeJob];

/**
 * The API's hands towards sources and Kafka clusters. Several probes run at once, so a user
 * testing a connection does not wait behind another task's precheck.
 */
@Processor(QueueName.Probe, { concurrency: 8 })
export class ProbeProcessor extends VersionedProcessor<AnyProbeJob> {
  protected readonly logger = new Logger(ProbeProcessor.name);

  constructor(
    private readonly connections: ConnectionProbeService,
    private readonly precheck: PrecheckRunner,
  ) {
    super();
  }

  protected async handle(job: AnyProbeJob): Promise<unknown> {
    switch (job.name) {
      case ProbeJob.TestConnection:
        return this.connections.testConnection(job.data);
      case ProbeJob.TestTaskConnection:
        return this.connections.testTaskConnection(job.data);
      case ProbeJob.ListSourceObjects:
        return this.connections.listSourceObjects(job.data);
      case ProbeJob.BrowseMessages:
        return this.connections.browseMessages(job.data);
      case ProbeJob.ListTopics:
        return this.connections.listTopics(job.data);
      case ProbeJob.RunPrecheck:
        this.logger.log(`precheck ${job.data.runId} of task ${job.data.taskId}`);
        await this.precheck.run(job.data.taskId, job.data.runId);
        return null;
    }
  }
}
