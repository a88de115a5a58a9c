import type { ConnectionProblem } from '@walbridge/contracts';
import { quoteIdent, redactSecrets } from '@walbridge/domain';
import type { TcpProbeResult } from './tcp-probe';

export interface ExplainedFailure {
  problem: ConnectionProblem;
  message: string;
  suggestion: string;
}

export interface SourceTarget {
  host: string;
  port: number;
  database: string;
  username: string;
  password?: string;
}

/**
 * The text of an error from a driver or a server, without the credentials of the connection:
 * drivers do not normally echo them, but a DSN in a message or a server's echo could.
 */
export function errorText(error: unknown, secrets: ReadonlyArray<string | undefined>): string {
  const message = (error as { message?: string })?.message ?? String(error);
  return redactSecrets(message, secrets);
}

const TLS_VERIFY_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_UNTRUSTED',
]);

const LISTEN_HINT = {
  source: 'check the port, and that PostgreSQL listens on this address (listen_addresses and port in postgresql.conf)',
  kafka: 'check the ports, and that the brokers listen on these addresses (listeners in server.properties)',
};

export function explainTcpFailure(result: TcpProbeResult & { ok: false }, target: 'source' | 'kafka'): ExplainedFailure {
  const what = target === 'source' ? 'source database' : 'Kafka brokers';
  switch (result.problem) {
    case 'dns':
      return { problem: 'dns', message: result.message, suggestion: `check the host name of the ${what}, or give its IP address` };
    case 'refused':
      return { problem: 'refused', message: result.message, suggestion: LISTEN_HINT[target] };
    default:
      return { problem: 'unreachable', message: result.message, suggestion: `check the address, the routing and the firewalls between Walbridge and the ${what}` };
  }
}

/** The address in "no pg_hba.conf entry for host "10.0.0.5", ...": how the server sees us. */
function clientAddressIn(message: string): string | null {
  return /for host "([^"]+)"/.exec(message)?.[1] ?? null;
}

export function hbaLine(target: SourceTarget, clientAddress: string | null): string {
  const address = clientAddress ? `${clientAddress}/${clientAddress.includes(':') ? 128 : 32}` : '<Walbridge address>/32';
  return `host ${target.database} ${target.username} ${address} scram-sha-256`;
}

/**
 * Turns what node-postgres threw while connecting into the cause a user fixes: SQLSTATE for the
 * server's refusals (28P01 password, 28000 login or pg_hba.conf, 3D000 database...), errno for
 * the network, the TLS error codes for certificates.
 */
export function explainSourceError(error: unknown, target: SourceTarget): ExplainedFailure {
  const code = (error as { code?: string })?.code ?? '';
  const message = errorText(error, [target.password]);
  const user = quoteIdent(target.username);
  if (code === '28P01') {
    return {
      problem: 'bad-password',
      message: `password authentication failed for user ${target.username}`,
      suggestion: 'check the user name and the password (the password of a task can be changed in any status)',
    };
  }
  if (code === '28000' && /not permitted to log in/.test(message)) {
    return { problem: 'no-login', message: `role ${target.username} is not permitted to log in (NOLOGIN)`, suggestion: `ALTER ROLE ${user} WITH LOGIN;` };
  }
  if (code === '28000' && /pg_hba\.conf/.test(message)) {
    const line = hbaLine(target, clientAddressIn(message));
    return {
      problem: 'pg-hba',
      message: `the server's pg_hba.conf refuses this connection: ${message}`,
      suggestion: `add to pg_hba.conf on the source: ${line}\nthen reload it: SELECT pg_reload_conf();`,
    };
  }
  if (code === '3D000') {
    return { problem: 'database-missing', message: `database ${target.database} does not exist`, suggestion: 'check the database name (it is case-sensitive)' };
  }
  if (code === '42501') {
    return {
      problem: 'no-connect-privilege',
      message: `role ${target.username} may not connect to database ${target.database}: ${message}`,
      suggestion: `GRANT CONNECT ON DATABASE ${quoteIdent(target.database)} TO ${user};`,
    };
  }
  if (code === '53300' || code === '53400') {
    return {
      problem: 'too-many-connections',
      message: `the server refuses more connections: ${message}`,
      suggestion: 'close idle connections, or raise max_connections (or the CONNECTION LIMIT of the role)',
    };
  }
  if (/does not support SSL/i.test(message)) {
    return {
      problem: 'ssl-unsupported',
      message: 'the server does not accept SSL connections, but sslMode asks for SSL',
      suggestion: 'set sslMode to disable, or enable SSL on the server (ssl = on with a certificate)',
    };
  }
  if (TLS_VERIFY_CODES.has(code) || /certificate/i.test(message)) {
    return {
      problem: 'ssl-verify',
      message: `the server's SSL certificate was not accepted: ${message}`,
      suggestion:
        code === 'ERR_TLS_CERT_ALTNAME_INVALID'
          ? 'connect with the host name the certificate names, or use sslMode verify-ca'
          : 'give the CA certificate that signed the server certificate in caCert, or use sslMode require (no verification)',
    };
  }
  if (/timeout expired|connection timeout/i.test(message)) {
    return {
      problem: 'timeout',
      message: `${target.host}:${target.port} accepted the connection but did not complete the PostgreSQL handshake in time`,
      suggestion: 'check that this port is a PostgreSQL server (not a proxy or another service) and that it is not overloaded',
    };
  }
  if (code && /^E[A-Z]+$/.test(code)) {
    if (code === 'ECONNRESET' || code === 'EPIPE') {
      return {
        problem: 'protocol',
        message: `${target.host}:${target.port} closed the connection during the handshake (${code})`,
        suggestion: 'check that this port is a PostgreSQL server, and the sslMode',
      };
    }
  }
  if (/terminated unexpectedly|Connection terminated/i.test(message)) {
    return {
      problem: 'protocol',
      message: `${target.host}:${target.port} closed the connection during the handshake`,
      suggestion: 'check that this port is a PostgreSQL server, and the sslMode',
    };
  }
  return { problem: 'unknown', message: `cannot connect to the source: ${message}`, suggestion: 'check the server log of the source for this connection' };
}
