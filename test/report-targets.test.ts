import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cstMonth, parseInstant } from '../src/lib/time.js';
import { simulate, type SimulatedClaim } from '../sim/simulation.js';
import { loadReference } from '../scripts/sim/load-reference.js';
import { streamClaims } from '../scripts/sim/stream-claims.js';
import { json } from './support/http.js';
import { startTestService, type TestService } from './support/service.js';

/**
 * Target areas within a peer group large enough to rank: the world's one pharmacy and five more
 * registered as pharmacies, each sent every k-th of the first one's claims (k = 1…5) under its own
 * id, so that the six differ in claims per patient. The peer percentile and the flag of each are
 * checked against figures computed here from the claims sent.
 */
const MONTH = '2026-10';
let svc: TestService;
let sent: SimulatedClaim['claim'][] = [];
let report: any;
/** each catalogue item's category (its latest version's), as the report takes it */
const categories = new Map<string, string>();
const serviceMonth = (c: SimulatedClaim['claim']) => cstMonth(parseInstant((c.admittedAt ?? c.visitAt ?? c.lines[0]!.serviceAt) as string) as number);

beforeAll(async () => {
  svc = await startTestService();
  const sim = simulate({ seed: 5, month: MONTH, months: 1, scale: 0.008, lateMaxDays: 0 });
  const reference = sim.reference();
  const institutions = reference.find((b) => b.kind === 'institutions')!.records as Record<string, unknown>[];
  const items = reference.find((b) => b.kind === 'catalogue-items')!.records as { itemCode: string; validFrom: string; category: string }[];
  for (const item of [...items].sort((a, b) => a.validFrom.localeCompare(b.validFrom))) categories.set(item.itemCode, item.category);
  const pharmacy = institutions.find((i) => i.type === 'pharmacy')!;
  const clones = [1, 2, 3, 4, 5].map((k) => ({ ...pharmacy, institutionId: `P9900000000${k}`, name: `测试药房${k}` }));
  institutions.push(...clones);
  await loadReference(reference, svc.url, svc.keys.admin);
  const all = [...sim.claims()];
  const own = all.filter((c) => c.claim.institutionId === pharmacy.institutionId);
  const copies = clones.flatMap((clone, n) =>
    own
      .filter((_, i) => i % (n + 1) === 0 && i % (n + 2) !== 1)
      .map((c) => ({
        ...c,
        claim: {
          ...c.claim,
          institutionId: clone.institutionId as string,
          claimId: `${c.claim.claimId}-${n + 1}`,
          lines: c.claim.lines.map((l) => ({ ...l, doctorId: `${clone.institutionId}-D001` })),
        },
      })),
  );
  const result = await streamClaims([...all, ...copies], { url: svc.url, key: svc.keys.settlement, onAnswer: () => {} });
  expect(result.answered).toBe(all.length + copies.length);
  sent = [...all, ...copies].map((c) => c.claim);
  report = await json(await svc.call(`/v1/reports/${MONTH}?cutoff=${new Date().toISOString()}`, { role: 'supervisor' }));
}, 300_000);

afterAll(async () => {
  await svc?.close();
});

