import type { Claim, ClaimLine } from '../../rules/claim.js';
import type { History } from '../../rules/engine.js';
import type { PersonVersion, StockRef } from '../../rules/reference.js';
import type { StoredLine } from '../claims/claim.schema.js';
import { DB_BATCH_DEFAULTS } from '../config.js';
import type { Database } from '../db/client.js';
import { createBatcher } from '../lib/batcher.js';
import { fenFrom, tenThousandthsFrom } from '../lib/money.js';
import { cstDate, cstMonth, isoInstant, parseInstant } from '../lib/time.js';
import { categoryRanges } from '../../rules/diagnosis/icd.js';
import type { WindowNeeds } from '../../rules/institution/needs.js';
import { asWindowClaim, doctorOf, WINDOW, type InstitutionWindow, type WindowClaim } from '../../rules/institution/window.js';
import { createStaysInFlight, type CensusInFlight, type StayTicket } from './stays-in-flight.js';

const DAY = 86_400_000;

// One round trip assembles everything rules may look at: the person's claims around this one
// (with lines), the person's register entry (by the primary key), the institution window (below), and the stock records of the claim's items with what the institution billed of
// each earlier in the month. Bounded: at most 200 claims of a person, one row per stocked item.
// The month's billed quantity is a running total (institution_item_months, kept by triggers on
// claims in the statement that stores them, migrations 0013 and 0037), so
// the read costs the same on the month's first day and its last: summing the institution's lines
// instead costs ~38 ms of PostgreSQL CPU a claim at a large pharmacy's month end
// (bench/README.md, "bench:growth"). Only stock items (drugs, consumables, items not in the
// catalogue: SQL stock_item(), migration 0041) with a stock record are read, the only ones the
// stock rules judge and the only ones whose totals are kept.
// A claim's lines are read from its body as sent (no row a line, migration 0037) and made into the
// rules' lines here as the intake makes them (src/claims/normalize.ts), so they are the same values.
// The institution window (rules/institution/window.ts): other claims of the claim's institution,
// bounded in time and rows, in the same statement (indexes of migration 0033, each holding only the
// claims its scan reads: outpatient and pharmacy claims by institution and start; claims by the
// first line's doctor): outpatient and pharmacy claims started within 30 minutes of an outpatient
// or pharmacy claim (at most 100, the nearest), with their lines' ids and codes; short stays (at
// most 3 calendar days) admitted within 7 days of a short stay (at most 200), with their lines'
// ids and categories, only those whose main diagnosis is in a category ADMISSION-CLUSTER counts:
// one range of institution_short_stays' key (institution, category, admission; migration 0034,
// kept by triggers on claims) per range of its list (a lateral subquery with its own limit, so
// PostgreSQL cannot turn it into one scan of every category), so a hospital's other short stays cost
// nothing (reading every short stay of the week from the claims cost ~4.6 ms of PostgreSQL a read
// at a busy hospital, one claim heap page each); how many claims of the same visit type started
// the same day name the claim's doctor on their first line; and the stays at the institution at
// midnight after a stay's admission day, one row of running counts (institution_nights, kept by
// triggers on claims: counting the stays themselves cost ~850 µs of PostgreSQL CPU a claim and grew
// with the claims stored), less the claim itself when it is stored already, plus the stays of the
// institution this process accepted before it that are not stored yet (cpend), less those it
// accepted after it that its own writes stored already (clno, clid), both by claim_keys in the
// statement's snapshot (src/screening/stays-in-flight.ts). A bound left null reads nothing.
// Those two look up each claim number of the process's lists by claim_keys' primary key, a lateral
// subquery PostgreSQL cannot turn into a join: as a (NOT) EXISTS it was planned as a hash join that
// read every key of the institution (its claims of every month) to build the hash, once a claim.
const nearbyPart = (w: string, wh: string) => `
  (select coalesce(json_agg(json_build_array(n.claim_no, n.person_hash, n.visit_type, (extract(epoch from n.started_at) * 1000)::bigint,
            coalesce(n.window_lines, (select jsonb_agg(jsonb_build_array(x.l->>'lineId', x.l->>'itemCode') order by x.k)
               from claims b, jsonb_array_elements(b.body->'lines') with ordinality x(l, k)
               where b.id = n.id and b.person_hash = n.person_hash and b.service_month = n.service_month and b.service_month between '${w}' and '${wh}')))), '[]')
     from ((select c.id, c.claim_no, c.person_hash, c.visit_type, c.started_at, c.service_month, c.window_lines from claims c
           where q.nlo is not null and c.institution_id = q.inst and c.service_month between q.wmlo and q.wmhi and c.service_month between '${w}' and '${wh}' and c.started_at >= q.at and c.started_at <= q.nhi and c.visit_type <> 'inpatient' and c.claim_no <> q.cno
           order by c.started_at limit ${WINDOW.nearbyMax / 2})
           union all
           (select c.id, c.claim_no, c.person_hash, c.visit_type, c.started_at, c.service_month, c.window_lines from claims c
           where q.nlo is not null and c.institution_id = q.inst and c.service_month between q.wmlo and q.wmhi and c.service_month between '${w}' and '${wh}' and c.started_at >= q.nlo and c.started_at < q.at and c.visit_type <> 'inpatient' and c.claim_no <> q.cno
           order by c.started_at desc limit ${WINDOW.nearbyMax / 2})) n) as nearby`;
