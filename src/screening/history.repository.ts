import type { Claim, ClaimLine } from '../../rules/claim.js';
import type { History } from '../../rules/engine.js';
import type { PersonVersion, StockRef } from '../../rules/reference.js';
import type { Database } from '../db/client.js';
import { createBatcher } from '../lib/batcher.js';
import { fenFrom, milliFrom } from '../lib/money.js';
import { cstMonth } from '../lib/time.js';

const DAY = 86_400_000;

// One round trip assembles everything rules may look at: the person's claims around this one
// (with lines), the person's register entry (by the primary key), and the stock records of the claim's items with what the institution billed of
// each earlier in the month. Bounded: at most 200 claims of a person, one row per stocked item.
// The month's billed quantity is a running total (institution_item_months, kept by triggers on
// claim_lines in the statement that stores the lines, migrations/0013_item_month_totals.sql), so
// the read costs the same on the month's first day and its last: summing the institution's lines
// instead cost ~38 ms of PostgreSQL CPU a claim at a large pharmacy's month end (issue 21,
// bench/README.md "bench:growth"). Only items with a stock record are read, the only ones the
// stock rule judges, and those of the cheap look-alikes the claim's items list (catalogue
// restrictions.lookAlikeOf) with what the institution billed of them, for SUB-LOOKALIKE-PURCHASE.
// A claim's lines are read by the claim's whole key (id, person, month), so with claims
// partitioned by month and distributed by person the read stays in one partition on one shard.
const HISTORY = `
select
  (select coalesce(json_agg(p order by p.started_at), '[]') from (
     select c.institution_id, c.claim_no, c.visit_type, c.started_at, c.ended_at, c.main_diagnosis, c.settled_at,
            c.body->'diagnoses' as diagnoses,
            (select json_agg(json_build_array(l.line_no, l.line_id, l.item_code, l.hospital_item_name, l.category,
                     (extract(epoch from l.service_at) * 1000)::bigint, l.service_date::text, l.quantity::text,
                     l.unit_price::text, l.amount::text) order by l.line_no)
               from claim_lines l where l.claim_id = c.id and l.person_hash = c.person_hash and l.service_month = c.service_month) as lines
     from claims c
     where c.person_hash = $1 and c.started_at >= $2::timestamptz and c.started_at <= $3::timestamptz
       and c.ended_at >= $4::timestamptz and not (c.institution_id = $5 and c.claim_no = $6)
     order by c.started_at limit 200) p) as person,
  (select coalesce(json_agg(json_build_array(s.item_code, s.opening_quantity::text, s.purchased_quantity::text, t.quantity::text, s.purchase_price::text)), '[]')
     from stock_records s left join institution_item_months t
       on t.institution_id = s.institution_id and t.item_code = s.item_code and t.month = s.month
     where s.institution_id = $5 and s.month = $8 and s.item_code = any($7::text[] || array(
       select jsonb_array_elements_text(ci.restrictions->'lookAlikeOf') from catalogue_items ci
       where ci.item_code = any($7::text[]) and jsonb_typeof(ci.restrictions->'lookAlikeOf') = 'array'))) as stock,
  (select version from person_versions where person_hash = $1) as person_version,
  (select coalesce(json_agg(json_build_array(r.valid_from::text, r.valid_to::text, r.enrolled_from::text, r.enrolled_to::text, r.death_date::text)), '[]')
     from person_register r where r.person_hash = $1) as register,
  (select coalesce(json_agg(json_build_array(s.item_code, s.purchase_price::text)), '[]')
     from stock_records s
     where s.institution_id = $5 and s.month = $9 and s.month <> $8 and s.purchase_price is not null and s.item_code = any($7::text[])) as prices`;

