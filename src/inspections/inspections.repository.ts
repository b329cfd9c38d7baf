import { randomUUID } from 'node:crypto';
import type { Database } from '../db/client.js';
import { inspectionDraws, inspections } from '../db/schema.js';
import type { Conflict } from './recusal.js';
import type { DrawnInspection, PoolInstitution } from './draw.js';
import { maskPersonalData } from '../lib/personal-data.js';

export interface DrawRecord {
  id: string;
  kind: 'audit-weeks' | 'double-random';
  title: string;
  quarter: string | null;
  windowFrom: string;
  windowTo: string;
  seed: string;
  weighting: { method: 'uniform' | 'risk'; basis?: string; formula?: string; month?: string };
  pool: PoolInstitution[];
  inspectorPool: string[];
  conflicts: Conflict[];
  count: number;
  resultHash: string;
  drawnBy: string;
  drawnAt: string;
}

export interface InspectionRecord {
  id: string;
  drawId: string;
  rank: number;
  institutionId: string;
  institutionName: string | null;
  inspectors: [string, string];
  outcome: 'violations-found' | 'no-violation' | null;
  concludedBy: string | null;
  concludedAt: string | null;
}

export interface InspectionFindingRecord {
  id: number;
  inspectionId: string;
  family: string;
  amountFen: number;
  note: string;
  corrects: number | null;
  recordedBy: string;
  recordedAt: string;
}

const json = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;
const fen = (v: unknown) => Math.round(Number(v) * 100);
const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : new Date(String(v)).toISOString());

