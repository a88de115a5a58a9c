import type { CreateTaskInput, TaskView } from '@walbridge/contracts';
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

  async waitForStatus(id: string, status: TaskView['status'], timeoutMs = 60_000): Promise<TaskView> {
    return waitFor(`task ${id} to reach ${status}`, async () => {
      const task = await this.task(id);
      return task.status === status ? task : undefined;
    }, timeoutMs);
  }
}
