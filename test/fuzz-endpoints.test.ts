import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inpatientClaim } from './support/claims.js';
import { startTestService, type TestService } from './support/service.js';

/**
 * Property-based fuzzing of every endpoint in /openapi.json (test/fuzz.test.ts goes deeper into
 * POST /v1/claims and the stream): valid requests mutated with SQL-injection strings, control
 * characters, lone surrogates, huge strings and numbers and deep nesting; random JSON; random
 * bytes; hostile path parameters and query strings. Whatever arrives: never a 5xx, always the one
 * error body; strings that are stored come back verbatim. An endpoint added later is fuzzed with
 * random input from the day it exists (a valid example in EXAMPLES makes it fuzzed deeper).
 */
const BODY_LIMIT = 64 * 1024;
const RUNS = { mutated: 40, randomJson: 15, randomBytes: 10, params: 20 } as const;
// ~1,000 requests: seconds on an idle machine; the timeout allows for a machine shared with other work
const TIMEOUT = 300_000;

let svc: TestService;
let operations: { method: string; path: string }[] = [];
const statuses = new Map<string, Map<number, number>>();

beforeAll(async () => {
  svc = await startTestService({ BODY_LIMIT_BYTES: String(BODY_LIMIT), MAX_LINES_PER_CLAIM: '50', LOG_LEVEL: 'warn' });
  const doc = (await (await svc.call('/openapi.json', { role: null })).json()) as { paths: Record<string, Record<string, unknown>> };
  operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.keys(ops)
      .filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
      .map((m) => ({ method: m.toUpperCase(), path })),
  );
});
afterAll(async () => {
  await svc?.close();
});

// ---- valid examples, to mutate ------------------------------------------------------------------

const order = (rx: string) => ({
  rx_id: rx,
  rxno: '',
  grpno: null,
  long_drord_flag: '0',
  hilist_type: '201',
  chrg_type: '01',
  drord_bhvr: '',
  hilist_code: '001109000010000',
  hilist_name: '普通病房床位费',
  hosplist_code: 'CW001',
  hosplist_name: '床位费(三人间)',
  cnt: '1',
  pric: '45.000000',
  sumamt: '45.00',
  spec: '',
  spec_unt: null,
  drord_begn_date: '2026-10-02 08:00:00',
  drord_stop_date: '',
  drord_dept_codg: '0301',
  drord_dept_name: '呼吸内科',
  drord_dr_codg: 'D001',
  curr_drord_flag: '1',
});
const review = (infno: string) => ({
  infno,
  msgid: 'H3201020000120261004093000001',
  mdtrtarea_admvs: '320100',
  insuplc_admdvs: '320100',
  recer_sys_code: 'HIS',
  infver: 'V1.0',
  opter_type: '1',
  opter: 'D001',
  opter_name: '',
  inf_time: '2026-10-04 09:30:00',
  fixmedins_code: 'H32010200001',
  fixmedins_name: '示例医院',
  input: {
    data: {
      syscode: 'HIS',
      task_id: 'T-0001',
      trig_scen: '2',
      rule_ids: null,
      patient_dtos: [
        {
          patn_id: '320102195803140012',
          patn_name: '张三',
          gend: '1',
          brdy: '1958-03-14',
          poolarea: '320100',
          curr_mdtrt_id: 'ZY001',
          fsi_encounter_dtos: [
            {
              mdtrt_id: 'ZY001',
              medins_id: 'H32010200001',
              medins_name: '示例医院',
              medins_admdvs: '320102',
              medins_type: '1',
              medins_lv: '2',
              wardarea_codg: '',
              wardno: null,
              bedno: '',
              adm_date: '2026-10-01 08:00:00',
              dscg_date: '2026-10-05 10:00:00',
              dscg_main_dise_codg: 'J18.900',
              dscg_main_dise_name: '肺炎',
              med_mdtrt_type: '2',
              med_type: '21',
              matn_stas: '0',
              medfee_sumamt: 90,
              ownpay_amt: '',
              selfpay_amt: null,
              acct_payamt: '',
              ma_amt: '',
              hifp_payamt: '',
              setl_totlnum: 0,
              insutype: '310',
              reim_flag: '0',
              out_setl_flag: '0',
              fsi_diagnose_dtos: [{ dise_id: '1', inout_dise_type: '2', maindise_flag: '1', dias_srt_no: 1, dise_codg: 'J18.900', dise_name: '肺炎', dise_date: '2026-10-01' }],
              fsi_order_dtos: [order('R1'), order('R2')],
              fsi_operation_dtos: null,
            },
          ],
        },
      ],
    },
  },
});
const EXAMPLES: Record<string, () => unknown> = {
  'POST /v1/claims': () => inpatientClaim(),
  'PUT /v1/reference/institutions': () => ({
    records: [
      {
        institutionId: 'H32010200001',
        name: '南京市示例医院',
        type: 'hospital',
        level: 'secondary',
        ownership: 'public',
        area: '320102',
        beds: 300,
        designatedFrom: '2020-01-01',
        validFrom: '2025-01-01',
      },
    ],
  }),
  'PUT /v1/reference/catalogue-items': () => ({
    records: [{ itemCode: '120100001', name: '床位费', category: 'bed', unit: '日', priceCeiling: { primary: 30, secondary: '45', tertiary: '60.5' }, validFrom: '2026-01-01' }],
  }),
  'PUT /v1/reference/item-relations': () => ({ records: [{ kind: 'includes', mainCode: '330100001', subCode: '120400001', window: 'same_day', source: 'fund-2026', validFrom: '2026-01-01' }] }),
  'PUT /v1/reference/stock-records': () => ({ records: [{ institutionId: 'P32010200003', itemCode: 'XJ01', month: '2026-10', openingQuantity: '0.0000', purchasedQuantity: '120.5000' }] }),
  'PUT /v1/rules/{ruleId}/settings': () => ({ params: {}, status: 'trial', reason: '试行' }),
  'POST /v1/national/3101': () => review('3101'),
  'POST /v1/national/3102': () => review('3102'),
  'POST /v1/national/3103': () => ({ infno: '3103', input: { data: [{ warn_rslt_id: '00000000-0000-4000-8000-000000000000', dspo_way: '1', dspo_way_rea: '医生已修改医嘱' }] } }),
};