// The same for several claims in one statement (claims of different people screened at the same
// time; one person's claims are screened one after another). Each claim's parameters are one
// record of $1; each answer row carries the claim's position.
const HISTORY_MANY = `
select q.ord,
  (select coalesce(json_agg(p order by p.started_at), '[]') from (
     select c.institution_id, c.claim_no, c.visit_type, c.started_at, c.ended_at, c.main_diagnosis, c.settled_at,
            c.body->'diagnoses' as diagnoses,
            (select json_agg(json_build_array(l.line_no, l.line_id, l.item_code, l.hospital_item_name, l.category,
                     (extract(epoch from l.service_at) * 1000)::bigint, l.service_date::text, l.quantity::text,
                     l.unit_price::text, l.amount::text) order by l.line_no)
               from claim_lines l where l.claim_id = c.id and l.person_hash = c.person_hash and l.service_month = c.service_month) as lines
     from claims c
     where c.person_hash = q.person and c.started_at >= q.lo and c.started_at <= q.hi
       and c.ended_at >= q.endlo and not (c.institution_id = q.inst and c.claim_no = q.cno)
     order by c.started_at limit 200) p) as person,
  (select coalesce(json_agg(json_build_array(s.item_code, s.opening_quantity::text, s.purchased_quantity::text, t.quantity::text, s.purchase_price::text)), '[]')
     from stock_records s left join institution_item_months t
       on t.institution_id = s.institution_id and t.item_code = s.item_code and t.month = s.month
     where s.institution_id = q.inst and s.month = q.month and s.item_code = any(q.codes || array(
       select jsonb_array_elements_text(ci.restrictions->'lookAlikeOf') from catalogue_items ci
       where ci.item_code = any(q.codes) and jsonb_typeof(ci.restrictions->'lookAlikeOf') = 'array'))) as stock,
  (select version from person_versions where person_hash = q.person) as person_version,
  (select coalesce(json_agg(json_build_array(r.valid_from::text, r.valid_to::text, r.enrolled_from::text, r.enrolled_to::text, r.death_date::text)), '[]')
     from person_register r where r.person_hash = q.person) as register,
  (select coalesce(json_agg(json_build_array(s.item_code, s.purchase_price::text)), '[]')
     from stock_records s
     where s.institution_id = q.inst and s.month = q.endmonth and s.month <> q.month and s.purchase_price is not null and s.item_code = any(q.codes)) as prices
from jsonb_to_recordset($1::jsonb) as q(ord int, person text, lo timestamptz, hi timestamptz, endlo timestamptz,
  inst text, cno text, codes text[], month text, endmonth text)`;

type LineTuple = [number, string, string, string | null, string, number | string, string, string, string, string];
interface PersonRow {
  institution_id: string;
  claim_no: string;
  visit_type: Claim['visitType'];
  started_at: string;
  ended_at: string;
  main_diagnosis: string | null;
  diagnoses: Claim['diagnoses'] | null;
  lines: LineTuple[] | null;
  /** the settlement system's settledAt (null when it was not sent): which of two copies was submitted first */
  settled_at: string | null;
}

export interface AssembledHistory {
  history: History;
  stock: Map<string, StockRef>;
  /**
   * The person's version (src/db/schema.ts `person_versions`) when this was read, 0 for none: the
   * claim's write moves it on only from this value, so a claim of the person another node stored
   * meanwhile is noticed (src/claims/claims.repository.ts).
   */
  personVersion: number;
  /** the person's register versions (person_register), usually one, often none */
  register: PersonVersion[];
  /**
   * purchase prices (scaled by 10^4) of the claim's items on the stock records of the claim's last
   * month when it differs from its first (a stay across a month end), keyed institution|item|month:
   * kept apart from `stock`, whose quantities the stock rule judges for the first month only
   */
  purchasePrices: Map<string, number>;
}

type HistoryRow = { person: unknown; stock: unknown; person_version?: unknown; register?: unknown; prices?: unknown };

export interface HistoryRepositoryOptions {
  database: Database;
  windowDays: number;
  /** claims whose history one statement reads at most (the service passes DB_BATCH_MAX, whose default this is) */
  maxBatch?: number;
  /** history statements running at once at most; more claims wait for the next one */
  maxBatchesInFlight?: number;
  /** told when a statement for several claims failed and they are read one by one */
  onBatchError?: (err: unknown, claims: number) => void;
}

export function createHistoryRepository({ database, windowDays, maxBatch = 16, maxBatchesInFlight = 4, onBatchError }: HistoryRepositoryOptions) {
  const paramsOf = (claim: Claim) => {
    const month = cstMonth(claim.startedAt);
    return {
      person: claim.personHash,
      lo: iso(claim.startedAt - (windowDays + 365) * DAY),
      hi: iso(claim.endedAt + windowDays * DAY),
      endlo: iso(claim.startedAt - windowDays * DAY),
      inst: claim.institutionId,
      cno: claim.claimNo,
      codes: [...new Set(claim.lines.map((l) => l.itemCode))],
      month,
      endmonth: cstMonth(claim.endedAt),
    };
  };

  const readOne = async (claim: Claim): Promise<AssembledHistory> => {
    const p = paramsOf(claim);
    const rows = await database.query<HistoryRow>(HISTORY, [p.person, p.lo, p.hi, p.endlo, p.inst, p.cno, p.codes, p.month, p.endmonth]);
    return assemble(claim, rows[0]);
  };

  const readMany = async (claims: Claim[]): Promise<AssembledHistory[]> => {
    const rows = await database.query<HistoryRow & { ord: number }>(HISTORY_MANY, [JSON.stringify(claims.map((c, ord) => ({ ord, ...paramsOf(c) })))]);
    const byOrd = new Map(rows.map((r) => [Number(r.ord), r]));
    return claims.map((c, i) => assemble(c, byOrd.get(i)));
  };

  // Claims read together in one statement when several are ready at once (src/lib/batcher.ts); a
  // statement that fails for several is retried claim by claim, so each claim keeps its own error.
  const read = createBatcher<Claim, AssembledHistory>({
    maxBatch,
    maxInFlight: maxBatchesInFlight,
    async run(claims) {
      if (claims.length > 1) {
        try {
          return await readMany(claims);
        } catch (err) {
          onBatchError?.(err, claims.length);
        }
      }
      return Promise.all(claims.map((c) => readOne(c).catch((err: unknown) => (err instanceof Error ? err : new Error(String(err))))));
    },
  });

  return {
    /** The history of one claim; the longest stay considered is a year. */
    forClaim(claim: Claim): Promise<AssembledHistory> {
      return read(claim);
    },
  };
}

