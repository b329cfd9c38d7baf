import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKeyStore } from '../src/auth/api-keys.js';
import { inpatientClaim, outpatientClaim } from './support/claims.js';
import { json } from './support/http.js';
import { seedReference } from './support/reference.js';
import { startTestService, type TestService } from './support/service.js';

/**
 * Keys managed through the running service (issue 22): created (shown once), listed, revoked, each
 * act in the trail under the admin's name; admin only; and the provider model trained through it.
 * AUTH_CACHE_TTL_MS is a minute here, so a key refused right after its revocation shows the
 * instance that revoked it does not wait for its cache.
 */
let svc: TestService;
const TTL = 60_000;
beforeAll(async () => {
  svc = await startTestService({ AUTH_CACHE_TTL_MS: String(TTL), LOG_LEVEL: 'warn' });
});
afterAll(async () => {
  await svc?.close();
});

const as = (key: string, path: string, init: RequestInit & { json?: unknown } = {}) => {
  const { json: body, ...rest } = init;
  const headers = new Headers(rest.headers);
  headers.set('authorization', `Bearer ${key}`);
  if (body !== undefined) headers.set('content-type', 'application/json');
  return fetch(`${svc.url}${path}`, { ...rest, headers, ...(body !== undefined ? { method: rest.method ?? 'POST', body: JSON.stringify(body) } : {}) });
};

