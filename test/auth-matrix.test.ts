import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, type Role } from '../src/auth/api-keys.js';
import { startTestService, type TestService } from './support/service.js';

/**
 * Every endpoint × every role, plus no key and a revoked key. The endpoints are read from the
 * service's own OpenAPI document, so a new endpoint is in the matrix the day it is added; who may
 * call it is stated here, by hand, in ACCESS: an endpoint missing from the table fails the test
 * until someone says which roles it is for.
 *
 * A role that may not call an endpoint gets 403; no key and a revoked key get 401; every role that
 * may gets the same answer to the same request, which is neither 401, 403 nor 5xx (the request is
 * an empty one, so it is mostly 400 or 404: access is decided before the body is looked at).
 */
// Every role but an institution's own key, which reads its own appeals and nothing else (docs/review-money.md).
const ALL: readonly Role[] = ROLES.filter((r) => r !== 'institution');
const ACCESS: Record<string, readonly Role[] | 'public'> = {
  'POST /v1/claims': ['settlement', 'admin'],
  'POST /v1/claims/stream': ['settlement', 'admin'],
  'GET /v1/claims/{institutionId}/{claimId}': ALL,
  'PUT /v1/reference/institutions': ['admin'],
  'GET /v1/reference/institutions': ALL,
  'PUT /v1/reference/catalogue-items': ['admin'],
  'GET /v1/reference/catalogue-items': ALL,
  'PUT /v1/reference/item-relations': ['admin'],
  'GET /v1/reference/item-relations': ALL,
  'PUT /v1/reference/stock-records': ['admin'],
  'GET /v1/reference/stock-records': ALL,
  'PUT /v1/reference/person-register': ['admin'],
  'GET /v1/reference/person-register': ALL,
  'PUT /v1/reference/item-indications': ['admin'],
  'GET /v1/reference/item-indications': ALL,
  'PUT /v1/reference/exam-recognition': ['admin'],
  'GET /v1/reference/exam-recognition': ALL,
  'PUT /v1/reference/service-scopes': ['admin'],
  'GET /v1/reference/service-scopes': ALL,
  'PUT /v1/reference/doctors': ['admin'],
  'GET /v1/reference/doctors': ALL,
  'GET /v1/rules': ALL,
  'PUT /v1/rules/{ruleId}/settings': ['admin'],
  'GET /v1/rules/stats': ['auditor', 'supervisor', 'admin'],
  'POST /v1/national/3101': ['settlement', 'admin'],
  'POST /v1/national/3102': ['settlement', 'admin'],
  'POST /v1/national/3103': ['settlement', 'admin'],
  'POST /v1/inspections/draws': ['supervisor'],
  'GET /v1/inspections/draws': ['auditor', 'supervisor', 'admin'],
  'GET /v1/inspections/draws/{drawId}': ['auditor', 'supervisor', 'admin'],
  'GET /v1/inspections/draws/{drawId}/verify': ['auditor', 'supervisor', 'admin'],
  'GET /v1/inspections/draws/{drawId}/public-summary': ['auditor', 'supervisor', 'admin'],
  'GET /v1/inspections/{inspectionId}': ['auditor', 'supervisor', 'admin'],
  'POST /v1/inspections/{inspectionId}/findings': ['auditor', 'supervisor'],
  'POST /v1/inspections/{inspectionId}/conclusion': ['auditor', 'supervisor'],
  'GET /v1/reports/{month}': ['auditor', 'supervisor', 'admin'],
  'GET /v1/models': ['auditor', 'supervisor', 'admin'],
  'GET /v1/models/{id}': ['auditor', 'supervisor', 'admin'],
  'GET /v1/provider-scores': ['auditor', 'supervisor', 'admin'],
  'GET /v1/provider-scores/{institutionId}': ['auditor', 'supervisor', 'admin'],
  'GET /v1/review/me': ['auditor', 'supervisor', 'admin'],
  'GET /v1/review/cases': ['auditor', 'supervisor', 'admin'],
  'GET /v1/review/cases/{caseId}': ['auditor', 'supervisor', 'admin'],
  'POST /v1/review/draw': ['auditor', 'supervisor'],
  'POST /v1/review/cases/{caseId}/conclusion': ['auditor', 'supervisor'],
  'POST /v1/review/cases/{caseId}/second-review': ['auditor', 'supervisor'],
  'POST /v1/review/cases/{caseId}/release': ['auditor', 'supervisor'],
  'POST /v1/review/cases/{caseId}/reopen': ['supervisor'],
  'POST /v1/review/appeals': ['settlement', 'admin', 'institution'],
  'GET /v1/review/appeals': ['settlement', 'institution', 'auditor', 'supervisor', 'admin'],
  'GET /v1/review/appeals/{appealId}': ['settlement', 'institution', 'auditor', 'supervisor', 'admin'],
  'GET /v1/review/conflicts': ['auditor', 'supervisor', 'admin'],
  'GET /v1/review/recheck': ['supervisor', 'admin'],
  'POST /v1/review/conflicts': ['auditor', 'supervisor', 'admin'],
  'POST /v1/review/conflicts/{conflictId}/withdraw': ['supervisor', 'admin'],
  'GET /v1/review/trail': ['supervisor', 'admin'],
  'GET /v1/review/trail/verify': ['supervisor', 'admin'],
  'GET /v1/review/outcomes': ['auditor', 'supervisor', 'admin'],
  'GET /v1/review/sampling/{month}': ['supervisor', 'admin'],
  'POST /v1/review/sampling/{month}/close': ['supervisor', 'admin'],
  'GET /v1/review/sampling/{month}/verify': ['supervisor', 'admin'],
  'GET /v1/review/cases/{caseId}/evidence': ['auditor', 'supervisor', 'admin'],
  'POST /v1/review/cases/{caseId}/notes': ['auditor', 'supervisor'],
  'POST /v1/review/cases/{caseId}/attachments': ['auditor', 'supervisor'],
  'GET /v1/review/cases/{caseId}/attachments/{attachmentId}': ['auditor', 'supervisor'],
  'GET /v1/admin/keys': ['admin'],
  'POST /v1/admin/keys': ['admin'],
  'POST /v1/admin/keys/{id}/revoke': ['admin'],
  'GET /v1/admin/keys/trail': ['admin'],
  'POST /v1/admin/models/train': ['admin'],
  'GET /metrics': ['admin', 'supervisor'],
  'GET /healthz': 'public',
  'GET /readyz': 'public',
};
/** Endpoints outside the OpenAPI document (the documentation itself). */
const UNDOCUMENTED: Record<string, readonly Role[] | 'public'> = {
  'GET /openapi.json': 'public',
  'GET /docs': 'public',
};

