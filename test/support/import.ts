import path from 'node:path';
import { runScript } from './node-script.js';
import { TEST_SECRET } from './service.js';

export type ImportRun = { code: number | null; stdout: string; stderr: string };

/**
 * `npm run import -- <args>` as the operator runs it: a child process over the test's database
 * (`url` on PostgreSQL; without one, an embedded database under `dir`/data), running the same
 * script compiled from the current source once per run (test/support/entry-points.ts).
 */
export async function runImport(target: { url?: string | undefined; dir: string }, ...args: string[]): Promise<ImportRun> {
  const env = target.url ? { DATABASE_URL: target.url, PERSON_ID_SECRET: TEST_SECRET } : { DATA_DIR: path.join(target.dir, 'data'), DATABASE_URL: undefined, PERSON_ID_SECRET: undefined };
  const { code, stdout, stderr } = await runScript('scripts/import-reference.ts', args, env);
  return { code, stdout, stderr };
}