const admissionsPart = (w: string, wh: string) => `
  (select coalesce(json_agg(json_build_array(a.claim_no, a.person_hash, (extract(epoch from a.started_at) * 1000)::bigint,
            (extract(epoch from a.ended_at) * 1000)::bigint, a.main_diagnosis,
            coalesce(a.window_lines, (select jsonb_agg(jsonb_build_array(x.l->>'lineId', x.l->>'itemCode', x.l->>'category') order by x.k)
               from claims b, jsonb_array_elements(b.body->'lines') with ordinality x(l, k)
               where b.id = a.id and b.person_hash = a.person_hash and b.service_month = a.service_month and b.service_month between '${w}' and '${wh}')))), '[]')
     from (select s.* from unnest(q.clo, q.chi) as r(lo, hi), lateral (
             select s.claim_id as id, s.claim_no, s.person_hash, s.started_at, s.ended_at, s.main_diagnosis, s.service_month, s.window_lines
             from institution_short_stays s
             where q.alo is not null and s.institution_id = q.inst and s.category >= r.lo and s.category <= r.hi and s.started_at >= q.alo and s.started_at <= q.ahi and s.claim_no <> q.cno
             order by s.started_at limit ${WINDOW.admissionsMax}) s
           order by s.started_at limit ${WINDOW.admissionsMax}) a) as admissions`;
const censusPart = (w: string, wh: string) => `
  (select least(greatest(coalesce((select n.stays from institution_nights n where n.institution_id = q.inst and n.night = q.cnight), 0)
       - (select count(*) from claim_keys k join claims c
       on c.id = k.claim_id and c.person_hash = k.person_hash and c.service_month = k.service_month and c.service_month between '${w}' and '${wh}'
       where k.institution_id = q.inst and k.claim_no = q.cno and c.visit_type = 'inpatient'
         and q.cnight - (c.started_at at time zone 'UTC' + interval '8 hours')::date between 1 and 366
         and (c.ended_at at time zone 'UTC' + interval '8 hours')::date >= q.cnight)
       + (select count(*) - count(k.claim_no) from unnest(q.cpend) p(cno)
          left join lateral (select k.claim_no from claim_keys k where k.institution_id = q.inst and k.claim_no = p.cno limit 1) k on true)
       - (select count(k.claim_no) from unnest(q.clno, q.clid) l(cno, id)
          left join lateral (select k.claim_no from claim_keys k where k.institution_id = q.inst and k.claim_no = l.cno and k.claim_id = l.id::uuid limit 1) k on true), 0), q.ccap)
     where q.cnight is not null) as census`;
