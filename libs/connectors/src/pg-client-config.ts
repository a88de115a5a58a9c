import type { ClientConfig } from 'pg';
import type { ConnectionOptions } from 'node:tls';
import type { SourceConfig } from '@walbridge/contracts';

/** libpq's sslmode semantics, expressed as node-postgres options. */
export function sslOptions(source: SourceConfig): false | ConnectionOptions {
  switch (source.sslMode) {
    case 'disable':
      return false;
    case 'require':
      return { rejectUnauthorized: false };
    case 'verify-ca':
      // Chain checked against the CA, host name not checked.
      return { ca: source.caCert, rejectUnauthorized: true, checkServerIdentity: () => undefined };
    case 'verify-full':
      return { ca: source.caCert, rejectUnauthorized: true };
  }
}

export function pgClientConfig(source: SourceConfig, applicationName: string, connectionTimeoutMs = 10_000): ClientConfig {
  return {
    host: source.host,
    port: source.port,
    database: source.database,
    user: source.username,
    password: source.password,
    ssl: sslOptions(source),
    application_name: applicationName,
    connectionTimeoutMillis: connectionTimeoutMs,
    keepAlive: true,
  };
}
