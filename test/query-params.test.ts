import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../src/auth/api-keys.js';
import { json } from './support/http.js';
import { startTestService, type TestService } from './support/service.js';

/**
 * Query and path parameters are validated as bodies are: a NUL, another control character or a
 * value past its length is a 400 naming the parameter, on every route that takes parameters (read
 * from /openapi.json, so a route added later is covered), and nothing reaches PostgreSQL to be
 * refused there (issue 22: a NUL in /v1/reference/*, /v1/review/cases and /v1/review/conflicts
 * answered PostgreSQL's own message with path "" and logged a warning with a stack trace).
 */
let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(async () => {
  await svc?.close();
});

interface Param {
  in: 'query' | 'path';
  name: string;
  required?: boolean;
}
interface Operation {
  method: string;
  path: string;
  params: Param[];
}

/** A valid value for each parameter, so the one under test is the only one wrong. */
const VALID: Record<string, string> = {
  institutionId: 'H32010200001',
  claimId: 'ZY-1',
  ruleId: 'DUP-SAME-LINE',
  month: '2026-10',
  drawId: '00000000-0000-4000-8000-000000000000',
  inspectionId: '00000000-0000-4000-8000-000000000000',
  id: '1',
  caseId: '1',
  conflictId: '1',
  attachmentId: '1',
};
/** Bodies for the routes with a path parameter and a body, valid as far as the body goes. */
const BODIES: Record<string, unknown> = {
  'PUT /v1/rules/{ruleId}/settings': { params: {}, reason: 'test' },
  'POST /v1/inspections/{inspectionId}/findings': { family: 'other', amount: '1.00', note: 'test' },
  'POST /v1/inspections/{inspectionId}/conclusion': { outcome: 'no-violation' },
  'POST /v1/review/cases/{caseId}/conclusion': { outcome: 'dismissed', reason: 'test' },
  'POST /v1/review/cases/{caseId}/second-review': { verdict: 'agree' },
  'POST /v1/review/cases/{caseId}/release': { reason: 'test' },
  'POST /v1/review/cases/{caseId}/reopen': { reason: 'test' },
  'POST /v1/review/cases/{caseId}/notes': { body: 'test' },
  'POST /v1/review/conflicts/{conflictId}/withdraw': { reason: 'test' },
};

const BAD: [string, string][] = [
  ['NUL', '\u0000'],
  ['NUL inside', 'H3201\u00000200001'],
  ['a control character', 'a\u001Fb'],
  ['5,000 characters', 'x'.repeat(5000)],
];

async function operations(): Promise<Operation[]> {
  const doc = (await json(await svc.call('/openapi.json', { role: null }))) as { paths: Record<string, Record<string, { parameters?: Param[] }>> };
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops)
      .filter(([, op]) => (op.parameters ?? []).some((p) => p.in === 'query' || p.in === 'path'))
      .map(([method, op]) => ({ method: method.toUpperCase(), path, params: op.parameters!.filter((p) => p.in === 'query' || p.in === 'path') })),
  );
}

function url(op: Operation, under: Param, value: string): string {
  let path = op.path;
  const query = new URLSearchParams();
  for (const p of op.params) {
    const v = p === under ? value : VALID[p.name];
    if (p.in === 'path') path = path.replace(`{${p.name}}`, encodeURIComponent(v ?? ''));
    else if (p === under || (p.required && v !== undefined)) query.set(p.name, v!);
  }
  const qs = query.toString();
  return qs ? `${path}?${qs}` : path;
}

/** The request with the first role the route lets in. */
async function send(op: Operation, target: string): Promise<Response> {
  const body = BODIES[`${op.method} ${op.path}`];
  for (const role of ['admin', 'supervisor', 'auditor', 'settlement'] as Role[]) {
    const res = await svc.call(target, body === undefined ? { method: op.method, role } : { method: op.method, role, json: body });
    if (res.status !== 403) return res;
    await res.arrayBuffer();
  }
  throw new Error(`no role may ${op.method} ${op.path}`);
}

