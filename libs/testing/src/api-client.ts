import type { CreateTaskInput, PrecheckRunView, TaskView } from '@walbridge/contracts';
import { testEnv } from './test-env';
import { waitFor } from './wait-for';

export interface ApiResponse<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

/**
 * How a client authenticates: as a user (logs in lazily, once per process and user), with a
 * token (API or session), or not at all. The default is the admin the test runner created.
 */
export type ApiAuth = { username: string; password: string } | { token: string } | 'none';

export function defaultApiAuth(): ApiAuth {
  return testEnv.adminUser && testEnv.adminPassword ? { username: testEnv.adminUser, password: testEnv.adminPassword } : 'none';
}

// One session per user and API for the whole test file: logging in costs a password hash.
const sessions = new Map<string, Promise<string>>();

/** A thin HTTP client for tests: it returns status and body and never throws on 4xx/5xx. */
export class ApiClient {
  constructor(
    readonly baseUrl = testEnv.apiUrl,
    private readonly headers: Record<string, string> = {},
    private readonly auth: ApiAuth = defaultApiAuth(),
  ) {}

  async request<T = unknown>(method: string, path: string, body?: unknown, init: { headers?: Record<string, string> } = {}): Promise<ApiResponse<T>> {
    const authorization = await this.authorization();
    const send = (auth: string | undefined) =>
      fetch(`${this.baseUrl}${path}`, {
        method,
        headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}), ...this.headers, ...init.headers },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
    let response = await send(authorization);
    if (response.status === 401 && typeof this.auth === 'object' && 'username' in this.auth && authorization) {
      // The cached session ended (expired, password changed): log in again, once.
      sessions.delete(this.sessionKey());
      response = await send(await this.authorization());
    }
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, body: parsed as T, headers: response.headers };
  }

  async createTask(input: CreateTaskInput): Promise<TaskView> {
    const res = await this.request<TaskView>('POST', '/api/v1/tasks', input);
    if (res.status !== 201) throw new Error(`create task failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  async task(id: string): Promise<TaskView> {
    const res = await this.request<TaskView>('GET', `/api/v1/tasks/${id}`);
    if (res.status !== 200) throw new Error(`get task failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  async operate(id: string, operation: string, body: unknown = {}): Promise<ApiResponse<TaskView>> {
    return this.request<TaskView>('POST', `/api/v1/tasks/${id}/${operation}`, body);
  }

  /** Runs a precheck through the API and waits for its end (the run as GET returns it). */
  async runPrecheck(id: string, options: { longTransactionSeconds?: number } = {}, timeoutMs = 60_000): Promise<PrecheckRunView> {
    const started = await this.request<PrecheckRunView>('POST', `/api/v1/tasks/${id}/precheck`, options);
    if (started.status !== 202) throw new Error(`precheck failed to start: ${started.status} ${JSON.stringify(started.body)}`);
    return waitFor(`precheck ${started.body.id} of task ${id} to finish`, async () => {
      const res = await this.request<PrecheckRunView>('GET', `/api/v1/tasks/${id}/precheck`);
      if (res.status !== 200) throw new Error(`get precheck failed: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.id === started.body.id && res.body.status !== 'RUNNING' ? res.body : undefined;
    }, timeoutMs, 100);
  }

  /**
   * What a user does before submitting: precheck, and confirm the ALARM items. Throws with the
   * reasons when an item FAILED, so a fixture problem shows up as such.
   */
  async passPrecheck(id: string): Promise<PrecheckRunView> {
    let run = await this.runPrecheck(id);
    const failed = run.items.filter((i) => i.result === 'FAILED');
    if (run.status !== 'FINISHED' || failed.length) {
      throw new Error(`precheck of task ${id} did not pass: ${run.error ?? failed.map((i) => `${i.key}: ${i.reason}`).join(' | ')}`);
    }
    for (const item of run.items.filter((i) => i.result === 'ALARM' && !i.confirmed)) {
      const res = await this.request<PrecheckRunView>('POST', `/api/v1/tasks/${id}/precheck/items/${item.id}/confirm`);
      if (res.status !== 200) throw new Error(`confirm ${item.key} failed: ${res.status} ${JSON.stringify(res.body)}`);
      run = res.body;
    }
    return run;
  }

  async waitForStatus(id: string, status: TaskView['status'], timeoutMs = 60_000): Promise<TaskView> {
    return waitFor(`task ${id} to reach ${status}`, async () => {
      const task = await this.task(id);
      return task.status === status ? task : undefined;
    }, timeoutMs);
  }

  /** After a stop: COMPLETED, STOP_FAILED, or CANCELLED for a task that never started. */
  async waitUntilStopped(id: string, timeoutMs = 90_000): Promise<TaskView> {
    return waitFor(`task ${id} to stop`, async () => {
      const task = await this.task(id);
      return ['COMPLETED', 'STOP_FAILED', 'CANCELLED'].includes(task.status) ? task : undefined;
    }, timeoutMs);
  }

  /** The `Authorization` header this client sends, logging in first if it has to. */
  async authorization(): Promise<string | undefined> {
    if (Object.keys(this.headers).some((h) => h.toLowerCase() === 'authorization')) return undefined;
    if (this.auth === 'none') return undefined;
    if ('token' in this.auth) return `Bearer ${this.auth.token}`;
    const key = this.sessionKey();
    let session = sessions.get(key);
    if (!session) {
      session = login(this.baseUrl, this.auth.username, this.auth.password);
      sessions.set(key, session);
      session.catch(() => sessions.delete(key));
    }
    return `Bearer ${await session}`;
  }

  private sessionKey(): string {
    const auth = this.auth as { username: string; password: string };
    return `${this.baseUrl}\n${auth.username}\n${auth.password}`;
  }
}

async function login(baseUrl: string, username: string, password: string): Promise<string> {
  let response: Response;
  let text: string;
  // Test files log in at the same time: the api's bounds on concurrent password checks (503)
  // and concurrent attempts (429 LOGIN_CONCURRENCY) say "again in a second", so we do.
  for (let attempt = 1; ; attempt++) {
    response = await fetch(`${baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    text = await response.text();
    const busy = response.status === 503 || (response.status === 429 && text.includes('"LOGIN_CONCURRENCY"'));
    if (!busy || attempt >= 30) break;
    await new Promise((resolve) => setTimeout(resolve, 200 + Math.random() * 800));
  }
  // The password is never part of the error: test output ends up in logs.
  if (response.status !== 200) throw new Error(`login as ${username} failed: ${response.status} ${text.slice(0, 300)}`);
  return (JSON.parse(text) as { token: string }).token;
}
