import type { ConnectionTarget } from '@walbridge/vocabulary';

/**
 * Why a connection failed, one value per cause a user fixes differently. `unreachable` covers
 * routing and firewalls (nothing answers), `refused` a host that answers without a server on the
 * port, `dns` a name that does not resolve.
 */
export const CONNECTION_PROBLEMS = [
  'dns',
  'unreachable',
  'refused',
  'timeout',
  'bad-password',
  'no-login',
  'pg-hba',
  'ssl-required',
  'ssl-unsupported',
  'ssl-verify',
  'ssl-client-cert',
  'database-missing',
  'no-connect-privilege',
  'too-many-connections',
  'auth-failed',
  'sasl-mechanism',
  'broker-too-old',
  'protocol',
  // The sealed credentials do not open for this endpoint (edited outside the API, another master key).
  'stored-credentials',
  // WALBRIDGE_OUTBOUND_DENY refuses the address.
  'outbound-denied',
  // destination.schemaRegistry does not answer, or refuses the credentials (format avro-registry).
  'schema-registry',
  'unknown',
] as const;
export type ConnectionProblem = (typeof CONNECTION_PROBLEMS)[number];

export interface SourceServerInfo {
  /** server_version, e.g. "15.8 (Debian 15.8-0+deb12u1)". */
  version: string;
  versionNum: number;
  /** true on a standby (pg_is_in_recovery()). */
  inRecovery: boolean;
  ssl: boolean;
}

export interface KafkaBrokerInfo {
  nodeId: number;
  host: string;
  port: number;
}

export interface DestinationClusterInfo {
  /** Lowest Kafka release that offers every API the broker announced (ApiVersions), e.g. "3.8". */
  brokerVersion: string;
  brokerCount: number;
  brokers: KafkaBrokerInfo[];
  clusterId: string | null;
  controllerId: number | null;
}

export interface ConnectionTestResult {
  target: ConnectionTarget;
  ok: boolean;
  /** Set when ok is false. */
  problem?: ConnectionProblem;
  /** What happened, in words; never contains a credential. */
  message: string;
  /** How to fix it, when ok is false. */
  suggestion?: string;
  durationMs: number;
  /** A passed test's reservations (a bootstrap broker that did not answer while others did). */
  warnings?: string[];
  source?: SourceServerInfo;
  destination?: DestinationClusterInfo;
}