// ---- hostile values -----------------------------------------------------------------------------

const SQL = [
  "'; drop table claims; --",
  "Robert'); DROP TABLE institutions;--",
  "1' or '1'='1",
  "' || (select key_hash from api_keys limit 1) || '",
  '"; truncate rule_settings; --',
  '$$; delete from api_keys; $$',
  "\\'; select pg_sleep(5); --",
  '$1',
  "'); insert into api_keys values ('x'); --",
];
const sqlInjection = fc.tuple(fc.constantFrom(...SQL), fc.string({ maxLength: 4 })).map(([s, t]) => s + t);
const nastyString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc
    .array(
      fc.oneof(
        fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)),
        fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
        fc.constant('\u0000'),
      ),
      { maxLength: 8 },
    )
    .map((a) => a.join('')),
  fc.nat({ max: 100_000 }).map((n) => 'x'.repeat(n)),
  sqlInjection,
  fc.constantFrom('', ' ', 'NaN', 'Infinity', '1e308', '-1e308', '99999999999999999999999', '-0', '2026-02-30', '9999-12-31', '0000-01-01', '../../etc/passwd', '..\\..\\windows', '%00', '%2e%2e%2f'),
);
const deep = fc.integer({ min: 1, max: 3000 }).chain((depth) =>
  fc.constantFrom('array', 'object').map((kind) => {
    let v: unknown = 1;
    for (let i = 0; i < depth; i++) v = kind === 'array' ? [v] : { a: v };
    return v;
  }),
);
const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  nastyString,
  fc.constantFrom(null, true, false, 0, -1, 1e308, -1e308, Number.MAX_SAFE_INTEGER, 2 ** 53 + 1, 5e-324),
  fc.double(),
  fc.integer(),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }),
  fc.dictionary(nastyString, fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
  deep,
);

