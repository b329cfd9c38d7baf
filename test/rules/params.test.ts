import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogue } from '../../rules/catalogue.js';
import { json } from '../support/http.js';
import { startTestService, type TestService } from '../support/service.js';

/**
 * Every rule declares its parameters with their ranges (Rule.paramSchema, next to its defaults);
 * PUT /v1/rules/{ruleId}/settings refuses a value out of range with a 422 naming the parameter,
 * the range and the value (issue 22: SUB-NAME-MISMATCH minSimilarity -5, MODEL-PROVIDER-OUTLIER
 * percentile 1000 and SPLIT-STAY withinDays 1e308 were accepted with 200, and the negative
 * similarity switched the rule off).
 */
describe('each rule’s parameter schema', () => {
  for (const rule of catalogue) {
    it(`${rule.id}: declares every parameter, and its defaults and fixtures pass`, () => {
      const shape = (rule.paramSchema as unknown as { shape: Record<string, unknown> }).shape;
      expect(Object.keys(shape).sort()).toEqual(Object.keys(rule.defaults).sort());
      expect(rule.paramSchema.safeParse(rule.defaults).error?.issues).toBeUndefined();
      const { fires, passes } = rule.fixtures();
      for (const f of [...fires, ...passes]) if (f.params) expect(rule.paramSchema.safeParse({ ...rule.defaults, ...f.params }).error?.issues, f.name).toBeUndefined();
      // no extra parameter slips through
      expect(rule.paramSchema.safeParse({ ...rule.defaults, notAParameter: 1 }).success).toBe(false);
    });
  }
});

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(async () => {
  await svc?.close();
});

type Range = {
  type?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  enum?: string[];
  maxItems?: number;
  items?: Range;
  pattern?: string;
  maxLength?: number;
};
interface RuleView {
  id: string;
  defaults: Record<string, unknown>;
  params: Record<string, unknown>;
  ranges: Record<string, Range>;
  settingsVersion: number;
}

const put = (ruleId: string, params: Record<string, unknown>) => svc.call(`/v1/rules/${ruleId}/settings`, { method: 'PUT', role: 'admin', json: { params, reason: 'range test' } });
const rules = async (): Promise<RuleView[]> => (await json(await svc.call('/v1/rules', { role: 'admin' }))).rules;

/** Values just outside a parameter's range or form, with what the refusal must mention. */
function outside(r: Range, dflt: unknown): { value: unknown; mentions: string[] }[] {
  if (r.type === 'number' || r.type === 'integer') {
    const lo = r.minimum ?? r.exclusiveMinimum!;
    const hi = r.maximum ?? r.exclusiveMaximum!;
    const bounds = [String(lo), String(hi)];
    const out = [
      { value: r.minimum !== undefined ? r.minimum - 1 : r.exclusiveMinimum, mentions: bounds },
      { value: r.maximum !== undefined ? r.maximum + 1 : r.exclusiveMaximum, mentions: bounds },
      { value: 1e308, mentions: bounds },
      { value: -1e308, mentions: bounds },
    ];
    if (r.type === 'integer') out.push({ value: lo + 0.5, mentions: ['an integer', ...bounds] });
    return out;
  }
  if (r.type === 'string' && r.enum) return [{ value: 'not-one-of-them', mentions: r.enum }];
  if (r.type === 'array') {
    const first = (dflt as unknown[])[0] ?? r.items?.enum?.[0] ?? 'A01';
    const out: { value: unknown; mentions: string[] }[] = [{ value: Array.from({ length: r.maxItems! + 1 }, () => first), mentions: [`at most ${r.maxItems} entries`] }];
    if (r.items?.enum) out.push({ value: ['not-one-of-them'], mentions: r.items.enum });
    if (r.items?.pattern) out.push({ value: ['not a code!'], mentions: ['must'] });
    return out;
  }
  throw new Error(`no range to leave for ${JSON.stringify(r)}`);
}

