import { randomUUID } from 'node:crypto';
import type { BackfillPlan, WorkerLogLevel, WorkerTaskConfig, WorkerToScheduler, WorkerProgress } from '@walbridge/queue';
import type { WorkerTuning } from '@walbridge/contracts';
import { backfillsAddedTables, decideSlot, formatLsn, type RelationMessage, type RelationSchema } from '@walbridge/domain';
import { ChangePipeline } from './pipeline/change-pipeline';
import { createRouter } from './routing';
import type { KafkaSink } from './sink/kafka-sink';
import { isUnknownTopic } from './sink/sink-errors';
import { OutboundPolicy, SchemaRegistryClient, pgClientConfig } from '@walbridge/connectors';
import { RegisteredSchemas } from './encoding/avro-registry-encoder';
import { ReplicationStream } from './source/replication-stream';
import { SourceAdmin } from './source/source-admin';
import { SnapshotEngine } from './snapshot/snapshot-engine';
import { SnapshotReader } from './snapshot/snapshot-reader';
import { TableDiscovery } from './source/table-discovery';
import { PublicationSetup } from './setup/publication-setup';
import { setUpStream } from './setup/stream-setup';
import { ensureTopicOf } from './setup/topic-setup';
import { ReplicationClosedError, TopicGoneError } from './worker-failures';

export type Report = (message: WorkerToScheduler) => void;

const PROGRESS_EVERY_MS = 1000;

/** One task's streaming session: set up slot and publication, stream, report, stop on request. */
export class WorkerRuntime {
  private admin?: SourceAdmin;
  private sink?: KafkaSink;
  private replication?: ReplicationStream;
  private pipeline?: ChangePipeline;
  private snapshot?: SnapshotEngine;
  private timers: NodeJS.Timeout[] = [];
  private stopping = false;
  /** Applied before every connection: a task pointed at a refused address fails (not retried) with the reason. */
  private readonly outbound: OutboundPolicy;
  /** Where the slot this task created begins (null: created before that was recorded, or not by it). */
  private createdLsn: string | null = null;
  private readonly publication: PublicationSetup;

  constructor(
    private readonly config: WorkerTaskConfig,
    /** The start message's tuning, validated (main.ts). */
    private readonly tuning: WorkerTuning,
    private readonly report: Report,
  ) {
    this.outbound = new OutboundPolicy(config.outboundDeny);
    this.publication = new PublicationSetup({
      config,
      tableDiscoveryMs: this.tuning.tableDiscoveryMs,
      report: (message) => this.report(message),
      log: (level, message) => this.log(level, message),
    });
  }