describe('query and path parameters', () => {
  it('on every route that takes them: a NUL, a control character or a value too long is a 400 naming the parameter, never PostgreSQL’s message', async () => {
    const ops = await operations();
    // the routes of the issue are among them, with the parameters that reached PostgreSQL
    const names = (path: string) => ops.find((o) => o.path === path)?.params.map((p) => p.name) ?? [];
    expect(names('/v1/reference/institutions')).toContain('id');
    expect(names('/v1/reference/catalogue-items')).toContain('code');
    expect(names('/v1/review/cases')).toEqual(expect.arrayContaining(['family', 'institutionId', 'assignee']));
    expect(names('/v1/review/conflicts')).toEqual(expect.arrayContaining(['person', 'institutionId']));
    expect(ops.length).toBeGreaterThanOrEqual(25);

    const logsBefore = svc.logs.length;
    const wrong: string[] = [];
    let checked = 0;
    for (const op of ops) {
      for (const p of op.params) {
        for (const [what, value] of BAD) {
          const target = url(op, p, value);
          const res = await send(op, target);
          const text = await res.text();
          checked++;
          const body = JSON.parse(text) as { error?: { code: string; details?: { path: string; message: string }[] } };
          const named = body.error?.details?.some((d) => d.path === p.name);
          if (res.status !== 400 || body.error?.code !== 'invalid_request' || !named || /invalid byte sequence|0x00|syntax for type|UTF8/i.test(text))
            wrong.push(`${op.method} ${op.path} ${p.in} ${p.name} (${what}): ${res.status} ${text.slice(0, 200)}`);
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(checked).toBeGreaterThanOrEqual(4 * 50);
    // nothing reached PostgreSQL to be refused there, nothing was logged as a warning
    const warnings = svc.logs
      .slice(logsBefore)
      .map((l) => JSON.parse(l))
      .filter((l) => l.level >= 40);
    expect(warnings.map((l) => l.msg)).toEqual([]);
  });

  it('names the parameter and the rule it breaks, on the routes of the issue', async () => {
    const cases = [
      ['/v1/reference/institutions?id=%00', 'id'],
      ['/v1/reference/catalogue-items?code=A%00B', 'code'],
      ['/v1/reference/item-relations?code=%00', 'code'],
      ['/v1/reference/stock-records?id=%00&code=%00', 'id'],
      ['/v1/review/cases?family=%00', 'family'],
      ['/v1/review/cases?institutionId=%00', 'institutionId'],
      ['/v1/review/cases?assignee=%00', 'assignee'],
      ['/v1/review/conflicts?person=%00', 'person'],
      ['/v1/review/conflicts?institutionId=%00', 'institutionId'],
    ] as const;
    for (const [target, name] of cases) {
      const res = await svc.call(target, { role: 'admin' });
      const body = await json(res);
      expect(res.status, target).toBe(400);
      expect(body.error.details, target).toContainEqual({ path: name, message: 'must not contain control characters' });
    }
  });

  it('the queue page takes the same query: a NUL is a 400 page with the message next to the parameter’s field', async () => {
    const login = await fetch(`${svc.url}/ui/login`, { method: 'POST', redirect: 'manual', body: new URLSearchParams({ key: svc.keys.auditor, next: '/ui/queue' }) });
    expect(login.status).toBe(303);
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const ok = await fetch(`${svc.url}/ui/queue?family=duplicate`, { headers: { cookie } });
    expect(ok.status).toBe(200);
    await ok.arrayBuffer();
    for (const name of ['family', 'institutionId', 'assignee']) {
      const res = await fetch(`${svc.url}/ui/queue?${name}=%00`, { headers: { cookie } });
      expect(res.status, name).toBe(400);
      // the message is next to the field, in the page's language (issue 15, item 5)
      expect(await res.text(), name).toMatch(new RegExp(`id="filters-${name}-error" role="alert">不能包含控制字符<`));
    }
  });

  it('text that is fine still reaches the query: a filter with no match is an empty page, not an error', async () => {
    const r1 = await svc.call('/v1/reference/institutions?id=%E5%8C%BB%27%3B--', { role: 'admin' });
    expect(r1.status).toBe(200);
    expect(await json(r1)).toEqual({ records: [], total: 0 });
    const r2 = await svc.call('/v1/review/cases?family=%E9%87%8D%E5%A4%8D&assignee=O%27Brien', { role: 'admin' });
    expect(r2.status).toBe(200);
    expect(await json(r2)).toMatchObject({ total: 0, items: [] });
    const r3 = await svc.call('/v1/review/conflicts?person=%E5%BC%A0%E4%B8%89', { role: 'admin' });
    expect(r3.status).toBe(200);
    expect(await json(r3)).toEqual({ conflicts: [] });
  });
});
