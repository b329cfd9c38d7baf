import { rocAuc } from '../metrics/auc.js';
import { FEATURE_NAMES, type FeatureName } from './features.js';
import { fitLogistic, predictLogistic, type LogisticModel } from './logistic.js';
import { targetingEvidence, type TargetingRow } from './target-score.js';

/**
 * Learning from outcomes. Concluded review cases label institution-months: confirmed (fraud or
 * abuse found) 1, dismissed 0; institution-months never reviewed are unlabelled, not clean, and
 * take no part in the fit. When at least `minPerClass` institution-months of each class fall in
 * the training window, an L2-regularised logistic regression (logistic.ts) is fitted on each
 * labelled month's peer z of every feature, its forest score and its unsupervised evidence (the
 * month's rule-hit Poisson z and billing-pattern excess, target-score.ts). Both it and the
 * unsupervised evidence are scored on held-out folds (k-fold by institution, so no institution's
 * months are on both sides); the supervised probability replaces the unsupervised one in the
 * targeting score only when its cross-validated AUC is at least `margin` above the unsupervised
 * one. What was tried, the AUCs, the decision and why go into the model version.
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
  /** L2 penalty (default 1) */
  lambda?: number;
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
  model?: LogisticModel & { columns: string[]; lambda: number };
}

/** A window row as outcome learning reads it. */
export interface OutcomeRow extends TargetingRow {
  score: number;
}

export const OUTCOME_COLUMNS: readonly string[] = [...FEATURE_NAMES.map((f) => `z:${f}`), 'forestScore', 'rulesZ', 'patternZ', 'windowRulesZ', 'windowPatternZ'];

/** The window's evidence of each institution (its rows of the window pooled). */
export function windowEvidence(rows: readonly OutcomeRow[]) {
  const by = new Map<string, OutcomeRow[]>();
  for (const r of rows) by.set(r.institutionId, [...(by.get(r.institutionId) ?? []), r]);
  return new Map([...by].map(([id, list]) => [id, targetingEvidence(list)]));
}

/** One institution-month as the supervised model's columns: the month's peer z, forest score and evidence, and the institution's window evidence. */
export function outcomeColumns(row: OutcomeRow, window: ReturnType<typeof windowEvidence>): number[] {
  const e = targetingEvidence([row]);
  const w = window.get(row.institutionId) ?? e;
  return [...FEATURE_NAMES.map((f: FeatureName) => row.comparable[f]), row.score, e.rulesZ, e.patternZ, w.rulesZ, w.patternZ];
}

/** The unsupervised evidence of an institution-month's institution over the window (what the supervised model must beat). */
export const unsupervisedOf = (row: OutcomeRow, window: ReturnType<typeof windowEvidence>) => (window.get(row.institutionId) ?? targetingEvidence([row])).evidence;

function foldOf(institutionId: string, folds: number, seed: number): number {
  let h = 2166136261 ^ seed;
  for (let i = 0; i < institutionId.length; i++) h = Math.imul(h ^ institutionId.charCodeAt(i), 16777619);
  return (h >>> 0) % folds;
}

export function learnFromOutcomes(rows: readonly OutcomeRow[], labels: readonly OutcomeLabel[], options: OutcomeOptions = {}) {
  const minPerClass = options.minPerClass ?? 30;
  const margin = options.margin ?? 0.02;
  const folds = options.folds ?? 5;
  const lambda = options.lambda ?? 1;
  const seed = options.seed ?? 1;
  const byKey = new Map(rows.map((r) => [`${r.institutionId}|${r.month}`, r]));
  const window = windowEvidence(rows);
  const columns = (r: OutcomeRow) => outcomeColumns(r, window);
  const labelled: { row: OutcomeRow; label: 0 | 1 }[] = [];
  let unmatched = 0;
  for (const l of labels) {
    const row = byKey.get(`${l.institutionId}|${l.month}`);
    if (row) labelled.push({ row, label: l.label });
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
  // Held-out folds by institution: every labelled month of an institution on one side.
  const held: number[] = [];
  const heldUnsup: number[] = [];
  const heldLabels: number[] = [];
  for (let k = 0; k < folds; k++) {
    const train = labelled.filter((l) => foldOf(l.row.institutionId, folds, seed) !== k);
    const test = labelled.filter((l) => foldOf(l.row.institutionId, folds, seed) === k);
    if (test.length === 0) continue;
    const classes = new Set(train.map((t) => t.label));
    const m =
      classes.size === 2
        ? fitLogistic(
            train.map((t) => columns(t.row)),
            train.map((t) => t.label),
            { lambda },
          )
        : undefined;
    for (const t of test) {
      held.push(m ? predictLogistic(m, columns(t.row)) : 0.5);
      heldUnsup.push(unsupervisedOf(t.row, window));
      heldLabels.push(t.label);
    }
  }
  const supervisedAuc = rocAuc(held, heldLabels);
  const unsupervisedAuc = rocAuc(heldUnsup, heldLabels);
  const fitted = fitLogistic(
    labelled.map((l) => columns(l.row)),
    labelled.map((l) => l.label),
    { lambda },
  );
  const model = { ...fitted, columns: [...OUTCOME_COLUMNS], lambda };
  const wins = supervisedAuc >= unsupervisedAuc + margin;
  const cv = { folds, supervisedAuc, unsupervisedAuc };
  const why = wins
    ? `supervised: held-out AUC ${supervisedAuc.toFixed(3)} against ${unsupervisedAuc.toFixed(3)} unsupervised, ${margin} or more above it (${positive} confirmed, ${negative} dismissed institution-months, ${folds} folds by institution)`
    : `unsupervised: the supervised model's held-out AUC ${supervisedAuc.toFixed(3)} is not ${margin} above the unsupervised ${unsupervisedAuc.toFixed(3)} (${positive} confirmed, ${negative} dismissed institution-months, ${folds} folds by institution)`;
  const result: OutcomeResult = { ...base, used: wins ? 'supervised' : 'unsupervised', why, cv, model };
  if (!wins) return { result, probabilityOf: undefined };
  // An institution's probability over the window: the mean of its months' predictions.
  const perInstitution = new Map<string, number[]>();
  for (const r of rows) perInstitution.set(r.institutionId, [...(perInstitution.get(r.institutionId) ?? []), predictLogistic(fitted, columns(r))]);
  const probabilityOf = (institutionId: string) => {
    const ps = perInstitution.get(institutionId);
    return ps ? ps.reduce((s, p) => s + p, 0) / ps.length : undefined;
  };
  return { result, probabilityOf, predict: (r: OutcomeRow) => predictLogistic(fitted, columns(r)) };
}
