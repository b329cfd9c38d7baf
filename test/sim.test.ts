import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildClaimSchema } from '../src/claims/claim.schema.js';
import { tenThousandthsFrom } from '../src/lib/money.js';
import { REFERENCE_KINDS } from '../src/reference/reference.schema.js';
import { ITEMS } from '../sim/catalogue.js';
import { simulate, type SimulatedClaim } from '../sim/simulation.js';
import { VARIANTS } from '../sim/variants.js';
import { loadReference } from '../scripts/sim/load-reference.js';
import { streamClaims } from '../scripts/sim/stream-claims.js';
import { Tally } from '../scripts/sim/tally.js';
import { json } from './support/http.js';
import { startTestService } from './support/service.js';
import { oracle, type RegisterEntry } from './support/sim-oracle.js';

const MONTH = { seed: 42, month: '2026-09', scale: 0.05 } as const;

function firstHash(seed: number, n: number) {
  const hash = createHash('sha256');
  let i = 0;
  for (const { claim, truth } of simulate({ ...MONTH, seed }).claims()) {
    hash.update(`${JSON.stringify(claim)}\n${JSON.stringify(truth)}\n`);
    if (++i === n) break;
  }
  return hash.digest('hex');
}

function registerOf(records: object[]) {
  return new Map((records as (RegisterEntry & { personId: string })[]).map(({ personId, ...entry }) => [personId, entry]));
}

function stockTotals(records: object[]) {
  return new Map(
    (records as { institutionId: string; itemCode: string; month: string; openingQuantity: string; purchasedQuantity: string }[]).map((r) => [
      `${r.institutionId}|${r.itemCode}|${r.month}`,
      (tenThousandthsFrom(r.openingQuantity) as number) + (tenThousandthsFrom(r.purchasedQuantity) as number),
    ]),
  );
}

/** each doctor's outpatients a day, as the doctors' register gives them */
function capacities(records: object[]) {
  return new Map((records as { doctorId: string; outpatientPerDay?: number }[]).flatMap((r) => (r.outpatientPerDay === undefined ? [] : [[r.doctorId, r.outpatientPerDay] as const])));
}

const kind = (batches: { kind: string; records: object[] }[], k: string) => batches.find((b) => b.kind === k)?.records ?? [];

