import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskView } from '@walbridge/contracts';
import { testEnv, uniqueName, waitFor } from '@walbridge/testing';
import { launchBrowser, screenshot } from './browser';
import { api, cleanUpTask, configuredTask, consolePage, dropTable, sidewaysOverflow, tableAndTopic } from './console-fixture';

/*
 * The task list, the layout at desktop and phone widths, the login card, notifications and how
 * the console is served: each test in its own browser context against the real stack.
 */

describe('the console: the task list, its layout, and how the console is served', () => {
  let browser: Browser;
  let tagged: TaskView;
  let plain: TaskView;
  const tag = `pay-${uniqueName('g').slice(2).replace(/_/g, '-')}`;
  const setup = { table: '', topic: '', slot: '' };

  beforeAll(async () => {
    browser = await launchBrowser();
    Object.assign(setup, await tableAndTopic());
    const policy = { objectScope: 'tables' as const, tables: [{ schema: 'shop', table: setup.table }], topicPolicy: { mode: 'specific' as const, topic: setup.topic } };
    tagged = await configuredTask({ policy, tags: [{ key: 'team', value: tag }] }, 'list');
    plain = await configuredTask({ policy }, 'list');
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    for (const t of [tagged, plain]) await cleanUpTask(t?.id);
    await dropTable(setup.table);
  }, 120_000);

  it('bug 4: a status chosen right after typing a search is kept, with the search', async () => {
    const { page, errors, close } = await consolePage(browser);
    const search = page.getByLabel('Search tasks');
    await search.fill(tagged.name.slice(0, 12));
    // Well within the search box's pause: the search is sent after the status.
    await page.getByLabel('Status').selectOption('CONFIGURATION');
    await page.waitForTimeout(1500);
    await expect(page.getByLabel('Status').inputValue()).resolves.toBe('CONFIGURATION');
    const url = new URL(page.url());
    expect(url.searchParams.get('status')).toBe('CONFIGURATION');
    expect(url.searchParams.get('q')).toBe(tagged.name.slice(0, 12));
    expect(errors).toEqual([]);
    await close();
  });

  it('bug 14: finds a task by a tag it shows, and by the start of its id', async () => {
    const { page, close } = await consolePage(browser);
    const rows = page.getByRole('region', { name: /^Tasks, page/ }).getByRole('row');
    await rows.filter({ hasText: plain.name }).waitFor();
    await page.getByLabel('Search tasks').fill(tag);
    await page.waitForURL((url) => url.searchParams.get('q') === tag);
    await rows.filter({ hasText: plain.name }).waitFor({ state: 'detached' });
    await rows.filter({ hasText: tagged.name }).getByText(`team: ${tag}`).waitFor();

    await page.getByLabel('Search tasks').fill(plain.id.slice(0, 8));
    await page.waitForURL((url) => url.searchParams.get('q') === plain.id.slice(0, 8));
    await rows.filter({ hasText: tagged.name }).waitFor({ state: 'detached' });
    await rows.filter({ hasText: plain.name }).waitFor();
    await close();
  });

  it('bug 7: the task table fits its box at 1280, 1366 and 1920 px, "Continue setup" included; the list is cards on a phone', async () => {
    for (const width of [1280, 1366, 1920, 390]) {
      const { page, close } = await consolePage(browser, { width, height: 900 });
      await page.goto(`${testEnv.apiUrl}/tasks?q=${encodeURIComponent(tagged.name)}`);
      const region = page.getByRole('region', { name: /^Tasks, page/ });
      const link = page.getByRole('link', { name: `Continue setup of ${tagged.name}` });
      await link.waitFor();
      const box = (await region.boundingBox())!;
      const linkBox = (await link.boundingBox())!;
      expect(linkBox.x + linkBox.width, `Continue setup inside the table at ${width} px`).toBeLessThanOrEqual(box.x + box.width + 0.5);
      const inner = await page.evaluate<number>(`(() => { const el = document.querySelector('.table-scroll'); return el.scrollWidth - el.clientWidth; })()`);
      expect(inner, `the table scrolls sideways inside its box at ${width} px`).toBeLessThanOrEqual(1);
      await expect(sidewaysOverflow(page), `the page scrolls sideways at ${width} px`).resolves.toBeLessThanOrEqual(0);
      if (width === 390 || width === 1920) await screenshot(page, `task-list-${width}`);
      await close();
    }
  });

  it('bug 7: on a phone, Notifications does not scroll sideways', async () => {
    // A channel with a long address, as real webhook URLs are.
    const channel = await api.request<{ id: string }>('POST', '/api/v1/notification-channels', {
      type: 'webhook',
      name: `long-${tag}`,
      url: `https://hooks.example.com/services/T0000000/B0000000/${'x'.repeat(80)}?token=${'y'.repeat(40)}`,
      secret: 'a-signing-secret-of-16+',
    });
    expect(channel.status).toBe(201);
    const { page, close } = await consolePage(browser, { width: 390, height: 844 });
    await page.goto(`${testEnv.apiUrl}/notifications`);
    await page.getByText(`long-${tag}`).waitFor();
    await page.getByRole('heading', { name: 'Notifications', level: 1 }).waitFor();
    await page.getByRole('heading', { name: 'Add a channel' }).waitFor();
    await expect(sidewaysOverflow(page)).resolves.toBeLessThanOrEqual(0);
    await screenshot(page, 'notifications-390');
    await close();
    await api.request('DELETE', `/api/v1/notification-channels/${channel.body.id}`);
  });

  it('bug 7: the login card shows the product name in a readable color', async () => {
    const { page, close } = await consolePage(browser, { width: 1280, height: 900 }, false);
    await page.goto(`${testEnv.apiUrl}/login`);
    const brand = page.locator('.login__card .brand');
    await brand.waitFor();
    const [color, background] = await page.evaluate<[string, string]>(
      `[getComputedStyle(document.querySelector('.login__card .brand')).color, getComputedStyle(document.querySelector('.login__card')).backgroundColor]`,
    );
    expect(color).not.toBe(background);
    expect(color).not.toBe('rgb(255, 255, 255)');
    await close();
  });

  it('feature 11: follows a dark system setting, with text, badges and buttons readable (WCAG AA)', async () => {
    const { page, errors, close } = await consolePage(browser, { width: 1280, height: 900 }, true, { colorScheme: 'dark' });
    await page.goto(`${testEnv.apiUrl}/tasks?q=${tag}`);
    await page.getByRole('link', { name: tagged.name }).first().waitFor();
    // [text colour, background colour] pairs as the browser paints them.
    const pairs = await page.evaluate<Record<string, [string, string]>>(`(() => {
      const bg = (el) => { for (let e = el; e; e = e.parentElement) { const c = getComputedStyle(e).backgroundColor; if (c !== 'rgba(0, 0, 0, 0)' && c !== 'transparent') return c; } return 'rgb(255, 255, 255)'; };
      const pair = (sel) => { const el = document.querySelector(sel); return el ? [getComputedStyle(el).color, bg(el)] : null; };
      return { body: pair('main h1') ?? pair('main'), muted: pair('main .muted'), badge: pair('.status-badge'), primary: pair('.button--primary'), link: pair('main a') };
    })()`);
    const luminance = (rgb: string) => {
      const [r, g, b] = rgb.match(/\d+(\.\d+)?/g)!.slice(0, 3).map(Number).map((v) => v / 255).map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const contrast = ([fg, bg]: [string, string]) => {
      const [a, b] = [luminance(fg), luminance(bg)].sort((x, y) => y - x);
      return (a + 0.05) / (b + 0.05);
    };
    expect(luminance(pairs.body[1]), `page background ${pairs.body[1]}`).toBeLessThan(0.05);
    for (const [what, pair] of Object.entries(pairs)) {
      if (pair) expect(contrast(pair), `${what}: ${pair.join(' on ')}`).toBeGreaterThanOrEqual(4.5);
    }
    await screenshot(page, 'task-list-dark-1280');
    expect(errors).toEqual([]);
    await close();
  });

  it('feature 11: shows times in local time or UTC, as chosen in the header, and remembers the choice', async () => {
    // Tokyo is UTC+9 all year: the two clocks never show the same hour.
    const { page, errors, close } = await consolePage(browser, { width: 1280, height: 900 }, true, { timezoneId: 'Asia/Tokyo' });
    await page.goto(`${testEnv.apiUrl}/tasks?q=${tag}`);
    const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: tagged.name }) });
    await row.waitFor();
    const shown = (zone: string) => new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'short', timeZone: zone }).format(new Date(tagged.createdAt));
    const toggle = page.getByRole('group', { name: 'Show times in' });
    expect(await toggle.getByRole('button', { name: 'Local' }).getAttribute('aria-pressed')).toBe('true');
    // The list says "3 min ago"; the exact time, in the chosen clock, is the title of that time.
    const created = row.locator('time');
    await expect(created.getAttribute('title')).resolves.toBe(shown('Asia/Tokyo'));
    await toggle.getByRole('button', { name: 'UTC' }).click();
    await page.locator(`time[title="${shown('UTC')} UTC"]`).first().waitFor();
    await expect(created.getAttribute('title')).resolves.toBe(`${shown('UTC')} UTC`);
    await page.reload();
    await row.locator('time').and(page.locator('[title$=" UTC"]')).waitFor();
    expect(await page.getByRole('group', { name: 'Show times in' }).getByRole('button', { name: 'UTC' }).getAttribute('aria-pressed')).toBe('true');
    await page.setViewportSize({ width: 390, height: 844 });
    await expect(sidewaysOverflow(page)).resolves.toBeLessThanOrEqual(0);
    expect(errors).toEqual([]);
    await close();
  });

  it('feature 6: created times are relative, the columns sort the list both ways, and "Needs attention" keeps only tasks that need someone', async () => {
    const { page, errors, close } = await consolePage(browser);
    await page.goto(`${testEnv.apiUrl}/tasks?q=${encodeURIComponent(tag)}`);
    await page.getByRole('link', { name: tagged.name }).first().waitFor();
    const nameHeader = page.getByRole('columnheader', { name: /^Name/ });
    expect(await page.getByRole('columnheader', { name: /^Created/ }).getAttribute('aria-sort')).toBe('descending');
    // Created a moment ago: said so, with the exact time in the title.
    const created = page.getByRole('row').filter({ has: page.getByRole('link', { name: tagged.name }) }).locator('time');
    await expect(created.textContent()).resolves.toMatch(/^\d+ (s|min) ago$/);
    await expect(created.getAttribute('title')).resolves.toMatch(/\d{4}/);
    await expect(created.getAttribute('dateTime')).resolves.toBe(tagged.createdAt);
    expect(await nameHeader.getAttribute('aria-sort')).toBe('none');

    // Both tasks of this file, by name: ascending, then descending.
    const both = [tagged.name, plain.name].sort();
    await page.goto(`${testEnv.apiUrl}/tasks?q=${encodeURIComponent(both[0].slice(0, 5))}`);
    const listed = async () => (await page.getByRole('row').locator('th[scope=row] .task-name__name').allTextContents()).filter((n) => both.includes(n));
    await nameHeader.getByRole('button').click();
    await page.waitForURL(/sort=name/);
    await waitFor('ascending names', async () => (JSON.stringify(await listed()) === JSON.stringify(both) ? true : undefined), 15_000, 200);
    expect(await nameHeader.getAttribute('aria-sort')).toBe('ascending');
    await nameHeader.getByRole('button').click();
    await page.waitForURL(/sort=-name/);
    await waitFor('descending names', async () => (JSON.stringify(await listed()) === JSON.stringify([...both].reverse()) ? true : undefined), 15_000, 200);

    // Healthy tasks in configuration need nobody: with the filter on, neither is listed.
    await page.getByLabel('Needs attention').check();
    await page.waitForURL(/attention=1/);
    await page.getByText('No tasks match these filters.').waitFor();
    await page.reload();
    expect(await page.getByLabel('Needs attention').isChecked()).toBe(true);
    await page.getByRole('button', { name: 'Clear filters' }).click();
    // Every task again (the parallel suites' too, so this one may be on a later page): the filters are gone and rows are back.
    await page.waitForURL((url) => !url.search.includes('attention') && !url.search.includes('q='));
    // The box follows the URL on the next render.
    await waitFor('Needs attention unchecked', async () => ((await page.getByLabel('Needs attention').isChecked()) ? undefined : true), 10_000, 100);
    await page.getByRole('row').locator('th[scope=row] .task-name__name').first().waitFor();
    expect(await page.getByText('No tasks match these filters.').count()).toBe(0);
    expect(errors).toEqual([]);
    await close();
  });

  it('bug 9: a task never started offers Cancel setup, not Stop or Force stop, and cancelling removes it', async () => {
    const { page, close } = await consolePage(browser);
    await page.goto(`${testEnv.apiUrl}/tasks/${plain.id}`);
    const actions = page.getByRole('group', { name: `Actions on ${plain.name}` });
    await actions.getByRole('button', { name: 'Cancel setup' }).waitFor();
    await expect(actions.getByRole('button', { name: 'Stop', exact: true }).count()).resolves.toBe(0);
    await expect(actions.getByRole('button', { name: 'Force stop' }).count()).resolves.toBe(0);
    await actions.getByRole('button', { name: 'Cancel setup' }).click();
    const dialog = page.getByRole('dialog', { name: `Cancel setup ${plain.name}?` });
    await dialog.getByText(/never started: nothing was created on the source/).waitFor();
    await dialog.getByRole('button', { name: 'Cancel setup' }).click();
    await page.getByRole('heading', { name: 'Tasks', level: 1 }).waitFor();
    await expect(api.request('GET', `/api/v1/tasks/${plain.id}`)).resolves.toMatchObject({ status: 404 });
    await close();
  });

  it('bug 12: a webhook on a port HTTP clients refuse is refused when added, next to its URL', async () => {
    const { page, close } = await consolePage(browser);
    await page.goto(`${testEnv.apiUrl}/notifications`);
    const form = page.getByRole('form', { name: 'Add a channel' });
    await form.getByLabel('Channel name').fill(`blocked-${tag}`);
    await form.getByLabel('URL').fill('http://127.0.0.1:9/hook');
    await form.getByLabel('Signing secret').fill('a-signing-secret-of-16+');
    await form.getByRole('button', { name: 'Add channel' }).click();
    await form.getByText(/URL port 9 is one HTTP clients refuse to call/).waitFor();
    await expect(form.getByLabel('URL').getAttribute('aria-invalid')).resolves.toBe('true');
    // The API's own rule, for scripts.
    const res = await api.request<{ details: { field: string; message: string }[] }>('POST', '/api/v1/notification-channels', {
      type: 'webhook',
      name: `blocked-${tag}`,
      url: 'http://127.0.0.1:1/hook',
      secret: 'a-signing-secret-of-16+',
    });
    expect(res.status).toBe(400);
    expect(res.body.details).toEqual([expect.objectContaining({ field: 'url', message: expect.stringContaining('port 1') })]);
    await close();
  });

  it('bug 16: the scripts come compressed and hashed assets are cached as immutable; index.html is revalidated', async () => {
    const { page, close } = await consolePage(browser, { width: 1280, height: 900 }, false);
    const seen: { url: string; headers: Record<string, string> }[] = [];
    page.on('response', (response) => seen.push({ url: response.url(), headers: response.headers() }));
    await page.goto(`${testEnv.apiUrl}/login`);
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    const script = seen.find((r) => /\/assets\/index-[^/]+\.js$/.test(r.url));
    expect(script, 'the main bundle was loaded').toBeDefined();
    expect(script!.headers['content-encoding']).toMatch(/^(gzip|br)$/);
    expect(script!.headers['cache-control']).toMatch(/max-age=31536000/);
    expect(script!.headers['cache-control']).toMatch(/immutable/);
    const html = seen.find((r) => r.url === `${testEnv.apiUrl}/login`);
    expect(html?.headers['cache-control']).toBe('no-cache');
    await close();
  });
});
