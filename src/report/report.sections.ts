import type { InstitutionName } from './report.build.js';
import type { ReportPeriod } from './period.js';
import type { Report } from './report.types.js';
import type { Query } from './snapshot.js';

export interface SectionContext {
  query: Query;
  period: ReportPeriod;
  /** ISO instant of the cut-off */
  cutoff: string;
  names: Map<string, InstitutionName>;
}

export async function tablesExist(query: Query, tables: string[]): Promise<boolean> {
  const rows = await query<{ n: number }>(`select count(*)::int as n from unnest($1::text[]) as t(name) where to_regclass('public.' || t.name) is not null`, [`{${tables.join(',')}}`]);
  return rows[0]?.n === tables.length;
}

/** The provider model's scores, peer ranks and reasons (issue 4). */
export async function modelSection(_ctx: SectionContext): Promise<Report['model']> {
  return {
    available: false,
    note: 'Not available: the provider model (issue 4) stores no scores in this database yet, so no score, peer rank or reason is reported.',
    version: null,
    scores: [],
  };
}

/** The review queue's cases, conclusions, random re-check sample and per-rule precision (issue 5). */
export async function reviewSection(_ctx: SectionContext): Promise<Report['review']> {
  return {
    available: false,
    note: 'Not available: the review queue (issue 5) stores no cases in this database yet, so no cases, conclusions, re-check compliance, backlog, precision or missed-violation estimate is reported.',
    recheck: [],
    recheckShortfalls: [],
    backlog: null,
    precision: [],
    missed: null,
  };
}