const institutionWindow = (w: string, wh: string, nearby: boolean, admissions: boolean, census: boolean) => `
  ${nearby ? nearbyPart(w, wh) : 'null as nearby'},
  ${admissions ? admissionsPart(w, wh) : 'null as admissions'},
  (select coalesce(json_agg(d.claim_no), '[]') from (select c.claim_no from claims c
     where q.doc is not null and c.institution_id = q.inst and c.service_month between q.wmlo and q.wmhi and c.service_month between '${w}' and '${wh}' and (c.body->'lines'->0->>'doctorId') = q.doc and c.started_at >= q.dlo and c.started_at < q.dhi
       and c.visit_type = q.vtype and c.claim_no <> q.cno limit ${WINDOW.doctorDayMax}) d) as doctor_day,
  ${census ? censusPart(w, wh) : 'null as census'}`;

// The current epoch of person_versions (migration 0045): its row read directly, the plpgsql
// person_versions_epoch() (~15 µs a call) called only when the row is gone, to begin a new one.
const EPOCH = `(select coalesce((select version from person_versions where person_hash = ''), person_versions_epoch()))`;

// The same for several claims in one statement (claims of different people screened at the same
// time; one person's claims are screened one after another). Each claim's parameters are one
// record of $1; each answer row carries the claim's position.
const historyStatement = (p: string, w: string, wh: string, nearby: boolean, admissions: boolean, census: boolean) => `
select q.ord,
  (select coalesce(json_agg(p order by p.started_at), '[]') from (
     select c.institution_id, c.claim_no, c.visit_type, c.started_at, c.ended_at, c.main_diagnosis, c.settled_at,
            c.body->'diagnoses' as diagnoses, c.body->'lines' as lines
     from claims c
     where c.person_hash = q.person and c.started_at >= q.lo and c.started_at <= q.hi
       and c.service_month between q.mlo and q.mhi and c.service_month >= '${p}' and c.ended_at >= q.endlo and not (c.institution_id = q.inst and c.claim_no = q.cno)
     order by c.started_at limit 200) p) as person,
  (select coalesce(json_agg(json_build_array(s.item_code, s.opening_quantity::text, s.purchased_quantity::text, t.quantity::text, s.purchase_price::text)), '[]')
     from stock_records s left join institution_item_months t
       on t.institution_id = s.institution_id and t.item_code = s.item_code and t.month = s.month
     where s.institution_id = q.inst and s.month = q.month and stock_item(s.item_code) and s.item_code = any(q.codes || array(
       select jsonb_array_elements_text(ci.restrictions->'lookAlikeOf') from catalogue_items ci
       where ci.item_code = any(q.codes) and jsonb_typeof(ci.restrictions->'lookAlikeOf') = 'array'))) as stock,
  -- without a row of its own in the current epoch, the person is at the epoch's start (migration 0045;
  -- the epoch (EPOCH), an uncorrelated subquery: evaluated once a statement)
  coalesce((select version from person_versions where person_hash = q.person and version >> 32 = ${EPOCH}),
    ${EPOCH} << 32) as person_version,
  (select coalesce(json_agg(json_build_array(r.valid_from::text, r.valid_to::text, r.enrolled_from::text, r.enrolled_to::text, r.death_date::text)), '[]')
     from person_register r where r.person_hash = q.person) as register,
  (select coalesce(json_agg(json_build_array(s.item_code, s.purchase_price::text)), '[]')
     from stock_records s
     where s.institution_id = q.inst and s.month = q.endmonth and s.month <> q.month and s.purchase_price is not null and s.item_code = any(q.codes)) as prices,
${institutionWindow(w, wh, nearby, admissions, census)}
from jsonb_to_recordset($1::jsonb) as q(ord int, person text, lo timestamptz, hi timestamptz, endlo timestamptz,
  inst text, cno text, codes text[], month text, endmonth text, mlo text, mhi text,
  at timestamptz, nlo timestamptz, nhi timestamptz, alo timestamptz, ahi timestamptz,
  clo text[], chi text[], doc text, vtype text, dlo timestamptz, dhi timestamptz, cnight date, ccap int, cpend text[], clno text[], clid text[],
  wmlo text, wmhi text)`;

