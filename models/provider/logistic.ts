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
  /**
   * Share of labels known to be flipped at random, ε in [0, 0.5) (default 0). The fit then
   * maximises the likelihood of the labels as observed, P(label 1) = ε + (1 − 2ε) σ(η), so that
   * the model's σ(η) is the probability of the true class: a few wrong labels among strong
   * evidence are what ε predicts and do not flatten the slope. With ε > 0 the objective is no
   * longer concave; it is fitted by Fisher scoring with step halving from 0.
   */
  labelNoise?: number;
  /** a fixed term added to each row's linear predictor (a prior model's log odds), not fitted */
  offset?: readonly number[];
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
  const eps = options.labelNoise ?? 0;
  if (!(eps >= 0 && eps < 0.5)) throw new RangeError('labelNoise must be at least 0 and below 0.5');
  const offset = options.offset ?? new Array<number>(n).fill(0);
  if (offset.length !== n) throw new RangeError(`offset must have one value per row (${n}), got ${offset.length}`);
  const means = Array.from({ length: d }, (_, j) => x.reduce((s, r) => s + r[j]!, 0) / n);
  const sds = Array.from({ length: d }, (_, j) => {
    const v = x.reduce((s, r) => s + (r[j]! - means[j]!) ** 2, 0) / n;
    return v > 0 ? Math.sqrt(v) : 1;
  });
  const z = x.map((r) => [1, ...r.map((v, j) => (v - means[j]!) / sds[j]!)]);
  const p = d + 1;
  const eta = (b: readonly number[], i: number) => {
    const row = z[i]!;
    let e = offset[i]!;
    for (let j = 0; j < p; j++) e += b[j]! * row[j]!;
    return e;
  };
  // the penalised log-likelihood of the labels as observed
  const objective = (b: readonly number[]) => {
    let s = 0;
    for (let i = 0; i < n; i++) {
      const mu = eps + (1 - 2 * eps) * sigmoid(eta(b, i));
      s += y[i] === 1 ? Math.log(Math.max(mu, 1e-300)) : Math.log(Math.max(1 - mu, 1e-300));
    }
    for (let j = 1; j < p; j++) s -= 0.5 * lambdas[j - 1]! * b[j]! ** 2;
    return s;
  };
  const beta = new Array<number>(p).fill(0);
  let current = eps > 0 ? objective(beta) : 0;
  let iterations = 0;
  for (; iterations < (options.maxIterations ?? 50); iterations++) {
    const grad = new Array<number>(p).fill(0);
    const hess = Array.from({ length: p }, () => new Array<number>(p).fill(0));
    for (let i = 0; i < n; i++) {
      const row = z[i]!;
      const s = sigmoid(eta(beta, i));
      // P(label 1) = ε + (1 − 2ε) s; its derivative in η is g. With ε = 0 this is Newton's step
      // (w = s(1 − s), r = y − s); otherwise Fisher scoring (the expected information).
      const mu = eps + (1 - 2 * eps) * s;
      const g = (1 - 2 * eps) * s * (1 - s);
      const v = Math.max(mu * (1 - mu), 1e-12);
      const w = Math.max((g * g) / v, 1e-10);
      const r = eps > 0 ? ((y[i]! - mu) * g) / v : y[i]! - mu;
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
    // With label noise the objective is not concave: halve the step until it does not fall.
    let t = 1;
    let gain = Number.POSITIVE_INFINITY;
    if (eps > 0) {
      for (;;) {
        const next = objective(beta.map((b, j) => b + t * step[j]!));
        if (next >= current - 1e-12 || t < 1e-6) {
          gain = next - current;
          current = next;
          break;
        }
        t /= 2;
      }
    }
    let moved = 0;
    for (let j = 0; j < p; j++) {
      beta[j]! += t * step[j]!;
      moved = Math.max(moved, Math.abs(t * step[j]!));
    }
    // Fisher scoring converges linearly: with label noise, stop too when the objective no longer
    // rises by more than 1e-10 of itself (coefficients then move by about 1e-5 of their scale).
    if (moved < (options.tolerance ?? 1e-9) || gain < 1e-10 * Math.abs(current)) {
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
