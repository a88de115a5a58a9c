import { brokerHosts, type OutboundPolicy } from '@walbridge/connectors';
import type { WorkerTuning } from '@walbridge/contracts';
import type { WorkerTaskConfig, WorkerToScheduler } from '@walbridge/queue';
import { KafkaSink } from '../sink/kafka-sink';
import type { SourceAdmin } from '../source/source-admin';
import { StartStalledError } from '../worker-failures';
import type { PublicationSetup, PublishedTables } from './publication-setup';
import { prepareTopics, type PreparedTopics } from './topic-setup';

export interface StreamSetUpContext {
  config: WorkerTaskConfig;
  tuning: WorkerTuning;
  /** Applied before every connection. */
  outbound: OutboundPolicy;
  publication: PublicationSetup;
  connectAdmin(): Promise<SourceAdmin>;
  reportSlot(): Promise<void>;
  report(message: WorkerToScheduler): void;
  log(level: 'info' | 'warning', message: string): void;
  /** The sink exists (not connected yet): the worker closes it when it exits, even after a stalled set-up. */
  adoptSink(sink: KafkaSink): void;
}

/** What streaming starts from. */
export interface StreamSetUp extends PublishedTables, PreparedTopics {
  admin: SourceAdmin;
  sink: KafkaSink;
  /** Where the slot stands: what the pipeline may confirm before anything new is acknowledged. */
  startLsn: bigint;
  /** Where the source's WAL ended at the start: the backlog to read before being caught up. */
  backlogEndLsn: bigint;
  /** Where the slot this task created begins (null: created before that was recorded, or not by it). */
  createdLsn: string | null;
}

/**
 * The set-up half of a streaming start: source connection, publication, replication slot, Kafka
 * connection and topics. Every step has its own timeouts, but a server that accepts a
 * connection and then stalls would leave the task STARTING forever: the whole set-up gets a
 * deadline too (`tuning.startDeadlineMs`), after which it fails as a network failure naming the
 * step it stalled in.
 */
export async function setUpStream(context: StreamSetUpContext): Promise<StreamSetUp> {
  const { config, tuning } = context;
  let phase = 'connecting to the source';
  let deadline: NodeJS.Timeout | undefined;
  const stalled = new Promise<never>((_, reject) => {
    deadline = setTimeout(() => reject(new StartStalledError(phase, tuning.startDeadlineMs)), tuning.startDeadlineMs);
  });
  // Kafka is connected while the source is set up (a handover's gap is this set-up's length):
  // the two only meet at the topics, which need the published tables.
  const connectKafka = async (): Promise<KafkaSink> => {
    await context.outbound.assertAllowed(brokerHosts(config.destination.brokers));
    const sink = new KafkaSink(config.destination, `walbridge-${config.taskId}`, config.policy.compression);
    context.adoptSink(sink);
    await sink.connect(context.outbound);
    return sink;
  };
  const setUp = async (): Promise<StreamSetUp> => {
    const admin = await context.connectAdmin();
    // Started once the source answers, so a task whose source is down still fails as a source failure.
    const kafka = connectKafka();
    kafka.catch(() => undefined); // awaited below; a source failure first makes it moot
    phase = 'setting up the publication and the replication slot';
    const published = await context.publication.publish(admin);
    const createdAt = await admin.ensureSlot(config.slotName, config.slotHistory);
    if (createdAt) {
      // Recorded by the scheduler: from now on this slot disappearing is a loss, never a fresh start.
      context.report({ type: 'slotCreated', lsn: createdAt });
      context.log('info', `replication slot ${config.slotName} created at ${createdAt}`);
    }
    const createdLsn = createdAt ?? config.slotHistory.createdLsn;
    const startLsn = await admin.slotConfirmedLsn(config.slotName);
    const backlogEndLsn = await admin.currentWalLsn();
    await context.reportSlot();

    phase = 'connecting to Kafka';
    const sink = await kafka;
    const topics = await prepareTopics(sink, config.policy, config.source.database, published.topicTables, tuning.maxBatchBytes, (message) => context.log('info', message), (name) => (phase = name));
    return { ...published, ...topics, startLsn, backlogEndLsn, createdLsn, admin, sink };
  };
  const setting = setUp();
  setting.catch(() => undefined); // reported through the race; a late failure after a stall is moot
  return Promise.race([setting, stalled]).finally(() => clearTimeout(deadline));
}