type Path = (string | number)[];
function pathsOf(value: unknown, prefix: Path = []): Path[] {
  if (value === null || typeof value !== 'object' || prefix.length >= 6) return [prefix];
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return [prefix, ...entries.flatMap(([k, v]) => pathsOf(v, [...prefix, k]))];
}
type Mutation = { op: 'delete' | 'set' | 'addKey'; pick: number; value: unknown; key: string };
const mutation: fc.Arbitrary<Mutation> = fc.record({ op: fc.constantFrom('delete', 'set', 'set', 'addKey'), pick: fc.nat(), value: nastyValue, key: nastyString });
function mutate(base: unknown, ms: Mutation[]): unknown {
  let doc = structuredClone(base);
  for (const m of ms) {
    const paths = pathsOf(doc);
    const path = paths[m.pick % paths.length]!;
    if (path.length === 0) {
      if (m.op === 'set') doc = m.value;
      continue;
    }
    let parent = doc as Record<string | number, unknown>;
    for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
    const last = path[path.length - 1]!;
    if (m.op === 'delete') {
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last];
    } else if (m.op === 'set') parent[last] = m.value;
    else if (typeof parent === 'object' && parent !== null && !Array.isArray(parent)) parent[m.key] = m.value;
  }
  return doc;
}

// ---- what must hold -----------------------------------------------------------------------------

const key = (op: { method: string; path: string }) => `${op.method} ${op.path}`;
const fill = (template: string, params: Record<string, string> = {}) =>
  template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? (name === 'ruleId' ? svc.deps.rules[0]!.id : name === 'institutionId' ? 'H32010200001' : 'x1')));

/** A role that may call the endpoint: admin where it may, else the first that gets past 403. */
const roles = new Map<string, 'admin' | 'supervisor' | 'auditor' | 'settlement'>();
async function roleFor(op: { method: string; path: string }) {
  if (!roles.has(key(op)))
    for (const role of ['admin', 'supervisor', 'auditor', 'settlement'] as const) {
      const res = await svc.call(fill(op.path), { role, method: op.method, ...(op.method === 'GET' ? {} : { body: '{}', headers: { 'content-type': 'application/json' } }) });
      await res.arrayBuffer();
      roles.set(key(op), role);
      if (res.status !== 403) break;
    }
  return roles.get(key(op))!;
}

async function request(op: { method: string; path: string }, url: string, body?: string | Uint8Array, contentType = 'application/json') {
  const res = await svc.call(url, {
    role: await roleFor(op),
    method: op.method,
    ...(op.method === 'GET' ? {} : { body: body ?? '{}', headers: { 'content-type': op.path.endsWith('/stream') ? 'application/x-ndjson' : contentType } }),
  });
  const text = await res.text();
  const seen = statuses.get(key(op)) ?? new Map<number, number>();
  seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
  statuses.set(key(op), seen);
  expect(res.status, `${op.method} ${url}: ${text.slice(0, 400)}`).toBeLessThan(500);
  expect([200, 204, 400, 404, 409, 413, 415], `${op.method} ${url}: ${text.slice(0, 400)}`).toContain(res.status);
  if (res.status >= 400) {
    const parsed = JSON.parse(text) as { error?: { code: string; requestId: string } };
    expect(parsed.error?.requestId, `${op.method} ${url}: the one error body`).toBe(res.headers.get('x-request-id'));
  }
  return { status: res.status, text };
}

