/**
 * Isolation-forest benchmark: the project's forest (models/isolation-forest) against the npm
 * package ml-isolation-forest 0.1.0 on ODDS shuttle (49,097 rows × 9), 100 trees, ψ = 256
 * (ml-isolation-forest has no ψ: it grows every tree on the whole training set).
 *
 *   npm run bench:model
 *
 * Each implementation runs in its own child process (forked with --expose-gc), so the memory
 * one uses cannot show up in the other's figures. In each child: the CSV is read and parsed
 * into number[][] (both libraries get the same number[][] input; the project's forest converts
 * it to a Float64Array inside fit/score and that time is counted), gc() runs, then
 *  - times: performance.now() around fit and around scoring all rows; the project's forest is
 *    timed cold (first call, includes JIT warm-up) and warm (median of 5 more runs);
 *    ml-isolation-forest once (one fit takes seconds);
 *  - memory: RSS (process.memoryUsage().rss) after loading, after the first fit, after the
 *    first scoring; peak RSS of the child up to then (process.resourceUsage().maxRSS, the
 *    kernel's high-water mark, read before the warm repeats), and what the trained model holds
 *    (heapUsed + arrayBuffers after gc with the model alive, minus the same before fit).
 */
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { IsolationForest } from '../models/isolation-forest/index.js';
import { rocAuc } from '../models/metrics/auc.js';
import { parseOddsCsv, toRows } from '../test/models/odds.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SHUTTLE = path.resolve(HERE, '..', '../shared/data/odds/shuttle.csv');
const TREES = 100;
const PSI = 256;
const SEED = 1;
const WARM_RUNS = 5;

type Impl = 'claimscreen' | 'ml-isolation-forest';

interface Result {
  impl: Impl;
  rows: number;
  trainColdMs: number;
  trainWarmMs: number | null;
  scoreColdMs: number;
  scoreWarmMs: number | null;
  auc: number;
  meanOutlier: number;
  meanInlier: number;
  rssAfterLoadMb: number;
  rssAfterFitMb: number;
  rssAfterScoreMb: number;
  peakRssMb: number;
  heapModelMb: number;
  nodes: number | null;
}

interface MlForest {
  train(rows: number[][]): void;
  predict(rows: number[][]): number[];
}
type MlForestCtor = new (options?: { nEstimators?: number }) => MlForest;

const MB = 1024 * 1024;
const mb = (bytes: number) => bytes / MB;

function gc(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (!g) throw new Error('run with --expose-gc (the parent process does this)');
  g();
  g();
}

/** V8 heap in use plus ArrayBuffer backing stores (typed arrays live outside heapUsed). */
function heapAndBuffers(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

function timed<T>(f: () => T): [T, number] {
  const t0 = performance.now();
  const v = f();
  return [v, performance.now() - t0];
}

function meanByLabel(scores: ArrayLike<number>, labels: Uint8Array): [number, number] {
  let out = 0;
  let nOut = 0;
  let inl = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] === 1) {
      out += scores[i]!;
      nOut++;
    } else inl += scores[i]!;
  }
  return [out / nOut, inl / (labels.length - nOut)];
}

function runChild(impl: Impl): Result {
  const ds = parseOddsCsv(readFileSync(SHUTTLE, 'utf8'), 'shuttle');
  const rows = toRows(ds);
  const labels = ds.labels;
  gc();
  const rssAfterLoad = process.memoryUsage().rss;
  const heapBefore = heapAndBuffers();

  let scores: ArrayLike<number>;
  let trainColdMs: number;
  let scoreColdMs: number;
  let trainWarmMs: number | null = null;
  let scoreWarmMs: number | null = null;
  let rssAfterFit: number;
  let heapModel: number;
  let nodes: number | null = null;
  let rssAfterScore: number;
  let peakRssBeforeWarm: number;

  if (impl === 'claimscreen') {
    const [model, tFit] = timed(() => IsolationForest.fit(rows, { trees: TREES, psi: PSI, seed: SEED }));
    trainColdMs = tFit;
    rssAfterFit = process.memoryUsage().rss;
    gc();
    heapModel = heapAndBuffers() - heapBefore;
    nodes = model.nodeCount;
    [scores, scoreColdMs] = timed(() => model.score(rows));
    rssAfterScore = process.memoryUsage().rss;
    peakRssBeforeWarm = process.resourceUsage().maxRSS * 1024;
    const fits: number[] = [];
    const scorings: number[] = [];
    for (let k = 0; k < WARM_RUNS; k++) {
      const [m, tf] = timed(() => IsolationForest.fit(rows, { trees: TREES, psi: PSI, seed: SEED }));
      const [s, ts] = timed(() => m.score(rows));
      fits.push(tf);
      scorings.push(ts);
      if (s[0] !== scores[0]) throw new Error('same seed gave a different score');
    }
    trainWarmMs = median(fits);
    scoreWarmMs = median(scorings);
  } else {
    const require = createRequire(import.meta.url);
    const { IsolationForest: MlIsolationForest } = require('ml-isolation-forest') as {
      IsolationForest: MlForestCtor;
    };
    const model = new MlIsolationForest({ nEstimators: TREES });
    [, trainColdMs] = timed(() => model.train(rows));
    rssAfterFit = process.memoryUsage().rss;
    gc();
    heapModel = heapAndBuffers() - heapBefore;
    [scores, scoreColdMs] = timed(() => model.predict(rows));
    rssAfterScore = process.memoryUsage().rss;
    peakRssBeforeWarm = process.resourceUsage().maxRSS * 1024;
  }
  const [meanOutlier, meanInlier] = meanByLabel(scores, labels);
  return {
    impl,
    rows: ds.rows,
    trainColdMs,
    trainWarmMs,
    scoreColdMs,
    scoreWarmMs,
    auc: rocAuc(scores, labels),
    meanOutlier,
    meanInlier,
    rssAfterLoadMb: mb(rssAfterLoad),
    rssAfterFitMb: mb(rssAfterFit),
    rssAfterScoreMb: mb(rssAfterScore),
    peakRssMb: mb(peakRssBeforeWarm),
    heapModelMb: mb(heapModel),
    nodes,
  };
}

