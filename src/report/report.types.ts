import type { TargetsSection } from './report.targets.js';
/**
 * The monthly provider risk report as data: the JSON form, and what the HTML, XLSX and CSV forms are
 * rendered from. Money is a decimal string of yuan ("1234.50"), as in every answer of the service;
 * shares and changes are plain numbers (percent, one decimal) or null where there is no base.
 */

export interface Section {
  available: boolean;
  /** why a section is not available, or how its figures are defined */
  note: string;
}

export interface FamilyAmount {
  family: string;
  hits: number;
  claims: number;
  amount: string;
}

export interface InstitutionRow {
  institutionId: string;
  name: string | null;
  type: string | null;
  level: string | null;
  ownership: string | null;
  peerGroup: string;
  claims: number;
  patients: number;
  inpatientClaims: number;
  amount: string;
  payable: string;
  withheld: string;
  prevMonthClaims: number;
  prevMonthAmount: string;
  lastYearClaims: number;
  lastYearAmount: string;
  momClaimsPct: number | null;
  momAmountPct: number | null;
  yoyClaimsPct: number | null;
  yoyAmountPct: number | null;
  /** why month on month (year on year) is not shown ("—"): the base month is incomplete or holds too few claims; null when shown */
  momReason: string | null;
  yoyReason: string | null;
  /** active rules' findings on the month's claims */
  findingHits: number;
  findingClaims: number;
  findingAmount: string;
  violationAmount: string;
  suspicionAmount: string;
  /** findings by family (active rules), largest amount first */
  families: FamilyAmount[];
  model: { score: number; peerRank: number; peerSize: number; reasons: string[]; features: string[] } | null;
  review: { casesOpened: number; casesConcluded: number; violationsConfirmed: number; refusedAmount: string } | null;
  /** arrived after the cut-off: not in the figures above */
  late: { claims: number; amount: string; findings: number; findingAmount: string };
}

/** A claim that illustrates one of the standout's reasons (`illustrates`): its finding, or what the reason measures. */
export interface StandoutExample {
  illustrates: 'findings' | 'growth' | 'model' | 'review';
  claimNo: string;
  visitType: string;
  claimAmount: string;
  ruleId: string | null;
  family: string | null;
  severity: string | null;
  amountAtIssue: string | null;
  sentence: string;
}

export interface Standout {
  institutionId: string;
  name: string | null;
  peerGroup: string;
  reasons: string[];
  examples: StandoutExample[];
  recommendation: string;
}

/** One month of the fund; null (a gap, not a zero) where the month holds no claims. */
export interface TrendPoint {
  month: string;
  claims: number | null;
  amount: string | null;
  hospital: string | null;
  clinic: string | null;
  pharmacy: string | null;
}

export interface RuleRow {
  ruleId: string;
  family: string;
  status: string;
  severity: string;
  hits: number;
  claims: number;
  amount: string;
}

export interface TrialRuleRow {
  ruleId: string;
  family: string;
  hits: number;
  claims: number;
  /** violations of a trial rule: what it would have withheld */
  wouldWithhold: string;
  /** suspicions of a trial rule: what it would have sent to review */
  wouldReview: string;
}

export interface DataQualityRow {
  institutionId: string;
  name: string | null;
  claims: number;
  rejected: number;
  rejectedPct: number | null;
  lines: number;
  linesMissingName: number;
  /** drug and consumable lines without a specification */
  linesMissingSpec: number;
  duplicates: number;
  lagMedianDays: number | null;
  lagP90Days: number | null;
  lagMaxDays: number | null;
  lateSubmissions: number;
  lateSubmissionsPct: number | null;
}

/** A closed sample month's re-check compliance per institution and visit type: re-checks concluded against those required. */
export interface RecheckRow {
  institutionId: string;
  name: string | null;
  visitType: string;
  /** the month's claims of that visit type when the sample was closed */
  claims: number;
  required: number;
  sampled: number;
  /** sample cases with a first-level conclusion to date */
  concluded: number;
  /** concluded ÷ claims, percent */
  sharePct: number | null;
  shortfall: number;
}

/** A closed month's re-check per institution and visit type: done by its due date? (docs/review-recheck.md) */
export interface RecheckCompletionRow {
  institutionId: string;
  name: string | null;
  visitType: string;
  required: number;
  sampled: number;
  concludedByDue: number;
  concluded: number;
  dueAt: string | null;
  state: 'complete' | 'overdue' | 'in progress';
}

/** Refusals agreed at review, per reason code: whole lines and reduced quantities or prices. */
export interface RefusalCodeRow {
  code: string;
  label: string;
  wholeLines: number;
  reducedLines: number;
  refused: string;
}

export interface PrecisionRow {
  ruleId: string;
  concluded: number;
  confirmed: number;
  precisionPct: number | null;
}

export interface ModelScoreRow {
  institutionId: string;
  name: string | null;
  peerGroup: string;
  score: number;
  peerRank: number;
  peerSize: number;
  reasons: string;
  /** the model's explanations' features, most unusual first (the key of each reason) */
  features: string[];
}

export interface Report {
  title: string;
  /** the language of the report's words; keys and codes are the same in both */
  lang: 'zh-CN' | 'en';
  month: string;
  /** figures count data received (findings created) up to this instant (ISO 8601, UTC) */
  cutoff: string;
  /** the cut-off in China Standard Time, readable */
  cutoffText: string;
  /** the cut-off had not passed when the report was generated: more data may still arrive */
  provisional: boolean;
  generatedAt: string;
  generatedAtText: string;
  definitions: string[];
  fund: {
    institutions: number;
    claims: number;
    patients: number;
    inpatientClaims: number;
    amount: string;
    payable: string;
    withheld: string;
    findingHits: number;
    findingClaims: number;
    findingAmount: string;
    violationAmount: string;
    suspicionAmount: string;
    momAmountPct: number | null;
    yoyAmountPct: number | null;
    momClaimsPct: number | null;
    yoyClaimsPct: number | null;
    momReason: string | null;
    yoyReason: string | null;
  };
  trend: TrendPoint[];
  findingsByFamily: (FamilyAmount & { violationAmount: string; suspicionAmount: string })[];
  institutions: InstitutionRow[];
  standouts: Standout[];
  /** target areas with comparison groups: value, percentiles, flag, counts and trend per institution and area */
  targets: TargetsSection;
  rules: RuleRow[];
  trialRules: TrialRuleRow[];
  model: Section & { version: string | null; scores: ModelScoreRow[] };
  review: Section & {
    /** one note per table, each printed once */
    notes: Partial<Record<'cases' | 'recheck' | 'completion' | 'backlog' | 'precision' | 'missed', string>>;
    /** the month's sample is not closed yet: no compliance is counted */
    recheckOpen: boolean;
    recheck: RecheckRow[];
    recheckShortfalls: string[];
    recheckCompletion: RecheckCompletionRow[];
    backlog: { open: number; asOf: string; ageing: { bucket: string; cases: number }[] } | null;
    precision: PrecisionRow[];
    refusals: RefusalCodeRow[];
    missed: { sampled: number; concluded: number; missedConfirmed: number; sharePct: number; lowPct: number; highPct: number } | null;
  };
  dataQuality: DataQualityRow[];
  rejectionPaths: { path: string; count: number }[];
  late: { claims: number; amount: string; findings: number; findingAmount: string; note: string };
}

export type { InstitutionName } from './institution-name.js';
