import { beforeAll, describe, expect, it } from 'vitest';
import type { UserView } from '@walbridge/contracts';
import { ApiClient, metadataDb, testEnv, testPassword, uniqueName } from '@walbridge/testing';

const admin = new ApiClient();
const ORIGIN = new URL(testEnv.apiUrl).origin;
// Another port of the same host: the same *site* as the api, so SameSite=Strict sends the cookie.
const SAME_SITE_PAGE = `http://127.0.0.1:${Number(new URL(testEnv.apiUrl).port) + 7}`;
let token: string;

/** What a browser sends: the admin's session cookie, and the headers the page's origin implies. */
async function fromBrowser(method: string, path: string, options: { body?: string; contentType?: string; origin?: string; site?: string } = {}) {
  const cookie = `walbridge_session=${token}`;
  const res = await fetch(`${testEnv.apiUrl}${path}`, {
    method,
    headers: {
      cookie,
      ...(options.contentType ? { 'content-type': options.contentType } : {}),
      ...(options.origin ? { origin: options.origin } : {}),
      ...(options.site ? { 'sec-fetch-site': options.site } : {}),
    },
    body: options.body,
  });
  return { status: res.status, body: (await res.json().catch(() => null)) as { code?: string; message?: string } | null };
}

async function userExists(username: string): Promise<boolean> {
  const db = await metadataDb();
  try {
    return (await db.query('SELECT 1 FROM app_user WHERE username = $1', [username])).rowCount === 1;
  } finally {
    await db.end();
  }
}

describe('cross-site request forgery', () => {
  beforeAll(async () => {
    token = (await admin.authorization())!.replace(/^Bearer /, '');
  });

  it('refuses a plain HTML form from another port of the same host (urlencoded, multipart, text/plain) with 415, creating nothing', async () => {
    const username = uniqueName('csrf').replace(/_/g, '-');
    const form = new URLSearchParams({ username, password: testPassword(), role: 'admin' }).toString();
    const bodies: [string, string][] = [
      ['application/x-www-form-urlencoded', form],
      ['text/plain', JSON.stringify({ username, password: testPassword(), role: 'admin' })],
      ['multipart/form-data; boundary=x', `--x\r\nContent-Disposition: form-data; name="username"\r\n\r\n${username}\r\n--x--\r\n`],
    ];
    for (const [contentType, body] of bodies) {
      const res = await fromBrowser('POST', '/api/v1/users', { contentType, body, origin: SAME_SITE_PAGE, site: 'same-site' });
      expect(res.status, `${contentType}: ${JSON.stringify(res.body)}`).toBe(415);
      expect(res.body).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', details: [{ field: '(body)' }] });
    }
    expect(await userExists(username)).toBe(false);
  });

  it('refuses a cookie-authenticated JSON change from another origin with 403, and one without Origin or Sec-Fetch-Site', async () => {
    const username = uniqueName('csrf').replace(/_/g, '-');
    const body = JSON.stringify({ username, password: testPassword(), role: 'admin' });
    const cases = [
      { origin: SAME_SITE_PAGE, site: 'same-site' },
      { origin: 'https://evil.example', site: 'cross-site' },
      { origin: SAME_SITE_PAGE },
      { origin: 'null' },
      {},
    ];
    for (const headers of cases) {
      const res = await fromBrowser('POST', '/api/v1/users', { contentType: 'application/json', body, ...headers });
      expect(res.status, `${JSON.stringify(headers)}: ${JSON.stringify(res.body)}`).toBe(403);
      expect(res.body).toMatchObject({ code: 'CROSS_SITE_REQUEST' });
    }
    // Bodiless operations are checked the same way (logout, pause…).
    expect((await fromBrowser('POST', '/api/v1/notifications/read-all', { origin: SAME_SITE_PAGE, site: 'same-site' })).status).toBe(403);
    expect(await userExists(username)).toBe(false);
  });

  it("accepts the console's own requests: same origin, by Origin or by Sec-Fetch-Site", async () => {
    for (const headers of [{ origin: ORIGIN }, { site: 'same-origin' }, { origin: ORIGIN, site: 'same-origin' }]) {
      const username = uniqueName('csrf').replace(/_/g, '-');
      const body = JSON.stringify({ username, password: testPassword(), role: 'viewer' });
      const res = await fromBrowser('POST', '/api/v1/users', { contentType: 'application/json; charset=utf-8', body, ...headers });
      expect(res.status, `${JSON.stringify(headers)}: ${JSON.stringify(res.body)}`).toBe(201);
    }
    // A bodiless operation needs no content type at all.
    expect((await fromBrowser('POST', '/api/v1/notifications/read-all', { origin: ORIGIN })).status).toBeLessThan(300);
    // Reading is never refused.
    expect((await fromBrowser('GET', '/api/v1/auth/me', { origin: SAME_SITE_PAGE, site: 'same-site' })).status).toBe(200);
  });

  it('leaves bearer-token calls alone: no Origin needed, whatever the page', async () => {
    const username = uniqueName('csrf').replace(/_/g, '-');
    const res = await admin.request<UserView>('POST', '/api/v1/users', { username, password: testPassword(), role: 'viewer' }, { headers: { origin: 'https://elsewhere.example' } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    // But a bearer call's body must be JSON too.
    const form = await fetch(`${testEnv.apiUrl}/api/v1/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'username=x&password=y',
    });
    expect(form.status).toBe(415);
  });
});
