import { Client, type ClientConfig } from 'pg';
import type { ConnectionTestResult, SourceConfig, SourceServerInfo } from '@walbridge/contracts';
import { pgClientConfig } from './pg-client-config';
import { outboundFailure, type OutboundPolicy } from './outbound-policy';
import { explainSourceError, explainTcpFailure, type ExplainedFailure } from './source-errors';
import { probeTcp } from './tcp-probe';

export const PROBE_TCP_TIMEOUT_MS = 3_000;
export const PROBE_CONNECT_TIMEOUT_MS = 4_000;

export type SourceConnectResult = { ok: true; client: Client } | { ok: false; failure: ExplainedFailure };

async function tryConnect(config: ClientConfig): Promise<{ client: Client } | { error: unknown }> {
  const client = new Client(config);
  // An error after connect (server restart) surfaces through the next query instead.
  client.on('error', () => undefined);
  try {
    await client.connect();
    return { client };
  } catch (error) {
    await client.end().catch(() => undefined);
    return { error };
  }
}

const isHbaRefusal = (error: unknown) => (error as { code?: string }).code === '28000' && /pg_hba\.conf/.test((error as Error).message ?? '');

/**
 * Opens a connection to the source for a probe, or says exactly why it cannot: TCP first (name,
 * route, port), then PostgreSQL's own answer. A pg_hba.conf refusal without SSL is tried again
 * over SSL, because "only hostssl lines match this login" looks the same from the client.
 * Nothing is sent to an address the outbound policy refuses.
 */
export async function connectSource(source: SourceConfig, applicationName: string, policy: OutboundPolicy, options: ClientConfig = {}): Promise<SourceConnectResult> {
  const refused = await policy.refusal(source.host);
  if (refused) return { ok: false, failure: outboundFailure(refused) };
  const tcp = await probeTcp(source.host, source.port, PROBE_TCP_TIMEOUT_MS);
  if (!tcp.ok) return { ok: false, failure: explainTcpFailure(tcp, 'source') };
  const config = { ...pgClientConfig(source, applicationName, PROBE_CONNECT_TIMEOUT_MS), ...options };
  const first = await tryConnect(config);
  if ('client' in first) return { ok: true, client: first.client };
  const failure = explainSourceError(first.error, source);
  if (source.sslMode === 'disable' && isHbaRefusal(first.error)) {
    const overSsl = await tryConnect({ ...config, ssl: { rejectUnauthorized: false } });
    const passedHba = 'client' in overSsl || (!isHbaRefusal(overSsl.error) && !/does not support SSL/i.test((overSsl.error as Error).message ?? ''));
    if ('client' in overSsl) await overSsl.client.end().catch(() => undefined);
    if (passedHba) {
      return {
        ok: false,
        failure: {
          problem: 'ssl-required',
          message: `the server accepts ${source.username} only over SSL (pg_hba.conf has a hostssl line for it), and sslMode is disable`,
          suggestion: 'set sslMode to require, or to verify-ca / verify-full with the CA certificate of the server',
        },
      };
    }
  }
  return { ok: false, failure };
}

export async function serverInfo(client: Client): Promise<SourceServerInfo> {
  const { rows } = await client.query<{ version: string; num: number; recovery: boolean; ssl: boolean | null }>(
    `SELECT current_setting('server_version') AS version, current_setting('server_version_num')::int AS num,
            pg_is_in_recovery() AS recovery,
            (SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()) AS ssl`,
  );
  return { version: rows[0].version, versionNum: rows[0].num, inRecovery: rows[0].recovery, ssl: rows[0].ssl === true };
}

/** POST /connections/test with type source: log in, then read the server's version. */
export async function testSourceConnection(source: SourceConfig, policy: OutboundPolicy): Promise<ConnectionTestResult> {
  const started = Date.now();
  const connected = await connectSource(source, 'walbridge-connection-test', policy);
  if (!connected.ok) return { target: 'source', ok: false, ...connected.failure, durationMs: Date.now() - started };
  try {
    const info = await serverInfo(connected.client);
    return {
      target: 'source',
      ok: true,
      message: `connected to PostgreSQL ${info.version} as ${source.username}${info.ssl ? ' over SSL' : ''}${info.inRecovery ? ' (a standby)' : ''}`,
      durationMs: Date.now() - started,
      source: info,
    };
  } finally {
    await connected.client.end().catch(() => undefined);
  }
}
