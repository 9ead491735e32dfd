import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Test } from 'tap';
import type { FastifyInstance } from 'fastify';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { buildWeb } from '../../web/build.js';
import { PASSWORD } from './auth.js';

/** The web pages built into a folder of the test's own (removed when the test ends), for `WEB_DIR`. */
export async function builtPages(t: Test): Promise<string> {
  const webDir = await buildWeb(await mkdtemp(path.join(tmpdir(), 'ktv-web-')));
  t.teardown(() => rm(webDir, { recursive: true, force: true }));
  return webDir;
}

/** Starts the service listening on a free loopback port; its base URL. */
export async function listening(app: FastifyInstance): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

/**
 * Debian's Chromium (playwright cannot download browsers here), headless, with a profile of the
 * test's own; closed and removed when the test ends.
 */
export async function chromiumFor(t: Test, viewport: { width: number; height: number }): Promise<BrowserContext> {
  const userDataDir = await mkdtemp(path.join(tmpdir(), 'ktv-chromium-'));
  const browser = await chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  t.teardown(async () => {
    await browser.close();
    await rm(userDataDir, { recursive: true, force: true });
  });
  return browser;
}

/** A new tab on the staff page at `base`, signed in as `email`, once its board is live. */
export async function staffPageAs(browser: BrowserContext, base: string, email: string, wait: { timeout: number }): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${base}/staff`);
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', PASSWORD);
  await page.click('form.sign-in button[type=submit]');
  await page.waitForSelector('[data-status=live]', wait);
  return page;
}
