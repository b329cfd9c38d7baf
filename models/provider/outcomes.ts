import { rocAuc } from '../metrics/auc.js';
import { FEATURE_NAMES, type FeatureName } from './features.js';
import { fitLogistic, logOddsOf, predictLogistic, type LogisticModel } from './logistic.js';
import { peerHitRates, targetingEvidence, UNSUPERVISED_CENTRE, UNSUPERVISED_STEEPNESS, type TargetingRow } from './target-score.js';

/**
 * Learning from outcomes. Concluded review cases label institution-months: confirmed (fraud or
 * abuse found) 1, dismissed 0; institution-months never reviewed are unlabelled, not clean, and
 * take no part in the fit. When at least `minPerClass` institution-months of each class fall in
 * the training window:
 *
 * - a supervised L2 logistic regression (logistic.ts) is fitted on each labelled month's columns:
 *   three primary ones, lightly penalised (`lambda`): the institution's window rule-hit Poisson z,
 *   its window billing-pattern excess (the two parts of the unsupervised evidence, target-score.ts)
 *   and log(1 + its claims over the window); and 24 detail ones, heavily penalised
 *   (`detailLambda`), so that about 200 noisy labels move them only where the signal is strong:
 *   the month's peer z of every feature, its forest score, the month's rule-hit z and pattern excess;
 *   Both fits take the auditors' error rate (1 − `auditorAccuracy`) as label noise: they maximise
 *   the likelihood of the conclusions as observed, ε + (1 − 2ε) P(fraud), so a wrong conclusion
 *   among strong evidence is expected rather than read as a weaker slope (logistic.ts `labelNoise`);
 * - the unsupervised evidence is calibrated on the same labels (a logistic regression on the
 *   evidence alone; with `prior: 'calibrated'` the learned probability's prior);
 * - both are scored on held-out folds (k-fold by institution, so no institution's months are on
 *   both sides, and a held-out institution's own labels are not used); the supervised model is
 *   used only when its cross-validated AUC is at least `margin` above the unsupervised one;
 * - an institution's learned probability is the mean of its window months' log odds (of the
 *   supervised model by default, whether or not it won: fitted with the label noise it is a
 *   P(fraud) on the labels' scale, which the update below needs; `prior` can make it the
 *   calibrated or the fixed unsupervised P(fraud) instead), then updated by Bayes' rule with its own concluded months of the window (each confirmed month
 *   multiplies the odds by a/(1 − a), each dismissed month divides them, a = `auditorAccuracy`):
 *   what the auditors concluded about an institution weighs on its other months. Never-reviewed
 *   institutions keep the model's probability. Targeting uses it only when the supervised model
 *   won (`probabilityOf`); otherwise targeting keeps the unsupervised P(fraud).
 *
 * What was tried, the AUCs, the decision and why go into the model version.
 */
export interface OutcomeLabel {
  institutionId: string;
  month: string;
  label: 0 | 1;
}

export interface OutcomeOptions {
  /** labelled institution-months of each class needed to fit (default 30) */
  minPerClass?: number;
  /** cross-validation folds, by institution (default 5) */
  folds?: number;
  /** supervised targets only when its held-out AUC beats the unsupervised one by this (default 0.02) */
  margin?: number;
  /** L2 penalty of the three primary columns (default 1) */
  lambda?: number;
  /** L2 penalty of the 24 detail columns (default 100) */
  detailLambda?: number;
  /** when given, the detail penalty is chosen among these by cross-validation (e.g. DETAIL_LAMBDAS) */
  detailLambdas?: readonly number[];
  /** share of review conclusions that are right, for the Bayes update of a reviewed institution (default 0.9; 0.5 turns it off) */
  auditorAccuracy?: number;
  /**
   * share of labels taken to be wrong when fitting (default 1 − auditorAccuracy, 0 when that is
   * 0.5): the fits maximise the likelihood of the conclusions as observed (logistic.ts `labelNoise`)
   */
  labelNoise?: number;
  /**
   * the prior of the learned probability (before an institution's own conclusions) when the
   * supervised model does not win: 'supervised' (default), the supervised model all the same (fitted
   * on the labels with their noise, it is a P(fraud) on the labels' scale); 'calibrated', the
   * unsupervised evidence's P(fraud) fitted on the labels; 'unsupervised', the fixed
   * 1 / (1 + e^(−3 (evidence − 3))) of target-score.ts (the form before label noise was modelled)
   */
  prior?: 'supervised' | 'calibrated' | 'unsupervised';
  /** fold assignment seed (default 1) */
  seed?: number;
}