// The history statement with literal bounds on service_month: for the window parts (w to wh) the
// earliest and latest month any claim of the batch reads, for the person part (p) the earliest,
// rounded down to the first month of its quarter. With the per-claim bounds alone (parameters)
// PostgreSQL plans and starts every attached month partition for each of the statement's reads of
// claims and prunes them only as each claim's row runs, so planning (12.7 ms on the preloaded year's
// 16 partitions) and the start-up of every execution grew with the months kept attached; literal
// bounds leave the other months out of the plan. The person part reaches back 455 days, so its
// bound is rounded to keep the texts (each a prepared statement on every connection) few. The
// nearby claims' part, the window's largest, is left out of a batch none of whose claims reads it
// (stays), the short stays' part out of one without a short stay (outpatient claims and longer
// stays), and the census out of one without a stay at an institution that has one, for the same
// reason: PostgreSQL starts every subplan of a statement at each execution, read or not (unread,
// the short stays' part was ~50 µs of a 140-µs read of one claim, the census 40-100 µs of
// PostgreSQL's CPU). The other parts stay in every text, so a process prepares up to eight shapes a
// month, each run by the tests on both engines (test/history.test.ts).
const statements = new Map<string, string>();
const MONTH = /^\d{4}-\d{2}$/;
type Bounds = { mlo: string; wmlo: string; wmhi: string; nlo?: string; alo?: string; cnight?: string };
function historyFor(records: readonly Bounds[]): string {
  let p = '9999-12';
  let w = '9999-12';
  let wh = '0000-01';
  let nearby = false;
  let admissions = false;
  let census = false;
  for (const r of records) {
    if (r.mlo < p) p = r.mlo;
    if (r.wmlo < w) w = r.wmlo;
    if (r.wmhi > wh) wh = r.wmhi;
    if (r.nlo !== undefined) nearby = true;
    if (r.alo !== undefined) admissions = true;
    if (r.cnight !== undefined) census = true;
  }
  p = quarterStart(p);
  const key = `${p}|${w}|${wh}|${nearby}|${admissions}|${census}`;
  let text = statements.get(key);
  if (text === undefined) {
    // bounds go into the text, so they are checked to be months and nothing else
    if (!MONTH.test(p) || !MONTH.test(w) || !MONTH.test(wh)) throw new Error(`history read: not a month: ${key}`);
    if (statements.size >= 64) statements.clear();
    text = historyStatement(p, w, wh, nearby, admissions, census);
    statements.set(key, text);
  }
  return text;
}

/** The first month of the quarter of `month` (YYYY-MM). */
const quarterStart = (month: string) => `${month.slice(0, 5)}${String(Math.floor((Number(month.slice(5, 7)) - 1) / 3) * 3 + 1).padStart(2, '0')}`;

interface PersonRow {
  institution_id: string;
  claim_no: string;
  visit_type: Claim['visitType'];
  started_at: string;
  ended_at: string;
  main_diagnosis: string | null;
  diagnoses: Claim['diagnoses'] | null;
  lines: StoredLine[] | null;
  /** the settlement system's settledAt (null when it was not sent): which of two copies was submitted first */
  settled_at: string | null;
}

export interface AssembledHistory {
  history: History;
  stock: Map<string, StockRef>;
  /**
   * The person's version (src/db/schema.ts `person_versions`) when this was read, the current
   * epoch's start (epoch × 2^32) for none: the claim's write moves it on only from this value, so a
   * claim of the person another node stored meanwhile is noticed (src/claims/claims.repository.ts).
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

type HistoryRow = {
  person: unknown;
  stock: unknown;
  person_version?: unknown;
  register?: unknown;
  prices?: unknown;
  nearby?: unknown;
  admissions?: unknown;
  doctor_day?: unknown;
  census?: unknown;
};

export interface HistoryRepositoryOptions {
  database: Database;
  windowDays: number;
  /** claims whose history one statement reads at most (the service passes DB_BATCH_MAX, whose default this is) */
  maxBatch?: number;
  /** history statements running at once at most; more claims wait for the next one */
  maxBatchesInFlight?: number;
  /** told when a statement for several claims failed and they are read one by one */
  onBatchError?: (err: unknown, claims: number) => void;
  /** which parts of the institution window a claim's rules could judge (rules/institution/needs.ts); all when absent */
  windowNeeds?: (claim: Claim) => WindowNeeds;
}

