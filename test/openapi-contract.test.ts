import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANSWER_EXAMPLE, CLAIM_EXAMPLE } from '../src/claims/examples.js';
import { json } from './support/http.js';
import { startTestService, type TestService } from './support/service.js';

/**
 * The contract documents itself (issue 17): every operation in /openapi.json has an id, a tag and a
 * summary, its parameters described, and every error status answered with ErrorBody; the example
 * claim and answer are what the service really does. `npm run lint:openapi` lints the same document.
 */
interface Ref {
  $ref?: string;
}
interface Response extends Ref {
  description?: string;
  headers?: Record<string, unknown>;
  content?: Record<string, { schema?: Ref & Record<string, unknown>; example?: unknown }>;
}
interface Operation {
  operationId?: string;
  tags?: string[];
  summary?: string;
  security?: unknown[];
  parameters?: { name: string; in: string; description?: string }[];
  requestBody?: { description?: string; content: Record<string, { example?: unknown }> };
  responses: Record<string, Response>;
}
interface Doc {
  info: { license?: { name: string } };
  servers?: { url: string }[];
  tags?: { name: string; description?: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Record<string, unknown>>; responses?: Record<string, Response> };
}

let svc: TestService;
let doc: Doc;
let ops: { method: string; path: string; op: Operation }[];
beforeAll(async () => {
  svc = await startTestService();
  doc = (await json(await svc.call('/openapi.json', { role: null }))) as Doc;
  ops = Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ method, path, op })));
});
afterAll(async () => {
  await svc?.close();
});

const resolve = (r: Response): Response => (r.$ref ? (doc.components.responses?.[r.$ref.split('/').pop() as string] ?? {}) : r);

describe('the OpenAPI document', () => {
  it('has servers, a license, and tags that each say what they hold', () => {
    expect(doc.servers?.length).toBeGreaterThan(0);
    expect(doc.info.license?.name).toBeTruthy();
    for (const tag of doc.tags ?? []) expect(tag.description, tag.name).toBeTruthy();
  });

  it('gives every operation a unique operationId, a declared tag and a summary', () => {
    expect(ops.length).toBeGreaterThanOrEqual(65);
    const tagNames = new Set(doc.tags?.map((t) => t.name));
    const ids = new Set<string>();
    for (const { method, path, op } of ops) {
      const where = `${method} ${path}`;
      expect(op.operationId, where).toMatch(/^[a-z][A-Za-z0-9]+$/);
      expect(ids.has(op.operationId as string), `${where}: operationId ${op.operationId} repeated`).toBe(false);
      ids.add(op.operationId as string);
      expect(op.tags?.length, where).toBeGreaterThan(0);
      for (const tag of op.tags ?? []) expect(tagNames.has(tag), `${where}: tag ${tag}`).toBe(true);
      expect(op.summary?.trim(), where).toBeTruthy();
      for (const p of op.parameters ?? []) expect(p.description?.trim(), `${where}: ${p.in} ${p.name}`).toBeTruthy();
      if (op.requestBody) expect(op.requestBody.description?.trim(), `${where}: body`).toBeTruthy();
    }
  });

  it('answers every error status with ErrorBody, 503 with Retry-After', () => {
    for (const { method, path, op } of ops) {
      const where = `${method} ${path}`;
      expect(Object.keys(op.responses), where).toEqual(expect.arrayContaining(['413', '500', '503']));
      if (op.security?.length) expect(Object.keys(op.responses), where).toEqual(expect.arrayContaining(['401', '403']));
      if (op.parameters?.length || op.requestBody) expect(Object.keys(op.responses), where).toContain('400');
      for (const [status, r] of Object.entries(op.responses)) {
        if (Number(status) < 400) continue;
        const response = resolve(r);
        if (status === '503') expect(response.headers?.['Retry-After'], `${where} 503`).toBeDefined();
        // /readyz answers its probe's own shape either way (documented as such)
        if (path === '/readyz') continue;
        // the national interface refuses in its own envelope and with ErrorBody's fields beside it
        const schema = response.content?.['application/json']?.schema as (Ref & { allOf?: Ref[] }) | undefined;
        const refs = [schema?.$ref, ...(schema?.allOf ?? []).map((s) => s.$ref)];
        expect(refs, `${where} ${status}`).toContain('#/components/schemas/ErrorBody');
      }
    }
  });

  it('types the error details: the fields at fault, or the state in the way', () => {
    const body = JSON.stringify(doc.components.schemas.ErrorBody);
    expect(body).toContain('#/components/schemas/FieldIssue');
    expect(doc.components.schemas.FieldIssue).toMatchObject({ required: ['path', 'message'] });
    expect(doc.components.schemas.Error).toBeUndefined();
  });

  it('documents /healthz, /readyz and /metrics', () => {
    expect(doc.paths['/healthz']?.get?.security).toEqual([]);
    expect(doc.paths['/readyz']?.get?.responses['503']).toBeDefined();
    expect(doc.paths['/metrics']?.get?.security?.length).toBe(1);
  });

  it('has no two paths that one request of the same method could both match', () => {
    // ambiguous: every segment pair agrees (equal, or one a parameter), and each path has a literal where the other has a parameter
    const param = (seg: string) => seg.startsWith('{');
    const ambiguous = (a: string, b: string) => {
      const [sa, sb] = [a.split('/'), b.split('/')];
      if (sa.length !== sb.length || a === b) return false;
      if (!sa.every((seg, i) => seg === sb[i] || param(seg) || param(sb[i] as string))) return false;
      return sa.some((seg, i) => !param(seg) && param(sb[i] as string)) && sb.some((seg, i) => !param(seg) && param(sa[i] as string));
    };
    const byMethod = new Map<string, string[]>();
    for (const { method, path } of ops) byMethod.set(method, [...(byMethod.get(method) ?? []), path]);
    const found = [...byMethod].flatMap(([method, paths]) => paths.flatMap((a) => paths.filter((b) => a < b && ambiguous(a, b)).map((b) => `${method} ${a} ~ ${b}`)));
    expect(found).toEqual([]);
    // the check sees what it is for: across methods the inspection paths are ambiguous
    expect(ambiguous('/v1/inspections/draws/{drawId}', '/v1/inspections/{inspectionId}/findings')).toBe(true);
  });
});

