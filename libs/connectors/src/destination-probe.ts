import { ConfigResourceTypes, Kafka, type Admin } from 'kafkajs';
import type { ConnectionProblem, ConnectionTestResult, DestinationClusterInfo, DestinationConfig } from '@walbridge/contracts';
import type { KafkaFacts, KafkaTopicFact } from '@walbridge/domain';
import { fetchApiVersions, INIT_PRODUCER_ID, type ApiVersionsResult } from './kafka-api-versions';
import { PROBE_TIMEOUTS, kafkaClientConfig, kafkaTlsOptions } from './kafka-client-config';
import { explainKafkaError } from './kafka-errors';
import { OutboundDeniedError, brokerHosts, outboundFailure, type OutboundPolicy } from './outbound-policy';
import { SchemaRegistryClient } from './schema-registry-client';
import { errorText, explainTcpFailure, type ExplainedFailure } from './source-errors';
import { probeTcp } from './tcp-probe';

const TCP_TIMEOUT_MS = 3_000;
const API_VERSIONS_TIMEOUT_MS = 4_000;

export interface KafkaSession {
  admin: Admin;
  cluster: DestinationClusterInfo;
  apiVersions: ApiVersionsResult;
  /** The credentials of the session, kept out of any error text it produces. */
  secrets: string[];
  /** Bootstrap addresses that did not answer (the others did), each with why. */
  unreachable: { address: string; message: string }[];
  close(): Promise<void>;
}

function splitBroker(address: string): { host: string; port: number } {
  const i = address.lastIndexOf(':');
  return { host: address.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(address.slice(i + 1)) };
}

/**
 * Connects an admin client for a probe, or says why it cannot: first plain TCP to every
 * bootstrap broker (so "nothing reachable" is told apart from a refusal), then kafkajs with short
 * timeouts (authentication, metadata), then ApiVersions to date the broker. The outbound policy
 * is applied to the bootstrap list before anything is sent, and to the brokers the cluster
 * advertises before a client follows them (a broker of the user's choice could advertise any
 * address).
 */
export async function openKafkaSession(
  destination: DestinationConfig,
  clientId: string,
  policy: OutboundPolicy,
): Promise<{ ok: true; session: KafkaSession } | { ok: false; failure: ExplainedFailure }> {
  const refused = await policy.refusalOfAny(brokerHosts(destination.brokers));
  if (refused) return { ok: false, failure: outboundFailure(refused) };
  const addresses = destination.brokers.split(',');
  const probes = await Promise.all(addresses.map(async (a) => ({ address: a, ...splitBroker(a), result: await probeTcp(splitBroker(a).host, splitBroker(a).port, TCP_TIMEOUT_MS) })));
  const reachable = probes.filter((p) => p.result.ok);
  if (!reachable.length) {
    const failures = probes.map((p) => p.result as Extract<typeof p.result, { ok: false }>);
    const problems = new Set(failures.map((f) => f.problem));
    const single = explainTcpFailure(failures[0], 'kafka');
    const problem: ConnectionProblem = problems.size === 1 ? single.problem : 'unreachable';
    return {
      ok: false,
      failure: {
        problem,
        message: `no Kafka broker is reachable: ${failures.map((f) => f.message).join('; ')}`,
        suggestion: problems.size === 1 ? single.suggestion : 'check the broker addresses, the routing and the firewalls between Walbridge and Kafka',
      },
    };
  }
  // Bootstrap through the addresses that answered: kafkajs picks a seed broker at random and,
  // with no retries, one dead address would fail the probe now and then.
  const kafka = new Kafka(kafkaClientConfig({ ...destination, brokers: reachable.map((p) => p.address).join(',') }, clientId, PROBE_TIMEOUTS));
  const admin = kafka.admin({ retry: { retries: 0 } });
  try {
    await admin.connect();
    const described = await admin.describeCluster();
    const advertisedRefusal = await policy.refusalOfAny(described.brokers.map((b) => b.host));
    if (advertisedRefusal) {
      await admin.disconnect().catch(() => undefined);
      return { ok: false, failure: outboundFailure(`the cluster advertises a broker at an address it may not reach: ${advertisedRefusal}`) };
    }
    const first = reachable[0];
    const apiVersions = await fetchApiVersions(first.host, first.port, kafkaTlsOptions(destination), API_VERSIONS_TIMEOUT_MS);
    const cluster: DestinationClusterInfo = {
      brokerVersion: apiVersions.brokerVersion,
      brokerCount: described.brokers.length,
      brokers: described.brokers.map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port })).sort((a, b) => a.nodeId - b.nodeId),
      clusterId: described.clusterId ?? null,
      controllerId: described.controller ?? null,
    };
    const secrets = [destination.password, destination.clientKey].filter((s): s is string => !!s);
    const unreachable = probes.filter((p) => !p.result.ok).map((p) => ({ address: p.address, message: (p.result as { message: string }).message }));
    return { ok: true, session: { admin, cluster, apiVersions, secrets, unreachable, close: () => admin.disconnect().catch(() => undefined) } };
  } catch (error) {
    await admin.disconnect().catch(() => undefined);
    return { ok: false, failure: explainKafkaError(error, destination) };
  }
}