/** A stay accepted for screening (its place in the book of stays in flight, src/screening/stays-in-flight.ts). */
export type AcceptedStay = StayTicket & { readonly seq: number };

/** What screening needs of the history repository (tests may stand in for `forClaim` alone). */
export interface HistoryReader {
  forClaim(claim: Claim, stay?: AcceptedStay): Promise<AssembledHistory>;
  acceptStay?(claim: Claim, attempts?: number): AcceptedStay | undefined;
}

export function createHistoryRepository({
  database,
  windowDays,
  maxBatch = DB_BATCH_DEFAULTS.maxBatch,
  maxBatchesInFlight = DB_BATCH_DEFAULTS.maxBatchesInFlight,
  onBatchError,
  windowNeeds,
}: HistoryRepositoryOptions) {
  // the stays this process accepted and has not finished, for the census (src/screening/stays-in-flight.ts)
  const stays = createStaysInFlight();
  const readMany = async (items: Read[]): Promise<AssembledHistory[]> => {
    const records = new Array<ReturnType<typeof historyRecord>>(items.length);
    for (let i = 0; i < items.length; i++) {
      const { claim, needs, seq } = items[i] as Read;
      // taken as the statement is built: the later stays' writes sent by now are known
      const inFlight = needs.census > 0 && claim.visitType === 'inpatient' ? stays.around(claim, seq) : undefined;
      records[i] = historyRecord(claim, i, needs, windowDays, inFlight);
    }
    const rows = await database.query<HistoryRow & { ord: number }>(historyFor(records), [JSON.stringify(records)]);
    const byOrd = new Map(rows.map((r) => [Number(r.ord), r]));
    return items.map((item, i) => assemble(item.claim, byOrd.get(i)));
  };

  // Claims read together in one statement when several are ready at once (src/lib/batcher.ts); a
  // statement that fails for several is retried claim by claim, so each claim keeps its own error.
  const read = createBatcher<Read, AssembledHistory>({
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
      return Promise.all(
        claims.map((c) =>
          readMany([c])
            .then(([h]) => h as AssembledHistory)
            .catch((err: unknown) => (err instanceof Error ? err : new Error(String(err)))),
        ),
      );
    },
  });

  // Claims of this process being screened, by institution: read but perhaps not yet stored. Claims
  // screened side by side (a stream, a batch) do not see each other in the database, so the
  // window adds those received before this one: the nearby claims (a burst swiped faster than it
  // is screened) and the doctor's day. Kept IN_FLIGHT_MS, at most IN_FLIGHT_MAX an institution;
  // only this process's (another node's claims in flight are not seen).
  const inFlight = new Map<string, InFlight[]>();
  const register = (claim: Claim): InFlight[] => {
    const now = Date.now();
    let list = inFlight.get(claim.institutionId);
    if (!list) inFlight.set(claim.institutionId, (list = []));
    let drop = 0;
    while (drop < list.length && (now - (list[drop] as InFlight).at > IN_FLIGHT_MS || list.length - drop >= IN_FLIGHT_MAX)) drop++;
    if (drop > 0) list.splice(0, drop);
    const before = list.filter((e) => e.w.claimNo !== claim.claimNo);
    list.push({ w: asWindowClaim(claim), doctor: doctorOf(claim), day: cstDate(claim.startedAt), at: now });
    return before;
  };

  return {
    /**
     * A claim accepted for screening and storing, before it waits for anything (its person's lock):
     * a stay enters the book of stays in flight, in that order, and its ticket must be ended when its
     * screening is over (src/claims/screen-claim.ts); `attempts`: the screenings it may take, each
     * write's id drawn now. Nothing for other claims.
     */
    acceptStay: (claim: Claim, attempts?: number): AcceptedStay | undefined => stays.accept(claim, attempts),
    /** stays in the book of stays in flight (tests) */
    staysInFlight: () => stays.size(),
    /**
     * The history of one claim; the longest stay considered is a year. A stay's census counts the
     * stays of its institution accepted before `stay` (every stay in flight without one).
     */
    async forClaim(claim: Claim, stay?: AcceptedStay): Promise<AssembledHistory> {
      const needs = windowNeeds?.(claim) ?? ALL_NEEDS;
      // only a claim whose window rules could use them registers among, and reads, the claims in flight
      const before = needs.nearby || needs.doctor ? register(claim) : [];
      const assembled = await read({ claim, needs, seq: stay?.seq });
      stay?.read();
      if (before.length > 0) addInFlight(assembled, claim, before);
      return assembled;
    },
  };
}

