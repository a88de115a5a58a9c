import type { Client, ClientConfig } from 'pg';
import { LogicalReplicationService, PgoutputPlugin } from 'pg-logical-replication';
import { formatLsn, parseLsn, decodePgOutput, quoteIdent, type PgOutputMessage } from '@walbridge/domain';

export interface ReplicationHandlers {
  /** Called synchronously, in stream order, for every decoded pgoutput message. */
  onMessage(message: PgOutputMessage): void;
  /** A keepalive: `walEnd` is where the server's sending stands. */
  onKeepalive(walEnd: bigint, replyRequested: boolean): void;
  onError(error: Error): void;
}

/**
 * pg-logical-replication's protocol handling with Walbridge's own pgoutput decoding: values
 * stay PostgreSQL's exact text (the library's parser turns them into JS types and loses the
 * unchanged-TOAST marker).
 */
class WalbridgePgoutputPlugin extends PgoutputPlugin {
  constructor(
    private readonly publication: string,
    private readonly onBytes: (bytes: number) => void,
  ) {
    super({ protoVersion: 1, publicationNames: [publication], messages: true });
  }

  // The base class's declared return type is its own message shape; ours replaces it.
  override parse(buffer: Buffer): never {
    this.onBytes(buffer.length);
    return decodePgOutput(buffer) as never;
  }

  override start(client: Client, slotName: string, lastLsn: string): Promise<unknown> {
    const publication = quoteIdent(this.publication).replace(/'/g, "''");
    const options = [`proto_version '1'`, `publication_names '${publication}'`, `messages 'true'`];
    return client.query(`START_REPLICATION SLOT ${quoteIdent(slotName)} LOGICAL ${lastLsn} (${options.join(', ')})`);
  }
}

export class ReplicationStream {
  private readonly service: LogicalReplicationService;
  private paused = false;
  private received = 0;

  constructor(
    private readonly clientConfig: ClientConfig,
    private readonly slot: string,
    private readonly publication: string,
    private readonly handlers: ReplicationHandlers,
  ) {
    // Acknowledgement is ours alone: the library's automatic and timed acknowledgements would
    // confirm positions that Kafka has not acknowledged yet.
    this.service = new LogicalReplicationService(clientConfig, { acknowledge: { auto: false, timeoutSeconds: 0 } });
    this.service.on('data', (_lsn: string, message: PgOutputMessage) => this.handlers.onMessage(message));
    this.service.on('heartbeat', (lsn: string, _ts: number, reply: boolean) => this.handlers.onKeepalive(parseLsn(lsn), reply));
    this.service.on('error', (error: Error) => this.handlers.onError(error));
  }

  /** Resolves when streaming ends (stop() or connection loss); rejects on a replication error. */
  run(): Promise<unknown> {
    const plugin = new WalbridgePgoutputPlugin(this.publication, (bytes) => (this.received += bytes));
    // 0/0: the server starts from the slot's confirmed position.
    return this.service.subscribe(plugin, this.slot, '0/0');
  }

  /** Bytes of pgoutput messages received so far (the "bytes read" of the task's metrics). */
  get bytesReceived(): number {
    return this.received;
  }

  /** Stops reading from the socket: TCP backpressure then holds the walsender. */
  pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.socket()?.pause();
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.socket()?.resume();
  }

  /** Tells the server everything up to `lsn` is durable downstream (it may then recycle WAL). */
  async confirm(lsn: bigint): Promise<void> {
    // The library reports lsn + 1; PostgreSQL expects exactly the end of what was processed, and
    // one byte more could skip a transaction whose commit record starts at that position.
    if (lsn === 0n) return;
    await this.service.acknowledge(formatLsn(lsn - 1n));
  }

  async stop(): Promise<void> {
    await this.service.stop();
  }

  private socket(): { pause(): void; resume(): void } | undefined {
    // The library keeps the connection private; its own flow control pauses the same stream.
    return (this.service as unknown as { _connection?: { stream?: { pause(): void; resume(): void } } })._connection?.stream;
  }
}
