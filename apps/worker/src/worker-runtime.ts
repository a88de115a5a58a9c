import { randomUUID } from 'node:crypto';
import type { BackfillPlan, WorkerTaskConfig, WorkerToScheduler, WorkerProgress } from '@walbridge/queue';
import { AUTO_TOPIC_DEFAULTS, type TableSelection } from '@walbridge/contracts';
import {
  NetworkFailure,
  OperatorActionNeeded,
  backfillsAddedTables,
  decideSlot,
  describePublicationPlan,
  formatLsn,
  planPublication,
  type PublicationPlan,
  type RelationMessage,
  type RelationSchema,
} from '@walbridge/domain';
import { ChangePipeline } from './pipeline/change-pipeline';
import { ConfigurationError, createRouter, topicFor } from './routing';
import { KafkaSink } from './sink/kafka-sink';
import { isUnknownTopic } from './sink/sink-errors';
import { OutboundPolicy, SchemaRegistryClient, brokerHosts, pgClientConfig } from '@walbridge/connectors';
import { RegisteredSchemas } from './encoding/avro-registry-encoder';
import { ReplicationStream } from './source/replication-stream';
import { SourceAdmin, type TableRef } from './source/source-admin';
import { SnapshotEngine } from './snapshot/snapshot-engine';
import { SnapshotReader } from './snapshot/snapshot-reader';
import { DISCOVERY_EVERY_MS, TableDiscovery, announceLateTables } from './source/table-discovery';

export type Report = (message: WorkerToScheduler) => void;

const PROGRESS_EVERY_MS = 1000;
/** How often a streaming worker reports the WAL its slot retains (PRODUCT.md §6). */
const SLOT_REPORT_EVERY_MS = Number(process.env.WALBRIDGE_SLOT_REPORT_MS ?? 5000);

/** How long a worker may take from its start to streaming. */
const START_DEADLINE_MS = Number(process.env.WALBRIDGE_START_DEADLINE_MS ?? 120_000);

/** Set-up stalled (a server accepted a connection and stopped answering): retried as a network failure. */
export class StartStalledError extends NetworkFailure {
  constructor(phase: string, ms: number) {
    super(`the worker did not start streaming within ${Math.round(ms / 1000)} s (stalled while ${phase})`);
  }
}

/** Tables a snapshot reads at the same time (one connection and one chunk in flight each). */
const SNAPSHOT_PARALLEL = Number(process.env.WALBRIDGE_SNAPSHOT_PARALLEL ?? 2);

/** How often a streaming worker checks that its topics still exist. */
const TOPIC_CHECK_EVERY_MS = Number(process.env.WALBRIDGE_TOPIC_CHECK_MS ?? 5000);
/** Batches stay below the broker's per-batch limit (1 MB by default) whatever the topic allows. */
const MAX_BATCH_BYTES = 900_000;

/**
 * A topic the task writes to was deleted while it ran. Nothing is written anywhere else, and the
 * task is not restarted behind the operator's back (a restart would create an auto topic again,
 * empty): it fails until someone recreates the topic, or accepts a new one, and resumes it.
 */
export class TopicGoneError extends OperatorActionNeeded {
  constructor(topics: string[]) {
    super(
      `Kafka topic ${topics.join(', ')} no longer exists (deleted while the task was running); nothing was written to another topic. ` +
        'Recreate the topic (auto-generated topics are created again at resume) and resume the task',
    );
  }
}