  async stream(): Promise<void> {
    const { config, tuning } = this;
    const set = await setUpStream({
      config,
      tuning,
      outbound: this.outbound,
      publication: this.publication,
      connectAdmin: () => this.connectAdmin(),
      reportSlot: () => this.reportSlot(),
      report: (message) => this.report(message),
      log: (level, message) => this.log(level, message),
      adoptSink: (sink) => (this.sink = sink),
    });
    const { startLsn, backlogEndLsn, tables, topics, partitionCounts, maxBatchBytes, tableOids, admin, sink } = set;
    this.createdLsn = set.createdLsn;

    const registered = config.destination.schemaRegistry ? new RegisteredSchemas(new SchemaRegistryClient(config.destination.schemaRegistry, this.outbound)) : undefined;
    const router = createRouter(config.policy, partitionCounts, tableOids, config.policy.format === 'avro-registry' ? registered : undefined);
    // avro-registry: a table's schemas are registered when it is described, before its route is built.
    const registering = async (schema: RelationSchema) => {
      if (registered && config.policy.format === 'avro-registry') await registered.prepare(() => router(schema));
      return schema;
    };
    const schemaChangeTopic = config.policy.schemaChangeTopic;
    let rejectFatal!: (error: Error) => void;
    const fatal = new Promise<never>((_, reject) => (rejectFatal = reject));
    // Kafka not knowing a topic we write to usually means it was deleted: say so rather than time out.
    const resolveFatal = (error: Error) => {
      if (!isUnknownTopic(error)) return rejectFatal(error);
      void sink.missingTopics(topics).then(
        (gone) => rejectFatal(gone.length ? new TopicGoneError(gone) : error),
        () => rejectFatal(error),
      );
    };
    this.replication = new ReplicationStream(
      // Values arrive as the walsender prints them: ISO dates whatever the server's default, so
      // every consumer (and the row filters) reads one date format. debezium-json parses
      // intervals and bytea too, so it fixes their output forms as well.
      {
        ...pgClientConfig(config.source, `walbridge-${config.taskId}`),
        options: config.policy.format === 'debezium-json' ? '-c DateStyle=ISO -c IntervalStyle=postgres -c bytea_output=hex' : '-c DateStyle=ISO',
      },
      config.slotName,
      config.publicationName,
      {
        onMessage: (message) => this.pipeline!.push(message),
        onKeepalive: (walEnd, reply) => this.pipeline!.keepalive(walEnd, reply),
        // A broken replication connection may mean a lost slot: that is the failure to report.
        onError: (error) => void this.explainSlotLoss(error).then(resolveFatal),
      },
    );
    // Full synchronization and backfills read alongside the stream (apps/worker/src/snapshot).
    // A table created after the start: its topic must exist before its first change or snapshot row.
    const describe = async (relation: RelationMessage) => {
      const schema = await admin.describeRelation(relation);
      await ensureTopicOf(schema, sink, config.policy, set, (message) => this.log('info', message));
      return schema;
    };
    const snapshot = (this.snapshot = new SnapshotEngine({
      connect: () => SnapshotReader.connect(pgClientConfig(config.source, `walbridge-snapshot-${config.taskId}`)),
      describe: async (relation) => registering(await describe(relation)),
      route: router,
      sink: () => this.pipeline!,
      report: (message) => this.report(message),
      log: (level, message) => this.log(level, message),
      onFatal: (error) => resolveFatal(error),
      runId: randomUUID().slice(0, 8),
      parallel: tuning.snapshotParallel,
      rowsPerSecond: config.throttle.snapshotRowsPerSecond,
    }));
    this.pipeline = new ChangePipeline({
      tap: snapshot.tap,
      source: this.replication,
      sink,
      // A table the task did not know at its start (created later): its topic must exist first.
      describe: async (relation) => registering(await describe(relation)),
      route: router,
      onFatal: (error) => resolveFatal(error),
      onNote: (message) => this.log('info', message),
      schemaChangeTopic: schemaChangeTopic ? { topic: schemaChangeTopic, partitions: partitionCounts.get(schemaChangeTopic)! } : undefined,
      confirmedLsn: startLsn,
      backlogEndLsn,
      throttle: config.throttle,
      maxBatchBytes,
      maxBatchMessages: tuning.maxBatchMessages,
      highWaterBytes: tuning.backpressureHighBytes,
      lowWaterBytes: tuning.backpressureLowBytes,
    });

    this.timers.push(setInterval(() => this.report({ type: 'progress', progress: this.progress() }), PROGRESS_EVERY_MS));
    this.timers.push(setInterval(() => void admin.emitHeartbeat().catch(() => undefined), tuning.heartbeatMs));
    this.timers.push(setInterval(() => void this.reportSlot().catch(() => undefined), tuning.slotReportMs));
    this.timers.push(
      setInterval(() => {
        void sink.missingTopics(topics).then((gone) => {
          if (gone.length && !this.stopping) rejectFatal(new TopicGoneError(gone));
        }, () => undefined);
      }, tuning.topicCheckMs),
    );
    // A selected table dropped while streaming sends nothing more: say so when it happens.
    const dropped = new Set<number>();
    this.timers.push(
      setInterval(() => {
        void admin.missingRelations([...tableOids.keys()].filter((oid) => !dropped.has(oid))).then((gone) => {
          for (const oid of gone) {
            dropped.add(oid);
            const t = tableOids.get(oid)!;
            this.log('warning', `table ${t.schema}.${t.table} (as selected) was dropped on the source: its changes up to the drop are delivered, nothing after; remove it from the task's tables`);
          }
        }, () => undefined);
      }, tuning.topicCheckMs),
    );
    const discovery = new TableDiscovery(admin, {
      publication: config.publicationName,
      plan: set.plan,
      everyMs: tuning.tableDiscoveryMs,
      ...(config.policy.objectScope === 'tables'
        ? { selected: config.policy.tables.map(({ schema, table }) => ({ schema, table })) }
        : { schemas: config.policy.schemas }),
      log: (level, message) => this.log(level, message),
      notice: (notice) => this.report({ type: 'tableNotice', notice }),
      backfill: backfillsAddedTables(config.policy),
      added: (added, backfill) => {
        snapshot.addTables(added);
        if (backfill) this.report({ type: 'tablesAdded', tables: added });
      },
    });
    await discovery.start();
    this.timers.push(setInterval(() => void discovery.poll().catch((e: Error) => this.log('warning', `looking for new tables failed: ${e.message}`)), tuning.tableDiscoveryMs));
    this.log('info', `streaming from ${formatLsn(startLsn)} to ${topics.join(', ')}`);
    this.report({ type: 'streaming' });
    snapshot.start(config.backfills ?? [], tables);
    const streaming = this.replication.run().then(async () => {
      if (!this.stopping) throw await this.explainSlotLoss(new ReplicationClosedError());
    });
    await Promise.race([streaming, fatal]);
  }