describe('API keys through the service', () => {
  it('creates a key shown once, which works at once; the list never shows a key; the trail names the admin', async () => {
    const res = await svc.call('/v1/admin/keys', { role: 'admin', json: { clientName: '  Li Na ', role: 'auditor' } });
    expect(res.status).toBe(201);
    const created = await json(res);
    expect(created).toMatchObject({ clientName: 'Li Na', role: 'auditor', createdBy: 'test-admin', revokedAt: null, revokedBy: null });
    expect(created.key).toMatch(/^cs_[A-Za-z0-9_-]{43}$/);
    expect(created.keyPrefix).toBe(created.key.slice(0, 8));

    // the new key works at once: an auditor's read, and its role holds (not an admin's)
    expect((await as(created.key, '/v1/review/cases')).status).toBe(200);
    expect((await as(created.key, '/v1/admin/keys')).status).toBe(403);

    const list = (await json(await svc.call('/v1/admin/keys', { role: 'admin' }))).keys as Record<string, unknown>[];
    const row = list.find((k) => k.id === created.id);
    expect(row).toEqual({
      id: created.id,
      clientName: 'Li Na',
      role: 'auditor',
      keyPrefix: created.keyPrefix,
      createdAt: created.createdAt,
      createdBy: 'test-admin',
      revokedAt: null,
      revokedBy: null,
    });
    expect(JSON.stringify(list)).not.toContain(created.key);
    // the fixtures' four keys and this one, oldest first (keys made in the same instant in either order)
    expect(list.map((k) => k.clientName).sort()).toEqual(['Li Na', 'test-admin', 'test-auditor', 'test-settlement', 'test-supervisor']);
    expect(list.at(-1)!.clientName).toBe('Li Na');

    const trail = (await json(await svc.call('/v1/admin/keys/trail', { role: 'admin' }))).entries;
    expect(trail[0]).toMatchObject({ actor: 'test-admin', action: 'key.create', keyId: created.id, clientName: 'Li Na', role: 'auditor' });
    // the review trail's own entry, sealed in its hash chain, and never the key
    const review = (await json(await svc.call('/v1/review/trail', { role: 'admin' }))).entries as { action: string; actor: string; after: unknown }[];
    const entry = review.find((e) => e.action === 'key.create');
    expect(entry).toMatchObject({ actor: 'test-admin', after: { id: created.id, clientName: 'Li Na', role: 'auditor', keyPrefix: created.keyPrefix } });
    expect(JSON.stringify(review)).not.toContain(created.key);
    expect(await json(await svc.call('/v1/review/trail/verify', { role: 'admin' }))).toMatchObject({ ok: true, pending: 0 });
  });

  it('revokes: refused by this instance at once (its cache is a minute), by another within its AUTH_CACHE_TTL_MS', async () => {
    const { id, key } = await json(await svc.call('/v1/admin/keys', { role: 'admin', json: { clientName: 'Wang Fang', role: 'supervisor' } }));
    expect((await as(key, '/v1/review/outcomes')).status).toBe(200); // now in the cache for a minute
    const res = await svc.call(`/v1/admin/keys/${id}/revoke`, { role: 'admin', method: 'POST' });
    expect(res.status).toBe(200);
    const revoked = await json(res);
    expect(revoked).toMatchObject({ id, clientName: 'Wang Fang', revokedBy: 'test-admin' });
    expect(Date.parse(revoked.revokedAt)).toBeGreaterThan(Date.now() - 10_000);
    const refused = await as(key, '/v1/review/outcomes');
    expect(refused.status).toBe(401);
    expect((await json(refused)).error.message).toBe('The API key is unknown or revoked');

    // again: 409; an unknown id: 404; not a UUID: 400 naming the parameter
    const again = await svc.call(`/v1/admin/keys/${id}/revoke`, { role: 'admin', method: 'POST' });
    expect(again.status).toBe(409);
    expect((await json(again)).error.message).toBe(`The API key ${id} is already revoked`);
    expect((await svc.call('/v1/admin/keys/00000000-0000-4000-8000-000000000000/revoke', { role: 'admin', method: 'POST' })).status).toBe(404);
    const bad = await svc.call('/v1/admin/keys/not-a-key/revoke', { role: 'admin', method: 'POST' });
    expect(bad.status).toBe(400);
    expect((await json(bad)).error.details).toEqual([{ path: 'id', message: 'must be a key id (UUID)' }]);

    const list = (await json(await svc.call('/v1/admin/keys', { role: 'admin' }))).keys as { id: string; revokedBy: string | null }[];
    expect(list.find((k) => k.id === id)!.revokedBy).toBe('test-admin');
    const trail = (await json(await svc.call('/v1/admin/keys/trail', { role: 'admin' }))).entries;
    expect(trail[0]).toMatchObject({ actor: 'test-admin', action: 'key.revoke', keyId: id, clientName: 'Wang Fang', role: 'supervisor' });
  });

  it('a key revoked by another instance is refused here within AUTH_CACHE_TTL_MS', async () => {
    const ttl = 700;
    const other = await startTestService({ AUTH_CACHE_TTL_MS: String(ttl), LOG_LEVEL: 'warn' });
    try {
      const { id, key } = await other.deps.keys.issue({ clientName: 'Zhao Lei', role: 'auditor' }, 'Admin Zhou');
      expect((await fetch(`${other.url}/v1/review/cases`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(200);
      // another instance's store on the same database (its own cache): this instance's cache still holds the key
      const elsewhere = createApiKeyStore({ database: other.deps.database, cacheTtlMs: ttl });
      expect(await elsewhere.revokeAs(id, 'Admin Zhou')).toMatchObject({ ok: true });
      const revokedAt = performance.now();
      let status = 200;
      while (status === 200 && performance.now() - revokedAt < ttl * 3) {
        status = (await fetch(`${other.url}/v1/review/cases`, { headers: { authorization: `Bearer ${key}` } })).status;
        if (status === 200) await new Promise((r) => setTimeout(r, 25));
      }
      expect(status).toBe(401);
      expect(performance.now() - revokedAt).toBeLessThan(ttl + 250);
    } finally {
      await other.close();
    }
  });

  it('a key cannot revoke itself', async () => {
    const { id, key } = await json(await svc.call('/v1/admin/keys', { role: 'admin', json: { clientName: 'Admin Sun', role: 'admin' } }));
    const res = await as(key, `/v1/admin/keys/${id}/revoke`, { method: 'POST' });
    expect(res.status).toBe(409);
    expect((await json(res)).error.message).toBe('A key cannot revoke itself: revoke it with another admin key');
    expect((await as(key, '/v1/admin/keys')).status).toBe(200);
  });

  it('only an admin: every other role 403, no key 401', async () => {
    for (const role of ['settlement', 'auditor', 'supervisor'] as const) {
      expect((await svc.call('/v1/admin/keys', { role })).status).toBe(403);
      expect((await svc.call('/v1/admin/keys', { role, json: { clientName: 'X', role: 'admin' } })).status).toBe(403);
      expect((await svc.call('/v1/admin/keys/trail', { role })).status).toBe(403);
      expect((await svc.call('/v1/admin/models/train', { role, json: { month: '2026-10' } })).status).toBe(403);
    }
    const forbidden = await json(await svc.call('/v1/admin/keys', { role: 'supervisor', json: { clientName: 'X', role: 'admin' } }));
    expect(forbidden.error.message).toBe("This action needs one of the roles admin; the key's role is supervisor");
    expect((await svc.call('/v1/admin/keys', { role: null })).status).toBe(401);
    const names = (await json(await svc.call('/v1/admin/keys', { role: 'admin' }))).keys.map((k: { clientName: string }) => k.clientName);
    expect(names).not.toContain('X');
  });

  it('bad input: a 400 naming the field', async () => {
    const cases: [unknown, { path: string; message: string }[]][] = [
      [{ clientName: '   ', role: 'auditor' }, [{ path: 'clientName', message: 'must not be empty' }]],
      [{ clientName: 'x'.repeat(101), role: 'auditor' }, [{ path: 'clientName', message: 'must be at most 100 characters' }]],
      [{ clientName: 'Li\u0000Na', role: 'auditor' }, [{ path: 'clientName', message: 'must not contain control characters' }]],
      [{ clientName: 'Li Na', role: 'root' }, [{ path: 'role', message: 'Invalid option: expected one of "settlement"|"auditor"|"supervisor"|"admin"|"institution"' }]],
      [{ clientName: 'Li Na', role: 'auditor', createdBy: 'someone else' }, [{ path: 'createdBy', message: 'is not a known field' }]],
    ];
    for (const [body, details] of cases) {
      const res = await svc.call('/v1/admin/keys', { role: 'admin', json: body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((await json(res)).error.details, JSON.stringify(body)).toEqual(details);
    }
    const notJson = await svc.call('/v1/admin/keys', { role: 'admin', method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"clientName":' });
    expect(notJson.status).toBe(400);
    const train = await svc.call('/v1/admin/models/train', { role: 'admin', json: { month: '2026-13', trees: 0 } });
    expect(train.status).toBe(400);
    expect((await json(train)).error.details.map((d: { path: string }) => d.path).sort()).toEqual(['month', 'trees']);
  });

  it('appears in /openapi.json', async () => {
    const doc = await json(await svc.call('/openapi.json', { role: null }));
    expect(Object.keys(doc.paths['/v1/admin/keys'])).toEqual(['get', 'post']);
    expect(Object.keys(doc.paths['/v1/admin/keys/{id}/revoke'])).toEqual(['post']);
    expect(Object.keys(doc.paths['/v1/admin/keys/trail'])).toEqual(['get']);
    expect(Object.keys(doc.paths['/v1/admin/models/train'])).toEqual(['post']);
    expect(doc.paths['/v1/admin/keys'].post.responses['201'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/ApiKeyCreated' });
  });
});

describe('training through the service', () => {
  it('no claims in the month: 422 saying why', async () => {
    const res = await svc.call('/v1/admin/models/train', { role: 'admin', json: { month: '2025-01' } });
    expect(res.status).toBe(422);
    expect((await json(res)).error).toMatchObject({ code: 'not_enough_data', message: 'Cannot train for 2025-01: need at least 2 institution-months to train, got 0' });
  });

  it('trains and stores a version under the admin’s name, which the model API then serves', async () => {
    const institutions = ['H32019900001', 'H32019900002', 'H32019900003', 'H32019900004'];
    await seedReference(svc, { institutions: institutions.map((id) => ({ id })) });
    for (const [i, institutionId] of institutions.entries())
      for (let k = 0; k <= i; k++) {
        const res = await svc.call('/v1/claims', { json: (k % 2 ? outpatientClaim : inpatientClaim)({ institutionId }) });
        expect(res.status).toBe(200);
      }
    const res = await svc.call('/v1/admin/models/train', { role: 'admin', json: { month: '2026-10', trees: 20, psi: 4, seed: 7 } });
    expect(res.status).toBe(201);
    const trained = await json(res);
    expect(trained).toMatchObject({ month: '2026-10', institutions: 4, trainingRows: 4 });
    expect(trained.top).toHaveLength(4);
    expect(trained.inputHash).toMatch(/^[0-9a-f]{64}$/);
    const model = await json(await svc.call(`/v1/models/${trained.modelId}`, { role: 'auditor' }));
    expect(model).toMatchObject({
      id: trained.modelId,
      month: '2026-10',
      trainedBy: 'test-admin',
      inputHash: trained.inputHash,
      params: { trees: 20, psi: 4, seed: 7, windowMonths: 3, evidenceMonths: 6 },
    });
  });
});
