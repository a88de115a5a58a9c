import type { KafkaConfig, SASLOptions } from 'kafkajs';
import { logLevel } from 'kafkajs';
import type { ConnectionOptions } from 'node:tls';
import type { DestinationConfig } from '@walbridge/contracts';

/** Timeouts of the data path (patient) or of a probe that must answer a user within seconds. */
export interface KafkaTimeouts {
  connectionTimeout: number;
  requestTimeout: number;
  retries: number;
  /** A probe reports its failures itself; kafkajs' own error lines would only be noise. */
  logLevel: logLevel;
}

const STREAMING: KafkaTimeouts = { connectionTimeout: 10_000, requestTimeout: 30_000, retries: 8, logLevel: logLevel.ERROR };
export const PROBE_TIMEOUTS: KafkaTimeouts = { connectionTimeout: 3_000, requestTimeout: 5_000, retries: 0, logLevel: logLevel.NOTHING };

export function kafkaClientConfig(destination: DestinationConfig, clientId: string, timeouts: KafkaTimeouts = STREAMING): KafkaConfig {
  const sasl = destination.securityProtocol.startsWith('SASL');
  return {
    clientId,
    brokers: destination.brokers.split(','),
    connectionTimeout: timeouts.connectionTimeout,
    requestTimeout: timeouts.requestTimeout,
    logLevel: timeouts.logLevel,
    ssl: kafkaTlsOptions(destination),
    sasl: sasl ? saslOptions(destination) : undefined,
    retry: { retries: timeouts.retries, initialRetryTime: 300, maxRetryTime: 10_000 },
  };
}

/** TLS options for SSL and SASL_SSL (undefined otherwise), shared by kafkajs and raw probes. */
export function kafkaTlsOptions(destination: DestinationConfig): ConnectionOptions | undefined {
  const tls = destination.securityProtocol === 'SSL' || destination.securityProtocol === 'SASL_SSL';
  if (!tls) return undefined;
  return {
    ca: destination.caCert ? [destination.caCert] : undefined,
    cert: destination.clientCert,
    key: destination.clientKey,
    rejectUnauthorized: true,
    // Only when verification is off: an explicit `checkServerIdentity: undefined` replaces
    // Node's default check and every TLS connection then fails.
    ...(destination.verifyHostname ? {} : { checkServerIdentity: () => undefined }),
  };
}

function saslOptions(destination: DestinationConfig): SASLOptions {
  const username = destination.username ?? '';
  const password = destination.password ?? '';
  switch (destination.saslMechanism ?? 'PLAIN') {
    case 'SCRAM-SHA-256':
      return { mechanism: 'scram-sha-256', username, password };
    case 'SCRAM-SHA-512':
      return { mechanism: 'scram-sha-512', username, password };
    default:
      return { mechanism: 'plain', username, password };
  }
}