describe('/docs', () => {
  it('shows each operation’s parameters, body and answers, and the fields of each variant of a union', async () => {
    const page = await (await svc.call('/docs', { role: null })).text();
    const section = (id: string) => page.slice(page.indexOf(`id="${id}"`), page.indexOf('</section>', page.indexOf(`id="${id}"`)));
    const evidence = section('GET-/v1/review/cases/{caseId}/evidence');
    expect(evidence).toContain('getReviewCasesByCaseIdEvidence');
    expect(evidence).toContain('<code>caseId</code>');
    expect(evidence).toContain('a review case’s id');
    expect(evidence).toContain('<code>503</code> <code>application/json</code> ErrorBody');
    const submit = section('POST-/v1/claims');
    expect(submit).toContain('Body: <code>application/json</code> Claim');
    // ReviewConclusion is a union: confirmed (lines, amount, basis) or dismissed (reason)
    const conclusion = section('schema-ReviewConclusion');
    expect(conclusion).toContain('one of (2)');
    expect(conclusion).toContain('<code>refusedLines</code>');
    expect(conclusion).toContain('<code>reason</code>');
  });
});

describe('the documented example claim and answer', () => {
  it('are what the service does with that claim, and a replay says Idempotent-Replayed', async () => {
    const submit = doc.paths['/v1/claims']?.post as Operation;
    expect(submit.requestBody?.content['application/json']?.example).toEqual(CLAIM_EXAMPLE);
    expect(submit.responses['200']?.content?.['application/json']?.example).toEqual(ANSWER_EXAMPLE);
    expect(submit.responses['200']?.headers?.['Idempotent-Replayed']).toBeDefined();

    const first = await svc.call('/v1/claims', { method: 'POST', role: 'settlement', json: CLAIM_EXAMPLE });
    expect(first.status).toBe(200);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const answer = (await first.json()) as typeof ANSWER_EXAMPLE;
    // ids and the time differ from run to run; everything else is the example
    const stable = (a: typeof ANSWER_EXAMPLE) => ({ ...a, id: undefined, screenedAt: undefined, findings: a.findings.map((f) => ({ ...f, id: undefined })) });
    expect(stable(answer)).toEqual(stable(ANSWER_EXAMPLE));

    const replay = await svc.call('/v1/claims', { method: 'POST', role: 'settlement', json: CLAIM_EXAMPLE });
    expect(replay.status).toBe(200);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await replay.json()).toEqual(answer);
  });
});