/** POST /connections/test with type destination. */
export async function testDestinationConnection(destination: DestinationConfig, policy: OutboundPolicy): Promise<ConnectionTestResult> {
  const started = Date.now();
  const opened = await openKafkaSession(destination, 'walbridge-connection-test', policy);
  if (!opened.ok) return { target: 'destination', ok: false, ...opened.failure, durationMs: Date.now() - started };
  const { cluster, apiVersions, unreachable } = opened.session;
  await opened.session.close();
  // One dead address passes (the client finds the cluster through the others), but a task
  // started later with only dead ones left would not: say so now.
  const warnings = unreachable.map(
    (u) => `broker ${u.address} of the list is not reachable (${u.message}); the cluster was found through the others: fix or remove it`,
  );
  if (!apiVersions.apiKeys.has(INIT_PRODUCER_ID)) {
    return {
      target: 'destination',
      ok: false,
      problem: 'broker-too-old',
      message: `the brokers are older than Kafka 0.11 (found ${cluster.brokerVersion}): the idempotent producer Walbridge uses is not available`,
      suggestion: 'upgrade the Kafka brokers to 0.11 or later',
      durationMs: Date.now() - started,
      destination: cluster,
    };
  }
  let registry = '';
  if (destination.schemaRegistry) {
    // The registry of format avro-registry is part of the destination: listing its subjects proves address and credentials.
    const client = new SchemaRegistryClient(destination.schemaRegistry, policy);
    try {
      const subjects = await client.subjects();
      registry = `; schema registry ${client.where} answers (${subjects.length} subject(s))`;
    } catch (error) {
      const denied = error instanceof OutboundDeniedError;
      return {
        target: 'destination',
        ok: false,
        problem: denied ? 'outbound-denied' : 'schema-registry',
        message: (error as Error).message,
        suggestion: denied ? 'use another registry address, or change WALBRIDGE_OUTBOUND_DENY on the schedulers' : 'check destination.schemaRegistry: its url (Confluent API base, e.g. .../apis/ccompat/v7 for Apicurio), username and password',
        durationMs: Date.now() - started,
        destination: cluster,
      };
    }
  }
  return {
    target: 'destination',
    ok: true,
    message: `connected to a Kafka cluster of ${cluster.brokerCount} broker(s), Kafka ${cluster.brokerVersion} or later${registry}`,
    durationMs: Date.now() - started,
    destination: cluster,
    ...(warnings.length ? { warnings } : {}),
  };
}

export interface TopicRequest {
  /** Every topic the task writes to. */
  names: string[];
  /** Of those, the ones Walbridge would create (auto mode), with their settings. */
  toCreate: { partitions: number; replicationFactor: number };
  creatable: (name: string) => boolean;
}