describe('PUT /v1/rules/{ruleId}/settings', () => {
  it('refuses the three values of the issue with 422, naming the parameter, the range and the value', async () => {
    for (const [ruleId, params, path, message] of [
      ['SUB-NAME-MISMATCH', { minSimilarity: -5 }, 'params.minSimilarity', 'must be a number from 0 to 1, got -5'],
      ['MODEL-PROVIDER-OUTLIER', { percentile: 1000 }, 'params.percentile', 'must be a number from 50 to 100, got 1000'],
      ['SPLIT-STAY', { withinDays: 1e308 }, 'params.withinDays', 'must be an integer from 0 to 365, got 1e+308'],
    ] as const) {
      const res = await put(ruleId, params);
      const body = await json(res);
      expect(res.status, ruleId).toBe(422);
      expect(body.error.code).toBe('out_of_range');
      expect(body.error.details).toEqual([{ path, message }]);
      expect(body.error.message).toBe(`A setting is out of range: ${path} ${message}`);
    }
    // nothing was stored: the rules run with their defaults
    const now = await rules();
    for (const id of ['SUB-NAME-MISMATCH', 'MODEL-PROVIDER-OUTLIER', 'SPLIT-STAY']) {
      const r = now.find((x) => x.id === id)!;
      expect(r.settingsVersion, id).toBe(0);
      expect(r.params, id).toEqual(r.defaults);
    }
  });

  it('every parameter of every rule in the catalogue: its default is accepted, values outside its range are refused with 422', async () => {
    const all = await rules();
    expect(all.map((r) => r.id).sort()).toEqual(catalogue.map((r) => r.id).sort());
    const wrong: string[] = [];
    let refused = 0;
    for (const rule of all) {
      expect(Object.keys(rule.ranges).sort(), rule.id).toEqual(Object.keys(rule.defaults).sort());
      for (const [key, range] of Object.entries(rule.ranges)) {
        if (range.type === 'boolean') {
          // a flag has no range, only a type: anything else is the 400 it always was
          const res = await put(rule.id, { [key]: 'yes' });
          const body = await json(res);
          if (res.status !== 400 || !body.error.details.some((d: { path: string }) => d.path === `params.${key}`)) wrong.push(`${rule.id}.${key} 'yes': ${res.status}`);
          continue;
        }
        for (const { value, mentions } of outside(range, rule.defaults[key])) {
          const res = await put(rule.id, { [key]: value });
          const body = await json(res);
          refused++;
          const detail = body.error?.details?.find((d: { path: string }) => d.path === `params.${key}` || d.path.startsWith(`params.${key}[`));
          if (res.status !== 422 || body.error.code !== 'out_of_range' || !detail || !mentions.every((m) => detail.message.includes(m)))
            wrong.push(`${rule.id}.${key} = ${JSON.stringify(value).slice(0, 40)}: ${res.status} ${JSON.stringify(body.error?.details).slice(0, 200)}`);
        }
      }
      // its defaults, sent back, are accepted
      const res = await put(rule.id, rule.defaults);
      if (res.status !== 200) wrong.push(`${rule.id} defaults: ${res.status} ${await res.text()}`);
      else expect((await json(res)).params).toEqual(rule.defaults);
    }
    expect(wrong).toEqual([]);
    expect(refused).toBeGreaterThan(60);
  });

  it('accepts a value inside the range and runs with it', async () => {
    const res = await put('SUB-NAME-MISMATCH', { minSimilarity: 0.5 });
    expect(res.status).toBe(200);
    expect((await json(res)).params).toEqual({ minSimilarity: 0.5 });
  });

  it('a value stored before the ranges existed is set aside with a warning: the rule runs with its default', async () => {
    // as an older version of the service stored it (the route refuses it now)
    await svc.deps.ruleSettings.change('STAY-OVERLAP', { params: { toleranceHours: -100, allowSameDayTransfer: false }, reason: 'stored before ranges', changedBy: 'test' });
    const r = (await rules()).find((x) => x.id === 'STAY-OVERLAP')!;
    expect(r.params).toEqual({ toleranceHours: 0, allowSameDayTransfer: false });
    const warning = svc.logs.map((l) => JSON.parse(l)).find((l) => l.msg === 'stored rule settings out of range: the defaults apply to these parameters' && l.ruleId === 'STAY-OVERLAP');
    expect(warning?.problems).toEqual([{ path: 'params.toleranceHours', message: 'must be a number from 0 to 72, got -100' }]);
  });

  it('GET /v1/rules shows each parameter’s range', async () => {
    const r = (await rules()).find((x) => x.id === 'SUB-NAME-MISMATCH')!;
    expect(r.ranges).toEqual({ minSimilarity: { type: 'number', minimum: 0, maximum: 1 } });
    const share = (await rules()).find((x) => x.id === 'DUP-RESUBMITTED-VISIT')!;
    expect(share.ranges.minMatchingShare).toEqual({ type: 'number', exclusiveMinimum: 0, maximum: 1 });
    const split = (await rules()).find((x) => x.id === 'SPLIT-STAY')!;
    expect(split.ranges.withinDays).toEqual({ type: 'integer', minimum: 0, maximum: 365 });
  });
});
