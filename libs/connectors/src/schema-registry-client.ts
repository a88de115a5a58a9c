import type { SchemaRegistryConfig } from '@walbridge/contracts';
import { TaskFailure, type FailureKind } from '@walbridge/domain';
import type { OutboundPolicy } from './outbound-policy';
import { OutboundDeniedError } from './outbound-policy';

/**
 * The registry's refusal or absence. A registry that cannot be reached or answers 5xx is a
 * network failure (retried for the connection window); refused credentials or an incompatible
 * schema need an operator (not retried: the task fails with the registry's answer).
 */
export class SchemaRegistryError extends TaskFailure {
  override readonly name = 'SchemaRegistryError';
  readonly kind: FailureKind;
  constructor(
    message: string,
    readonly status: number | null,
    readonly retryable: boolean,
    /** The registry's own message, when it gave one. */
    readonly detail: string = '',
  ) {
    super(message);
    this.kind = retryable ? 'network' : 'other';
  }
}

const TIMEOUT_MS = 10_000;

/** A registry's verdict on a schema for a subject (see SchemaRegistryClient#compatibility). */
export interface SubjectCompatibility {
  verdict: 'new' | 'compatible' | 'incompatible';
  /** The registry's reasons for an incompatible verdict (may be empty: not every registry gives them). */
  messages: string[];
  /** The subject's compatibility level, for an incompatible verdict. */
  level?: string | null;
}

/**
 * Confluent's Schema Registry REST API (Confluent, Apicurio's /apis/ccompat/v7, Karapace,
 * Redpanda) over fetch: register a subject's schema, check compatibility, list subjects. The
 * password goes in the Authorization header only; errors name the registry without it.
 */
export class SchemaRegistryClient {
  private readonly base: string;
  private readonly auth: string | null;
  private checked = false;

  constructor(
    config: SchemaRegistryConfig,
    private readonly outbound: OutboundPolicy,
  ) {
    const url = new URL(config.url);
    url.username = '';
    url.password = '';
    this.base = url.toString().replace(/\/+$/, '');
    this.auth = config.username ? `Basic ${Buffer.from(`${config.username}:${config.password ?? ''}`).toString('base64')}` : null;
  }

  /** The registry's address as errors and logs show it (never with credentials). */
  get where(): string {
    return this.base;
  }

  /** The id of the schema under the subject, registering it as a new version when the registry does not have it. */
  async register(subject: string, schema: unknown): Promise<number> {
    const body = await this.call('POST', `/subjects/${encodeURIComponent(subject)}/versions`, { schema: JSON.stringify(schema), schemaType: 'AVRO' });
    const id = (body as { id?: unknown }).id;
    if (typeof id !== 'number') throw new SchemaRegistryError(`schema registry ${this.base} answered the registration of ${subject} without an id`, null, false);
    return id;
  }

  /**
   * Whether the schema may be registered under the subject by the subject's compatibility rule
   * (`?verbose=true`: the registry's reasons when it may not); `new` when the subject has no
   * version yet, so the schema will simply be registered.
   */
  async compatibility(subject: string, schema: unknown): Promise<SubjectCompatibility> {
    try {
      const body = (await this.call('POST', `/compatibility/subjects/${encodeURIComponent(subject)}/versions/latest?verbose=true`, {
        schema: JSON.stringify(schema),
        schemaType: 'AVRO',
      })) as { is_compatible?: boolean; messages?: unknown };
      if (body?.is_compatible !== false) return { verdict: 'compatible', messages: [] };
      const messages = Array.isArray(body.messages) ? body.messages.map(String) : typeof body.messages === 'string' ? [body.messages] : [];
      return { verdict: 'incompatible', messages, level: await this.level(subject) };
    } catch (error) {
      if (error instanceof SchemaRegistryError && error.status === 404) return { verdict: 'new', messages: [] };
      // Some registries answer an incompatible schema with 409 instead of is_compatible: false.
      if (error instanceof SchemaRegistryError && error.status === 409) return { verdict: 'incompatible', messages: [error.detail].filter(Boolean), level: await this.level(subject) };
      throw error;
    }
  }

  /** The subject's compatibility level (its own, else the registry's default); null when not readable. */
  private async level(subject: string): Promise<string | null> {
    for (const path of [`/config/${encodeURIComponent(subject)}?defaultToGlobal=true`, '/config']) {
      try {
        const body = (await this.call('GET', path)) as { compatibilityLevel?: unknown; compatibility?: unknown };
        const level = body?.compatibilityLevel ?? body?.compatibility;
        if (typeof level === 'string') return level;
      } catch {
        // a subject without its own level: the registry's default below
      }
    }
    return null;
  }

  /** The schema registered under the id (what a Confluent wire-format message names). */
  async schemaById(id: number): Promise<unknown> {
    const body = (await this.call('GET', `/schemas/ids/${id}`)) as { schema?: unknown };
    if (typeof body?.schema !== 'string') throw new SchemaRegistryError(`schema registry ${this.base} answered schema id ${id} without a schema`, null, false);
    return JSON.parse(body.schema);
  }

  async subjects(): Promise<string[]> {
    return (await this.call('GET', '/subjects')) as string[];
  }

  private async call(method: string, path: string, body?: unknown): Promise<unknown> {
    if (!this.checked) {
      const refusal = await this.outbound.refusal(new URL(this.base).hostname);
      if (refusal) throw new OutboundDeniedError(refusal);
      this.checked = true;
    }
    let response: Response;
    try {
      response = await fetch(this.base + path, {
        method,
        headers: {
          accept: 'application/vnd.schemaregistry.v1+json, application/json',
          ...(body ? { 'content-type': 'application/vnd.schemaregistry.v1+json' } : {}),
          ...(this.auth ? { authorization: this.auth } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(TIMEOUT_MS),
        redirect: 'error',
      });
    } catch (error) {
      throw new SchemaRegistryError(`schema registry ${this.base} cannot be reached: ${(error as Error).message}`, null, true);
    }
    const text = await response.text();
    if (!response.ok) {
      const detail = (() => {
        try {
          return String((JSON.parse(text) as { message?: unknown }).message ?? '');
        } catch {
          return '';
        }
      })();
      const what =
        response.status === 401 || response.status === 403
          ? 'refused the credentials'
          : response.status === 409
            ? 'refused the schema as incompatible with the subject’s latest version'
            : `answered ${response.status}`;
      throw new SchemaRegistryError(`schema registry ${this.base} ${what} (${method} ${path.split('?')[0]})${detail ? `: ${detail.slice(0, 300)}` : ''}`, response.status, response.status >= 500, detail.slice(0, 300));
    }
    return text ? JSON.parse(text) : null;
  }
}
