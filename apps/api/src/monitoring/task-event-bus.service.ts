import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { Client } from 'pg';
import type { AppConfig } from '@walbridge/config';
import { APP_CONFIG } from '@walbridge/nest-common';

/** The channel the metadata database's triggers and the schedulers publish task events on. */
export const TASK_EVENTS_CHANNEL = 'walbridge_events';
const RECONNECT_MIN_MS = 500;
const RECONNECT_MAX_MS = 15_000;

export interface TaskEvent {
  type: 'status' | 'metrics' | 'log' | 'notification' | 'snapshot';
  taskId: string;
  data: Record<string, unknown>;
}

export type TaskEventListener = (event: TaskEvent) => void;

/**
 * Task events for this api replica's live streams: one LISTEN connection to the metadata
 * database, whatever the number of clients, fanned out in memory by task. Status changes and
 * log lines come from triggers (in the transaction that makes them, whoever makes them);
 * metrics and notifications from the schedulers. Nobody polls.
 */
@Injectable()
export class TaskEventBus implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(TaskEventBus.name);
  private readonly listeners = new Map<string, Set<TaskEventListener>>();
  private client: Client | null = null;
  private closing = false;
  private failures = 0;
  private reconnectTimer?: NodeJS.Timeout;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  onModuleInit(): void {
    void this.connect();
  }

  subscribe(taskId: string, listener: TaskEventListener): () => void {
    let set = this.listeners.get(taskId);
    if (!set) this.listeners.set(taskId, (set = new Set()));
    set.add(listener);
    return () => {
      set!.delete(listener);
      if (!set!.size && this.listeners.get(taskId) === set) this.listeners.delete(taskId);
    };
  }

  private async connect(): Promise<void> {
    if (this.closing) return;
    const client = new Client({ connectionString: this.config.WALBRIDGE_DATABASE_URL, application_name: 'walbridge-api-events' });
    client.on('notification', (n) => this.dispatch(n.payload));
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    try {
      await client.connect();
      await client.query(`LISTEN ${TASK_EVENTS_CHANNEL}`);
      this.client = client;
      if (this.failures) this.logger.log('listening to task events again');
      this.failures = 0;
    } catch (error) {
      this.lost(client, error as Error);
    }
  }

  /** Events published while disconnected are lost: clients re-read the REST resources on reconnect. */
  private lost(client: Client, error: Error): void {
    if (this.closing || this.reconnectTimer || (this.client && this.client !== client)) return;
    this.client = null;
    client.removeAllListeners('notification');
    void client.end().catch(() => undefined);
    const delay = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** this.failures++);
    this.logger.warn(`task events connection lost (${error.message}); reconnecting in ${delay} ms`);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      void this.connect();
    }, delay);
  }

  private dispatch(payload: string | undefined): void {
    if (!payload) return;
    let event: TaskEvent;
    try {
      event = JSON.parse(payload) as TaskEvent;
    } catch {
      return;
    }
    const set = event?.taskId ? this.listeners.get(event.taskId) : undefined;
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener(event);
      } catch (error) {
        this.logger.warn(`task event listener failed: ${(error as Error).message}`);
      }
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.closing = true;
    clearTimeout(this.reconnectTimer);
    await this.client?.end().catch(() => undefined);
  }
}
