/**
 * `npm run check` (the first half of `npm test`): types, lint, import boundaries, the API
 * contract's lint and formatting. Each tool runs on one core, so they run side by side, as many at
 * once as the machine has cores, the longest first. Each prints a line when it ends, and its output
 * if it failed; the check fails if any of them does.
 */
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';

/** package.json scripts, longest first (CPU seconds on this 2-core machine: ~30, ~19, ~17, ~10, ~4) */
const CHECKS = ['typecheck', 'format:check', 'lint', 'lint:openapi', 'lint:deps'];

function run(script: string): Promise<boolean> {
  const started = Date.now();
  const child = spawn('npm', ['run', '-s', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  const output: Buffer[] = [];
  child.stdout.on('data', (b: Buffer) => output.push(b));
  child.stderr.on('data', (b: Buffer) => output.push(b));
  return new Promise((resolve) => {
    const done = (ok: boolean, why = '') => {
      const secs = ((Date.now() - started) / 1000).toFixed(1);
      process.stdout.write(`${ok ? '✓' : '✗'} npm run ${script} (${secs} s)${why}\n`);
      const text = Buffer.concat(output).toString().trim();
      if (!ok && text) process.stdout.write(`${text}\n`);
      resolve(ok);
    };
    child.on('error', (err) => done(false, `: ${err.message}`));
    child.on('close', (code, signal) => done(code === 0, code === 0 ? '' : `: exit ${code ?? signal}`));
  });
}

const queue = [...CHECKS];
const results: boolean[] = [];
await Promise.all(
  Array.from({ length: Math.max(1, Math.min(availableParallelism(), queue.length)) }, async () => {
    for (let c = queue.shift(); c; c = queue.shift()) results.push(await run(c));
  }),
);
const failed = results.filter((ok) => !ok).length;
if (failed) {
  process.stdout.write(`${failed} of ${CHECKS.length} checks failed\n`);
  process.exitCode = 1;
}
