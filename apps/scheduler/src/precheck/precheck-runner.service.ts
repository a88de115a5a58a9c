import { Inject, Injectable, Logger } from '@nestjs/common';
import type { AppConfig } from '@walbridge/config';
import { AUTO_TOPIC_DEFAULTS, PRECHECK_RESULTS, type TaskConfig } from '@walbridge/contracts';
import { OutboundPolicy, RelationDescriber, catalogRelation, connectSource, gatherKafkaFacts, gatherSourceFacts, openKafkaSession } from '@walbridge/connectors';
import {
  defaultSlotName,
  destinationItemsWithoutConnection,
  evaluateDestination,
  evaluateRegistry,
  evaluateSource,
  evaluateTask,
  overallResult,
  planTopics,
  plannedSubjects,
  redactSecrets,
  sourceItemsWithoutConnection,
  type PrecheckOutcome,
  type PrecheckTask,
  type RelationSchema,
} from '@walbridge/domain';
import { APP_CONFIG } from '@walbridge/nest-common';
import { PrecheckRepository, SecretsService, TaskLogRepository, TaskRepository, taskConfigFingerprint, type TaskEntity } from '@walbridge/persistence';
import { taskConnections, type TaskConnections } from '../probe/task-connections';
import { gatherRegistryFacts, registryPort } from './registry-facts';

export const DEFAULT_LONG_TRANSACTION_SECONDS = 300;
const RUN_TIMEOUT_MS = 60_000;

/**
 * Runs one precheck: the source and the Kafka side in parallel, each item written as soon as it
 * is known (progress), then the run's result and the fingerprint of the configuration it checked.
 */
@Injectable()
export class PrecheckRunner {
  private readonly logger = new Logger(PrecheckRunner.name);
  private readonly outbound: OutboundPolicy;

  constructor(
    private readonly tasks: TaskRepository,
    private readonly prechecks: PrecheckRepository,
    private readonly logs: TaskLogRepository,
    private readonly secrets: SecretsService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.outbound = new OutboundPolicy(config.WALBRIDGE_OUTBOUND_DENY);
  }