export interface OutcomeResult {
  used: 'supervised' | 'unsupervised';
  /** why, in a sentence */
  why: string;
  labels: { positive: number; negative: number; unmatched: number };
  minPerClass: number;
  margin: number;
  cv?: { folds: number; supervisedAuc: number; unsupervisedAuc: number };
  /** the supervised model fitted on every label, when it was fitted */
  model?: LogisticModel & { columns: string[]; lambda: number; detailLambda: number; labelNoise: number };
  /** the unsupervised evidence calibrated on every label (column: the window evidence), when fitted */
  calibration?: LogisticModel;
  /** the Bayes update by an institution's own concluded months */
  update?: { auditorAccuracy: number; reviewedInstitutions: number };
  /** share of labels the fits took to be wrong */
  labelNoise?: number;
  /** the prior of the learned probability: the supervised model, or the unsupervised evidence's P(fraud), calibrated or fixed */
  prior?: 'supervised' | 'calibrated' | 'unsupervised';
  /** the detail penalty chosen by cross-validation: the candidates, each one's held-out negative log-likelihood, the one chosen */
  penalty?: { detailLambdas: number[]; heldOutLoss: number[]; chosen: number };
}

/** A window row as outcome learning reads it. */
export interface OutcomeRow extends TargetingRow {
  score: number;
}

/** The primary columns, lightly penalised; then the detail columns. */
export const PRIMARY_COLUMNS: readonly string[] = ['windowRulesZ', 'windowPatternZ', 'logWindowClaims'];
export const OUTCOME_COLUMNS: readonly string[] = [...PRIMARY_COLUMNS, ...FEATURE_NAMES.map((f) => `z:${f}`), 'forestScore', 'rulesZ', 'patternZ'];

/** The window's evidence of each institution (its rows of the window pooled), with its claims over the window. */
export function windowEvidence(rows: readonly OutcomeRow[]) {
  const by = new Map<string, OutcomeRow[]>();
  for (const r of rows) by.set(r.institutionId, [...(by.get(r.institutionId) ?? []), r]);
  const peerRate = peerHitRates(rows);
  const evidence = new Map([...by].map(([id, list]) => [id, { ...targetingEvidence(list, { peerRate }), claims: list.reduce((s, r) => s + (r.features.claims ?? 0), 0) }]));
  return Object.assign(evidence, { peerRate });
}

/** One institution-month as the supervised model's columns (OUTCOME_COLUMNS): the institution's window evidence and size, then the month's peer z, forest score and evidence. */
export function outcomeColumns(row: OutcomeRow, window: ReturnType<typeof windowEvidence>): number[] {
  const e = targetingEvidence([row], { peerRate: window.peerRate });
  const w = window.get(row.institutionId) ?? { ...e, claims: row.features.claims ?? 0 };
  return [w.rulesZ, w.patternZ, Math.log1p(Math.max(0, w.claims)), ...FEATURE_NAMES.map((f: FeatureName) => row.comparable[f]), row.score, e.rulesZ, e.patternZ];
}

/** Odds times a/(1 − a) for each confirmed label, divided by it for each dismissed one. */
export function bayesUpdate(probability: number, labels: readonly (0 | 1)[], accuracy: number): number {
  if (labels.length === 0 || accuracy === 0.5) return probability;
  const p = Math.min(1 - 1e-12, Math.max(1e-12, probability));
  return 1 / (1 + Math.exp(-updateLogOdds(Math.log(p / (1 - p)), labels, accuracy)));
}

/** bayesUpdate on the log-odds scale. */
export function updateLogOdds(logOdds: number, labels: readonly (0 | 1)[], accuracy: number): number {
  const step = Math.log(accuracy / (1 - accuracy));
  return labels.reduce((l, y) => l + (y === 1 ? step : -step), logOdds);
}

/** The unsupervised evidence of an institution-month's institution over the window (what the supervised model must beat). */
export const unsupervisedOf = (row: OutcomeRow, window: ReturnType<typeof windowEvidence>) => (window.get(row.institutionId) ?? targetingEvidence([row], { peerRate: window.peerRate })).evidence;

function foldOf(institutionId: string, folds: number, seed: number): number {
  let h = 2166136261 ^ seed;
  for (let i = 0; i < institutionId.length; i++) h = Math.imul(h ^ institutionId.charCodeAt(i), 16777619);
  return (h >>> 0) % folds;
}

/** Detail penalties for cross-validation to choose among (`detailLambdas`). */
export const DETAIL_LAMBDAS: readonly number[] = [1, 3, 10, 30, 100, 300, 1000];

