import { requestJson } from './api-client';

/**
 * The routes this API serves, read from its OpenAPI document, so the console offers only what
 * the server can do (an API older than the console lacks, e.g., pause or metrics).
 */
export interface ApiRoutes {
  has(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string): boolean;
}

interface OpenApiDocument {
  paths?: Record<string, Record<string, unknown>>;
}

export function routesOf(document: OpenApiDocument): ApiRoutes {
  const routes = new Set<string>();
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const method of Object.keys(item ?? {})) routes.add(`${method.toUpperCase()} ${normalize(path)}`);
  }
  return { has: (method, path) => routes.has(`${method} ${normalize(`/api/v1${path}`)}`) };
}

/** `{id}`, `{taskId}` and `:id` are all the same placeholder. */
function normalize(path: string): string {
  return path.replace(/\{[^}]+\}|:[A-Za-z]\w*/g, '{}').replace(/\/+$/, '');
}

export async function getApiRoutes(signal?: AbortSignal): Promise<ApiRoutes> {
  return routesOf(await requestJson<OpenApiDocument>('/api/docs-json', { signal }));
}
