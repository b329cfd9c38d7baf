import type { z } from 'zod';
import type { Claim } from './claim.js';
import type { ClaimRef, Finding, RuleError, RuleStatus, Severity } from './finding.js';
import type { ProviderScoreRef } from './provider-model/score-ref.js';
import type { InstitutionWindow } from './institution/window.js';
import { emptyReference, type ReferenceView } from './reference.js';
import { ClaimFacts, NONE } from './facts.js';

/** Everything a rule may look at besides the claim, assembled before rules run (no I/O in rules). */
export interface History {
  /** the same person's other claims around this one, with their lines */
  personClaims: readonly Claim[];
  /** quantity of each item this institution billed earlier in the claim's month (other claims) */
  institutionMonthQuantity: ReadonlyMap<string, number>;
  /** the institution's latest provider-model score (from an in-memory cache, not a query) */
  providerScore?: ProviderScoreRef | undefined;
  /** other claims of the same institution around this one (rules/institution/window.ts), read with the person's */
  institution?: InstitutionWindow | undefined;
}

export const emptyHistory: History = { personClaims: [], institutionMonthQuantity: new Map() };

export type Family =
  | 'duplicate'
  | 'split-charging'
  | 'split-stay'
  | 'bed-hanging'
  | 'overlapping-stay'
  | 'substitution'
  | 'price'
  | 'quantity'
  | 'restriction'
  | 'non-designated'
  | 'provider-model'
  | 'unlisted-code'
  | 'diagnosis-conflict'
  | 'injury-liability'
  | 'person-status'
  | 'induced-admission'
  | 'indication'
  | 'zero-markup'
  | 'exam-repeat'
  | 'impersonation'
  | 'service-scope'
  | 'card-burst'
  | 'doctor-capacity'
  | 'bed-census'
  | 'admission-cluster'
  | 'over-supply'
  | 'rx-only';

export interface RuleInput<P> {
  claim: Claim;
  history: History;
  reference: ReferenceView;
  params: P;
  /** what several rules read of the claim, computed once for all of them (rules/facts.ts) */
  facts: ClaimFacts;
}

/** One hit as a rule reports it; the engine adds the rule's identity. */
export interface RuleHit {
  severity?: Severity;
  message: { zh: string; en: string };
  violatingLines: string[];
  involvedLines: string[];
  otherClaims: ClaimRef[];
  amountFen: number;
}

export interface Fixture<P> {
  name: string;
  claim: Claim;
  history?: Partial<History>;
  reference?: ReferenceView;
  params?: Partial<P>;
  /** for a firing fixture: what the hits must show */
  expect?: { hits?: number; violatingLines?: string[]; amountFen?: number; otherClaims?: string[] };
}

/** cases a rule must fire on and cases it must not */
export interface RuleFixtures<P = Record<string, never>> {
  fires: Fixture<P>[];
  passes: Fixture<P>[];
}

export interface Rule<P extends object = Record<string, never>> {
  id: string;
  version: number;
  family: Family;
  severity: Severity;
  status: RuleStatus;
  description: { zh: string; en: string };
  effectiveFrom: string;
  effectiveTo?: string;
  /**
   * A new rule runs in trial (reports, never withholds nor routes to review) up to and including
   * this day (yyyy-MM-dd, CST), then takes its `status` on its own; an admin extends the trial
   * with a later date in the rule's settings, or ends it at once by setting a status.
   */
  trialUntil?: string;
  /** parameters and their defaults; a deployment overrides them without code */
  defaults: P;
  /**
   * every parameter with its range or form (rules/params.ts): the defaults pass it, and a
   * deployment's override that does not is refused
   */
  paramSchema: z.ZodType<P>;
  /** the hits; a rule that finds nothing may return one shared empty list (facts.ts NONE) */
  evaluate(input: RuleInput<P>): readonly RuleHit[];
  /**
   * the rule's own cases, built when asked for (the catalogue test): importing a rule, as the
   * service does, builds none of them
   */
  fixtures(): RuleFixtures<P>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRule = Rule<any>;

export interface EvaluationContext {
  claim: Claim;
  history?: History;
  reference?: ReferenceView;
  /** deployment overrides of a rule's parameters and status */
  overrides?: (ruleId: string) => RuleOverrideView | undefined;
  /** the claim's service date (yyyy-MM-dd, CST) to test effective dates against */
  serviceDate: string;
  /** the day of screening (yyyy-MM-dd, CST) a rule's trial is judged on; the service date when absent */
  today?: string;
}

export interface RuleOverrideView {
  params?: object;
  status?: RuleStatus;
  /** an admin's extension (or shortening) of the rule's trial */
  trialUntil?: string;
}

/**
 * The status a rule runs with: a status an admin set wins; otherwise a rule whose trial has not
 * ended (the admin's date, else the rule's own) is in trial, and then takes its catalogue status.
 */
export function statusOf(rule: Pick<AnyRule, 'status' | 'trialUntil'>, override: RuleOverrideView | undefined, today: string): RuleStatus {
  if (override?.status) return override.status;
  const until = override?.trialUntil ?? rule.trialUntil;
  if (until !== undefined && today <= until && rule.status === 'active') return 'trial';
  return rule.status;
}

export interface Evaluation {
  findings: Finding[];
  errors: RuleError[];
}

/**
 * A rule's fields as the engine reads them on every claim, copied into one shape for every rule:
 * the rules are object literals of many shapes, and reading their fields in the engine's loop went
 * through megamorphic lookups, 43 rules × 8 fields a claim (bench:rules). Its `evaluate` is bound
 * to the rule once: a call through `rule.evaluate.call(rule, …)` read `call` off functions of
 * several shapes (a megamorphic lookup a rule a claim) and went through Function.prototype.call.
 */
class Planned {
  readonly id: string;
  readonly version: number;
  readonly family: Family;
  readonly severity: Severity;
  readonly status: RuleStatus;
  readonly trialUntil: string | undefined;
  readonly effectiveFrom: string;
  readonly effectiveTo: string | undefined;
  readonly defaults: object;
  readonly evaluate: (input: RuleInput<object>) => readonly RuleHit[];

