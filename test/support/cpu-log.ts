import { appendFileSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll } from 'vitest';

/**
 * Measurement aid (CPU_LOG=<file>): the CPU seconds each test file costs its worker process,
 * including the children it waited for (chromium, spawned services, PGlite runs in-process), one
 * JSON line per file. Registered first, so its beforeAll runs before the file's and its afterAll
 * (hooks run as a stack) after the file's.
 */
const CLK_TCK = 100;
function cpu(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields 14-17 (utime stime cutime cstime) are 11-14 after pid and comm
  return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / CLK_TCK;
}
const start = cpu();
const wall = performance.now();
let file = '';
// eslint-disable-next-line no-empty-pattern -- vitest reads the hook's first argument as fixtures; the suite is the second
beforeAll(({}, suite) => {
  file = (suite as { file?: { filepath?: string } }).file?.filepath ?? String(suite.name);
});
afterAll(() => {
  const out = process.env.CPU_LOG;
  if (out) appendFileSync(out, JSON.stringify({ file, cpu: +(cpu() - start).toFixed(2), wall: +((performance.now() - wall) / 1000).toFixed(2), pid: process.pid }) + '\n');
});