function spawn(impl: Impl): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['--child', impl], {
      execArgv: [...process.execArgv, '--expose-gc'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let result: Result | undefined;
    child.on('message', (m) => (result = m as Result));
    child.on('error', reject);
    child.on('exit', (code) =>
      result && code === 0 ? resolve(result) : reject(new Error(`${impl} child exited with ${code}`)),
    );
  });
}

const f1 = (x: number) => x.toFixed(1);
const rate = (rows: number, ms: number) => Math.round(rows / (ms / 1000)).toLocaleString('en-US');

function report(ours: Result, ml: Result): void {
  const line = (label: string, a: string, b: string) =>
    console.log(`${label.padEnd(34)}${a.padStart(22)}${b.padStart(24)}`);
  console.log(`\nshuttle: ${ours.rows.toLocaleString('en-US')} rows × 9, ${TREES} trees; claimscreen ψ = ${PSI}, seed ${SEED}; ml-isolation-forest: whole set per tree\n`);
  line('', 'claimscreen', 'ml-isolation-forest');
  line('train, cold (ms)', f1(ours.trainColdMs), f1(ml.trainColdMs));
  line('train, warm median of 5 (ms)', f1(ours.trainWarmMs!), '—');
  line('score all rows, cold (ms)', f1(ours.scoreColdMs), f1(ml.scoreColdMs));
  line('score all rows, warm median (ms)', f1(ours.scoreWarmMs!), '—');
  line('scoring rows/s, cold', rate(ours.rows, ours.scoreColdMs), rate(ml.rows, ml.scoreColdMs));
  line('scoring rows/s, warm', rate(ours.rows, ours.scoreWarmMs!), '—');
  line('AUC', ours.auc.toFixed(4), ml.auc.toFixed(4));
  line('mean score outliers / inliers', `${ours.meanOutlier.toFixed(3)} / ${ours.meanInlier.toFixed(3)}`, `${ml.meanOutlier.toFixed(3)} / ${ml.meanInlier.toFixed(3)}`);
  line('RSS after loading data (MB)', f1(ours.rssAfterLoadMb), f1(ml.rssAfterLoadMb));
  line('RSS after fit (MB)', f1(ours.rssAfterFitMb), f1(ml.rssAfterFitMb));
  line('RSS after scoring (MB)', f1(ours.rssAfterScoreMb), f1(ml.rssAfterScoreMb));
  line('peak RSS of the process (MB)', f1(ours.peakRssMb), f1(ml.peakRssMb));
  line('peak RSS − RSS after loading (MB)', f1(ours.peakRssMb - ours.rssAfterLoadMb), f1(ml.peakRssMb - ml.rssAfterLoadMb));
  line('heap + buffers held by model (MB)', f1(ours.heapModelMb), f1(ml.heapModelMb));
  if (ours.nodes !== null) line('tree nodes (all trees)', ours.nodes.toLocaleString('en-US'), '—');
  const coldRatio = ml.trainColdMs / ours.trainColdMs;
  const warmRatio = ml.trainColdMs / ours.trainWarmMs!;
  console.log(`\ntraining speed-up: ${coldRatio.toFixed(0)}× (cold vs cold), ${warmRatio.toFixed(0)}× (ml vs our warm median); goal ≥ 20×`);
  const warmRate = ours.rows / (ours.scoreWarmMs! / 1000);
  console.log(`scoring: ${rate(ours.rows, ours.scoreWarmMs!)} rows/s warm, ${rate(ours.rows, ours.scoreColdMs)} rows/s cold; goal ≥ 200,000 rows/s`);
  const ok = coldRatio >= 20 && warmRate >= 200_000;
  console.log(ok ? 'goals met' : 'GOALS NOT MET');
}

const childAt = process.argv.indexOf('--child');
if (childAt >= 0) {
  const impl = process.argv[childAt + 1] as Impl;
  const result = runChild(impl);
  process.send!(result, () => process.disconnect());
} else {
  const ours = await spawn('claimscreen');
  const ml = await spawn('ml-isolation-forest');
  report(ours, ml);
}
