import type { KafkaConfig, SASLOptions } from 'kafkajs';
import { logLevel } from 'kafkajs';
import type { DestinationConfig } from '@walbridge/contracts';

export function kafkaClientConfig(destination: DestinationConfig, clientId: string): KafkaConfig {
  const tls = destination.securityProtocol === 'SSL' || destination.securityProtocol === 'SASL_SSL';
  const sasl = destination.securityProtocol.startsWith('SASL');
  return {
    clientId,
    brokers: destination.brokers.split(','),
    connectionTimeout: 10_000,
    requestTimeout: 30_000,
    logLevel: logLevel.ERROR,
    ssl: tls
      ? {
          ca: destination.caCert ? [destination.caCert] : undefined,
          cert: destination.clientCert,
          key: destination.clientKey,
          rejectUnauthorized: true,
          // Only when verification is off: an explicit `checkServerIdentity: undefined` replaces
          // Node's default check and every TLS connection then fails.
          ...(destination.verifyHostname ? {} : { checkServerIdentity: () => undefined }),
        }
      : undefined,
    sasl: sasl ? saslOptions(destination) : undefined,
    retry: { retries: 8, initialRetryTime: 300, maxRetryTime: 10_000 },
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