export function createInspectionsRepository({ database }: { database: Database }) {
  const { db } = database;

  function toInspection(r: Record<string, unknown>): InspectionRecord {
    return {
      id: String(r.id),
      drawId: String(r.draw_id),
      rank: Number(r.rank),
      institutionId: String(r.institution_id),
      institutionName: (r.name as string | null) ?? null,
      inspectors: json<[string, string]>(r.inspectors),
      outcome: (r.outcome as InspectionRecord['outcome']) ?? null,
      concludedBy: (r.concluded_by as string | null) ?? null,
      concludedAt: r.concluded_at ? iso(r.concluded_at) : null,
    };
  }

  const INSPECTION_SELECT = `select i.*, (select name from institutions n where n.institution_id = i.institution_id order by valid_from desc limit 1) as name
    from inspections i`;

  return {
    /** Institutions designated on `date` (the version valid on that date), optionally of one type, level or area. */
    async designatedOn(date: string, filter: { type?: string; level?: string; area?: string }): Promise<{ institutionId: string; name: string }[]> {
      const rows = await database.query<{ institution_id: string; name: string }>(
        `select institution_id, name from institutions
         where valid_from <= $1::date and (valid_to is null or valid_to >= $1::date)
           and designated_from <= $1::date and (designated_to is null or designated_to >= $1::date)
           and ($2::text is null or type = $2) and ($3::text is null or level = $3) and ($4::text is null or area = $4)
         order by institution_id`,
        [date, filter.type ?? null, filter.level ?? null, filter.area ?? null],
      );
      return rows.map((r) => ({ institutionId: r.institution_id, name: r.name }));
    },

    async insertDraw(draw: Omit<DrawRecord, 'drawnAt'>, drawn: DrawnInspection[]): Promise<void> {
      await db.transaction(async (tx) => {
        await tx.insert(inspectionDraws).values({
          id: draw.id,
          kind: draw.kind,
          title: draw.title,
          quarter: draw.quarter,
          windowFrom: draw.windowFrom,
          windowTo: draw.windowTo,
          seed: draw.seed,
          weighting: draw.weighting,
          pool: draw.pool,
          inspectorPool: draw.inspectorPool,
          conflicts: draw.conflicts,
          count: draw.count,
          resultHash: draw.resultHash,
          drawnBy: draw.drawnBy,
        });
        if (drawn.length > 0) await tx.insert(inspections).values(drawn.map((d) => ({ id: randomUUID(), drawId: draw.id, rank: d.rank, institutionId: d.institutionId, inspectors: d.inspectors })));
      });
    },

    async draw(id: string): Promise<DrawRecord | undefined> {
      const [r] = await database.query('select *, window_from::text as window_from, window_to::text as window_to from inspection_draws where id = $1', [id]);
      if (!r) return undefined;
      return {
        id: String(r.id),
        kind: r.kind as DrawRecord['kind'],
        title: String(r.title),
        quarter: (r.quarter as string | null) ?? null,
        windowFrom: String(r.window_from).slice(0, 10),
        windowTo: String(r.window_to).slice(0, 10),
        seed: String(r.seed),
        weighting: json(r.weighting),
        pool: json(r.pool),
        inspectorPool: json(r.inspector_pool),
        conflicts: json(r.conflicts),
        count: Number(r.count),
        resultHash: String(r.result_hash),
        drawnBy: String(r.drawn_by),
        drawnAt: iso(r.drawn_at),
      };
    },

    async listDraws(limit: number, offset: number) {
      const rows = await database.query(
        `select id, kind, title, quarter, window_from::text, window_to::text, count, drawn_by, drawn_at from inspection_draws
         order by drawn_at desc, id limit $1 offset $2`,
        [limit, offset],
      );
      return rows.map((r) => ({
        id: String(r.id),
        kind: r.kind as DrawRecord['kind'],
        title: String(r.title),
        quarter: (r.quarter as string | null) ?? null,
        windowFrom: String(r.window_from),
        windowTo: String(r.window_to),
        count: Number(r.count),
        drawnBy: String(r.drawn_by),
        drawnAt: iso(r.drawn_at),
      }));
    },

    async inspectionsOf(drawId: string): Promise<InspectionRecord[]> {
      const rows = await database.query(`${INSPECTION_SELECT} where i.draw_id = $1 order by i.rank`, [drawId]);
      return rows.map(toInspection);
    },

    async inspection(id: string): Promise<InspectionRecord | undefined> {
      const [r] = await database.query(`${INSPECTION_SELECT} where i.id = $1`, [id]);
      return r ? toInspection(r) : undefined;
    },

    async findingsOf(inspectionIds: readonly string[]): Promise<InspectionFindingRecord[]> {
      if (inspectionIds.length === 0) return [];
      const rows = await database.query('select * from inspection_findings where inspection_id = any($1::uuid[]) order by id', [inspectionIds]);
      return rows.map((r) => ({
        id: Number(r.id),
        inspectionId: String(r.inspection_id),
        family: String(r.family),
        amountFen: fen(r.amount),
        note: String(r.note),
        corrects: r.corrects === null ? null : Number(r.corrects),
        recordedBy: String(r.recorded_by),
        recordedAt: iso(r.recorded_at),
      }));
    },

    async addFinding(f: { inspectionId: string; family: string; amount: string; note: string; corrects: number | null; recordedBy: string }): Promise<number> {
      const [r] = await database.query<{ id: string }>(
        `insert into inspection_findings (inspection_id, family, amount, note, corrects, recorded_by)
         values ($1, $2, $3::numeric, $4, $5, $6) returning id`,
        [f.inspectionId, f.family, f.amount, maskPersonalData(f.note), f.corrects, f.recordedBy],
      );
      return Number(r!.id);
    },

    /** Concludes once: the conditional update returns nothing when the inspection was already concluded. */
    async conclude(id: string, outcome: 'violations-found' | 'no-violation', by: string): Promise<boolean> {
      const rows = await database.query(`update inspections set outcome = $2, concluded_by = $3, concluded_at = now() where id = $1 and outcome is null returning id`, [id, outcome, by]);
      return rows.length > 0;
    },
  };
}

export type InspectionsRepository = ReturnType<typeof createInspectionsRepository>;