describe('the simulator', () => {
  const sim = simulate(MONTH);
  const all: SimulatedClaim[] = [...sim.claims()];
  const claims = all.map((c) => c.claim);

  it('is deterministic: same seed and options, same claims and truth; another seed, others', () => {
    expect(firstHash(42, 500)).toBe(firstHash(42, 500));
    expect(firstHash(43, 500)).not.toBe(firstHash(42, 500));
    expect(JSON.stringify(simulate(MONTH).reference())).toBe(JSON.stringify(sim.reference()));
  });

  it('yields as many claims as it counts, each (institution, claim id) once, in arrival order', () => {
    expect(claims.length).toBe(sim.claimCount());
    expect(claims.length).toBeGreaterThan(2000);
    expect(new Set(claims.map((c) => `${c.institutionId}/${c.claimId}`)).size).toBe(claims.length);
    const arrivals = claims.map((c) => Date.parse(c.settledAt));
    expect(arrivals.every((t, i) => i === 0 || t >= (arrivals[i - 1] as number))).toBe(true);
  });

  it('builds institutions of every type and level, a catalogue of real and invented codes, valid reference records', () => {
    const kinds = new Set(sim.institutions.map((i) => `${i.type}/${i.level}`));
    for (const k of ['hospital/tertiary', 'hospital/secondary', 'hospital/primary', 'clinic/primary', 'pharmacy/none']) expect(kinds).toContain(k);
    expect(ITEMS.length).toBeGreaterThanOrEqual(40);
    expect(ITEMS.filter((i) => i.source === 'list').length).toBeGreaterThanOrEqual(30);
    for (const { kind, records } of sim.reference()) {
      expect(records.length).toBeGreaterThan(0);
      for (const r of records) expect(REFERENCE_KINDS[kind].safeParse(r).success, `${kind} ${JSON.stringify(r)}`).toBe(true);
    }
  });

  it('writes every claim to the claim contract', () => {
    const schema = buildClaimSchema({ maxLines: 1000 });
    const failures = claims.map((c) => schema.safeParse(c)).filter((r) => !r.success);
    expect(failures.map((f) => f.error?.issues[0])).toEqual([]);
  });

  it('draws realistic shares: many outpatient and pharmacy claims, fewer stays of lognormal length, some late', () => {
    const count = (type: string) => claims.filter((c) => c.visitType === type).length;
    expect(count('outpatient')).toBeGreaterThan(count('inpatient') * 2);
    expect(count('pharmacy')).toBeGreaterThan(count('inpatient'));
    const nights = claims
      .filter((c) => c.visitType === 'inpatient')
      .map((c) => Math.round((Date.parse(c.dischargedAt as string) - Date.parse(c.admittedAt as string)) / 86_400_000))
      .sort((a, b) => a - b);
    const median = nights[Math.floor(nights.length / 2)] as number;
    expect(median).toBeGreaterThanOrEqual(5);
    expect(median).toBeLessThanOrEqual(10);
    const late = claims.filter((c) => Date.parse(c.settledAt) - Date.parse(c.dischargedAt ?? (c.visitAt as string)) > 86_400_000).length;
    expect(late / claims.length).toBeGreaterThan(0.01);
    expect(late / claims.length).toBeLessThan(0.06);
  });

  it('injects every variant of every family at least once, labelling lines and claims that exist', () => {
    const keys = new Set(claims.map((c) => `${c.institutionId}/${c.claimId}`));
    const labels = all.flatMap(({ claim, truth }) => truth.map((t) => ({ claim, t })));
    expect([...new Set(labels.map(({ t }) => t.variant))].sort()).toEqual(VARIANTS.map((v) => v.variant).sort());
    for (const { claim, t } of labels) {
      const ids = new Set(claim.lines.map((l) => l.lineId));
      expect(t.claim).toEqual({ institutionId: claim.institutionId, claimId: claim.claimId });
      expect(t.lines.length).toBeGreaterThan(0);
      expect(
        [...t.lines, ...t.involvedLines].every((id) => ids.has(id)),
        JSON.stringify(t),
      ).toBe(true);
      for (const other of t.otherClaims) expect(keys.has(`${other.institutionId}/${other.claimId}`)).toBe(true);
    }
    expect(sim.institutionTruth().filter((i) => i.fraudulent).length).toBeGreaterThan(0);
  });

  it('labels exactly what an independent reading of the claims finds there', () => {
    const ref = sim.reference();
    const found = oracle(claims, sim.institutions, stockTotals(kind(ref, 'stock-records')), registerOf(kind(ref, 'person-register')), capacities(kind(ref, 'doctors')));
    const foundKeys = new Set(found.map((h) => `${h.claimId}|${h.variant}`));
    const missing = all.flatMap(({ claim, truth }) =>
      truth.filter((t) => ![t.claim, ...t.otherClaims].some((c) => foundKeys.has(`${c.claimId}|${t.variant}`))).map((t) => `${claim.claimId} ${t.variant}`),
    );
    expect(missing).toEqual([]);
    // The other way round: nothing found that was not injected, except what a resubmitted copy
    // necessarily also is (every line repeated; for a stay, a second stay over the same nights).
    const labelled = new Set(all.flatMap(({ truth }) => truth.flatMap((t) => [t.claim, ...t.otherClaims].map((c) => `${c.claimId}|${t.variant}`))));
    const copies = new Set(all.filter(({ truth }) => truth.some((t) => t.variant === 'resubmitted')).map(({ claim }) => claim.claimId));
    // A stay of an admission cluster is also, alone, a low-standard admission: the simulator labels
    // it of that family (induced-admission) under the cluster's variant.
    const induced = new Set(all.filter(({ truth }) => truth.some((t) => t.family === 'induced-admission')).map(({ claim }) => claim.claimId));
    const unexplained = found.filter(
      (h) =>
        !labelled.has(`${h.claimId}|${h.variant}`) && !(copies.has(h.claimId) && ['same-line', 'overlap'].includes(h.variant)) && !(induced.has(h.claimId) && h.variant === 'low-standard-admission'),
    );
    expect(unexplained).toEqual([]);
  });

  it('with clean, injects nothing: no labels, no fraudulent institution, nothing an independent reading finds', () => {
    const clean = simulate({ ...MONTH, clean: true });
    const cleanAll = [...clean.claims()];
    expect(cleanAll.length).toBeGreaterThan(2000);
    expect(cleanAll.filter((c) => c.truth.length > 0)).toEqual([]);
    expect(clean.institutionTruth().filter((i) => i.fraudulent)).toEqual([]);
    expect(clean.institutions.filter((i) => i.suspended)).toEqual([]);
    const ref = clean.reference();
    const hits = oracle(
      cleanAll.map((c) => c.claim),
      clean.institutions,
      stockTotals(kind(ref, 'stock-records')),
      registerOf(kind(ref, 'person-register')),
      capacities(kind(ref, 'doctors')),
    );
    expect(hits).toEqual([]);
  });
});

describe('a simulated month through the service', () => {
  it('loads the reference data by API and streams every claim, each answered 200', async () => {
    const svc = await startTestService();
    try {
      const small = simulate({ seed: 5, month: '2026-09', scale: 0.02 });
      const loaded = await loadReference(small.reference(), svc.url, svc.keys.admin);
      expect(loaded.map((k) => k.kind)).toEqual([
        'institutions',
        'catalogue-items',
        'item-relations',
        'stock-records',
        'person-register',
        'item-indications',
        'exam-recognition',
        'service-scopes',
        'doctors',
      ]);
      const stored = await json(await svc.call('/v1/reference/catalogue-items?limit=1', { role: 'admin' }));
      expect(stored.total).toBe(ITEMS.length);

      const tally = new Tally();
      const { sent, answered } = await streamClaims(small.claims(), { url: svc.url, key: svc.keys.settlement, onAnswer: (a, c) => tally.add(a, c) });
      expect(sent).toBe(small.claimCount());
      expect(answered).toBe(sent);
      expect([...tally.byStatus]).toEqual([[200, sent]]);
      const rows = await svc.deps.database.query<{ n: number }>('select count(*)::int as n from claims');
      expect(rows[0]?.n).toBe(sent);
      // The ceiling rule is the simplest of all: every claim priced above it must be caught.
      const price = tally.injected.get('price');
      expect(price?.claims).toBeGreaterThan(0);
      expect(price?.found).toBe(price?.claims);
    } finally {
      await svc.close();
    }
  });
});