/** every part of the window, a census counted up to a million stays (without a windowNeeds: tests, benches) */
const ALL_NEEDS: WindowNeeds = { nearby: true, admissions: true, doctor: true, census: 1_000_000 };
const IN_FLIGHT_MS = 30_000;
const IN_FLIGHT_MAX = 1000;
interface InFlight {
  w: WindowClaim;
  doctor: string | undefined;
  day: string;
  at: number;
}

/** The claims in flight added to the window read from the database (each once). */
function addInFlight(assembled: AssembledHistory, claim: Claim, before: readonly InFlight[]) {
  const window = assembled.history.institution;
  if (!window) return;
  const inpatient = claim.visitType === 'inpatient';
  const nearby = [...window.nearby];
  const seen = new Set(nearby.map((w) => w.claimNo));
  const span = WINDOW.nearbyMinutes * 60_000;
  const doctor = doctorOf(claim);
  const day = cstDate(claim.startedAt);
  const doctorDay = new Set(window.doctorDayClaims ?? []);
  for (const e of before) {
    if (!inpatient && e.w.visitType !== 'inpatient' && Math.abs(e.w.startedAt - claim.startedAt) <= span && !seen.has(e.w.claimNo) && nearby.length < WINDOW.nearbyMax) {
      nearby.push({ ...e.w, pending: true });
      seen.add(e.w.claimNo);
    }
    if (doctor !== undefined && e.doctor === doctor && e.w.visitType === claim.visitType && e.day === day) doctorDay.add(e.w.claimNo);
  }
  assembled.history.institution = { ...window, nearby, doctorDay: doctorDay.size, doctorDayClaims: [...doctorDay] };
}

function assemble(claim: Claim, row: HistoryRow | undefined): AssembledHistory {
  const month = cstMonth(claim.startedAt);
  const r: HistoryRow = row ?? { person: [], stock: [], person_version: null };
  const personClaims = (parse(r.person) as PersonRow[]).map((p) => toClaim(p, claim));
  const institutionMonthQuantity = new Map<string, number>();
  const stock = new Map<string, StockRef>();
  for (const [code, opening, purchased, billed, purchasePrice] of parse(r.stock) as [string, string, string, string | null, string | null][]) {
    stock.set(`${claim.institutionId}|${code}|${month}`, {
      openingQuantity: tenThousandthsFrom(opening) ?? 0,
      purchasedQuantity: tenThousandthsFrom(purchased) ?? 0,
      ...(purchasePrice !== null && purchasePrice !== undefined ? { purchasePrice: tenThousandthsFrom(purchasePrice) } : {}),
    });
    if (billed !== null) institutionMonthQuantity.set(code, tenThousandthsFrom(billed) ?? 0);
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
    const v = tenThousandthsFrom(price);
    if (v !== undefined) purchasePrices.set(`${claim.institutionId}|${code}|${endMonth}`, v);
  }
  const institution = windowOf(r);
  return { history: { personClaims, institutionMonthQuantity, institution }, stock, personVersion: Number(r.person_version ?? 0), register, purchasePrices };
}

/**
 * One claim's record of the history statement's $1, at position `ord`: every key in one object
 * literal (a spread of optional parts made the record a dictionary, dearer to build and to write);
 * undefined bounds are left out of the JSON.
 */