  async run(taskId: string, runId: string): Promise<void> {
    const [task, run] = await Promise.all([this.tasks.findById(taskId), this.prechecks.findRun(runId)]);
    if (!task || !run || run.status !== 'RUNNING') return;
    const connections = taskConnections(task, this.secrets);
    const outcomes: PrecheckOutcome[] = [];
    // Server and driver messages inside the outcomes were cleaned of credentials where they
    // were caught (connectors); the rest is Walbridge's own text about names, never secrets.
    const record = async (list: PrecheckOutcome[]) => {
      outcomes.push(...list);
      await this.prechecks.recordItems(runId, list);
    };
    let timer: NodeJS.Timeout | undefined;
    try {
      const subject = await this.subject(task, run.options.longTransactionSeconds);
      await Promise.race([
        this.check(subject, connections, record),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`the precheck did not finish within ${RUN_TIMEOUT_MS / 1000} s`)), RUN_TIMEOUT_MS);
        }),
      ]);
      const result = overallResult(outcomes.map((o) => o.result));
      await this.prechecks.finishRun(runId, { status: 'FINISHED', result, configHash: taskConfigFingerprint(task), error: null });
      const counts = PRECHECK_RESULTS.map((r) => `${outcomes.filter((o) => o.result === r).length} ${r.toLowerCase()}`).join(', ');
      await this.logs.append(taskId, result === 'FAILED' ? 'warning' : 'info', `precheck finished: ${result} (${counts})`);
    } catch (error) {
      const message = redactSecrets((error as Error).message ?? String(error), connections.secrets);
      this.logger.warn(`precheck ${runId} of task ${taskId} failed: ${message}`);
      await this.prechecks.finishRun(runId, { status: 'ERROR', result: null, configHash: null, error: message });
      await this.logs.append(taskId, 'error', `precheck could not complete: ${message}`);
    } finally {
      clearTimeout(timer);
    }
  }

  private async check(subject: PrecheckTask, connections: TaskConnections, record: (list: PrecheckOutcome[]) => Promise<void>): Promise<void> {
    await record(evaluateTask(subject));
    const kafkaOpening = openKafkaSession(connections.destination, `walbridge-precheck-${subject.id}`, this.outbound);
    const source = await this.checkSource(subject, connections, record);
    const tables = source?.tables ?? null;
    const registry = this.checkRegistry(subject, connections, source?.relations ?? null, record);
    const [kafka] = await Promise.all([kafkaOpening, registry]);
    if (!kafka.ok) {
      await record(destinationItemsWithoutConnection(kafka.failure));
      return;
    }
    try {
      const plan = planTopics(subject, tables);
      const { topicPolicy } = subject.policy;
      const facts = await gatherKafkaFacts(kafka.session, {
        names: plan ? [...plan.topics.keys()] : [],
        toCreate: {
          partitions: topicPolicy.partitions ?? AUTO_TOPIC_DEFAULTS.partitions,
          replicationFactor: topicPolicy.replicationFactor ?? AUTO_TOPIC_DEFAULTS.replicationFactor,
        },
        creatable: (name) => !!plan && !plan.mustExist.has(name),
      });
      await record(evaluateDestination(subject, facts, plan, source?.tableBytes));
    } finally {
      await kafka.session.close();
    }
  }

  /** Format avro-registry: each table's schemas against its subjects (`relations` null: the source could not be read). */
  private async checkRegistry(
    subject: PrecheckTask,
    connections: TaskConnections,
    relations: RelationSchema[] | null,
    record: (list: PrecheckOutcome[]) => Promise<void>,
  ): Promise<void> {
    const registry = connections.destination.schemaRegistry;
    if (subject.policy.format !== 'avro-registry' || !relations) {
      await record([evaluateRegistry(subject, null)]);
      return;
    }
    const facts = registry
      ? await gatherRegistryFacts(registryPort(registry, this.outbound), plannedSubjects(subject, relations))
      : ({ ok: false, registry: '(none)', message: 'the destination has no schema registry (destination.schemaRegistry), which format avro-registry needs' } as const);
    await record([evaluateRegistry(subject, facts)]);
  }

  /** The source items; returns the tables the task captures and their size for a full synchronization (null when they could not be read). */
  private async checkSource(
    subject: PrecheckTask,
    connections: TaskConnections,
    record: (list: PrecheckOutcome[]) => Promise<void>,
  ): Promise<{ tables: { schema: string; table: string }[]; tableBytes?: Map<string, number>; relations?: RelationSchema[] } | null> {
    const connected = await connectSource(connections.source, `walbridge-precheck-${subject.id}`, this.outbound);
    if (!connected.ok) {
      await record(sourceItemsWithoutConnection(connected.failure));
      return null;
    }
    try {
      const facts = await gatherSourceFacts(connected.client, connections.source, {
        objectScope: subject.policy.objectScope,
        schemas: subject.policy.schemas,
        tables: subject.policy.tables,
        publicationName: subject.publicationName,
        longTransactionSeconds: subject.longTransactionSeconds,
        syncMode: subject.policy.syncMode,
      });
      await record(evaluateSource(subject, facts));
      // avro-registry: the tables as the worker will describe them, for their schemas.
      const relations = subject.policy.format === 'avro-registry' ? await this.relationsOf(connected.client, subject.source.database, facts.tables) : undefined;
      return {
        ...(relations ? { relations } : {}),
        tables: facts.tables.map((t) => ({ schema: t.schema, table: t.table })),
        ...(facts.snapshot ? { tableBytes: new Map(facts.snapshot.tables.map((t) => [`${t.schema}.${t.table}`, t.bytes])) } : {}),
      };
    } finally {
      await connected.client.end().catch(() => undefined);
    }
  }

  private async relationsOf(client: Parameters<typeof catalogRelation>[0], database: string, tables: ReadonlyArray<{ schema: string; table: string; exists: boolean }>): Promise<RelationSchema[]> {
    const describer = new RelationDescriber(client, database);
    const out: RelationSchema[] = [];
    for (const t of tables.filter((t) => t.exists)) {
      const relation = await catalogRelation(client, t.schema, t.table);
      if (relation) out.push(await describer.describe(relation));
    }
    return out;
  }

  private async subject(task: TaskEntity, longTransactionSeconds: number | undefined): Promise<PrecheckTask> {
    const config = task.config as unknown as TaskConfig;
    const sameSlot = await this.tasks.findLiveBySlotName(task.slotName);
    const sameSource = (other: TaskEntity) => {
      const s = (other.config as unknown as TaskConfig).source;
      return s.host === config.source.host && s.port === config.source.port && s.database === config.source.database;
    };
    return {
      id: task.id,
      name: task.name,
      status: task.status,
      slotName: task.slotName,
      publicationName: task.publicationName,
      defaultSlotName: defaultSlotName(task.id),
      ownsSlot: task.slotExists === true,
      brokers: config.destination.brokers,
      source: { database: config.source.database, username: config.source.username },
      destination: { username: config.destination.username },
      policy: config.policy,
      slotNameUsedBy: sameSlot.filter((t) => t.id !== task.id && sameSource(t)).map((t) => ({ id: t.id, name: t.name })),
      longTransactionSeconds: longTransactionSeconds ?? DEFAULT_LONG_TRANSACTION_SECONDS,
    };
  }
}