  constructor(readonly rule: AnyRule) {
    this.id = rule.id;
    this.version = rule.version;
    this.family = rule.family;
    this.severity = rule.severity;
    this.status = rule.status;
    this.trialUntil = rule.trialUntil;
    this.effectiveFrom = rule.effectiveFrom;
    this.effectiveTo = rule.effectiveTo;
    this.defaults = rule.defaults;
    this.evaluate = rule.evaluate.bind(rule) as (input: RuleInput<object>) => readonly RuleHit[];
  }

  /** whether the rule is in force on the service date (its effective dates) */
  inForce(serviceDate: string): boolean {
    return !(serviceDate < this.effectiveFrom || (this.effectiveTo !== undefined && serviceDate > this.effectiveTo));
  }
}

/**
 * The plan of a list of rules: each rule's fields in one shape, and what depends on the days alone
 * worked out once for a service date and day of screening rather than once a rule a claim (claims
 * arrive mostly in day order): the status each rule runs with when no override is set, and whether
 * it runs at all (in force on the service date and not retired).
 */
class Plan {
  private date: string | undefined;
  private today: string | undefined;
  private inForce: boolean[] = [];
  private statuses: RuleStatus[] = [];
  private runs: boolean[] = [];

  constructor(readonly rules: readonly Planned[]) {}

  /** the days of the claim: the arrays below are theirs until the next call with other days */
  on(serviceDate: string, today: string): this {
    if (serviceDate !== this.date || today !== this.today) {
      this.inForce = this.rules.map((r) => r.inForce(serviceDate));
      this.statuses = this.rules.map((r) => statusOf(r, undefined, today));
      this.runs = this.rules.map((_, k) => this.inForce[k]! && this.statuses[k] !== 'retired');
      this.date = serviceDate;
      this.today = today;
    }
    return this;
  }

  /** whether each rule is in force on the service date, by index */
  get inForceOn(): readonly boolean[] {
    return this.inForce;
  }

  /** each rule's status with no override (statusOf), by index */
  get statusOn(): readonly RuleStatus[] {
    return this.statuses;
  }

  /** whether each rule runs with no override: in force and not retired, by index */
  get runsOn(): readonly boolean[] {
    return this.runs;
  }
}

// the plan of a list of rules (the catalogue: one list for the process), made on its first claim
const plans = new WeakMap<readonly AnyRule[], Plan>();
function planOf(rules: readonly AnyRule[]): Plan {
  let plan = plans.get(rules);
  // a list changed since it was planned (tests build lists; the service never changes its own) is planned anew
  let same = plan !== undefined && plan.rules.length === rules.length;
  for (let k = 0; same && k < rules.length; k++) same = plan!.rules[k]!.rule === rules[k];
  if (!same) plans.set(rules, (plan = new Plan(rules.map((r) => new Planned(r)))));
  return plan!;
}

/**
 * Runs every rule in force over one claim. A rule that throws becomes an error outcome of that
 * rule and never breaks the screening of the claim.
 */
export function evaluateRules(rules: readonly AnyRule[], ctx: EvaluationContext): Evaluation {
  const findings: Finding[] = [];
  const errors: RuleError[] = [];
  const history = ctx.history ?? emptyHistory;
  const reference = ctx.reference ?? emptyReference;
  const facts = new ClaimFacts(ctx.claim, history.personClaims, reference);
  // one input for every rule of the claim, only its params set per rule: rules read it and keep nothing of it
  const input: RuleInput<object> = { claim: ctx.claim, history, reference, params: {}, facts };
  const plan = planOf(rules).on(ctx.serviceDate, ctx.today ?? ctx.serviceDate);
  const planned = plan.rules;
  const today = ctx.today ?? ctx.serviceDate;
  const inForce = plan.inForceOn;
  const statuses = plan.statusOn;
  const runs = plan.runsOn;
  for (let r = 0; r < planned.length; r++) {
    const rule = planned[r]!;
    const override = ctx.overrides?.(rule.id);
    let status: Exclude<RuleStatus, 'retired'>;
    if (override === undefined) {
      if (!runs[r]) continue;
      status = statuses[r] as Exclude<RuleStatus, 'retired'>;
    } else {
      const s = statusOf(rule, override, today);
      if (s === 'retired' || !inForce[r]) continue;
      status = s;
    }
    try {
      // the defaults object itself when nothing overrides them: no copy per rule per claim
      const params = override?.params ? { ...rule.defaults, ...override.params } : rule.defaults;
      input.params = params;
      const hits = rule.evaluate(input);
      // most rules find nothing and return the shared empty list: the lists rules return are of
      // many kinds, and reading their length was a megamorphic lookup a rule a claim
      if (hits === NONE) continue;
      for (let k = 0; k < hits.length; k++) {
        const hit = hits[k]!;
        findings.push({
          ruleId: rule.id,
          ruleVersion: rule.version,
          family: rule.family,
          severity: hit.severity ?? rule.severity,
          status,
          message: hit.message,
          violatingLines: hit.violatingLines,
          involvedLines: hit.involvedLines,
          otherClaims: hit.otherClaims,
          amountFen: hit.amountFen,
        });
      }
    } catch (error) {
      errors.push({ ruleId: rule.id, ruleVersion: rule.version, message: error instanceof Error ? error.message : String(error) });
    }
  }
  return { findings, errors };
}
