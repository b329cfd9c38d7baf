import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's chromium (CI sets CHROMIUM_PATH); never a downloaded browser. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOT_DIR = path.resolve('test-output');

let shared: Promise<Browser> | undefined;

/**
 * One chromium per test worker (the unit and integration tiers run many files in one process,
 * isolate: false), about 1.7 CPU-seconds a start saved per file. Each file gets a view of it whose
 * close() closes the contexts and pages the file opened, so no cookie or page outlives its file;
 * the browser ends with the worker (playwright's pipe to it closes).
 */
export async function launchBrowser(): Promise<Browser> {
  // --no-sandbox: CI and the development machines run as root, where chromium's sandbox refuses to start
  shared ??= chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'] });
  const browser = await shared.catch((err: unknown) => {
    shared = undefined;
    throw err;
  });
  if (!browser.isConnected()) {
    shared = undefined;
    return launchBrowser();
  }
  const contexts = new Set<BrowserContext>();
  const own: Partial<Browser> = {
    async newContext(options) {
      const context = await browser.newContext(options);
      contexts.add(context);
      return context;
    },
    async newPage(options) {
      const context = await own.newContext!(options);
      return context.newPage();
    },
    contexts: () => [...contexts],
    async close() {
      await Promise.all([...contexts].map((c) => c.close()));
      contexts.clear();
    },
  };
  return new Proxy(browser, {
    get(target, prop) {
      if (Object.hasOwn(own, prop)) return own[prop as keyof Browser];
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Signs in through the page's form with a personal key. */
export async function signIn(page: Page, baseUrl: string, key: string): Promise<void> {
  await page.goto(`${baseUrl}/ui/login`);
  await page.fill('#key', key);
  await Promise.all([page.waitForURL(/\/ui\/(?!login)/), page.click('#sign-in')]);
}
