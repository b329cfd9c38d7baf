import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fenFrom } from '../src/lib/money.js';
import { cstMonth, parseInstant } from '../src/lib/time.js';
import { simulate, type SimulatedClaim } from '../sim/simulation.js';
import { loadReference } from '../scripts/sim/load-reference.js';
import { streamClaims } from '../scripts/sim/stream-claims.js';
import { json } from './support/http.js';
import { startTestService, type TestService } from './support/service.js';
import { reportTables } from '../src/report/report.tables.js';
import { sheetName } from '../src/report/render-xlsx.js';

/**
 * A small synthetic world (two months, so month-on-month has a base) streamed through the API; the
 * report of the second month is checked against figures computed here from the claims themselves.
 */
const MONTH = '2026-10';
const HELD_BACK = 3;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

type Claim = SimulatedClaim['claim'];
const serviceMonth = (c: Claim) => {
  const first = Math.min(...c.lines.map((l) => parseInstant(l.serviceAt) as number));
  return cstMonth(parseInstant((c.admittedAt ?? c.visitAt) as string) ?? first);
};
const fen = (v: unknown) => fenFrom(String(v)) as number;

let svc: TestService;
let sent: Claim[] = [];
let held: SimulatedClaim[] = [];
let cutoff = '';
let report: any;
const REJECTED = [
  { institutionId: '', claimId: 'BAD-1', lines: 'not a list' },
  { institutionId: '', claimId: 'BAD-2', totalAmount: 'abc' },
];

beforeAll(async () => {
  svc = await startTestService();
  const sim = simulate({ seed: 11, month: '2026-09', months: 2, scale: 0.008, lateMaxDays: 10 });
  await loadReference(sim.reference(), svc.url, svc.keys.admin);
  const all = [...sim.claims()];
  // Data-quality defects the generator does not make: every 50th claim loses its first line's own
  // item name, every 40th its drugs' specifications.
  all.forEach(({ claim }, i) => {
    if (i % 50 === 0) delete (claim.lines[0] as { hospitalItemName?: string }).hospitalItemName;
    if (i % 40 === 0) for (const l of claim.lines) if (l.category === 'drug') delete (l as { specification?: string }).specification;
  });
  // The last claims of the month arrive after the cut-off.
  held = all.filter(({ claim }) => serviceMonth(claim) === MONTH).slice(-HELD_BACK);
  const first = all.filter((c) => !held.includes(c));
  const result = await streamClaims(first, { url: svc.url, key: svc.keys.settlement, onAnswer: () => {} });
  expect(result.answered).toBe(first.length);
  sent = first.map((c) => c.claim);
  for (const [i, bad] of REJECTED.entries()) {
    const body = { ...bad, institutionId: sent[i]!.institutionId };
    expect((await svc.call('/v1/claims', { json: body })).status).toBe(400);
  }
  await new Promise((r) => setTimeout(r, 20));
  cutoff = new Date().toISOString();
  await new Promise((r) => setTimeout(r, 20));
  report = await json(await svc.call(`/v1/reports/${MONTH}?cutoff=${cutoff}`, { role: 'supervisor' }));
}, 400_000);

afterAll(async () => {
  await svc?.close();
});

