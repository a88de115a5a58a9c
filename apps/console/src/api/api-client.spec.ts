import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, apiUrl, fetchJson } from './api-client';

function respond(status: number, body: string, contentType = 'application/json') {
  vi.stubGlobal('fetch', vi.fn(async () => new Response(body, { status, headers: { 'Content-Type': contentType } })));
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('apiUrl', () => {
  it('leaves out empty values, which the API would reject as an invalid enum', () => {
    expect(apiUrl('/tasks', { page: 2, pageSize: 20, status: undefined, q: '' })).toBe('/api/v1/tasks?page=2&pageSize=20');
    expect(apiUrl('/tasks')).toBe('/api/v1/tasks');
  });

  it('encodes query values', () => {
    expect(apiUrl('/tasks', { q: 'a&b c' })).toBe('/api/v1/tasks?q=a%26b+c');
  });
});

describe('fetchJson', () => {
  it('returns the parsed body on success', async () => {
    respond(200, JSON.stringify({ items: [], total: 0, page: 1, pageSize: 20 }));
    await expect(fetchJson('/tasks')).resolves.toEqual({ items: [], total: 0, page: 1, pageSize: 20 });
  });

  it("throws an ApiError carrying the API's error body", async () => {
    respond(
      400,
      JSON.stringify({
        statusCode: 400,
        error: 'Bad Request',
        message: 'invalid query',
        details: [{ field: 'status', message: 'Invalid enum value' }],
      }),
    );
    const error = await fetchJson('/tasks').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      statusCode: 400,
      error: 'Bad Request',
      message: 'invalid query',
      details: [{ field: 'status', message: 'Invalid enum value' }],
      isClientError: true,
    });
  });

  it('explains a non-JSON error answer, such as the dev proxy when the API is down', async () => {
    respond(502, '<html>Bad Gateway</html>', 'text/html');
    const error = await fetchJson('/tasks').catch((e: unknown) => e);
    expect(error).toMatchObject({ statusCode: 502, details: [] });
    expect((error as ApiError).message).toMatch(/may be down/);
  });

  it('turns a network failure into an ApiError with status 0', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('fetch failed'))));
    const error = await fetchJson('/tasks').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).isNetworkError).toBe(true);
  });

  it('lets an abort through unchanged so react-query can ignore it', async () => {
    const controller = new AbortController();
    controller.abort();
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new DOMException('aborted', 'AbortError'))));
    const error = await fetchJson('/tasks', { signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DOMException);
  });
});