describe('target areas in a peer group of six pharmacies', () => {
  it("rank each pharmacy's claims per patient within its group and in the fund, and flag the top", () => {
    const month = sent.filter((c) => serviceMonth(c) === MONTH);
    const ids = [...new Set(month.map((c) => c.institutionId))].sort();
    const perPatient = (id: string) => {
      const mine = month.filter((c) => c.institutionId === id);
      return { claims: mine.length, patients: new Set(mine.map((c) => c.insured.id)).size, value: Math.round((mine.length / new Set(mine.map((c) => c.insured.id)).size) * 100) / 100 };
    };
    const pct = (x: number, values: number[]) => Math.round((1000 * (values.filter((v) => v < x).length + values.filter((v) => v === x).length / 2)) / values.length) / 10;
    const ranked = ids.filter((id) => perPatient(id).claims >= 10);
    const pharmacies = ranked.filter((id) => id.startsWith('P'));
    expect(pharmacies.length).toBe(6);
    const groupValues = pharmacies.map((id) => perPatient(id).value);
    const fundValues = ranked.map((id) => perPatient(id).value);
    for (const id of pharmacies) {
      const row = report.targets.rows.find((t: any) => t.institutionId === id && t.area === 'claimsPerPatient');
      const p = perPatient(id);
      expect([row.value, row.numerator, row.denominator]).toEqual([p.value, p.claims, p.patients]);
      expect(row.peerSize).toBe(6);
      expect(row.peerPercentile).toBe(pct(p.value, groupValues));
      expect(row.fundPercentile).toBe(pct(p.value, fundValues));
      expect(row.basis).toBe('peer');
      expect(row.comment).toBeNull();
      expect(row.flagged).toBe(row.peerPercentile >= 80 && p.value > 0);
      expect(row.trend === null).toBe(!row.flagged);
    }
    // The group's highest is at (5 + ½) ÷ 6 = 91.7: flagged.
    const top = [...pharmacies].sort((a, b) => perPatient(b).value - perPatient(a).value)[0]!;
    const topRow = report.targets.rows.find((t: any) => t.institutionId === top && t.area === 'claimsPerPatient');
    if (groupValues.filter((v) => v === perPatient(top).value).length === 1) expect(topRow.peerPercentile).toBe(91.7);
    expect(topRow.flagged).toBe(true);
    // A hospital alone in its group: no rank within it, said so.
    const hospital = report.targets.rows.find((t: any) => t.institutionId.startsWith('H') && t.area === 'claimsPerPatient' && t.peerSize === 1);
    expect(hospital.peerPercentile).toBeNull();
    expect(hospital.comment).toMatch(/仅 1 家，不作组内排名/);
  });

  it('give each institution its drug and consumable shares of the month’s line amounts, lines by their service date', () => {
    const fen = (yuan: unknown) => Math.round(Number(yuan) * 100);
    const shares = new Map<string, { total: number; drug: number; consumable: number }>();
    for (const c of sent)
      for (const l of c.lines) {
        if (cstMonth(parseInstant(l.serviceAt as string) as number) !== MONTH) continue;
        const s = shares.get(c.institutionId) ?? { total: 0, drug: 0, consumable: 0 };
        const category = categories.get(l.itemCode as string);
        s.total += fen(l.amount);
        if (category === 'drug') s.drug += fen(l.amount);
        if (category === 'consumable') s.consumable += fen(l.amount);
        shares.set(c.institutionId, s);
      }
    const rows = (area: string) => report.targets.rows.filter((t: any) => t.area === area).map((t: any) => [t.institutionId, fen(t.numerator), fen(t.denominator)]);
    const expected = (part: 'drug' | 'consumable') => [...shares].filter(([, s]) => s.total > 0).map(([id, s]) => [id, s[part], s.total]);
    const byId = (a: unknown[], b: unknown[]) => String(a[0]).localeCompare(String(b[0]));
    // both kinds billed somewhere, every institution with lines in the month ranked
    expect([...shares.values()].some((s) => s.drug > 0) && [...shares.values()].some((s) => s.consumable > 0)).toBe(true);
    expect(rows('drugShare').sort(byId)).toEqual(expected('drug').sort(byId));
    expect(rows('consumableShare').sort(byId)).toEqual(expected('consumable').sort(byId));
  });

  it('raise the flag line on request', async () => {
    const strict = await json(await svc.call(`/v1/reports/${MONTH}?flagPercentile=95&cutoff=${report.cutoff}`, { role: 'supervisor' }));
    expect(strict.targets.flagPercentile).toBe(95);
    expect(strict.targets.rows.filter((t: any) => t.flagged).every((t: any) => (t.peerPercentile ?? t.fundPercentile) >= 95)).toBe(true);
    expect(strict.targets.rows.filter((t: any) => t.flagged).length).toBeLessThan(report.targets.rows.filter((t: any) => t.flagged).length);
    const bad = await svc.call(`/v1/reports/${MONTH}?flagPercentile=20`, { role: 'supervisor' });
    expect(bad.status).toBe(400);
    expect((await json(bad)).error.details[0].path).toBe('flagPercentile');
  });
});