export function historyRecord(claim: Claim, ord: number, needs: WindowNeeds, windowDays: number, census?: CensusInFlight) {
  const inpatient = claim.visitType === 'inpatient';
  const min = 60_000;
  // the start of the claim's CST day, and the CST days from its start to its end, by arithmetic
  const startDay = Math.floor((claim.startedAt + CST) / DAY);
  const dayStart = startDay * DAY - CST;
  const stayDays = Math.floor((claim.endedAt + CST) / DAY) - startDay;
  const short = inpatient && stayDays <= WINDOW.admissionMaxStay;
  const nearby = !inpatient && needs.nearby;
  const admissions = short && needs.admissions;
  const categories = admissions ? categoryBoundsOf(needs.admissionCategories) : undefined;
  return {
    ord,
    person: claim.personHash,
    lo: iso(claim.startedAt - (windowDays + 365) * DAY),
    hi: iso(claim.endedAt + windowDays * DAY),
    endlo: iso(claim.startedAt - windowDays * DAY),
    inst: claim.institutionId,
    cno: claim.claimNo,
    codes: itemCodes(claim),
    month: cstMonth(claim.startedAt),
    endmonth: cstMonth(claim.endedAt),
    // the months of lo and hi: a claim's service month is the month of its start, so these add
    // nothing to the window but let PostgreSQL read only those months' partitions (migration 0032)
    mlo: cstMonth(claim.startedAt - (windowDays + 365) * DAY),
    mhi: cstMonth(claim.endedAt + windowDays * DAY),
    // the institution window's bounds (null bounds read nothing)
    at: iso(claim.startedAt),
    nlo: nearby ? iso(claim.startedAt - WINDOW.nearbyMinutes * min) : undefined,
    nhi: nearby ? iso(claim.startedAt + WINDOW.nearbyMinutes * min) : undefined,
    alo: admissions ? iso(dayStart - WINDOW.admissionDays * DAY) : undefined,
    ahi: admissions ? iso(dayStart + (WINDOW.admissionDays + 1) * DAY - 1) : undefined,
    clo: categories?.clo,
    chi: categories?.chi,
    doc: needs.doctor ? doctorOf(claim) : undefined,
    vtype: claim.visitType,
    dlo: iso(dayStart),
    dhi: iso(dayStart + DAY),
    cnight: inpatient && needs.census > 0 ? cstDate(dayStart + DAY) : undefined,
    ccap: needs.census,
    // the stays in flight the census adds (accepted before, not stored yet) and takes off (accepted after, stored already)
    cpend: census && census.pend.length > 0 ? census.pend : undefined,
    clno: census && census.laterNo.length > 0 ? census.laterNo : undefined,
    clid: census && census.laterId.length > 0 ? census.laterId : undefined,
    // the months every part of the window can reach (the week before the claim's day to the week
    // after it), so that PostgreSQL reads only those months' partitions
    wmlo: cstMonth(dayStart - WINDOW.admissionDays * DAY),
    wmhi: cstMonth(dayStart + (WINDOW.admissionDays + 1) * DAY),
  };
}

/** A claim whose history is read, with the parts of its institution window its rules could judge. */
interface Read {
  claim: Claim;
  needs: WindowNeeds;
  /** the stay's place in the book of stays in flight (none: every stay in flight is before it) */
  seq: number | undefined;
}

/** The claim's distinct item codes, in the order of its lines. */
function itemCodes(claim: Claim): string[] {
  if (claim.lines.length > 32) return [...new Set(claim.lines.map((l) => l.itemCode))];
  const codes: string[] = [];
  for (const l of claim.lines) if (!codes.includes(l.itemCode)) codes.push(l.itemCode);
  return codes;
}

/** categoryBounds of a list, once a list: the rule's list is the same array until its settings change */
const boundsByList = new WeakMap<readonly string[], { clo: string[]; chi: string[] }>();
let boundsOfAll: { clo: string[]; chi: string[] } | undefined;
function categoryBoundsOf(specs: readonly string[] | undefined): { clo: string[]; chi: string[] } {
  if (specs === undefined) return (boundsOfAll ??= categoryBounds(undefined));
  let b = boundsByList.get(specs);
  if (!b) boundsByList.set(specs, (b = categoryBounds(specs)));
  return b;
}

// Above any category: three of the highest code point (a category is three characters at most,
// compared byte by byte, and UTF-8 keeps the code points' order).
const ABOVE_ALL = '\u{10FFFF}'.repeat(3);

