import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, signIn } from '../support/browser.js';
import { json } from '../support/http.js';
import { startTestService, type TestService } from '../support/service.js';

/**
 * The admin's keys page in a real browser: a key created on the page is shown once and works at
 * once, the list and the trail name who did what, a revoked key ends its holder's session, and
 * only an admin gets the page.
 */
let svc: TestService;
let browser: Browser;
beforeAll(async () => {
  [svc, browser] = await Promise.all([startTestService({ AUTH_CACHE_TTL_MS: '60000' }), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await svc?.close();
});

describe('the keys page', () => {
  it('creates a key shown once, lists it, revokes it; the trail names the admin; the holder’s session ends', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, svc.url, svc.keys.admin);
    await Promise.all([page.waitForURL(/\/ui\/keys$/), page.click('#nav-keys')]);
    expect(await page.textContent('h1')).toBe('API 密钥');

    await page.fill('#key-name', 'Li Na');
    await page.selectOption('#key-role', 'auditor');
    const [res] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/ui/keys') && r.request().method() === 'POST'), page.click('#create-key')]);
    expect(res.status()).toBe(201);
    const key = (await page.textContent('#new-key'))!;
    expect(key).toMatch(/^cs_[A-Za-z0-9_-]{43}$/);
    expect(await page.textContent('#created')).toContain('密钥只显示这一次');
    await screenshot(page, 'keys-created');

    // the key works at once (the API, and the page for its holder)
    expect((await fetch(`${svc.url}/v1/review/cases`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(200);
    const holder = await browser.newContext();
    const holderPage = await holder.newPage();
    await signIn(holderPage, svc.url, key);
    expect(await holderPage.textContent('#me')).toBe('Li Na');
    // the holder is an auditor: no keys link, and the page is refused
    expect(await holderPage.$('#nav-keys')).toBeNull();
    const refused = await holderPage.goto(`${svc.url}/ui/keys`);
    expect(refused!.status()).toBe(403);
    expect(await holderPage.textContent('#error')).toBe('只有管理员可以管理密钥。');

    // shown once: reloading the list shows only its prefix
    await page.goto(`${svc.url}/ui/keys`);
    expect(await page.$('#new-key')).toBeNull();
    expect(await page.content()).not.toContain(key);
    const { id } = (await json(await svc.call('/v1/admin/keys', { role: 'admin' }))).keys.find((k: { clientName: string }) => k.clientName === 'Li Na');
    const row = page.locator(`tr[data-key="${id}"]`);
    expect(await row.locator('td').allTextContents()).toEqual(['Li Na', '审核员', `${key.slice(0, 8)}…`, expect.any(String), 'test-admin', '有效', '吊销']);
    // the admin's own key cannot be revoked from its own session
    const mine = (await json(await svc.call('/v1/admin/keys', { role: 'admin' }))).keys.find((k: { clientName: string }) => k.clientName === 'test-admin');
    expect(await page.locator(`tr[data-key="${mine.id}"] td`).last().textContent()).toBe('当前使用的密钥');

    await Promise.all([page.waitForURL(/\/ui\/keys$/), row.locator('button.revoke').click()]);
    expect(await row.locator('td.status').textContent()).toMatch(/^已于 \d{4}-\d{2}-\d{2} \d{2}:\d{2} 吊销（test-admin）$/);
    expect(await row.locator('button.revoke').count()).toBe(0);
    // the trail, newest first: revoked, then created, both by the admin
    const trail = await page.locator('#key-trail tbody tr').evaluateAll((rows) => rows.slice(0, 2).map((r) => [...r.querySelectorAll('td')].slice(1).map((td) => td.textContent)));
    expect(trail).toEqual([
      ['test-admin', '吊销', 'Li Na', '审核员'],
      ['test-admin', '新建', 'Li Na', '审核员'],
    ]);
    await screenshot(page, 'keys-revoked');

    // revoked: refused by the API at once (the cache is a minute), and the holder's session is over
    expect((await fetch(`${svc.url}/v1/review/cases`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(401);
    await holderPage.goto(`${svc.url}/ui/queue`);
    expect(new URL(holderPage.url()).pathname).toBe('/ui/login');

    // in English too
    await Promise.all([page.waitForURL(/\/ui\/keys/), page.click('#lang-switch')]);
    expect(await page.textContent('h1')).toBe('API keys');
    expect(await row.locator('td.status').textContent()).toMatch(/^revoked \d{4}-\d{2}-\d{2} \d{2}:\d{2} by test-admin$/);
    await holder.close();
    await context.close();
  });

  it('a bad name is refused naming the field; a supervisor gets 403', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, svc.url, svc.keys.admin);
    await page.goto(`${svc.url}/ui/keys`);
    await page.fill('#key-name', '   ');
    const [res] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/ui/keys') && r.request().method() === 'POST'), page.click('#create-key')]);
    expect(res.status()).toBe(400);
    expect(await page.textContent('#error')).toBe('The request is invalid: clientName must not be empty');
    await context.close();

    const sup = await browser.newContext();
    const supPage = await sup.newPage();
    await signIn(supPage, svc.url, svc.keys.supervisor);
    expect(await supPage.$('#nav-keys')).toBeNull();
    const refused = await supPage.goto(`${svc.url}/ui/keys`);
    expect(refused!.status()).toBe(403);
    // a form posted by a non-admin creates nothing
    const posted = await supPage.request.post(`${svc.url}/ui/keys`, { form: { clientName: 'Sneaky', role: 'admin' }, headers: { origin: svc.url } });
    expect(posted.status()).toBe(403);
    const names = (await json(await svc.call('/v1/admin/keys', { role: 'admin' }))).keys.map((k: { clientName: string }) => k.clientName);
    expect(names).not.toContain('Sneaky');
    await sup.close();
  });
});
