import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Request, Response } from 'express';
import { hasRole, type TaskEventName, type TaskEventPayloads, type TaskStatusEvent } from '@walbridge/contracts';
import { TaskRepository, type TaskEntity } from '@walbridge/persistence';
import { AuthService } from '../auth/auth.service';
import { loadLiveTask } from '../common/live-task';
import { TaskEventBus, type TaskEvent } from './task-event-bus.service';

const KEEP_ALIVE_MS = 15_000;
/** The caller's session or token is checked again this often: a logout or revocation ends the stream. */
// Within a few seconds (issue 14): one primary-key lookup per open stream, cheap next to the stream itself.
const RECHECK_MS = 3_000;
/** A client that does not read is dropped rather than buffered without bound (it reconnects). */
const MAX_BUFFERED_BYTES = 1024 * 1024;

/**
 * `GET /tasks/{id}/events`: Server-Sent Events of one task (PRODUCT.md §6): its status right
 * away, then status changes, metrics every second while it streams, log lines and notifications
 * as they happen. Behind the global guard like every route, so the console's session cookie
 * (EventSource sends it) or a bearer token opens it.
 */
@Injectable()
export class TaskEventsService implements OnModuleDestroy {
  /** Open streams, closed at shutdown: the HTTP server would otherwise wait for them forever. */
  private readonly open = new Set<() => void>();

  constructor(
    private readonly tasks: TaskRepository,
    private readonly bus: TaskEventBus,
    private readonly auth: AuthService,
  ) {}

  async stream(taskId: string, req: Request, res: Response): Promise<void> {
    // Subscribed before the snapshot is read, so a change in between is not lost.
    const early: TaskEvent[] = [];
    let deliver: (event: TaskEvent) => void = (event) => early.push(event);
    const unsubscribe = this.bus.subscribe(taskId, (event) => deliver(event));
    let task: TaskEntity;
    try {
      task = await loadLiveTask(this.tasks, taskId);
    } catch (error) {
      unsubscribe();
      throw error;
    }

    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    res.setHeader('Connection', 'keep-alive');
    // Reverse proxies (nginx) would otherwise buffer the stream.
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    req.socket.setNoDelay(true);

    let open = true;
    const timers: NodeJS.Timeout[] = [];
    const close = () => {
      if (!open) return;
      open = false;
      this.open.delete(close);
      unsubscribe();
      timers.forEach(clearInterval);
      res.end();
    };
    const send = <E extends TaskEventName>(event: E, data: TaskEventPayloads[E]) => {
      if (!open) return;
      if (res.writableLength > MAX_BUFFERED_BYTES) return close();
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    const end = (reason: string) => {
      send('end', { reason });
      close();
    };
    deliver = (event) => {
      send(event.type, { ...event.data, taskId } as never);
      if (event.type === 'status' && event.data.status === 'DELETED') end('the task was deleted');
    };

    res.write('retry: 3000\n\n');
    send('status', snapshot(task));
    early.forEach(deliver);
    timers.push(setInterval(() => open && res.write(': keep-alive\n\n'), KEEP_ALIVE_MS));
    timers.push(
      setInterval(() => {
        void this.auth.authenticate(req).then(
          (principal) => {
            if (!principal || !hasRole(principal.role, 'viewer')) end('the session ended or the token was revoked');
          },
          () => undefined,
        );
      }, RECHECK_MS),
    );
    req.on('close', close);
    res.on('error', close);
    this.open.add(close);
  }

  /** Without an `end` event: browsers reconnect, to another replica if this one is gone. */
  onModuleDestroy(): void {
    for (const close of [...this.open]) close();
  }
}

function snapshot(task: TaskEntity): TaskStatusEvent {
  return {
    taskId: task.id,
    status: task.status,
    previousStatus: null,
    pendingOperation: task.requestedOperation,
    lastError: task.lastError,
    delaySeconds: task.delaySeconds,
    confirmedLsn: task.confirmedLsn,
    at: new Date().toISOString(),
  };
}
