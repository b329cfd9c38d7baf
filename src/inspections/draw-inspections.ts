import { randomBytes, randomUUID } from 'node:crypto';
import { ConflictError, ValidationError } from '../errors.js';
import { canonicalJson, sha256 } from '../lib/hash.js';
import { auditWeeks, DrawError, drawInspections, type DrawnInspection, type PoolInstitution } from './draw.js';
import type { DrawRecord, InspectionsRepository } from './inspections.repository.js';
import type { InspectorRoster } from './people.js';
import type { ConflictSource } from './recusal.js';
import type { RiskSource } from './risk.js';
import { maskPersonalData } from '../lib/personal-data.js';

export interface InspectionCtx {
  inspections: InspectionsRepository;
  conflicts: ConflictSource;
  risk: RiskSource;
  roster: InspectorRoster;
}

export interface DrawRequest {
  kind: 'audit-weeks' | 'double-random';
  title?: string | undefined;
  quarter?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  count: number;
  weighting: 'uniform' | 'risk';
  riskMonth?: string | undefined;
  filter?: { type?: string | undefined; level?: string | undefined; area?: string | undefined } | undefined;
  inspectors?: string[] | undefined;
  seed?: string | undefined;
}

const resultHash = (drawn: DrawnInspection[]) => sha256(canonicalJson(drawn));

/** The month before a date: the latest month the provider model can have scored by then. */
function monthBefore(date: string): string {
  const [y, m] = date.split('-').map(Number) as [number, number];
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}

function redraw(record: Pick<DrawRecord, 'seed' | 'pool' | 'count' | 'inspectorPool' | 'conflicts'>) {
  return drawInspections({ seed: record.seed, institutions: record.pool, count: record.count, inspectors: record.inspectorPool, conflicts: record.conflicts });
}

/** Draws institutions and inspector pairs, and records the draw with everything needed to re-derive it. */
export async function drawInspectionRound({ ctx, actor, input }: { ctx: InspectionCtx; actor: string; input: DrawRequest }) {
  let window: { from: string; to: string };
  try {
    window = input.kind === 'audit-weeks' ? auditWeeks(input.quarter ?? '') : { from: input.from!, to: input.to! };
  } catch (err) {
    if (err instanceof DrawError) throw new ValidationError([{ path: err.path, message: err.message }]);
    throw err;
  }
  const designated = await ctx.inspections.designatedOn(window.from, input.filter ?? {});
  if (designated.length === 0) throw new ConflictError(`No institution is designated on ${window.from} in the pool asked for`);

  let weighting: DrawRecord['weighting'] = { method: 'uniform', formula: 'every designated institution weighs 1' };
  let pool: PoolInstitution[] = designated.map((d) => ({ institutionId: d.institutionId, weight: 1 }));
  if (input.weighting === 'risk') {
    const month = input.riskMonth ?? monthBefore(window.from);
    const risk = await ctx.risk(
      month,
      designated.map((d) => d.institutionId),
    );
    if (!risk) throw new ConflictError(`No provider-model scores for ${month}: a risk-weighted draw needs them (draw with weighting "uniform", or score the month first)`);
    weighting = { method: 'risk', month, basis: risk.basis, formula: risk.formula };
    pool = designated.map((d) => ({ institutionId: d.institutionId, weight: risk.weights.get(d.institutionId) ?? 1 }));
  }

  const roster = await ctx.roster();
  const inspectors = [...new Set(input.inspectors ?? roster)].sort();
  const unknown = inspectors.filter((p) => !roster.includes(p));
  if (unknown.length > 0) throw new ValidationError(unknown.map((p) => ({ path: `inspectors[${(input.inspectors ?? []).indexOf(p)}]`, message: `${p} holds no active auditor or supervisor key` })));
  const conflicts = await ctx.conflicts(
    inspectors,
    pool.map((p) => p.institutionId),
  );
  const record = {
    id: randomUUID(),
    kind: input.kind,
    title: input.title !== undefined ? maskPersonalData(input.title) : input.kind === 'audit-weeks' ? `专项检查 ${input.quarter}` : `双随机抽查 ${window.from}`,
    quarter: input.kind === 'audit-weeks' ? input.quarter! : null,
    windowFrom: window.from,
    windowTo: window.to,
    seed: input.seed ?? randomBytes(24).toString('base64url'),
    weighting,
    pool,
    inspectorPool: inspectors,
    conflicts,
    count: input.count,
    drawnBy: actor,
  };
  let drawn: DrawnInspection[];
  try {
    drawn = redraw(record);
  } catch (err) {
    if (err instanceof DrawError) {
      if (err.path === 'count') throw new ValidationError([{ path: 'count', message: err.message }]);
      throw new ConflictError(err.message);
    }
    throw err;
  }
  await ctx.inspections.insertDraw({ ...record, resultHash: resultHash(drawn) }, drawn);
  return record.id;
}

/** Re-derives a recorded draw from its seed, pool and conflicts, and compares it with what was stored. */
export async function verifyDraw(ctx: InspectionCtx, id: string) {
  const draw = await ctx.inspections.draw(id);
  if (!draw) return undefined;
  const stored = await ctx.inspections.inspectionsOf(id);
  const again = redraw(draw);
  const storedShape = stored.map((s) => ({ rank: s.rank, institutionId: s.institutionId, inspectors: s.inspectors }));
  const againShape = again.map((s) => ({ rank: s.rank, institutionId: s.institutionId, inspectors: s.inspectors }));
  const matches = canonicalJson(storedShape) === canonicalJson(againShape) && resultHash(again) === draw.resultHash;
  return { drawId: id, seed: draw.seed, matches, resultHash: draw.resultHash, rederivedHash: resultHash(again), rederived: againShape };
}
