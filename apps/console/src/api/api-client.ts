import type { ApiErrorBody, ErrorCode } from '@walbridge/contracts';

const API_PREFIX = '/api/v1';

export type QueryValue = string | number | boolean | null | undefined;

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  query?: Record<string, QueryValue>;
  body?: unknown;
  signal?: AbortSignal;
}

/** Any failed call. Carries the API's error body so forms can show `details` next to their fields. */
export class ApiError extends Error implements ApiErrorBody {
  readonly statusCode: number;
  readonly error: string;
  /** One of ERROR_CODES: match it with `ErrorCode.X`, never a string literal. */
  readonly code?: ErrorCode;
  readonly details: { field: string; message: string }[];

  constructor(body: ApiErrorBody) {
    super(body.message);
    this.name = 'ApiError';
    this.statusCode = body.statusCode;
    this.error = body.error;
    this.code = body.code;
    this.details = body.details ?? [];
  }

  /** 0 means the request never got an HTTP answer (network down, API unreachable). */
  get isNetworkError(): boolean {
    return this.statusCode === 0;
  }

  /** A 4xx is the caller's fault, so repeating the same request cannot help. */
  get isClientError(): boolean {
    return this.statusCode >= 400 && this.statusCode < 500;
  }
}

/** Builds `/api/v1/...?...`, leaving out empty values: the API validates `status=` as an enum. */
export function apiUrl(path: string, query: Record<string, QueryValue> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    params.set(key, String(value));
  }
  const search = params.toString();
  return `${API_PREFIX}${path}${search ? `?${search}` : ''}`;
}

/**
 * A 404 that no handler of the API produced: the route does not exist on this server (an older
 * API than the console). A missing task or run is a 404 too, but carries a code (TASK_NOT_FOUND…).
 */
export function isMissingEndpoint(error: unknown): boolean {
  return error instanceof ApiError && error.statusCode === 404 && !error.code;
}

export async function fetchJson<T>(path: string, options: RequestOptions = {}): Promise<T> {
  return requestJson<T>(apiUrl(path, options.query), options);
}

/** Like fetchJson, for an address outside `/api/v1` (the OpenAPI document). */
export async function requestJson<T>(url: string, options: Omit<RequestOptions, 'query'> = {}): Promise<T> {
  const { method = 'GET', body, signal } = options;
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      signal,
      credentials: 'same-origin',
      headers: {
        Accept: 'application/json',
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (cause) {
    // An abort is react-query cancelling a stale request; it must stay an AbortError to be ignored.
    if (signal?.aborted) throw cause;
    throw new ApiError({
      statusCode: 0,
      error: 'Network Error',
      message: 'Cannot reach the Walbridge API. Check that it is running and reachable from this browser.',
    });
  }

  if (!response.ok) throw await toApiError(response);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

async function toApiError(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => '');
  const parsed = parseErrorBody(text);
  if (parsed) return new ApiError({ ...parsed, statusCode: parsed.statusCode || response.status });
  // No JSON body means something in front of the API answered (dev proxy, reverse proxy), not the API.
  return new ApiError({
    statusCode: response.status,
    error: response.statusText || `HTTP ${response.status}`,
    message: 'The answer carried no API error body; the API may be down or unreachable.',
  });
}

function parseErrorBody(text: string): ApiErrorBody | null {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null) return null;
    const body = value as Partial<ApiErrorBody>;
    if (typeof body.message !== 'string') return null;
    return {
      statusCode: typeof body.statusCode === 'number' ? body.statusCode : 0,
      error: typeof body.error === 'string' ? body.error : 'Error',
      message: body.message,
      code: typeof body.code === 'string' ? body.code : undefined,
      details: Array.isArray(body.details) ? body.details : [],
    };
  } catch {
    return null;
  }
}
