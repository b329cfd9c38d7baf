import { formatFen } from '../lib/money.js';
import type { InspectionFindingRecord, InspectionsRepository } from './inspections.repository.js';

/** Findings in force: an entry that a later entry corrects is replaced by it. */
export function findingsInForce(findings: readonly InspectionFindingRecord[]): InspectionFindingRecord[] {
  const corrected = new Set(findings.map((f) => f.corrects).filter((c): c is number => c !== null));
  return findings.filter((f) => !corrected.has(f.id));
}

/**
 * The "one public" part: what was drawn, how, and what the inspections found, per institution.
 * No personal data: no inspector, no note (free text may name patients or staff), no person who
 * recorded or drew anything; only institutions, methods, families and amounts.
 */
export async function publicSummary(inspections: InspectionsRepository, drawId: string) {
  const draw = await inspections.draw(drawId);
  if (!draw) return undefined;
  const list = await inspections.inspectionsOf(drawId);
  const findings = findingsInForce(await inspections.findingsOf(list.map((i) => i.id)));
  const rows = list.map((i) => {
    const own = findings.filter((f) => f.inspectionId === i.id);
    const byFamily = new Map<string, { count: number; fen: number }>();
    for (const f of own) {
      const t = byFamily.get(f.family) ?? { count: 0, fen: 0 };
      byFamily.set(f.family, { count: t.count + 1, fen: t.fen + f.amountFen });
    }
    return {
      rank: i.rank,
      institutionId: i.institutionId,
      institutionName: i.institutionName ?? i.institutionId,
      status: i.outcome ? ('concluded' as const) : ('in-progress' as const),
      outcome: i.outcome,
      findings: [...byFamily].sort(([a], [b]) => (a < b ? -1 : 1)).map(([family, t]) => ({ family, count: t.count, amount: formatFen(t.fen) })),
      amount: formatFen(own.reduce((s, f) => s + f.amountFen, 0)),
    };
  });
  const totalFen = findings.reduce((s, f) => s + f.amountFen, 0);
  return {
    drawId: draw.id,
    title: draw.title,
    kind: draw.kind,
    quarter: draw.quarter,
    window: { from: draw.windowFrom, to: draw.windowTo },
    method: {
      selection: draw.weighting.method === 'risk' ? 'random, weighted by provider risk' : 'simple random sample',
      weighting: draw.weighting,
      poolSize: draw.pool.length,
      drawn: draw.count,
      inspectorsPerInstitution: 2,
      seed: draw.seed,
      resultHash: draw.resultHash,
    },
    drawnAt: draw.drawnAt,
    institutions: rows,
    totals: {
      inspected: rows.length,
      concluded: rows.filter((r) => r.status === 'concluded').length,
      withViolations: rows.filter((r) => r.outcome === 'violations-found').length,
      amount: formatFen(totalFen),
    },
  };
}
