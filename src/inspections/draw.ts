import { createHmac } from 'node:crypto';

/**
 * The "double random" draw, pure: institutions to inspect, and a pair of inspectors for each.
 *
 * Every random number is HMAC-SHA-256(seed, label) read as a uniform in (0, 1), where the label
 * names what is drawn ("institution:H320…", "inspector:H320…:Li Na"). So a draw depends only on
 * the seed, the pool and the weights — not on the order the pool was read in — and anyone holding
 * the recorded seed and pool re-derives it exactly.
 *
 * Institutions are drawn without replacement with probability proportional to weight
 * (Efraimidis & Spirakis 2006: the k largest keys u^(1/w), compared as ln(u)/w). Uniform weights
 * give a simple random sample.
 */
export interface PoolInstitution {
  institutionId: string;
  weight: number;
}

export interface DrawInput {
  seed: string;
  institutions: readonly PoolInstitution[];
  count: number;
  inspectors: readonly string[];
  /** Declared conflicts in force at the draw: the person recuses from the institution. */
  conflicts: readonly { personId: string; institutionId: string }[];
}

export interface DrawnInspection {
  rank: number;
  institutionId: string;
  weight: number;
  inspectors: [string, string];
}

export class DrawError extends Error {
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(message);
  }
}

export function uniform(seed: string, label: string): number {
  const digest = createHmac('sha256', seed).update(label).digest();
  // 53 bits, shifted off zero so ln(u) is finite
  const high = digest.readUInt32BE(0) >>> 5;
  const low = digest.readUInt32BE(4) >>> 6;
  return (high * 67108864 + low + 0.5) / 9007199254740992;
}

export function drawInspections(input: DrawInput): DrawnInspection[] {
  const { seed, institutions, count, inspectors, conflicts } = input;
  if (count > institutions.length) throw new DrawError(`asks for ${count} institutions; the pool holds ${institutions.length}`, 'count');
  const keyed = institutions
    .filter((i) => i.weight > 0)
    .map((i) => ({ ...i, key: Math.log(uniform(seed, `institution:${i.institutionId}`)) / i.weight }))
    .sort((a, b) => b.key - a.key || (a.institutionId < b.institutionId ? -1 : 1));
  if (count > keyed.length) throw new DrawError(`asks for ${count} institutions; only ${keyed.length} have a weight above 0`, 'count');

  const recused = new Set(conflicts.map((c) => `${c.personId}\u0000${c.institutionId}`));
  const load = new Map(inspectors.map((p) => [p, 0]));
  return keyed.slice(0, count).map((inst, index) => {
    const eligible = inspectors
      .filter((p) => !recused.has(`${p}\u0000${inst.institutionId}`))
      .map((p) => ({ p, load: load.get(p) ?? 0, key: uniform(seed, `inspector:${inst.institutionId}:${p}`) }))
      // the least-loaded first, so the work spreads evenly; among equals, chance decides
      .sort((a, b) => a.load - b.load || a.key - b.key);
    const [first, second] = eligible;
    if (!first || !second) throw new DrawError(`${inst.institutionId} has ${eligible.length} inspector(s) without a declared conflict; a pair is needed`, 'inspectors');
    for (const e of [first, second]) load.set(e.p, e.load + 1);
    return { rank: index + 1, institutionId: inst.institutionId, weight: inst.weight, inspectors: [first.p, second.p] };
  });
}

/** The special audit weeks: the last two weeks (14 days) of a quarter, yyyy-Qn. */
export function auditWeeks(quarter: string): { from: string; to: string } {
  const m = /^(\d{4})-Q([1-4])$/.exec(quarter);
  if (!m) throw new DrawError('must be a quarter yyyy-Qn', 'quarter');
  const year = Number(m[1]);
  const endMonth = Number(m[2]) * 3;
  const end = Date.UTC(year, endMonth, 0); // day 0 of the next month: the quarter's last day
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  return { from: day(end - 13 * 86_400_000), to: day(end) };
}
