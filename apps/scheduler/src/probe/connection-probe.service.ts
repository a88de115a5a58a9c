import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '@walbridge/config';
import { APP_CONFIG } from '@walbridge/nest-common';
import type { ConnectionTarget, ConnectionTestResult, DestinationConfig, DestinationTopicsView, MessageBrowseView, SourceConfig, SourceObjectsView, TaskConfig, TaskConnectionTestBody } from '@walbridge/contracts';
import {
  OutboundPolicy,
  SchemaRegistryClient,
  SchemaTypeCache,
  browseTopics,
  connectSource,
  listDestinationTopics,
  listSourceObjects,
  messageDecoderFor,
  testDestinationConnection,
  testSourceConnection,
  type ExplainedFailure,
} from '@walbridge/connectors';
import { redactSecrets, topicOfTable } from '@walbridge/domain';
import { SecretFormatError, SecretsService, TaskRepository } from '@walbridge/persistence';
import type { ProbeJob, ProbePayloads } from '@walbridge/queue';
import { taskConnections } from './task-connections';

export type MessageBrowseOutcome = { ok: true; view: MessageBrowseView } | { ok: false; failure: ExplainedFailure };

/** Inside the API's wait for an answer (PROBE_WAIT_MS), with room for connecting. */
const BROWSE_BUDGET_MS = 5_000;

export type DestinationTopicsOutcome = { ok: true; view: DestinationTopicsView } | { ok: false; failure: ExplainedFailure };

export type SourceObjectsOutcome = { ok: true; objects: SourceObjectsView } | { ok: false; failure: ExplainedFailure };

/** Connection tests and the object picker: short probes whose answer the API is waiting for. */
@Injectable()
export class ConnectionProbeService {
  private readonly outbound: OutboundPolicy;
  /** Avro readers by registry and schema id, kept across browses (an id never changes its schema). */
  private readonly schemaTypes = new SchemaTypeCache();

  constructor(
    private readonly tasks: TaskRepository,
    private readonly secrets: SecretsService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.outbound = new OutboundPolicy(config.WALBRIDGE_OUTBOUND_DENY);
  }

  /** A connection test (the connectors apply the outbound policy: nothing is sent to a refused endpoint). */
  private async test(target: ConnectionTarget, connection: SourceConfig | DestinationConfig): Promise<ConnectionTestResult> {
    return target === 'source' ? testSourceConnection(connection as SourceConfig, this.outbound) : testDestinationConnection(connection as DestinationConfig, this.outbound);
  }

  async testConnection(payload: ProbePayloads[ProbeJob.TestConnection]): Promise<ConnectionTestResult> {
    const connection = this.secrets.openTransit<SourceConfig | DestinationConfig>(payload);
    return this.test(payload.target, connection);
  }

  async testTaskConnection(payload: ProbePayloads[ProbeJob.TestTaskConnection]): Promise<ConnectionTestResult | null> {
    const task = await this.tasks.findById(payload.taskId);
    if (!task || task.status === 'DELETED') return null;
    let connections;
    try {
      connections = taskConnections(task, this.secrets);
    } catch (error) {
      if (!(error instanceof SecretFormatError)) throw error;
      // Nothing is sent anywhere: the credentials were sealed for another endpoint.
      return { target: payload.target, ok: false, problem: 'stored-credentials', message: error.message, suggestion: 'enter the passwords of the task again', durationMs: 0 };
    }
    // Passwords typed to replace the saved ones, tested with the task's other saved settings.
    const typed = payload.sealed && payload.nonce ? this.secrets.openTransit<TaskConnectionTestBody>({ sealed: payload.sealed, nonce: payload.nonce }) : {};
    return this.test(payload.target, payload.target === 'source' ? withTypedSource(connections.source, typed) : withTypedDestination(connections.destination, typed));
  }

  async listTopics(payload: ProbePayloads[ProbeJob.ListTopics]): Promise<DestinationTopicsOutcome | null> {
    const task = await this.tasks.findById(payload.taskId);
    if (!task || task.status === 'DELETED') return null;
    return listDestinationTopics(taskConnections(task, this.secrets).destination, this.outbound);
  }

  async listSourceObjects(payload: ProbePayloads[ProbeJob.ListSourceObjects]): Promise<SourceObjectsOutcome | null> {
    const task = await this.tasks.findById(payload.taskId);
    if (!task || task.status === 'DELETED') return null;
    const connections = taskConnections(task, this.secrets);
    const connected = await connectSource(connections.source, 'walbridge-object-picker', this.outbound);
    if (!connected.ok) return { ok: false, failure: connected.failure };
    try {
      return { ok: true, objects: await listSourceObjects(connected.client) };
    } finally {
      await connected.client.end().catch(() => undefined);
    }
  }

  /** The message browser: the task's topics (or the one asked for, if it is one of them). */
  async browseMessages(payload: ProbePayloads[ProbeJob.BrowseMessages]): Promise<MessageBrowseOutcome | null> {
    const task = await this.tasks.findById(payload.taskId);
    if (!task || task.status === 'DELETED') return null;
    const config = task.config as unknown as TaskConfig;
    const topics = taskTopics(config);
    const chosen = payload.query.topic ? topics.filter((t) => t === payload.query.topic) : topics;
    const connections = taskConnections(task, this.secrets);
    // Avro is decoded here, with the task's own registry credentials: they never leave the scheduler.
    const registry = connections.destination.schemaRegistry ? new SchemaRegistryClient(connections.destination.schemaRegistry, this.outbound) : null;
    const decoder = messageDecoderFor(config.policy.format, registry, this.schemaTypes);
    const outcome = await browseTopics(connections.destination, chosen, payload.query, BROWSE_BUDGET_MS, this.outbound, decoder);
    if (outcome.ok) {
      for (const m of outcome.view.messages) if (m.decodeError) m.decodeError = redactSecrets(m.decodeError, connections.secrets);
    }
    return outcome;
  }
}

/**
 * The topics a task writes to that can be named without reading the source: the specific topic,
 * per-table topics, and the rendered name of every selected table.
 */
export function taskTopics(config: TaskConfig): string[] {
  const { policy } = config;
  const names = new Set<string>();
  if (policy.topicPolicy.mode === 'specific' && policy.topicPolicy.topic) names.add(policy.topicPolicy.topic);
  for (const t of policy.tables) {
    const topic = topicOfTable(policy, config.source.database, t.schema, t.table);
    if (topic.ok) names.add(topic.name);
  }
  return [...names];
}

function withTypedSource(source: SourceConfig, typed: TaskConnectionTestBody): SourceConfig {
  return typed.source?.password ? { ...source, password: typed.source.password } : source;
}

function withTypedDestination(destination: DestinationConfig, typed: TaskConnectionTestBody): DestinationConfig {
  const registry = typed.destination?.schemaRegistry?.password;
  return {
    ...destination,
    ...(typed.destination?.password ? { password: typed.destination.password } : {}),
    ...(registry && destination.schemaRegistry ? { schemaRegistry: { ...destination.schemaRegistry, password: registry } } : {}),
  };
}