function assemble(claim: Claim, row: HistoryRow | undefined): AssembledHistory {
  const month = cstMonth(claim.startedAt);
  const r: HistoryRow = row ?? { person: [], stock: [], person_version: null };
  const personClaims = (parse(r.person) as PersonRow[]).map((p) => toClaim(p, claim));
  const institutionMonthQuantity = new Map<string, number>();
  const stock = new Map<string, StockRef>();
  for (const [code, opening, purchased, billed, purchasePrice] of parse(r.stock) as [string, string, string, string | null, string | null][]) {
    stock.set(`${claim.institutionId}|${code}|${month}`, {
      openingQuantity: milliFrom(opening) ?? 0,
      purchasedQuantity: milliFrom(purchased) ?? 0,
      ...(purchasePrice !== null && purchasePrice !== undefined ? { purchasePrice: milliFrom(purchasePrice) } : {}),
    });
    if (billed !== null) institutionMonthQuantity.set(code, milliFrom(billed) ?? 0);
  }
  const register = (parse(r.register ?? []) as (string | null)[][]).map(([validFrom, validTo, enrolledFrom, enrolledTo, deathDate]) => ({
    validFrom: validFrom as string,
    validTo: validTo ?? undefined,
    enrolledFrom: enrolledFrom as string,
    enrolledTo: enrolledTo ?? undefined,
    deathDate: deathDate ?? undefined,
  }));
  const purchasePrices = new Map<string, number>();
  const endMonth = cstMonth(claim.endedAt);
  for (const [code, price] of parse(r.prices ?? []) as [string, string][]) {
    const v = milliFrom(price);
    if (v !== undefined) purchasePrices.set(`${claim.institutionId}|${code}|${endMonth}`, v);
  }
  return { history: { personClaims, institutionMonthQuantity }, stock, personVersion: Number(r.person_version ?? 0), register, purchasePrices };
}

export type HistoryRepository = ReturnType<typeof createHistoryRepository>;

const iso = (ms: number) => new Date(ms).toISOString();
const parse = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v) as unknown[];

/** Rebuilds the plain claim rules see from its stored columns; the person is the current claim's. */
function toClaim(p: PersonRow, current: Claim): Claim {
  const startedAt = Date.parse(p.started_at);
  const endedAt = Date.parse(p.ended_at);
  const lines: ClaimLine[] = (p.lines ?? []).map(([lineNo, lineId, itemCode, hname, category, at, day, qty, price, amt]) => ({
    lineNo,
    lineId,
    itemCode,
    hospitalItemName: hname ?? undefined,
    category: category as ClaimLine['category'],
    serviceAt: Number(at),
    serviceDate: day,
    quantity: milliFrom(qty) ?? 0,
    unitPrice: milliFrom(price) ?? 0,
    amountFen: fenFrom(amt) ?? 0,
  }));
  const inpatient = p.visit_type === 'inpatient';
  return {
    institutionId: p.institution_id,
    claimNo: p.claim_no,
    personHash: current.personHash,
    sex: current.sex,
    birthDate: current.birthDate,
    visitType: p.visit_type,
    admittedAt: inpatient ? startedAt : undefined,
    dischargedAt: inpatient ? endedAt : undefined,
    visitAt: inpatient ? undefined : startedAt,
    startedAt,
    endedAt,
    settledAt: p.settled_at === null ? undefined : Date.parse(p.settled_at),
    diagnoses: (p.diagnoses ?? []).map((d) => ({ code: d.code, name: d.name, main: Boolean(d.main) })),
    mainDiagnosis: p.main_diagnosis ?? undefined,
    lines,
    totalFen: lines.reduce((s, l) => s + l.amountFen, 0),
    payment: { fundFen: 0, personalAccountFen: 0, medicalAssistanceFen: 0, cashFen: 0 },
  };
}