describe('the monthly provider risk report', () => {
  it("counts each institution's claims, patients and amounts of the month as the claims themselves give them", () => {
    const month = sent.filter((c) => serviceMonth(c) === MONTH);
    const prev = sent.filter((c) => serviceMonth(c) === '2026-09');
    expect(report.month).toBe(MONTH);
    expect(report.fund.claims).toBe(month.length);
    expect(fen(report.fund.amount)).toBe(month.reduce((s, c) => s + fen(c.totalAmount), 0));
    const ids = [...new Set(month.map((c) => c.institutionId))].sort();
    expect(report.institutions.map((i: any) => i.institutionId)).toEqual(ids);
    for (const row of report.institutions) {
      const mine = month.filter((c) => c.institutionId === row.institutionId);
      const before = prev.filter((c) => c.institutionId === row.institutionId);
      expect(row.claims).toBe(mine.length);
      expect(row.inpatientClaims).toBe(mine.filter((c) => c.visitType === 'inpatient').length);
      expect(fen(row.amount)).toBe(mine.reduce((s, c) => s + fen(c.totalAmount), 0));
      expect(row.prevMonthClaims).toBe(before.length);
      const beforeFen = before.reduce((s, c) => s + fen(c.totalAmount), 0);
      // Month on month only against a base month of at least 30 claims (MIN_BASE_CLAIMS), else "—" with the reason.
      if (before.length >= 30) {
        expect(row.momAmountPct).toBeCloseTo(Math.round(((fen(row.amount) - beforeFen) / beforeFen) * 1000) / 10, 5);
        expect(row.momReason).toBeNull();
      } else {
        expect(row.momAmountPct).toBeNull();
        expect(row.momReason).toBe(before.length === 0 ? '2026-09 无结算数据' : `2026-09 仅 ${before.length} 笔结算，少于 30 笔`);
      }
      expect(row.yoyAmountPct).toBeNull(); // no claims a year before
      expect(row.yoyReason).toBe('2025-10 无结算数据');
    }
    expect(report.fund.momClaimsPct).toBeCloseTo(Math.round(((month.length - prev.length) / prev.length) * 1000) / 10, 5);
    expect(report.trend).toHaveLength(12);
    expect(report.trend.at(-1)).toMatchObject({ month: MONTH, claims: month.length });
    expect(report.trend.at(-2)).toMatchObject({ month: '2026-09', claims: prev.length });
    // Months without claims are gaps, not zeros.
    expect(report.trend.slice(0, 9).every((t: any) => t.claims === null && t.amount === null)).toBe(true);
  });

  it("sums findings by family and institution to the fund's figures, and matches the stored findings", async () => {
    const rows = await svc.deps.database.query<{ family: string; hits: number; amount: string }>(
      `select f.family, count(*)::int as hits, sum(f.amount)::text as amount from findings f join claims c on c.id = f.claim_id
       where f.service_month = $1 and c.service_month = $1 and f.status = 'active' group by 1 order by 1`,
      [MONTH],
    );
    expect(rows.length).toBeGreaterThan(2);
    const byFamily = new Map(report.findingsByFamily.map((f: any) => [f.family, f]));
    for (const r of rows) {
      expect((byFamily.get(r.family) as any)?.hits).toBe(r.hits);
      expect(fen((byFamily.get(r.family) as any)?.amount)).toBe(fen(r.amount));
    }
    const total = report.institutions.reduce((s: number, i: any) => s + fen(i.findingAmount), 0);
    expect(fen(report.fund.findingAmount)).toBe(total);
    expect(report.trialRules.map((t: any) => t.ruleId)).toContain('SUB-NAME-MISMATCH');
  });

  it('measures data quality: lines without own names or specifications, rejections, days to submit', () => {
    const month = sent.filter((c) => serviceMonth(c) === MONTH);
    for (const row of report.dataQuality.filter((r: any) => r.institutionId !== '(unreadable)')) {
      const mine = month.filter((c) => c.institutionId === row.institutionId);
      const lines = mine.flatMap((c) => c.lines);
      expect(row.lines).toBe(lines.length);
      expect(row.linesMissingName).toBe(lines.filter((l) => !l.hospitalItemName).length);
      expect(row.linesMissingSpec).toBe(lines.filter((l) => (l.category === 'drug' || l.category === 'consumable') && !l.specification).length);
      const lags = mine.map((c) =>
        Math.max(0, ((parseInstant(c.settledAt as string) as number) - (parseInstant((c.dischargedAt ?? c.visitAt ?? c.lines.at(-1)!.serviceAt) as string) as number)) / 86_400_000),
      );
      expect(row.lateSubmissions).toBe(lags.filter((d) => d > 7).length);
      if (mine.length > 0) expect(row.lagMaxDays).toBeCloseTo(Math.round(Math.max(...lags) * 10) / 10, 5);
    }
    expect(report.dataQuality.reduce((s: number, r: any) => s + r.linesMissingName, 0)).toBeGreaterThan(0);
    expect(report.dataQuality.reduce((s: number, r: any) => s + r.rejected, 0)).toBe(REJECTED.length);
    expect(report.dataQuality.find((r: any) => r.institutionId === sent[0]!.institutionId).rejected).toBeGreaterThanOrEqual(1);
    expect(report.rejectionPaths.length).toBeGreaterThan(0);
  });

  it('names institutions that stand out with example claims and a recommendation', () => {
    for (const s of report.standouts) {
      expect(s.reasons.length).toBeGreaterThan(0);
      expect(s.recommendation.length).toBeGreaterThan(10);
      for (const e of s.examples) expect(sent.some((c) => c.institutionId === s.institutionId && c.claimId === e.claimNo)).toBe(true);
    }
    // The institution with the largest share of its amount at issue, far above the others', is named.
    const share = (i: any) => fen(i.findingAmount) / Math.max(1, fen(i.amount));
    const shares = report.institutions.map(share).sort((a: number, b: number) => a - b);
    const top = [...report.institutions].sort((a: any, b: any) => share(b) - share(a))[0];
    const median = shares[Math.floor(shares.length / 2)];
    expect(share(top)).toBeGreaterThan(3 * median);
    expect(report.standouts.map((s: any) => s.institutionId)).toContain(top.institutionId);
    const named = report.standouts.find((s: any) => s.institutionId === top.institutionId);
    expect(named.reasons[0]).toMatch(/^疑点金额占其医疗费用的 [\d.]+%/);
    // The examples illustrate the reasons given: the findings reason by claims with findings of that institution.
    const findingExamples = named.examples.filter((e: any) => e.illustrates === 'findings');
    expect(findingExamples.length).toBeGreaterThan(0);
    for (const e of findingExamples) expect(e.family !== null && fen(e.amountAtIssue) > 0).toBe(true);
    for (const s of report.standouts) {
      const kinds = new Set(s.examples.map((e: any) => e.illustrates));
      for (const k of kinds)
        expect(s.reasons.some((r: string) => (({ findings: /疑点金额/, growth: /环比增长/, model: /机构风险评分/, review: /复审确认违规/ }) as any)[k as string].test(r))).toBe(true);
    }
  });

  it('states the model and review sections as not available while their tables are absent', async () => {
    const tables = await svc.deps.database.query<{ n: string | null }>(`select to_regclass('public.provider_scores')::text as n`);
    if (tables[0]?.n === null) {
      expect(report.model.available).toBe(false);
      expect(report.model.note).toMatch(/not available/i);
      expect(report.model.scores).toEqual([]);
    }
    expect(report.institutions.every((i: any) => (i.model === null) === !report.model.available)).toBe(true);
  });

  it('gives the same figures when regenerated after more data arrived, with the later data labelled', async () => {
    const result = await streamClaims(held, { url: svc.url, key: svc.keys.settlement, onAnswer: () => {} });
    expect(result.answered).toBe(HELD_BACK);
    const again = await json(await svc.call(`/v1/reports/${MONTH}?cutoff=${cutoff}`, { role: 'auditor' }));
    // Drug and consumable shares come from the running item totals, which count late lines too (docs/report.md): left out here.
    const running = (a: string) => a === 'drugShare' || a === 'consumableShare';
    const strip = (r: any) => ({
      ...r,
      generatedAt: null,
      generatedAtText: null,
      late: null,
      institutions: r.institutions.map((i: any) => ({ ...i, late: null })),
      targets: { ...r.targets, rows: r.targets.rows.filter((t: any) => !running(t.area)) },
    });
    expect(strip(again)).toEqual(strip(report));
    expect(report.late.claims).toBe(0);
    expect(again.late.claims).toBe(HELD_BACK);
    expect(fen(again.late.amount)).toBe(held.reduce((s, c) => s + fen(c.claim.totalAmount), 0));
    const late = again.institutions.filter((i: any) => i.late.claims > 0);
    expect(late.reduce((s: number, i: any) => s + i.late.claims, 0)).toBe(HELD_BACK);
    // Without a cut-off given, the default (15 days after the month) has passed: the held-back claims are late there too.
    const byDefault = await json(await svc.call(`/v1/reports/${MONTH}`, { role: 'admin' }));
    expect(byDefault.cutoff).toBe('2026-11-15T16:00:00.000Z');
    expect(byDefault.provisional).toBe(false);
    expect(byDefault.fund.claims + byDefault.late.claims).toBe(again.fund.claims + HELD_BACK);
  });

  it('serves the XLSX with one sheet per table whose values equal the JSON', async () => {
    const res = await svc.call(`/v1/reports/${MONTH}?format=xlsx&cutoff=${cutoff}`, { role: 'supervisor' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('spreadsheetml');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(Buffer.from(await res.arrayBuffer()) as never);
    // Sheets and headers are in the report's language (zh-CN): read them back through the table definitions.
    const defs = reportTables(report);
    const sheet = (name: string) => {
      const def = defs.find((t) => t.name === name)!;
      const ws = book.getWorksheet(sheetName(def));
      expect(ws, name).toBeDefined();
      const header = (ws!.getRow(1).values as unknown[]).slice(1).map((label) => def.columns.find((c) => c.label === String(label))!.key);
      expect(ws!.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
      const rows: Record<string, unknown>[] = [];
      ws!.eachRow((row, n) => {
        if (n === 1) return;
        const v = (row.values as unknown[]).slice(1);
        rows.push(Object.fromEntries(header.map((h, i) => [h, v[i] ?? null])));
      });
      return rows;
    };
    expect(book.worksheets.map((w) => w.name)).toEqual(['说明', ...defs.map(sheetName)]);
    expect(book.worksheets.map((w) => w.name)).toEqual(expect.arrayContaining(['机构明细', '基金总体', '数据质量', '近12个月费用趋势']));
    const inst = sheet('institutions');
    expect(inst.map((r) => r.institutionId)).toEqual(report.institutions.map((i: any) => i.institutionId));
    inst.forEach((r, k) => {
      const j = report.institutions[k];
      expect(r.claims).toBe(j.claims);
      expect(r.patients).toBe(j.patients);
      expect(Math.round(Number(r.amount) * 100)).toBe(fen(j.amount));
      expect(typeof r.amount).toBe('number'); // numbers as numbers
      expect(Math.round(Number(r.findingAmount) * 100)).toBe(fen(j.findingAmount));
      expect(r.momAmountPct).toBe(j.momAmountPct);
    });
    const fam = sheet('findings_by_family');
    const zhFamily: Record<string, string> = {
      duplicate: '重复收费',
      'split-charging': '分解收费',
      'split-stay': '分解住院',
      'bed-hanging': '挂床住院',
      'overlapping-stay': '叠床住院',
      substitution: '串换项目',
      price: '超标准收费',
      quantity: '超量',
      restriction: '限定条件',
    };
    expect(fam.map((r) => [r.family, r.hits, Math.round(Number(r.amount) * 100)])).toEqual(report.findingsByFamily.map((f: any) => [zhFamily[f.family] ?? f.family, f.hits, fen(f.amount)]));
    const trend = sheet('trend');
    expect(trend.map((r) => [r.month, r.claims, r.amount === null ? null : Math.round(Number(r.amount) * 100)])).toEqual(
      report.trend.map((t: any) => [t.month, t.claims, t.amount === null ? null : fen(t.amount)]),
    );
    const dq = sheet('data_quality');
    expect(dq.map((r) => [r.institutionId, r.rejected, r.linesMissingName, r.lateSubmissions])).toEqual(
      report.dataQuality.map((d: any) => [d.institutionId === '(unreadable)' ? '（无法识别机构）' : d.institutionId, d.rejected, d.linesMissingName, d.lateSubmissions]),
    );
    const fund = Object.fromEntries(sheet('fund').map((r) => [r.figure, r.value]));
    expect(fund['结算笔数']).toBe(report.fund.claims);
    expect(Math.round(Number(fund['医疗总费用（元）']) * 100)).toBe(fen(report.fund.amount));
    // Target areas against the JSON of the same moment (drug shares count lines stored since).
    const now = await json(await svc.call(`/v1/reports/${MONTH}?cutoff=${cutoff}`, { role: 'supervisor' }));
    const targets = sheet('target_areas');
    expect(targets).toHaveLength(now.targets.rows.length);
    targets.forEach((r, k) => {
      const j = now.targets.rows[k];
      expect([r.institutionId, r.value, r.numerator, r.denominator, r.peerPercentile ?? null, r.fundPercentile ?? null]).toEqual([
        j.institutionId,
        j.value,
        j.numerator,
        j.denominator,
        j.peerPercentile,
        j.fundPercentile,
      ]);
    });
  });

  it('serves CSV (all tables, or one) and negotiates the form by Accept', async () => {
    const one = await svc.call(`/v1/reports/${MONTH}?format=csv&table=institutions&cutoff=${cutoff}`, { role: 'auditor' });
    expect(one.headers.get('content-type')).toContain('text/csv');
    const rows = parse(await one.text(), { columns: true, bom: true }) as Record<string, string>[];
    // Headers in the report's language (zh-CN by default).
    expect(Object.keys(rows[0]!).slice(0, 3)).toEqual(['机构编码', '机构名称', '同组（类别/级别）']);
    expect(rows.map((r) => [r['机构编码'], Number(r['结算笔数']), r['医疗总费用']])).toEqual(report.institutions.map((i: any) => [i.institutionId, i.claims, i.amount]));
    const en = parse(await (await svc.call(`/v1/reports/${MONTH}?format=csv&table=institutions&lang=en&cutoff=${cutoff}`, { role: 'auditor' })).text(), { columns: true, bom: true }) as Record<
      string,
      string
    >[];
    expect(en.map((r) => [r.institution, Number(r.claims), r.amount])).toEqual(report.institutions.map((i: any) => [i.institutionId, i.claims, i.amount]));
    const targetCsv = parse(await (await svc.call(`/v1/reports/${MONTH}?format=csv&table=target_areas&cutoff=${cutoff}`, { role: 'auditor' })).text(), { columns: true, bom: true }) as Record<
      string,
      string
    >[];
    const now = await json(await svc.call(`/v1/reports/${MONTH}?cutoff=${cutoff}`, { role: 'supervisor' }));
    expect(
      targetCsv.map((r) => [
        r['机构编码'],
        Number(r['数值']),
        Number(r['分子']),
        Number(r['分母']),
        r['同组百分位'] === '' ? null : Number(r['同组百分位']),
        r['全部机构百分位'] === '' ? null : Number(r['全部机构百分位']),
        r['标记'] === '是',
      ]),
    ).toEqual(now.targets.rows.map((t: any) => [t.institutionId, t.value, t.numerator, t.denominator, t.peerPercentile, t.fundPercentile, t.flagged]));
    const bytes = Buffer.from(await (await svc.call(`/v1/reports/${MONTH}?cutoff=${cutoff}`, { role: 'auditor', headers: { accept: 'text/csv' } })).arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // UTF-8 byte order mark, for Excel
    const all = bytes.subarray(3).toString('utf8');
    expect(all.startsWith('# fund')).toBe(true);
    expect(all).toContain('# data_quality');
    const html = await svc.call(`/v1/reports/${MONTH}?cutoff=${cutoff}`, { role: 'auditor', headers: { accept: 'text/html,application/xhtml+xml;q=0.9' } });
    expect(html.headers.get('content-type')).toContain('text/html');
    // English on request, the JSON's keys and codes unchanged.
    const enHtml = await (await svc.call(`/v1/reports/${MONTH}?format=html&lang=en&cutoff=${cutoff}`, { role: 'auditor' })).text();
    for (const heading of ['1. Situation', '3. Target areas against comparison groups', 'Cost trend, last 12 months', 'Institutions']) expect(enHtml).toContain(heading);
    expect(enHtml).toContain('<html lang="en">');
    expect(enHtml).not.toContain('基本情况');
    const enJson = await json(await svc.call(`/v1/reports/${MONTH}?lang=en&cutoff=${cutoff}`, { role: 'auditor' }));
    expect(enJson.lang).toBe('en');
    expect(enJson.cutoffText).toMatch(/ CST$/);
    expect(enJson.findingsByFamily.map((f: any) => f.family)).toEqual(report.findingsByFamily.map((f: any) => f.family));
    expect(Object.keys(enJson)).toEqual(Object.keys(report));
  });

  it("refuses bad input with the field's path, and other roles", async () => {
    const month = await svc.call('/v1/reports/2026-13', { role: 'admin' });
    expect(month.status).toBe(400);
    expect((await json(month)).error.details[0].path).toBe('month');
    const cut = await svc.call(`/v1/reports/${MONTH}?cutoff=yesterday`, { role: 'admin' });
    expect(cut.status).toBe(400);
    expect((await json(cut)).error.details[0].path).toBe('cutoff');
    const fmt = await svc.call(`/v1/reports/${MONTH}?format=doc`, { role: 'admin' });
    expect(fmt.status).toBe(400);
    expect((await json(fmt)).error.details[0].path).toBe('format');
    // No Chromium: a 503 that says how to get one.
    const saved = process.env.CHROMIUM_PATH;
    process.env.CHROMIUM_PATH = '/nonexistent/chromium';
    try {
      const pdf = await svc.call(`/v1/reports/${MONTH}?format=pdf`, { role: 'admin' });
      expect(pdf.status).toBe(503);
      const body = await json(pdf);
      expect(body.error.code).toBe('pdf_unavailable');
      expect(body.error.message).toContain('CHROMIUM_PATH=/nonexistent/chromium does not exist');
      expect(body.error.message).toContain('apt-get install chromium');
    } finally {
      if (saved === undefined) delete process.env.CHROMIUM_PATH;
      else process.env.CHROMIUM_PATH = saved;
    }
    const lang = await svc.call(`/v1/reports/${MONTH}?lang=fr`, { role: 'admin' });
    expect(lang.status).toBe(400);
    expect((await json(lang)).error.details[0].path).toBe('lang');
    const table = await svc.call(`/v1/reports/${MONTH}?format=csv&table=nope`, { role: 'admin' });
    expect((await json(table)).error.details[0].path).toBe('table');
    expect((await svc.call(`/v1/reports/${MONTH}`, { role: 'settlement' })).status).toBe(403);
    expect((await svc.call(`/v1/reports/${MONTH}`, { role: null })).status).toBe(401);
    const doc = await json(await svc.call('/openapi.json', { role: null }));
    expect(Object.keys(doc.paths['/v1/reports/{month}'].get.responses['200'].content)).toEqual(expect.arrayContaining(['application/json', 'text/html', 'text/csv']));
  });
});

describe('the HTML report in a browser', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("renders each chart with the report's data, self-contained", async () => {
    const res = await svc.call(`/v1/reports/${MONTH}?format=html&cutoff=${cutoff}`, { role: 'supervisor' });
    const html = await res.text();
    const page = await browser.newPage();
    const requests: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith('data:') && r.url() !== 'about:blank') requests.push(r.url());
    });
    await page.setContent(html, { waitUntil: 'load' });
    expect(requests).toEqual([]); // nothing fetched: self-contained
    const chart = async (name: string) =>
      page.evaluate((n) => {
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        const el = (globalThis as any).document.querySelector(`[data-chart="${n}"]`);
        if (!el) return null;
        const box = el.getBoundingClientRect();
        const marks = [...el.querySelectorAll('.mark')].map((m: any) => {
          const b = m.getBoundingClientRect();
          return { value: Number(m.getAttribute('data-value')), w: b.width, h: b.height };
        });
        return { tag: el.tagName.toLowerCase(), empty: el.getAttribute('data-empty') === 'true', width: box.width, height: box.height, marks };
      }, name);
    const trend = await chart('trend');
    expect(trend?.tag).toBe('svg');
    expect(trend!.width).toBeGreaterThan(300);
    // Months without data are gaps: marks only for the months with claims.
    const withData = report.trend.filter((t: any) => t.amount !== null);
    expect(trend!.marks).toHaveLength(withData.length * 4);
    expect(trend!.marks.slice(0, withData.length).map((m) => Math.round(m.value * 100))).toEqual(withData.map((t: any) => fen(t.amount)));
    expect(trend!.marks.every((m) => m.w > 0 && m.h > 0)).toBe(true);
    const families = await chart('families');
    expect(families?.tag).toBe('svg');
    expect(families!.marks.map((m) => Math.round(m.value * 100))).toEqual(report.findingsByFamily.map((f: any) => fen(f.amount)));
    expect(families!.marks.every((m) => m.w > 0 && m.h > 0)).toBe(true);
    const scores = await chart('scores');
    if (report.model.available) {
      expect(scores?.tag).toBe('svg');
      expect(scores!.marks).toHaveLength(report.model.scores.length);
    } else {
      expect(scores?.empty).toBe(true);
      expect(await page.textContent('[data-chart="scores"]')).toMatch(/不可用/);
    }
    expect(await page.locator('[data-standout]').count()).toBe(report.standouts.length);
    await page.screenshot({ path: 'test-results/report.png', fullPage: true });
    await page.pdf({ path: 'test-results/report.pdf', format: 'A4', landscape: true });
    await page.close();
  });

  it('reads in Chinese, ranks a hand-checked institution against the fund and flags it, and fits A4 landscape in print', async () => {
    const res = await svc.call(`/v1/reports/${MONTH}?format=html&cutoff=${cutoff}`, { role: 'supervisor' });
    const html = await res.text();
    const page = await browser.newPage({ viewport: { width: 1047, height: 740 } }); // A4 landscape less 10 mm margins, at 96 dpi
    await page.setContent(html, { waitUntil: 'load' });
    const text = (await page.textContent('body')) ?? '';
    for (const heading of [
      '一、基本情况',
      '二、数据',
      '三、重点指标与同组比较',
      '四、分析、典型案例与建议',
      '五、复审',
      '六、规则',
      '七、数据质量',
      '八、截止后到达',
      '近12个月费用趋势',
      '违规类型分布',
      '机构明细',
    ])
      expect(text).toContain(heading);
    expect(text).toContain(`数据截止 ${report.cutoffText}`);
    expect(report.cutoffText).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}（北京时间）$/);
    expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/); // no UTC instants in the page
    expect(text).toContain('医疗总费用（元）');
    // Family names in Chinese in the chart.
    for (const f of report.findingsByFamily)
      expect(await page.locator('[data-chart="families"]').textContent()).toContain(
        {
          duplicate: '重复收费',
          'split-charging': '分解收费',
          'split-stay': '分解住院',
          'bed-hanging': '挂床住院',
          'overlapping-stay': '叠床住院',
          substitution: '串换项目',
          price: '超标准收费',
          quantity: '超量',
          restriction: '限定条件',
        }[f.family as string] ?? f.family,
      );
    // Each note once.
    const notes = await page.locator('p.note').allTextContents();
    expect(notes.filter((n) => n.length > 30).length).toBe(new Set(notes.filter((n) => n.length > 30)).size);

    // Hand-checked: claims per patient of each institution from the claims sent, and the mid-rank
    // percentile of the highest among the five institutions (each its own peer group of 1).
    const month = sent.filter((c) => serviceMonth(c) === MONTH);
    const ids = [...new Set(month.map((c) => c.institutionId))].sort();
    const perPatient = new Map(
      ids.map((id) => {
        const mine = month.filter((c) => c.institutionId === id);
        return [id, Math.round((mine.length / new Set(mine.map((c) => c.insured.id)).size) * 100) / 100];
      }),
    );
    const ranked = ids.filter((id) => month.filter((c) => c.institutionId === id).length >= 10);
    const top = [...ranked].sort((a, b) => perPatient.get(b)! - perPatient.get(a)!)[0]!;
    const values = ranked.map((id) => perPatient.get(id)!);
    const below = values.filter((v) => v < perPatient.get(top)!).length;
    const equal = values.filter((v) => v === perPatient.get(top)!).length;
    const expectedPct = Math.round((1000 * (below + equal / 2)) / values.length) / 10;
    const row = report.targets.rows.find((t: any) => t.institutionId === top && t.area === 'claimsPerPatient');
    expect(row.value).toBe(perPatient.get(top));
    expect(row.numerator).toBe(month.filter((c) => c.institutionId === top).length);
    expect(row.fundSize).toBe(values.length);
    expect(row.fundPercentile).toBe(expectedPct);
    expect(row.peerPercentile).toBeNull(); // its peer group has one institution: not "rank 1 of 1"
    expect(row.comment).toMatch(/^同组（.+）仅 1 家，不作组内排名，按全市（基金）百分位$/);
    expect(row.basis).toBe('fund');
    expect(row.flagged).toBe(expectedPct >= 80);
    expect(row.trend).toHaveLength(36);
    expect(row.trend.at(-1)).toBe(row.value);
    expect(row.trend.slice(0, 30).every((v: number | null) => v === null)).toBe(true); // no data then: gaps
    const cell = page.locator(`[data-target="${top}|claimsPerPatient"]`);
    expect(await cell.count()).toBe(1);
    expect(await cell.locator('[data-fund-pct]').getAttribute('data-fund-pct')).toBe(String(expectedPct));
    expect(await cell.textContent()).toContain('仅 1 家');

    // Print: A4 landscape; nothing wider than the printable width.
    await page.emulateMedia({ media: 'print' });
    const overflow = await page.evaluate(() => {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const d = (globalThis as any).document;
      const width = d.documentElement.clientWidth;
      const out: string[] = [];
      for (const el of d.querySelectorAll('table, svg, .card, .table-wrap, p, li')) {
        const b = el.getBoundingClientRect();
        if (b.right > width + 1 || (el.scrollWidth > el.clientWidth + 1 && el.classList.contains('table-wrap')))
          out.push(`${el.tagName} ${el.getAttribute('data-table') ?? el.getAttribute('data-chart') ?? ''} ${Math.round(b.right)} > ${width}`);
      }
      return { out, pageWidth: d.documentElement.scrollWidth, width };
    });
    expect(overflow.out).toEqual([]);
    expect(overflow.pageWidth).toBeLessThanOrEqual(overflow.width);
    // The institutions table prints in parts, each with the institution.
    expect(await page.locator('table[data-table="institutions"]').count()).toBe(4);
    await page.close();

    // The PDF from the service: A4 landscape pages, numbered.
    const pdf = await svc.call(`/v1/reports/${MONTH}?format=pdf&cutoff=${cutoff}`, { role: 'supervisor' });
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    const bytes = Buffer.from(await pdf.arrayBuffer());
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    const boxes = [...bytes.toString('latin1').matchAll(/\/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]/g)].map((m) => [Math.round(Number(m[1])), Math.round(Number(m[2]))]);
    expect(boxes.length).toBeGreaterThan(3);
    expect(boxes.every(([w, h]) => w === 842 && h === 595)).toBe(true); // A4 landscape in points
  }, 120_000);
});
