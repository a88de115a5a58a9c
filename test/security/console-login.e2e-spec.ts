import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestUser, testEnv, testPassword } from '@walbridge/testing';

const CHROMIUM = process.env.WALBRIDGE_CHROMIUM ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => existsSync(p));

describe('the console behind its login page, in a real browser', () => {
  let browser: Browser;
  let page: Page;
  const cspViolations: string[] = [];

  beforeAll(async () => {
    if (!CHROMIUM) throw new Error('no Chromium found: install the chromium package or set WALBRIDGE_CHROMIUM');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: [
        '--no-sandbox',
        '--disable-dev-shm-usage',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        // The machine has no network: background fetches only fail, many at a time.
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ] });
    page = await browser.newPage();
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  async function logIn(username: string, password: string): Promise<void> {
    await page.getByLabel('User name').fill(username);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
  }

  it('sends a visitor without a session to the login page, remembering where they were going', async () => {
    await page.goto(`${testEnv.apiUrl}/tasks?page=1`);
    await page.waitForURL(/\/login\?next=%2Ftasks%3Fpage%3D1$/);
    await expect(page.getByRole('heading', { name: 'Log in' }).isVisible()).resolves.toBe(true);
  });

  it('says when the password is wrong', async () => {
    await logIn(testEnv.adminUser!, testPassword());
    await expect(page.getByRole('alert').textContent()).resolves.toBe('Wrong user name or password.');
  });

  it('logs in and returns to the page asked for, with a session cookie page scripts cannot read', async () => {
    await logIn(testEnv.adminUser!, testEnv.adminPassword!);
    await page.waitForURL(/\/tasks\?page=1$/);
    await page.getByRole('heading', { name: 'Tasks' }).waitFor();
    await expect(page.locator('.user-menu').textContent()).resolves.toContain(`${testEnv.adminUser} (admin)`);
    await expect(page.evaluate('document.cookie')).resolves.not.toContain('walbridge_session');
    const cookies = await page.context().cookies();
    expect(cookies.find((c) => c.name === 'walbridge_session')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
  });

  it('shows admins the audit log', async () => {
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    await page.getByRole('cell', { name: 'auth.login' }).first().waitFor();
  });

  it('logs out from the header: the session is over, the console asks to log in again', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(/\/login$/);
    await page.goto(`${testEnv.apiUrl}/audit`);
    await page.waitForURL(/\/login\?next=%2Faudit$/);
  });

  it('shows a viewer no admin section', async () => {
    const viewer = await createTestUser('viewer');
    await logIn(viewer.username, viewer.password);
    await page.waitForURL(/\/audit$/);
    await expect(page.locator('.user-menu').textContent()).resolves.toContain('(viewer)');
    await expect(page.getByRole('link', { name: 'Audit log' }).count()).resolves.toBe(0);
  });

  it('runs under the content security policy without a violation', () => {
    expect(cspViolations).toEqual([]);
  });
});
