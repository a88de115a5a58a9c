import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';

/** API key → the first Kafka release whose brokers offer it (from the Kafka protocol guide). */
const INTRODUCED_IN: ReadonlyArray<[apiKey: number, release: string]> = [
  [19, '0.10.1'], // CreateTopics
  [21, '0.11'], // DeleteRecords
  [22, '0.11'], // InitProducerId: idempotent and transactional producers
  [32, '0.11'], // DescribeConfigs
  [36, '1.0'], // SaslAuthenticate
  [42, '1.1'], // DeleteGroups
  [43, '2.2'], // ElectLeaders
  [44, '2.3'], // IncrementalAlterConfigs
  [45, '2.4'], // AlterPartitionReassignments
  [48, '2.6'], // DescribeClientQuotas
  [50, '2.7'], // DescribeUserScramCredentials
  [60, '2.8'], // DescribeCluster
  [65, '3.0'], // DescribeTransactions
  [71, '3.7'], // GetTelemetrySubscriptions
  [75, '3.8'], // DescribeTopicPartitions
];

export const INIT_PRODUCER_ID = 22;

export interface ApiVersionsResult {
  /** api key → [min version, max version] */
  apiKeys: Map<number, [number, number]>;
  /** The lowest release that offers every API the broker announced, e.g. "3.8". */
  brokerVersion: string;
}

export function inferBrokerVersion(apiKeys: ReadonlyMap<number, unknown>): string {
  let version = '0.10';
  for (const [key, release] of INTRODUCED_IN) if (apiKeys.has(key)) version = release;
  return version;
}

/**
 * One ApiVersions (v0) request on a fresh connection: every broker since 0.10 answers it, also
 * before SASL authentication, and the API keys it lists date the broker (KIP-35).
 */
export function fetchApiVersions(host: string, port: number, tls: ConnectionOptions | undefined, timeoutMs: number): Promise<ApiVersionsResult> {
  return new Promise((resolve, reject) => {
    const socket: Socket = tls ? tlsConnect({ host, port, servername: host, ...tls }) : tcpConnect({ host, port });
    let buffer = Buffer.alloc(0);
    const finish = (error: Error | null, result?: ApiVersionsResult) => {
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      socket.destroy();
      if (error) reject(error);
      else resolve(result!);
    };
    socket.setTimeout(timeoutMs, () => finish(new Error(`no ApiVersions answer from ${host}:${port} within ${timeoutMs / 1000} s`)));
    socket.once('error', (error) => finish(error));
    socket.once(tls ? 'secureConnect' : 'connect', () => {
      const clientId = Buffer.from('walbridge');
      const header = Buffer.alloc(10);
      header.writeInt16BE(18, 0); // ApiVersions
      header.writeInt16BE(0, 2); // version 0
      header.writeInt32BE(1, 4); // correlation id
      header.writeInt16BE(clientId.length, 8);
      const body = Buffer.concat([header, clientId]);
      const size = Buffer.alloc(4);
      size.writeInt32BE(body.length, 0);
      socket.write(Buffer.concat([size, body]));
    });
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (buffer.length < 4) return;
      const length = buffer.readInt32BE(0);
      if (buffer.length < 4 + length) return;
      try {
        finish(null, parseApiVersionsV0(buffer.subarray(4, 4 + length)));
      } catch (error) {
        finish(error as Error);
      }
    });
    socket.once('end', () => finish(new Error(`${host}:${port} closed the connection without answering ApiVersions`)));
  });
}

export function parseApiVersionsV0(response: Buffer): ApiVersionsResult {
  // correlation id (4), error code (2), array of [api key, min, max] (int16 each)
  const errorCode = response.readInt16BE(4);
  if (errorCode !== 0) throw new Error(`ApiVersions answered with error code ${errorCode}`);
  const count = response.readInt32BE(6);
  const apiKeys = new Map<number, [number, number]>();
  for (let i = 0, o = 10; i < count; i++, o += 6) apiKeys.set(response.readInt16BE(o), [response.readInt16BE(o + 2), response.readInt16BE(o + 4)]);
  return { apiKeys, brokerVersion: inferBrokerVersion(apiKeys) };
}
