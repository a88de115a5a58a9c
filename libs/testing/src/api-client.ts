import type { CreateTaskInput, PrecheckRunView, TaskView } from '@walbridge/contracts';
import { testEnv } from './test-env';
import { waitFor } from './wait-for';

export interface ApiResponse<T = unknown> {
  status: number;
  body: T;
}

/** A thin HTTP client for tests: it returns status and body and never throws on 4xx/5xx. */
export class ApiClient {
  constructor(readonly baseUrl = testEnv.apiUrl, private readonly headers: Record<string, string> = {}) {}

  async request<T = unknown>(method: string, path: string, body?: unknown): Promise<ApiResponse<T>> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...this.headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, body: parsed as T };
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
}
