import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Simulation } from '../../sim/simulation.js';
import { loadReference } from './load-reference.js';
import { claimProgress } from './progress.js';
import { streamClaims } from './stream-claims.js';
import { Tally } from './tally.js';

export interface RunTarget {
  url: string;
  key: string;
}

const log = (text: string) => process.stderr.write(`${text}\n`);

/**
 * Loads the simulation's reference data and streams its claims through the service, writing the
 * claims and the truth to files when asked. Without a target it only writes the files.
 */
export async function runSimulation(sim: Simulation, target: RunTarget | undefined, files: { out?: string; truth?: string } = {}) {
  const started = performance.now();
  log(`planning: seed ${sim.options.seed}, ${sim.options.months} month(s) from ${sim.options.month}, scale ${sim.options.scale}${sim.options.clean ? ', clean' : ''}`);
  const total = sim.claimCount();
  log(`${total.toLocaleString('en')} claims, ${sim.institutions.length} institutions (first pass ${((performance.now() - started) / 1000).toFixed(1)} s)`);
  const out = files.out ? createWriteStream(files.out) : undefined;
  const truth = files.truth ? createWriteStream(files.truth) : undefined;
  for (const t of sim.institutionTruth()) truth?.write(`${JSON.stringify(t)}\n`);

  if (target) {
    for (const k of await loadReference(sim.reference(), target.url, target.key)) log(`reference ${k.kind}: ${k.records} records in ${k.requests} request(s)`);
  }
  const tally = new Tally();
  const progress = claimProgress(total);
  const claims = tee(sim, out, truth);
  try {
    if (target) {
      await streamClaims(claims, { ...target, onAnswer: (answer, sent) => (tally.add(answer, sent), progress.update(tally.answered)) });
    } else {
      for (const _ of claims) {
        progress.update(++tally.answered);
        // Offline, nothing else waits: without this the whole run would queue up in the file buffers.
        if (out?.writableNeedDrain) await once(out, 'drain');
        if (truth?.writableNeedDrain) await once(truth, 'drain');
      }
    }
  } finally {
    progress.stop();
    await Promise.all([close(out), close(truth)]);
  }
  return { total, tally };
}

/** passes claims on while writing them and their truth (when streaming, the network's waits let the files drain) */
function* tee(sim: Simulation, out: WriteStream | undefined, truth: WriteStream | undefined) {
  for (const item of sim.claims()) {
    out?.write(`${JSON.stringify(item.claim)}\n`);
    for (const t of item.truth) truth?.write(`${JSON.stringify(t)}\n`);
    yield item;
  }
}

async function close(stream: WriteStream | undefined) {
  if (!stream) return;
  stream.end();
  await once(stream, 'close');
}
