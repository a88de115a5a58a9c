import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { testEnv } from '@walbridge/testing';

/** Debian's Chromium (`.ci/run` installs it when missing), or WALBRIDGE_CHROMIUM. */
export const CHROMIUM =
  process.env.WALBRIDGE_CHROMIUM ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => existsSync(p));

// Headless, and quiet: no network of its own (updates, sync, QUIC probes) next to the tests.
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export const SCREENSHOT_DIR = join(process.cwd(), 'test-results', 'screenshots');

export async function launchBrowser(): Promise<Browser> {
  if (!CHROMIUM) throw new Error('no Chromium found: install the chromium package or set WALBRIDGE_CHROMIUM');
  return chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
}

/** Whole-page screenshot kept as a test artifact under test-results/screenshots/. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

/** Logs in through the console's login page as the runner's admin. */
export async function logIn(page: Page): Promise<void> {
  await page.goto(`${testEnv.apiUrl}/login`);
  await page.getByLabel('User name').fill(testEnv.adminUser!);
  await page.getByLabel('Password').fill(testEnv.adminPassword!);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Tasks', level: 1 }).waitFor();
}
