import { spawn } from 'node:child_process';
import path from 'node:path';
import { TEST_SECRET } from './service.js';

export type ImportRun = { code: number | null; stdout: string; stderr: string };

/**
 * `npm run import -- <args>` as the operator runs it: a child process over the test's database
 * (`url` on PostgreSQL; without one, an embedded database under `dir`/data). The same script under
 * the same loader as `npm run import` (tsx), started as `node --import tsx`: `npx tsx` starts npx
 * and tsx's own launcher first, ~1.2 CPU-seconds more a run.
 */
export function runImport(target: { url?: string | undefined; dir: string }, ...args: string[]): Promise<ImportRun> {
  const { DATABASE_URL: _url, PERSON_ID_SECRET: _secret, ...rest } = process.env;
  const env = target.url ? { ...rest, DATABASE_URL: target.url, PERSON_ID_SECRET: TEST_SECRET } : { ...rest, DATA_DIR: path.join(target.dir, 'data') };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/import-reference.ts', ...args], { cwd: process.cwd(), env });
    let stdout = '',
      stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