export function learnFromOutcomes(rows: readonly OutcomeRow[], labels: readonly OutcomeLabel[], options: OutcomeOptions = {}) {
  const minPerClass = options.minPerClass ?? 30;
  const margin = options.margin ?? 0.02;
  const folds = options.folds ?? 5;
  const lambda = options.lambda ?? 1;
  const accuracy = options.auditorAccuracy ?? 0.9;
  if (!(accuracy >= 0.5 && accuracy < 1)) throw new RangeError('auditorAccuracy must be at least 0.5 and below 1');
  const labelNoise = options.labelNoise ?? (accuracy > 0.5 ? 1 - accuracy : 0);
  if (!(labelNoise >= 0 && labelNoise < 0.5)) throw new RangeError('labelNoise must be at least 0 and below 0.5');
  const grid = options.detailLambdas ? [...options.detailLambdas] : [options.detailLambda ?? 100];
  if (grid.length === 0 || !grid.every((l) => l >= 0)) throw new RangeError('detailLambdas must be penalties of at least 0');
  const priorKind = options.prior ?? 'supervised';
  const seed = options.seed ?? 1;
  const lambdasOf = (detail: number) => OUTCOME_COLUMNS.map((_, j) => (j < PRIMARY_COLUMNS.length ? lambda : detail));
  const byKey = new Map(rows.map((r) => [`${r.institutionId}|${r.month}`, r]));
  const window = windowEvidence(rows);
  const columns = (r: OutcomeRow) => outcomeColumns(r, window);
  const evidence = (r: OutcomeRow) => [unsupervisedOf(r, window)];
  const labelled: { row: OutcomeRow; label: 0 | 1; x: number[] }[] = [];
  let unmatched = 0;
  for (const l of labels) {
    const row = byKey.get(`${l.institutionId}|${l.month}`);
    if (row) labelled.push({ row, label: l.label, x: columns(row) });
    else unmatched++;
  }
  const positive = labelled.filter((l) => l.label === 1).length;
  const negative = labelled.length - positive;
  const base = { labels: { positive, negative, unmatched }, minPerClass, margin };
  if (positive < minPerClass || negative < minPerClass) {
    return {
      result: {
        ...base,
        used: 'unsupervised',
        why: `too few labels in the window: ${positive} confirmed and ${negative} dismissed institution-months, ${minPerClass} of each needed`,
      } as OutcomeResult,
      probabilityOf: undefined,
    };
  }
  type Labelled = (typeof labelled)[number];
  const fit = (list: readonly Labelled[], detail: number) =>
    fitLogistic(
      list.map((t) => t.x),
      list.map((t) => t.label),
      { lambda: lambdasOf(detail), labelNoise },
    );
  const foldsOf = (k: number) => ({
    train: labelled.filter((l) => foldOf(l.row.institutionId, folds, seed) !== k),
    test: labelled.filter((l) => foldOf(l.row.institutionId, folds, seed) === k),
  });
  // The detail penalty: the one whose fits predict the held-out institutions' conclusions best
  // (their log-likelihood as observed, label noise included), same folds by institution.
  const heldOutLoss = grid.map((detail) => {
    if (grid.length === 1) return Number.NaN;
    let loss = 0;
    for (let k = 0; k < folds; k++) {
      const { train, test } = foldsOf(k);
      if (test.length === 0 || new Set(train.map((t) => t.label)).size < 2) continue;
      const m = fit(train, detail);
      for (const t of test) {
        const p = labelNoise + (1 - 2 * labelNoise) * predictLogistic(m, t.x);
        loss -= Math.log(Math.max(1e-300, t.label === 1 ? p : 1 - p));
      }
    }
    return loss;
  });
  const detailLambda = grid.length === 1 ? grid[0]! : grid[heldOutLoss.indexOf(Math.min(...heldOutLoss))]!;
  // Held-out folds by institution: every labelled month of an institution on one side.
  const held: number[] = [];
  const heldUnsup: number[] = [];
  const heldLabels: number[] = [];
  for (let k = 0; k < folds; k++) {
    const { train, test } = foldsOf(k);
    if (test.length === 0) continue;
    const m = new Set(train.map((t) => t.label)).size === 2 ? fit(train, detailLambda) : undefined;
    for (const t of test) {
      held.push(m ? predictLogistic(m, t.x) : 0.5);
      heldUnsup.push(unsupervisedOf(t.row, window));
      heldLabels.push(t.label);
    }
  }
  const supervisedAuc = rocAuc(held, heldLabels);
  const unsupervisedAuc = rocAuc(heldUnsup, heldLabels);
  const fitted = fit(labelled, detailLambda);
  // The unsupervised evidence on the labels' scale (the same ranking): the prior of the Bayes
  // update when the supervised model does not win.
  const calibration = fitLogistic(
    labelled.map((l) => evidence(l.row)),
    labelled.map((l) => l.label),
    { lambda: 1, labelNoise },
  );
  const model = { ...fitted, columns: [...OUTCOME_COLUMNS], lambda, detailLambda, labelNoise };
  const penalty = grid.length === 1 ? undefined : { detailLambdas: grid, heldOutLoss, chosen: detailLambda };
  const wins = supervisedAuc >= unsupervisedAuc + margin;
  const cv = { folds, supervisedAuc, unsupervisedAuc };
  const ownLabels = new Map<string, (0 | 1)[]>();
  for (const l of labelled) ownLabels.set(l.row.institutionId, [...(ownLabels.get(l.row.institutionId) ?? []), l.label]);
  const update = { auditorAccuracy: accuracy, reviewedInstitutions: ownLabels.size };
  const counts = `${positive} confirmed, ${negative} dismissed institution-months, ${folds} folds by institution`;
  const updated = accuracy === 0.5 ? '' : `; each of the ${ownLabels.size} reviewed institutions' probability updated by its own conclusions (auditors right ${accuracy} of the time)`;
  const priorText =
    priorKind === 'supervised' ? "the supervised model's P(fraud)" : priorKind === 'calibrated' ? "the unsupervised evidence's P(fraud) calibrated on the labels" : 'the unsupervised P(fraud)';
  const why = wins
    ? `supervised: held-out AUC ${supervisedAuc.toFixed(3)} against ${unsupervisedAuc.toFixed(3)} unsupervised, ${margin} or more above it (${counts})${updated}`
    : `unsupervised: the supervised model's held-out AUC ${supervisedAuc.toFixed(3)} is not ${margin} above the unsupervised ${unsupervisedAuc.toFixed(3)} (${counts}); targeting keeps the unsupervised P(fraud) (the learned probability: ${priorText}${updated})`;
  const result: OutcomeResult = {
    ...base,
    used: wins ? 'supervised' : 'unsupervised',
    why,
    cv,
    model,
    calibration,
    update,
    labelNoise,
    prior: wins ? 'supervised' : priorKind,
    ...(penalty ? { penalty } : {}),
  };
  // The prior of the Bayes update must be a probability on the labels' scale: the update adds
  // log(a/(1 − a)) per conclusion to it, so a prior steeper than the evidence warrants lets strong
  // evidence outweigh the auditors, a flatter one the reverse. When the unsupervised evidence is
  // kept, its P(fraud) is calibrated on the labels (centre and slope), fitted with the auditors'
  // error rate as label noise: a plain fit reads each wrong conclusion among strong evidence as
  // evidence against the slope and comes out flat. The selection of the labels (mostly the
  // targeting's top picks) depends on the evidence only, which a fit of P(fraud | evidence) allows.
  const logOdds =
    wins || priorKind === 'supervised'
      ? (r: OutcomeRow) => logOddsOf(fitted, columns(r))
      : priorKind === 'calibrated'
        ? (r: OutcomeRow) => logOddsOf(calibration, evidence(r))
        : (r: OutcomeRow) => UNSUPERVISED_STEEPNESS * (evidence(r)[0]! - UNSUPERVISED_CENTRE);
  const predict = (r: OutcomeRow) => 1 / (1 + Math.exp(-logOdds(r)));
  // An institution's log odds over the window: the mean of its months' log odds, then its own
  // conclusions added. On the log-odds scale, so institutions the model is sure of stay ordered
  // (a mean of probabilities rounds them all to 1).
  const perInstitution = new Map<string, number[]>();
  for (const r of rows) perInstitution.set(r.institutionId, [...(perInstitution.get(r.institutionId) ?? []), logOdds(r)]);
  const learnedLogOdds = (institutionId: string) => {
    const ls = perInstitution.get(institutionId);
    return ls ? updateLogOdds(ls.reduce((s, l) => s + l, 0) / ls.length, ownLabels.get(institutionId) ?? [], accuracy) : undefined;
  };
  const learnedOf = (institutionId: string) => {
    const l = learnedLogOdds(institutionId);
    return l === undefined ? undefined : 1 / (1 + Math.exp(-l));
  };
  // Targeting takes the learned probability only when the supervised model won; otherwise it keeps
  // the unsupervised P(fraud) unchanged, the month's own figure for every institution.
  return {
    result,
    probabilityOf: wins ? learnedOf : undefined,
    learnedOf,
    learnedLogOdds,
    predict,
    source: (wins ? 'supervised' : 'unsupervised') as 'supervised' | 'unsupervised',
  };
}