let svc: TestService;
let revoked: string;
let operations: string[] = [];
beforeAll(async () => {
  svc = await startTestService({ LOG_LEVEL: 'warn' });
  svc.keys.institution = (await svc.deps.keys.create({ clientName: 'test-institution', role: 'institution', institutionId: 'H32010200001', createdBy: 'test' })).key;
  const { id, key } = await svc.deps.keys.create({ clientName: 'revoked-admin', role: 'admin', createdBy: 'test' });
  expect(await svc.deps.keys.revoke(id)).toBe(true);
  revoked = key;
  const doc = (await (await svc.call('/openapi.json', { role: null })).json()) as { paths: Record<string, Record<string, unknown>> };
  operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.keys(ops)
      .filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
      .map((m) => `${m.toUpperCase()} ${path}`),
  );
});
afterAll(async () => {
  await svc?.close();
});

/** An empty request to the endpoint: path parameters filled with plausible values, `{}` as a body. */
async function call(operation: string, key: string | null): Promise<number> {
  const [method, template] = operation.split(' ') as [string, string];
  const path = template.replace(/\{(\w+)\}/g, (_, name: string) => (name === 'ruleId' ? svc.deps.rules[0]!.id : name === 'institutionId' ? 'H32010200001' : 'x1'));
  const headers: Record<string, string> = key ? { authorization: `Bearer ${key}` } : {};
  const init: RequestInit = { method, headers };
  if (method !== 'GET') {
    headers['content-type'] = path.endsWith('/stream') ? 'application/x-ndjson' : 'application/json';
    init.body = '{}';
  }
  const res = await fetch(`${svc.url}${path}`, init);
  await res.arrayBuffer();
  return res.status;
}

async function matrix(operation: string, access: readonly Role[] | 'public') {
  const got: Record<string, number> = {};
  for (const role of ROLES) got[role] = await call(operation, svc.keys[role]);
  got['no key'] = await call(operation, null);
  got['revoked key'] = await call(operation, revoked);
  got['unknown key'] = await call(operation, `cs_${'x'.repeat(43)}`);

  const allowed = access === 'public' ? ROLES : access;
  const answer = got[allowed[0]!]!;
  const expected: Record<string, number> = {};
  for (const role of ROLES) expected[role] = allowed.includes(role) ? answer : 403;
  expected['no key'] = access === 'public' ? answer : 401;
  expected['revoked key'] = access === 'public' ? answer : 401;
  expected['unknown key'] = access === 'public' ? answer : 401;
  expect(got, operation).toEqual(expected);
  expect([401, 403], `${operation}: what an allowed role gets`).not.toContain(answer);
  expect(answer, operation).toBeLessThan(500);
}

describe('auth matrix: every endpoint × every role, no key, a revoked key', () => {
  it('every operation in /openapi.json has a row in the access table, and every row an operation', () => {
    expect(operations.length).toBeGreaterThanOrEqual(17);
    const missing = operations.filter((o) => !(o in ACCESS));
    expect(missing, 'new endpoints: add each to ACCESS in test/auth-matrix.test.ts with the roles that may call it').toEqual([]);
    expect(
      Object.keys(ACCESS).filter((o) => !operations.includes(o)),
      'rows for endpoints that no longer exist',
    ).toEqual([]);
  });

  it('documented endpoints: exactly the allowed roles get in', async () => {
    // (one without a row fails the test above)
    for (const operation of operations.filter((o) => o in ACCESS)) await matrix(operation, ACCESS[operation]!);
  });

  it('undocumented endpoints (the documentation)', async () => {
    for (const [operation, access] of Object.entries(UNDOCUMENTED)) await matrix(operation, access);
  });
});