  /**
   * The replication connection broke: if it broke because the slot was invalidated (the server
   * ends the walsender of a slot past max_slot_wal_keep_size) or dropped, that is the failure
   * to report, not a connection error to retry. Anything unclear keeps the original error: the
   * restarted worker checks the slot again before streaming.
   */
  private async explainSlotLoss(error: Error): Promise<Error> {
    if (this.stopping || !this.admin) return error;
    const admin = this.admin;
    const confirmed = this.pipeline?.progress().confirmedLsn ?? this.config.slotHistory.confirmedLsn;
    const timeout = new Promise<null>((resolve) => setTimeout(() => resolve(null), 3000).unref());
    const seen = await Promise.race([admin.observeSlot(this.config.slotName).catch(() => null), timeout]);
    if (!seen) return error;
    const decision = decideSlot(this.config.slotName, seen.observed, { confirmedLsn: confirmed, createdLsn: this.createdLsn }, seen.wal);
    return decision.action === 'lost' ? decision.error : error;
  }

  /** Removes slot and publication when no streaming worker is left to do it. */
  async teardown(): Promise<void> {
    const admin = await this.connectAdmin();
    await admin.dropSlotAndPublication(this.config.slotName, this.config.publicationName);
    this.report({ type: 'slot', slot: { exists: false, retainedWalBytes: null, confirmedLsn: null } });
  }

  /**
   * Reset: the slot is dropped and created again at the current WAL position, so whatever was
   * committed between the last confirmed position and now is never delivered.
   */
  async reset(): Promise<void> {
    const admin = await this.connectAdmin();
    const before = await admin.slotInfo(this.config.slotName);
    await admin.dropSlot(this.config.slotName);
    const at = await admin.createSlot(this.config.slotName);
    this.report({ type: 'slotCreated', lsn: at });
    this.log(
      'warning',
      `replication slot ${this.config.slotName} dropped and created again at ${at}` +
        (before.confirmedLsn ? `; changes committed between ${before.confirmedLsn} and ${at} will not be delivered` : ''),
    );
    await this.reportSlot();
  }

  /**
   * Tables edited while the task is paused: the publication takes them now, so the changes of an
   * added table are captured from this moment (and delivered once the task is resumed).
   */
  async publishOnly(): Promise<void> {
    await this.publication.publish(await this.connectAdmin());
  }

  /** A look at the slot for the scheduler: exists, WAL retained. */
  async inspect(): Promise<void> {
    await this.connectAdmin();
    await this.reportSlot();
  }

  /** A backfill requested while streaming (POST /tasks/{id}/backfills, through the scheduler). */
  addBackfill(plan: BackfillPlan): void {
    this.snapshot?.add(plan);
  }

  cancelBackfill(backfillId: string): void {
    this.snapshot?.cancel(backfillId);
  }

  /** Graceful stop: stop reading, let Kafka acknowledge what is in flight, confirm, close. */
  async stop(dropSlot: boolean): Promise<void> {
    this.stopping = true;
    // No new chunk; one in flight is read again by the next worker (its position was not reported).
    this.snapshot?.stop();
    if (this.pipeline && this.replication) {
      this.replication.pause();
      await this.pipeline.drained();
      await this.replication.confirm(this.pipeline.confirmedLsn);
      this.report({ type: 'progress', progress: this.progress() });
      await this.replication.stop();
    }
    if (dropSlot) {
      const admin = await this.connectAdmin();
      await admin.dropSlotAndPublication(this.config.slotName, this.config.publicationName);
      this.report({ type: 'slot', slot: { exists: false, retainedWalBytes: null, confirmedLsn: null } });
    } else {
      // Paused or shutting down: the slot stays, and how much WAL it holds is worth showing now.
      await this.reportSlot().catch(() => undefined);
    }
    await this.close();
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    await this.sink?.close();
    await this.admin?.close();
  }

  private async connectAdmin(): Promise<SourceAdmin> {
    if (!this.admin) {
      // The replication connection goes to the same host, so this one check covers both.
      await this.outbound.assertAllowed([this.config.source.host]);
      this.admin = await SourceAdmin.connect(pgClientConfig(this.config.source, `walbridge-admin-${this.config.taskId}`));
    }
    return this.admin;
  }

  private async reportSlot(): Promise<void> {
    if (!this.admin) return;
    this.report({ type: 'slot', slot: await this.admin.slotInfo(this.config.slotName) });
  }

  private progress(): WorkerProgress {
    const counted = this.pipeline?.progress() ?? {
      confirmedLsn: null,
      delayMs: 0,
      startBacklogRead: false,
      rowsRead: 0,
      rowsWritten: 0,
      bytesWritten: 0,
      inserts: 0,
      updates: 0,
      deletes: 0,
    };
    const tables = this.pipeline?.takeTableCounts() ?? [];
    return { ...counted, bytesRead: this.replication?.bytesReceived ?? 0, ...(tables.length ? { tables } : {}) };
  }

  private log(level: WorkerLogLevel, message: string): void {
    this.report({ type: 'log', level, message });
  }
}