/** The Kafka side of a precheck on an open session. */
export async function gatherKafkaFacts(session: KafkaSession, topics: TopicRequest): Promise<KafkaFacts> {
  const { admin, cluster, apiVersions, secrets } = session;
  // listTopics never creates a topic, unlike a metadata request for a missing one on a broker
  // with auto.create.topics.enable.
  const existing = new Set(await admin.listTopics());
  const present = topics.names.filter((t) => existing.has(t));
  const partitions = new Map<string, number>();
  if (present.length) {
    const metadata = await admin.fetchTopicMetadata({ topics: present });
    for (const t of metadata.topics) partitions.set(t.name, t.partitions.length);
  }
  const facts: KafkaTopicFact[] = topics.names.map((name) => ({ name, exists: existing.has(name), partitions: partitions.get(name) ?? null, createError: null }));
  const toValidate = facts.filter((t) => !t.exists && topics.creatable(t.name) && topics.toCreate.replicationFactor <= cluster.brokerCount);
  if (toValidate.length) {
    // One validate-only CreateTopics for all of them: the controller checks names, replication
    // factor and ACLs, and creates nothing.
    try {
      await admin.createTopics({
        validateOnly: true,
        waitForLeaders: false,
        topics: toValidate.map((t) => ({ topic: t.name, numPartitions: topics.toCreate.partitions, replicationFactor: topics.toCreate.replicationFactor })),
      });
    } catch (error) {
      const e = error as { type?: string; message?: string; topic?: string; errors?: { type?: string; message?: string; topic?: string }[] };
      const errors = e.errors ?? [e];
      for (const t of toValidate) {
        const own = errors.find((x) => x.topic === t.name) ?? (errors.some((x) => x.topic) ? undefined : errors[0]);
        if (own && own.type !== 'TOPIC_ALREADY_EXISTS') t.createError = { code: own.type ?? 'UNKNOWN', message: errorText(own, secrets) };
      }
    }
  }
  const existingFacts = facts.filter((t) => t.exists);
  if (existingFacts.length) {
    // What the topics keep (for the full synchronization's retention item); unreadable is not a failure.
    try {
      const described = await admin.describeConfigs({
        includeSynonyms: false,
        resources: existingFacts.map((t) => ({ type: ConfigResourceTypes.TOPIC, name: t.name, configNames: ['retention.bytes', 'cleanup.policy'] })),
      });
      for (const r of described.resources) {
        const fact = existingFacts.find((t) => t.name === r.resourceName);
        if (!fact) continue;
        const value = (name: string) => r.configEntries.find((c) => c.configName === name)?.configValue ?? null;
        const retention = value('retention.bytes');
        fact.retentionBytes = retention === null ? null : Number(retention);
        fact.cleanupPolicy = value('cleanup.policy');
      }
    } catch {
      // Not allowed to describe the topics (ACLs): the retention item has nothing to compare.
    }
  }
  let autoCreate: boolean | null = null;
  let autoCreateReadError: string | null = null;
  try {
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: cluster.brokers.map((b) => ({ type: ConfigResourceTypes.BROKER, name: String(b.nodeId), configNames: ['auto.create.topics.enable'] })),
    });
    const values = described.resources.flatMap((r) => r.configEntries.filter((c) => c.configName === 'auto.create.topics.enable').map((c) => c.configValue));
    autoCreate = values.length ? values.some((v) => v === 'true') : null;
    if (autoCreate === null) autoCreateReadError = 'the brokers did not return the setting';
  } catch (error) {
    autoCreateReadError = errorText(error, secrets);
  }
  return {
    brokerCount: cluster.brokerCount,
    brokerVersion: cluster.brokerVersion,
    supportsIdempotence: apiVersions.apiKeys.has(INIT_PRODUCER_ID),
    topics: facts,
    autoCreateTopicsEnable: autoCreate,
    autoCreateReadError,
  };
}