describe('fuzzing every endpoint in /openapi.json', () => {
  it(
    `mutated valid requests (${RUNS.mutated} each), random JSON (${RUNS.randomJson}) and random bytes (${RUNS.randomBytes}) to every endpoint with a body: never a 5xx`,
    async () => {
      const withBody = operations.filter((op) => op.method !== 'GET');
      expect(withBody.length).toBeGreaterThanOrEqual(10);
      for (const op of withBody) {
        const example = EXAMPLES[key(op)];
        if (example)
          await fc.assert(
            fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), async (ms) => {
              await request(op, fill(op.path), JSON.stringify(mutate(example(), ms)));
            }),
            { numRuns: RUNS.mutated },
          );
        await fc.assert(
          fc.asyncProperty(fc.json({ maxDepth: 4 }), async (text) => {
            await request(op, fill(op.path), text);
          }),
          { numRuns: RUNS.randomJson },
        );
        await fc.assert(
          fc.asyncProperty(fc.uint8Array({ maxLength: 1024 }), fc.constantFrom('application/json', 'text/plain', 'application/octet-stream'), async (bytes, type) => {
            await request(op, fill(op.path), bytes, type);
          }),
          { numRuns: RUNS.randomBytes },
        );
      }
      // the examples are valid: the mutations start from requests the service accepts
      for (const op of withBody.filter((o) => EXAMPLES[key(o)] && !o.path.endsWith('3103'))) {
        expect((await request(op, fill(op.path), JSON.stringify(EXAMPLES[key(op)]!()))).status, key(op)).toBe(200);
      }
    },
    TIMEOUT,
  );

  it(
    `hostile path parameters and query strings (${RUNS.params} each) to every endpoint: never a 5xx`,
    async () => {
      for (const op of operations) {
        const names = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
        // a URL cannot carry a lone surrogate: those become U+FFFD here, as any client would send them
        const segment = nastyString.filter((s) => s.length > 0 && s.length < 4000).map((s) => s.replace(/[\ud800-\udfff]/g, '\ufffd'));
        await fc.assert(
          fc.asyncProperty(
            fc.array(segment, { minLength: names.length, maxLength: names.length }),
            fc.dictionary(
              fc.constantFrom('id', 'code', 'month', 'asOf', 'limit', 'offset', 'x', 'month[]'),
              fc.oneof(
                nastyString.map((s) => s.slice(0, 2000)),
                fc.constantFrom('-1', '1e9', '0', '10000001', 'NaN'),
              ),
              { maxKeys: 3 },
            ),
            async (values, query) => {
              const params = Object.fromEntries(names.map((n, i) => [n, values[i]!]));
              const qs = new URLSearchParams(query as Record<string, string>).toString();
              await request(op, `${fill(op.path, params)}${qs ? `?${qs}` : ''}`, op.method === 'GET' ? undefined : JSON.stringify(EXAMPLES[key(op)]?.() ?? {}));
            },
          ),
          { numRuns: RUNS.params },
        );
      }
    },
    TIMEOUT,
  );

  it(
    'SQL-injection strings in reference data and rule settings are stored verbatim, never executed',
    async () => {
      let stored = 0;
      await fc.assert(
        fc.asyncProperty(sqlInjection, fc.nat({ max: 999 }), async (injection, n) => {
          const id = `HFZ${String(n).padStart(9, '0')}`;
          const put = await request(
            { method: 'PUT', path: '/v1/reference/institutions' },
            '/v1/reference/institutions',
            JSON.stringify({
              records: [
                { institutionId: id, name: injection, type: 'hospital', level: 'secondary', ownership: 'public', area: '320102', beds: 1, designatedFrom: '2020-01-01', validFrom: '2025-01-01' },
              ],
            }),
          );
          if (put.status !== 200) return;
          const res = await svc.call(`/v1/reference/institutions?id=${id}`, { role: 'auditor' });
          const body = (await res.json()) as { records: { name: string }[] };
          expect(body.records[0]?.name).toBe(injection);
          stored++;
        }),
        { numRuns: 60 },
      );
      const rule = svc.deps.rules[0]!.id;
      await fc.assert(
        fc.asyncProperty(sqlInjection, async (injection) => {
          const res = await request({ method: 'PUT', path: '/v1/rules/{ruleId}/settings' }, `/v1/rules/${rule}/settings`, JSON.stringify({ params: {}, reason: injection }));
          expect(res.status).toBe(200);
        }),
        { numRuns: 30 },
      );
      const reasons = await svc.deps.database.query<{ reason: string }>('select reason from rule_settings where rule_id = $1 order by id desc limit 1', [rule]);
      expect(SQL.some((s) => reasons[0]!.reason.startsWith(s))).toBe(true);
      expect(stored).toBeGreaterThan(30);
    },
    TIMEOUT,
  );

  it('left the database whole, logged no failure, and answered no 5xx', async () => {
    const q = (sql: string) => svc.deps.database.query<{ n: number }>(sql).then((r) => r[0]!.n);
    expect(await q('select count(*)::int as n from api_keys')).toBe(4);
    for (const table of ['claims', 'institutions', 'catalogue_items', 'item_relations', 'stock_records', 'rule_settings', 'national_reviews'])
      expect(await q(`select count(*)::int as n from ${table}`), table).toBeGreaterThanOrEqual(0);
    expect(svc.logs.filter((l) => /"level":(50|60)/.test(l))).toEqual([]);
    const fives = [...statuses.entries()].flatMap(([op, s]) => [...s.keys()].filter((x) => x >= 500).map((x) => `${op} ${x}`));
    expect(fives).toEqual([]);
    console.info('fuzz statuses by endpoint', Object.fromEntries([...statuses].map(([op, s]) => [op, Object.fromEntries(s)])));
  });
});