/**
 * The category ranges of the short stays to read, as two arrays of bounds (lower, upper) for the
 * key of institution_short_stays: sorted, overlapping ones merged (so no stay is read twice), every
 * category when `specs` is absent. The bounds are compared as the rule compares them
 * (rules/diagnosis/icd.ts inRanges): ICD-10 categories, upper case, character by character.
 */
export function categoryBounds(specs: readonly string[] | undefined): { clo: string[]; chi: string[] } {
  if (specs === undefined) return { clo: [''], chi: [ABOVE_ALL] };
  const sorted = [...categoryRanges(specs)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const merged: [string, string][] = [];
  for (const [from, to] of sorted) {
    const last = merged.at(-1);
    if (last && from <= last[1]) last[1] = to > last[1] ? to : last[1];
    else merged.push([from, to]);
  }
  return { clo: merged.map(([from]) => from), chi: merged.map(([, to]) => to) };
}

function windowOf(r: HistoryRow): InstitutionWindow {
  const nearby = (parse(r.nearby ?? []) as [string, string, Claim['visitType'], number | string, [string, string][] | null][]).map(([claimNo, personHash, visitType, at, lines]): WindowClaim => ({
    claimNo,
    personHash,
    visitType,
    startedAt: Number(at),
    endedAt: Number(at),
    lines: (lines ?? []).map(([id, code]) => [id, code] as const),
    operation: false,
  }));
  const admissions = (parse(r.admissions ?? []) as [string, string, number | string, number | string, string | null, [string, string, string][] | null][]).map(
    ([claimNo, personHash, started, ended, main, lines]): WindowClaim => ({
      claimNo,
      personHash,
      visitType: 'inpatient',
      startedAt: Number(started),
      endedAt: Number(ended),
      mainDiagnosis: main ?? undefined,
      lines: (lines ?? []).map(([id, code]) => [id, code] as const),
      operation: (lines ?? []).some(([, , category]) => category === 'operation'),
    }),
  );
  const doctorDayClaims = parse(r.doctor_day ?? []) as string[];
  return { nearby, admissions, doctorDay: doctorDayClaims.length, doctorDayClaims, census: Number(r.census ?? 0) };
}

/**
 * The lines an institution window reads of a claim, stored with it (claims.window_lines, migration
 * 0033) so the window reads no line rows: [lineId, itemCode] in line order, an operation line with
 * 'operation' third. Only for claims a window reads: outpatient and pharmacy claims (nearby baskets)
 * and stays of at most four days (the index of short stays holds the same); null for the others.
 */
export function windowLines(c: Claim): (readonly string[])[] | null {
  if (c.visitType === 'inpatient' && c.endedAt - c.startedAt > (WINDOW.admissionMaxStay + 1) * DAY) return null;
  return c.lines.map((l) => (l.category === 'operation' ? [l.lineId, l.itemCode, 'operation'] : [l.lineId, l.itemCode]));
}

export type HistoryRepository = ReturnType<typeof createHistoryRepository>;

const iso = isoInstant;
const CST = 8 * 3_600_000;
const parse = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v) as unknown[];

/** Rebuilds the plain claim rules see from its stored columns; the person is the current claim's. */
function toClaim(p: PersonRow, current: Claim): Claim {
  const startedAt = Date.parse(p.started_at);
  const endedAt = Date.parse(p.ended_at);
  // the values src/claims/normalize.ts gives the same line at intake, of the fields a history line
  // has always carried (the rules judge earlier claims on these alone)
  const lines: ClaimLine[] = (p.lines ?? []).map((l, i) => {
    const serviceAt = parseInstant(l.serviceAt) ?? 0;
    return {
      lineNo: i + 1,
      lineId: l.lineId,
      itemCode: l.itemCode,
      hospitalItemName: l.hospitalItemName,
      category: l.category as ClaimLine['category'],
      serviceAt,
      serviceDate: cstDate(serviceAt),
      quantity: tenThousandthsFrom(l.quantity) ?? 0,
      unitPrice: tenThousandthsFrom(l.unitPrice) ?? 0,
      amountFen: fenFrom(l.amount) ?? 0,
    };
  });
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