/** The replication connection ended without us asking: a connection failure, retried as one. */
export class ReplicationClosedError extends NetworkFailure {
  constructor() {
    super('replication connection closed by the server');
  }
}

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
  /** How the publication follows the tables, decided at set-up. */
  private plan: PublicationPlan = { kind: 'tables' };

  constructor(
    private readonly config: WorkerTaskConfig,
    private readonly report: Report,
    private readonly heartbeatMs: number,
  ) {
    this.outbound = new OutboundPolicy(config.outboundDeny);
  }

  async stream(): Promise<void> {
    const { config } = this;
    // Every step below has its own timeouts, but a server that accepts a connection and then
    // stalls would leave the task STARTING forever: the whole set-up gets a deadline too.
    let phase = 'connecting to the source';
    let deadline: NodeJS.Timeout | undefined;
    const stalled = new Promise<never>((_, reject) => {
      deadline = setTimeout(() => reject(new StartStalledError(phase, START_DEADLINE_MS)), START_DEADLINE_MS);
    });
    const setUp = async () => {
      const admin = await this.connectAdmin();
      phase = 'setting up the publication and the replication slot';
      const { tables, topicTables, tableOids } = await this.publish(admin);
      const createdAt = await admin.ensureSlot(config.slotName, config.slotHistory);
      if (createdAt) {
        // Recorded by the scheduler: from now on this slot disappearing is a loss, never a fresh start.
        this.report({ type: 'slotCreated', lsn: createdAt });
        this.log('info', `replication slot ${config.slotName} created at ${createdAt}`);
      }
      this.createdLsn = createdAt ?? config.slotHistory.createdLsn;
      const startLsn = await admin.slotConfirmedLsn(config.slotName);
      const backlogEndLsn = await admin.currentWalLsn();
      await this.reportSlot();

      phase = 'connecting to Kafka';
      await this.outbound.assertAllowed(brokerHosts(config.destination.brokers));
      this.sink = new KafkaSink(config.destination, `walbridge-${config.taskId}`, config.policy.compression);
      await this.sink.connect(this.outbound);
      // Topics by the names the tables were selected under (a renamed table keeps its topic).
      const tableTopics = [...new Set(topicTables.map((t) => topicFor(config.policy, config.source.database, t.schema, t.table)))];
      const { schemaChangeTopic } = config.policy;
      const topics = schemaChangeTopic && !tableTopics.includes(schemaChangeTopic) ? [...tableTopics, schemaChangeTopic] : tableTopics;
      const { topicPolicy } = config.policy;
      if (topicPolicy.mode === 'auto') {
        phase = 'creating topics in Kafka';
        const generated = topicTables
          .filter((t) => !config.policy.tables.some((o) => o.schema === t.schema && o.table === t.table && o.topic))
          .map((t) => topicFor(config.policy, config.source.database, t.schema, t.table));
        if (schemaChangeTopic) generated.push(schemaChangeTopic);
        const created = await this.sink.createMissingTopics(
          [...new Set(generated)],
          topicPolicy.partitions ?? AUTO_TOPIC_DEFAULTS.partitions,
          topicPolicy.replicationFactor ?? AUTO_TOPIC_DEFAULTS.replicationFactor,
        );
        if (created.length) this.log('info', `created topic(s) ${created.join(', ')}`);
      }
      phase = 'reading topic metadata from Kafka';
      const partitionCounts = await this.sink.partitionCounts(topics);
      const limits = [...(await this.sink.messageLimits(topics)).values()];
      // A record batch carries some overhead beyond our estimate of its messages.
      const maxBatchBytes = Math.max(1024, Math.min(MAX_BATCH_BYTES, ...limits.map((l) => l - 512)));
      return { startLsn, backlogEndLsn, tables, topics, partitionCounts: new Map(partitionCounts), maxBatchBytes, tableOids, admin, sink: this.sink };
    };
    const setting = setUp();
    setting.catch(() => undefined); // reported through the race; a late failure after a stall is moot
    const { startLsn, backlogEndLsn, tables, topics, partitionCounts, maxBatchBytes, tableOids, admin, sink } = await Promise.race([setting, stalled]).finally(() =>
      clearTimeout(deadline),
    );

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
      await this.ensureTopicOf(schema, sink, partitionCounts, topics);
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
      parallel: SNAPSHOT_PARALLEL,
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
    });

    this.timers.push(setInterval(() => this.report({ type: 'progress', progress: this.progress() }), PROGRESS_EVERY_MS));
    this.timers.push(setInterval(() => void admin.emitHeartbeat().catch(() => undefined), this.heartbeatMs));
    this.timers.push(setInterval(() => void this.reportSlot().catch(() => undefined), SLOT_REPORT_EVERY_MS));
    this.timers.push(
      setInterval(() => {
        void sink.missingTopics(topics).then((gone) => {
          if (gone.length && !this.stopping) rejectFatal(new TopicGoneError(gone));
        }, () => undefined);
      }, TOPIC_CHECK_EVERY_MS),
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
      }, TOPIC_CHECK_EVERY_MS),
    );
    const discovery = new TableDiscovery(admin, {
      publication: config.publicationName,
      plan: this.plan,
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
    this.timers.push(setInterval(() => void discovery.poll().catch((e: Error) => this.log('warning', `looking for new tables failed: ${e.message}`)), DISCOVERY_EVERY_MS));
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
    await this.publish(await this.connectAdmin());
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

  /**
   * Checks the selected tables and brings the publication in line with them. Returns the tables
   * under their names now, the names their topics come from (the selected ones), and the
   * selected tables of a table-level task by OID.
   */
  private async publish(admin: SourceAdmin): Promise<{ tables: TableRef[]; topicTables: TableRef[]; tableOids: Map<number, TableSelection> }> {
    const { config } = this;
    const tableOids = new Map<number, TableSelection>();
    let tables = await this.selectedTables(admin);
    let topicTables = tables;
    if (config.policy.objectScope === 'tables') {
      const followed = await this.followRenamed(admin);
      tables = followed.tables;
      for (const [oid, selection] of followed.oids) tableOids.set(oid, selection);
    }
    const problems = await admin.checkPublishable(tables);
    if (problems.length && config.policy.objectScope === 'tables') {
      throw new ConfigurationError(`the publication cannot take the selected tables: ${problems.map((p) => p.problem).join('; ')}`);
    }
    if (config.policy.objectScope === 'database') {
      this.plan = planPublication({
        objectScope: 'database',
        schemas: config.policy.schemas,
        superuser: await admin.isSuperuser(),
        versionNum: await admin.serverVersionNum(),
        publication: await admin.publicationInfo(config.publicationName),
      });
      const how = describePublicationPlan(this.plan, config.publicationName, Math.round(DISCOVERY_EVERY_MS / 1000));
      if (this.plan.kind === 'existing') {
        this.log('info', how);
        return { tables, topicTables, tableOids };
      }
      if (this.plan.kind === 'allTables' || this.plan.kind === 'schemas') {
        const done = await admin.ensureSchemaPublication(config.publicationName, this.plan.kind === 'schemas' ? this.plan.schemas : null);
        this.log('info', `${how} (${done})`);
        return { tables, topicTables, tableOids };
      }
      this.log('info', how);
    }
    if (problems.length) {
      // A database-level task captures what it can: a new table without a key must not break the others.
      this.log('warning', `not captured: ${problems.map((p) => p.problem).join('; ')}`);
      tables = tables.filter((t) => !problems.some((p) => p.table === t));
      topicTables = tables;
    }
    if (!tables.length) throw new ConfigurationError('no table selected: the task has nothing to capture');
    // A database-level task restarted (resume, retry): tables created while it was not streaming
    // join the list only now, so rows they already hold were never delivered. Said, not hidden.
    const before = this.plan.kind === 'discover' && (await admin.publicationInfo(config.publicationName)).exists ? await admin.publishedTables(config.publicationName) : null;
    const publication = await admin.ensurePublication(config.publicationName, tables);
    if (config.policy.objectScope === 'tables') {
      // Under which name each published table was selected, so a rename is followed across restarts.
      const ids = await admin.relationIds(tables);
      const byName = new Map([...tableOids].map(([oid, t]) => [oid, `${t.schema}.${t.table}`]));
      ids.forEach((id, i) => {
        if (id !== null && !byName.has(id)) byName.set(id, `${tables[i].schema}.${tables[i].table}`);
        if (id !== null && !tableOids.has(id)) {
          const selection = config.policy.tables.find((t) => t.schema === tables[i].schema && t.table === tables[i].table);
          if (selection) tableOids.set(id, selection);
        }
      });
      await admin.recordPublicationNote(config.publicationName, byName);
    }
    if (before) {
      const late = tables.filter((t) => !before.has(`${t.schema}.${t.table}`));
      const backfill = backfillsAddedTables(config.policy);
      if (backfill && late.length) this.report({ type: 'tablesAdded', tables: late });
      await announceLateTables(admin, config.publicationName, late, 'table', (level, message) => this.log(level, message), (notice) => this.report({ type: 'tableNotice', notice }), backfill);
    }
    if (publication !== 'unchanged') {
      const names = tables.slice(0, 20).map((t) => `${t.schema}.${t.table}`).join(', ') + (tables.length > 20 ? ', …' : '');
      this.log('info', `publication ${config.publicationName} ${publication} for ${tables.length} table(s): ${names}`);
    }
    return { tables, topicTables, tableOids };
  }

  /**
   * The selected tables of a table-level task by identity. A publication holds its tables by OID,
   * and the task notes on it the name each was selected under: a selected table renamed while the
   * task was not streaming is found there, followed under its new name and keeps the selected
   * name's topic. Without a note, one missing name and one unselected table of the publication
   * are taken to be the same table; more than that cannot be told apart, and the task fails
   * saying which, rather than guess. A selected table dropped after the task streamed is logged
   * and left out (its changes from before the drop are still delivered).
   */
  private async followRenamed(admin: SourceAdmin): Promise<{ tables: TableRef[]; oids: Map<number, TableSelection> }> {
    const { policy, publicationName } = this.config;
    const selected = policy.tables;
    const ids = await admin.relationIds(selected);
    const oids = new Map<number, TableSelection>();
    ids.forEach((id, i) => id !== null && oids.set(id, selected[i]));
    const tables: (TableRef | null)[] = selected.map(({ schema, table }) => ({ schema, table }));
    let missing = selected.map((_, i) => i).filter((i) => ids[i] === null);
    if (missing.length) {
      const qualified = (t: TableRef) => `${t.schema}.${t.table}`;
      const note = await admin.publicationNote(publicationName);
      let strays = (await admin.publicationTables(publicationName)).filter((p) => !oids.has(p.relid));
      const follow = (i: number, now: (typeof strays)[number]) => {
        oids.set(now.relid, selected[i]);
        tables[i] = { schema: now.schema, table: now.table };
        strays = strays.filter((s) => s !== now);
        this.log('info', `table ${qualified(selected[i])} is now ${qualified(now)} (renamed while the task was not streaming); it is still captured, to the same topic`);
      };
      for (const i of missing) {
        const now = strays.find((s) => note.get(s.relid) === qualified(selected[i]));
        if (now) follow(i, now);
      }
      const followed = () => new Set(oids.values());
      missing = missing.filter((i) => !followed().has(selected[i]));
      if (missing.length === 1 && strays.length === 1 && !note.has(strays[0].relid)) follow(missing[0], strays[0]);
      missing = missing.filter((i) => !followed().has(selected[i]));
      if (missing.length && strays.length) {
        throw new ConfigurationError(
          `tables ${missing.map((i) => qualified(selected[i])).join(', ')} no longer exist under these names and the publication holds ` +
            `${strays.map(qualified).join(', ')}, which are not selected: edit the task's tables to the names they have now, then resume the task`,
        );
      }
      // Never streamed: the publishability check refuses the missing table (as the precheck did).
      if (missing.length && this.config.slotHistory.confirmedLsn !== null) {
        // Dropped after the task streamed: the slot still holds its changes written before the
        // drop (they are delivered, with their keys); the other tables go on.
        for (const i of missing) {
          this.log('warning', `table ${qualified(selected[i])} no longer exists on the source (dropped): its changes written before the drop are delivered, nothing after; remove it from the task's tables`);
          tables[i] = null;
        }
      }
    }
    return { tables: tables.filter((t): t is TableRef => t !== null), oids };
  }

  /** Creates (auto mode) and measures the topic of a table that appeared after the start. */
  private async ensureTopicOf(schema: RelationSchema, sink: KafkaSink, partitionCounts: Map<string, number>, topics: string[]): Promise<void> {
    const { policy } = this.config;
    const topic = topicFor(policy, schema.database, schema.schema, schema.table);
    if (partitionCounts.has(topic)) return;
    if (policy.objectScope === 'tables' && !policy.tables.some((t) => t.schema === schema.schema && t.table === schema.table)) return;
    // A publication a DBA made FOR ALL TABLES also sends schemas the task does not capture.
    if (policy.objectScope === 'database' && policy.schemas?.length && !policy.schemas.includes(schema.schema)) return;
    const { topicPolicy } = policy;
    const override = policy.tables.some((t) => t.schema === schema.schema && t.table === schema.table && t.topic);
    if (topicPolicy.mode === 'auto' && !override) {
      const created = await sink.createMissingTopics(
        [topic],
        topicPolicy.partitions ?? AUTO_TOPIC_DEFAULTS.partitions,
        topicPolicy.replicationFactor ?? AUTO_TOPIC_DEFAULTS.replicationFactor,
      );
      if (created.length) this.log('info', `created topic ${topic} for ${schema.schema}.${schema.table}`);
    }
    const counts = await sink.partitionCounts([topic]);
    for (const [name, count] of counts) partitionCounts.set(name, count);
    if (!topics.includes(topic)) topics.push(topic);
  }

  private async selectedTables(admin: SourceAdmin): Promise<TableRef[]> {
    const { policy } = this.config;
    if (policy.objectScope === 'tables') return policy.tables.map(({ schema, table }) => ({ schema, table }));
    return admin.listTables(policy.schemas);
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
    return { ...counted, bytesRead: this.replication?.bytesReceived ?? 0 };
  }

  private log(level: 'info' | 'warning' | 'error', message: string): void {
    this.report({ type: 'log', level, message });
  }
}
