import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, signIn } from '../support/browser.js';
import { json } from '../support/http.js';
import { seedReference } from '../support/reference.js';
import { startTestService, type TestService } from '../support/service.js';

/** The page's shell in a real browser: sign-in, the session cookie, the language switch, sign-out. */
let svc: TestService;
let browser: Browser;
beforeAll(async () => {
  [svc, browser] = await Promise.all([startTestService(), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await svc?.close();
});

describe('sign-in', () => {
  it('a wrong key is refused on the page, and the settlement system cannot sign in', async () => {
    const page = await browser.newPage();
    for (const key of ['cs_not-a-real-key', svc.keys.settlement]) {
      await page.goto(`${svc.url}/ui/login`);
      await page.fill('#key', key);
      const [res] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/ui/login') && r.request().method() === 'POST'), page.click('#sign-in')]);
      expect(res.status()).toBe(401);
      expect(await page.textContent('#error')).toContain('密钥无效');
    }
    await page.close();
  });

  it('a pages asked for without a session goes to sign-in and comes back after it', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${svc.url}/ui/inspections`);
    expect(new URL(page.url()).pathname).toBe('/ui/login');
    await page.fill('#key', svc.keys.auditor);
    await Promise.all([page.waitForURL(/\/ui\/inspections$/), page.click('#sign-in')]);
    expect(await page.textContent('#me')).toBe('test-auditor');
    const [cookie] = (await context.cookies()).filter((c) => c.name === 'cs_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/ui' });
    // the cookie is not the key: only the token's hash is stored
    expect(cookie!.value).not.toBe(svc.keys.auditor);
    const rows = await svc.deps.database.query<{ token_hash: string }>('select token_hash from page_sessions');
    expect(rows.map((r) => r.token_hash)).not.toContain(cookie!.value);
    await context.close();
  });

  it('Chinese by default, English on the switch, kept across pages', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, svc.url, svc.keys.supervisor);
    expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
    expect(await page.textContent('header nav')).toContain('审核队列');
    await Promise.all([page.waitForURL(/\/ui\/queue/), page.click('#lang-switch')]);
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.textContent('header nav')).toContain('Review queue');
    await page.goto(`${svc.url}/ui/inspections`);
    expect(await page.textContent('h1')).toBe('Inspections');
    await context.close();
  });

  it('signing out ends the session; a revoked key ends it too', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const { id, key } = await svc.deps.keys.create({ clientName: 'Temp Auditor', role: 'auditor', createdBy: 'test' });
    await signIn(page, svc.url, key);
    await page.click('header form button');
    await page.waitForURL(/\/ui\/login/);
    await page.goto(`${svc.url}/ui/queue`);
    expect(new URL(page.url()).pathname).toBe('/ui/login');
    await signIn(page, svc.url, key);
    await svc.deps.keys.revoke(id);
    await page.goto(`${svc.url}/ui/queue`);
    expect(new URL(page.url()).pathname).toBe('/ui/login');
    await context.close();
  });

  it('a form posted from another origin is refused', async () => {
    const res = await fetch(`${svc.url}/ui/login`, {
      method: 'POST',
      headers: { origin: 'http://evil.example', 'content-type': 'application/x-www-form-urlencoded' },
      body: `key=${svc.keys.auditor}`,
      redirect: 'manual',
    });
    expect(res.status).toBe(403);
    expect(res.headers.get('set-cookie')).toBeNull();
  });
});

describe('inspection pages', () => {
  it('lists draws and shows a public summary without inspectors', async () => {
    await seedReference(svc, { institutions: Array.from({ length: 5 }, (_, i) => ({ id: `H32990${i}` })) });
    const draw = await json(
      await svc.call('/v1/inspections/draws', {
        role: 'supervisor',
        json: { kind: 'audit-weeks', quarter: '2026-Q4', count: 3, inspectors: ['test-auditor', 'test-supervisor'], seed: 'page-test-seed-000001' },
      }),
    );
    const page = await browser.newPage();
    await signIn(page, svc.url, svc.keys.auditor);
    await page.goto(`${svc.url}/ui/inspections`);
    await Promise.all([page.waitForURL(/\/ui\/inspections\/[0-9a-f-]{36}$/), page.click(`#draws a[href="/ui/inspections/${draw.id}"]`)]);
    const rows = await page.$$eval('#summary tbody tr', (trs) => trs.map((tr) => tr.textContent ?? ''));
    expect(rows).toHaveLength(4);
    expect(rows[0]).toContain(draw.inspections[0].institutionId);
    expect(await page.textContent('body')).not.toContain('test-supervisor');
    expect(existsSync(await screenshot(page, 'inspection-summary'))).toBe(true);
    const missing = await page.goto(`${svc.url}/ui/inspections/00000000-0000-4000-8000-000000000000`);
    expect(missing!.status()).toBe(404);
    await page.close();
  });
});
