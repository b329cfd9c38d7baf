/**
 * L2-regularised logistic regression, fitted by Newton's method (iteratively reweighted least
 * squares). Small and exact for the provider model's few columns (about 20): each step solves a
 * d × d system by Cholesky. Columns are standardised (mean 0, sd 1) before fitting, so one
 * penalty `lambda` fits every column; the intercept is not penalised.
 *
 * No maintained npm package for this was installed here (node_modules holds ml-isolation-forest
 * and simple-statistics, whose classifiers are a perceptron and naive Bayes, not a regularised
 * logistic regression), and the project adds no package without need: this is 100 lines with a
 * unique optimum (the penalised log-likelihood is strictly concave), checked in
 * test/models/logistic.test.ts against known solutions.
 */
export interface LogisticOptions {
  /** L2 penalty on the standardised coefficients (default 1); an array gives each column its own */
  lambda?: number | readonly number[];
  /** Newton steps at most (default 50) */
  maxIterations?: number;
  /** stop when no coefficient moves more than this (default 1e-9) */
  tolerance?: number;
}

export interface LogisticModel {
  /** coefficients of the standardised columns */
  weights: number[];
  intercept: number;
  means: number[];
  sds: number[];
  iterations: number;
}

const sigmoid = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

export function fitLogistic(x: readonly (readonly number[])[], y: readonly (0 | 1)[], options: LogisticOptions = {}): LogisticModel {
  const n = x.length;
  if (n === 0 || y.length !== n) throw new RangeError(`need rows and as many labels, got ${n} rows and ${y.length} labels`);
  const d = x[0]!.length;
  const lambdaOption = options.lambda ?? 1;
  const lambdas = typeof lambdaOption === 'number' ? new Array<number>(d).fill(lambdaOption) : [...lambdaOption];
  if (lambdas.length !== d) throw new RangeError(`lambda must be one number or one per column (${d}), got ${lambdas.length}`);
  if (!lambdas.every((l) => l >= 0)) throw new RangeError('lambda must be at least 0');
  const means = Array.from({ length: d }, (_, j) => x.reduce((s, r) => s + r[j]!, 0) / n);
  const sds = Array.from({ length: d }, (_, j) => {
    const v = x.reduce((s, r) => s + (r[j]! - means[j]!) ** 2, 0) / n;
    return v > 0 ? Math.sqrt(v) : 1;
  });
  const z = x.map((r) => [1, ...r.map((v, j) => (v - means[j]!) / sds[j]!)]);
  const p = d + 1;
  const beta = new Array<number>(p).fill(0);
  let iterations = 0;
  for (; iterations < (options.maxIterations ?? 50); iterations++) {
    const grad = new Array<number>(p).fill(0);
    const hess = Array.from({ length: p }, () => new Array<number>(p).fill(0));
    for (let i = 0; i < n; i++) {
      const row = z[i]!;
      let eta = 0;
      for (let j = 0; j < p; j++) eta += beta[j]! * row[j]!;
      const mu = sigmoid(eta);
      const w = Math.max(mu * (1 - mu), 1e-10);
      const r = y[i]! - mu;
      for (let j = 0; j < p; j++) {
        grad[j]! += r * row[j]!;
        const wj = w * row[j]!;
        for (let k = 0; k <= j; k++) hess[j]![k]! += wj * row[k]!;
      }
    }
    for (let j = 1; j < p; j++) {
      grad[j]! -= lambdas[j - 1]! * beta[j]!;
      hess[j]![j]! += lambdas[j - 1]!;
    }
    hess[0]![0]! += 1e-9;
    for (let j = 0; j < p; j++) for (let k = j + 1; k < p; k++) hess[j]![k] = hess[k]![j]!;
    const step = solveSpd(hess, grad);
    let moved = 0;
    for (let j = 0; j < p; j++) {
      beta[j]! += step[j]!;
      moved = Math.max(moved, Math.abs(step[j]!));
    }
    if (moved < (options.tolerance ?? 1e-9)) {
      iterations++;
      break;
    }
  }
  return { weights: beta.slice(1), intercept: beta[0]!, means, sds, iterations };
}

export function predictLogistic(m: LogisticModel, row: readonly number[]): number {
  return sigmoid(logOddsOf(m, row));
}

/** The model's log odds for a row (the linear predictor), before the sigmoid. */
export function logOddsOf(m: LogisticModel, row: readonly number[]): number {
  let eta = m.intercept;
  for (let j = 0; j < m.weights.length; j++) eta += m.weights[j]! * ((row[j]! - m.means[j]!) / m.sds[j]!);
  return eta;
}

/** Solves A x = b for a symmetric positive-definite A by Cholesky. */
export function solveSpd(a: readonly (readonly number[])[], b: readonly number[]): number[] {
  const n = b.length;
  const l = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i]![j]!;
      for (let k = 0; k < j; k++) s -= l[i]![k]! * l[j]![k]!;
      if (i === j) {
        if (!(s > 0)) throw new RangeError('matrix is not positive definite');
        l[i]![i] = Math.sqrt(s);
      } else l[i]![j] = s / l[j]![j]!;
    }
  }
  const yv = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= l[i]![k]! * yv[k]!;
    yv[i] = s / l[i]![i]!;
  }
  const xv = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let s = yv[i]!;
    for (let k = i + 1; k < n; k++) s -= l[k]![i]! * xv[k]!;
    xv[i] = s / l[i]![i]!;
  }
  return xv;
}
