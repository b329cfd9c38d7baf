import { cstDate, parseInstant } from '../../src/lib/time.js';
import type { WireClaim } from '../../sim/wire.js';

/**
 * The oracle's reading of the institution-wide patterns (sim-oracle.ts), from their definitions
 * and the claims alone: many persons' cards swiped for one basket within minutes at one pharmacy
 * (card-burst); a doctor billed for more outpatients in a day than the register lets the doctor
 * see, the visits past the capacity in the order they were settled (doctor-overload); and short
 * stays for what a clinic treats admitted in numbers at one institution within days
 * (admission-cluster); and more stays at midnight than the beds hold (ghost-stays).
 */
const at = (s: string) => parseInstant(s) as number;
const dayOf = (ms: number) => Date.parse(`${cstDate(ms)}T00:00:00Z`) / 86_400_000;
const BURST_CARDS = 5;
const BURST_WINDOW = 10 * 60_000;
const CLUSTER_STAYS = 5;
const CLUSTER_DAYS = 5;

type Hit = (c: WireClaim, v: string) => void;

export function institutionPatterns(
  claims: readonly WireClaim[],
  doctorCapacity: ReadonlyMap<string, number>,
  lowStandard: (c: WireClaim) => boolean,
  hit: Hit,
  beds: ReadonlyMap<string, number> = new Map(),
) {
  cardBursts(claims, hit);
  doctorOverload(claims, doctorCapacity, hit);
  admissionClusters(claims, lowStandard, hit);
  bedCensus(claims, beds, hit);
}

/**
 * stays, in arrival order, there at midnight after their admission day with more of the
 * institution's stays received before them there too than its beds and half again (at least 3
 * more) hold: the stays past the beds (ghost-stays)
 */
function bedCensus(claims: readonly WireClaim[], beds: ReadonlyMap<string, number>, hit: Hit) {
  const seen = new Map<string, { from: number; to: number }[]>();
  for (const c of claims) {
    const n = beds.get(c.institutionId) ?? 0;
    if (c.visitType !== 'inpatient' || n <= 0) continue;
    const from = at(c.admittedAt as string);
    const to = at(c.dischargedAt as string);
    const midnight = (dayOf(from) + 1) * 86_400_000 - 8 * 3_600_000;
    const there = seen.get(c.institutionId) ?? [];
    seen.set(c.institutionId, [...there, { from, to }]);
    if (to < midnight) continue;
    const census = 1 + there.filter((s) => s.from < midnight && s.to >= midnight).length;
    if (census > n + Math.max(Math.ceil(n / 2), 3)) hit(c, 'ghost-stays');
  }
}

/** five or more persons' pharmacy claims at one institution within ten minutes, each for the same set of two or more items */
function cardBursts(claims: readonly WireClaim[], hit: Hit) {
  const groups = new Map<string, WireClaim[]>();
  for (const c of claims) {
    if (c.visitType !== 'pharmacy') continue;
    const basket = [...new Set(c.lines.map((l) => l.itemCode))].sort();
    if (basket.length < 2) continue;
    const key = `${c.institutionId}|${basket.join(',')}`;
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  for (const list of groups.values()) {
    list.sort((a, b) => at(a.visitAt as string) - at(b.visitAt as string));
    const flagged = new Set<WireClaim>();
    for (let i = 0; i < list.length; i++) {
      const start = at(list[i]!.visitAt as string);
      const window = list.slice(i).filter((c) => at(c.visitAt as string) - start <= BURST_WINDOW);
      if (new Set(window.map((c) => c.insured.id)).size >= BURST_CARDS) window.forEach((c) => flagged.add(c));
    }
    for (const c of flagged) hit(c, 'card-burst');
  }
}

/** a doctor's outpatient claims (the doctor the first line names) of one day, in settlement order, past the doctor's capacity */
function doctorOverload(claims: readonly WireClaim[], capacity: ReadonlyMap<string, number>, hit: Hit) {
  const seen = new Map<string, number>();
  const settled = claims.filter((c) => c.visitType === 'outpatient').sort((a, b) => at(a.settledAt) - at(b.settledAt));
  for (const c of settled) {
    const doctor = c.lines[0]?.doctorId;
    const limit = doctor === undefined ? undefined : capacity.get(doctor);
    if (limit === undefined) continue;
    const key = `${doctor}|${cstDate(at(c.visitAt as string))}`;
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    if (n > limit) hit(c, 'doctor-overload');
  }
}

/** five or more persons' low-standard stays at one institution admitted within five days of one another: each of them */
function admissionClusters(claims: readonly WireClaim[], lowStandard: (c: WireClaim) => boolean, hit: Hit) {
  const byInst = new Map<string, WireClaim[]>();
  for (const c of claims) if (c.visitType === 'inpatient' && lowStandard(c)) byInst.set(c.institutionId, [...(byInst.get(c.institutionId) ?? []), c]);
  for (const list of byInst.values()) {
    list.sort((a, b) => at(a.admittedAt as string) - at(b.admittedAt as string));
    const flagged = new Set<WireClaim>();
    for (let i = 0; i < list.length; i++) {
      const first = dayOf(at(list[i]!.admittedAt as string));
      const window = list.slice(i).filter((c) => dayOf(at(c.admittedAt as string)) - first <= CLUSTER_DAYS);
      if (new Set(window.map((c) => c.insured.id)).size >= CLUSTER_STAYS) window.forEach((c) => flagged.add(c));
    }
    for (const c of flagged) hit(c, 'admission-cluster');
  }
}
