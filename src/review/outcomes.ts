import type { Database } from '../db/client.js';

/** Wilson score interval for x successes in n trials (95% by default). */
export function wilson(x: number, n: number, z = 1.959964): { estimate: number; low: number; high: number } | null {
  if (n === 0) return null;
  const p = x / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  return { estimate: p, low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/**
 * What review taught: outcomes count only final cases (a second reviewer agreed). Per rule,
 * precision = confirmed ÷ concluded; per reason kind, the same and the amount refused (never more
 * than the claim's payable amount: what the intake withheld is not refused twice); from the
 * random sample, the share of sampled claims with a confirmed violation that no rule and no model
 * flagged (no finding at all on the claim), with its 95% Wilson interval.
 */
export async function reviewOutcomes(database: Database) {
  const [rules, kinds, sample, status] = await Promise.all([
    database.query<{ rule_id: string; family: string; concluded: number; confirmed: number }>(
      `select r.rule_id, min(r.family) as family, count(distinct c.id)::int as concluded,
              count(distinct c.id) filter (where c.final_outcome = 'confirmed')::int as confirmed
       from review_reasons r join review_cases c on c.id = r.case_id
       where c.status = 'closed' and r.rule_id is not null group by r.rule_id order by r.rule_id`,
    ),
    database.query<{ kind: string; concluded: number; confirmed: number; refused: string }>(
      `select k.kind, count(*)::int as concluded, count(*) filter (where c.final_outcome = 'confirmed')::int as confirmed,
              coalesce(sum(least(fc.amount_refused, cl.payable_amount)) filter (where c.final_outcome = 'confirmed'), 0)::text as refused
       from review_cases c cross join lateral unnest(c.reason_kinds) as k(kind)
       join claims cl on cl.id = c.claim_id and cl.person_hash = c.person_hash and cl.service_month = c.service_month
       left join lateral (select amount_refused from review_conclusions where case_id = c.id order by id desc limit 1) fc on true
       where c.status = 'closed' group by k.kind order by k.kind`,
    ),
    database.query<{ n: number; x: number; flagged_confirmed: number }>(
      `select count(*)::int as n,
              count(*) filter (where c.final_outcome = 'confirmed' and not exists (select 1 from findings f where f.claim_id = c.claim_id))::int as x,
              count(*) filter (where c.final_outcome = 'confirmed' and exists (select 1 from findings f where f.claim_id = c.claim_id))::int as flagged_confirmed
       from review_cases c where c.status = 'closed' and 'sample' = any(c.reason_kinds)`,
    ),
    database.query<{ status: string; n: number }>('select status, count(*)::int as n from review_cases group by status'),
  ]);
  const s = sample[0] ?? { n: 0, x: 0, flagged_confirmed: 0 };
  return {
    rules: rules.map((r) => ({
      ruleId: r.rule_id,
      family: r.family,
      concluded: Number(r.concluded),
      confirmed: Number(r.confirmed),
      precision: Number(r.concluded) > 0 ? Number(r.confirmed) / Number(r.concluded) : null,
    })),
    reasons: kinds.map((k) => ({
      kind: k.kind,
      concluded: Number(k.concluded),
      confirmed: Number(k.confirmed),
      dismissed: Number(k.concluded) - Number(k.confirmed),
      precision: Number(k.concluded) > 0 ? Number(k.confirmed) / Number(k.concluded) : null,
      amountRefused: Number(k.refused).toFixed(2),
    })),
    sample: {
      concluded: Number(s.n),
      confirmedUnflagged: Number(s.x),
      confirmedFlagged: Number(s.flagged_confirmed),
      unflaggedViolationShare: wilson(Number(s.x), Number(s.n)),
    },
    cases: Object.fromEntries(status.map((r) => [r.status, Number(r.n)])) as Record<string, number>,
  };
}
