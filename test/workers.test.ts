import { afterAll, describe, expect, inject, it } from 'vitest';
import postgres from 'postgres';
import { freePort } from '../scripts/chaos/proc.js';
import { inpatientClaim, outpatientClaim } from './support/claims.js';
import { freshDatabaseUrl, onPostgres } from './support/database.js';
import { killChildren, nodeScript, runScript } from './support/node-script.js';
import { TEST_SECRET } from './support/service.js';

/**
 * `WORKERS=N npm start`: N worker processes serving one port (node:cluster), sharing nothing but
 * PostgreSQL. The service is started as production starts it (src/main.ts in a child process);
 * which worker answered a request is read from its request log line (`worker`, `pid`).
 */
afterAll(killChildren);

function start(env: Record<string, string | undefined>) {
  const child = nodeScript('src/main.ts', [], env);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d));
  child.stderr!.on('data', (d: Buffer) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, out: () => stdout, err: () => stderr };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('worker processes', () => {
  it('more than one worker needs DATABASE_URL: the embedded database belongs to one process', async () => {
    const s = start({ WORKERS: '2', DATABASE_URL: '', DATA_DIR: 'memory://', PORT: '0' });
    expect(await s.exited).toBe(2);
    expect(s.err()).toContain('WORKERS: more than one worker needs DATABASE_URL');
  });

  it(
    onPostgres() ? 'two workers on PostgreSQL both serve claims, and SIGTERM stops them both gracefully' : 'on PGlite the service is one process (WORKERS=1): it answers until SIGTERM, then exits 0',
    async () => {
      const db = await freshDatabaseUrl();
      try {
        // on PGlite the in-memory database starts from the run's migrated template, as in every in-process service
        const env = { DATABASE_URL: db.url ?? '', DATA_DIR: db.url ? './data' : 'memory://', PERSON_ID_SECRET: TEST_SECRET, PGLITE_TEMPLATE: db.url ? undefined : inject('pgliteTemplate') };
        // on PGlite the key is created by the service's own process below (the data dir is in memory)
        const workers = onPostgres() ? 2 : 1;
        const port = await freePort();
        let key: string | undefined;
        if (onPostgres()) {
          const created = await runScript('scripts/keys.ts', ['create', '--name', 'w', '--role', 'settlement', '--by', 'test'], env);
          expect(created.code, created.stderr).toBe(0);
          key = (JSON.parse(created.stdout) as { key: string }).key;
        }
        const s = start({ ...env, WORKERS: String(workers), PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info' });
        const url = `http://127.0.0.1:${port}`;
        for (let i = 0; ; i++) {
          const listening = (s.out().match(/"msg":"claimscreen listening"/g) ?? []).length;
          if (listening >= workers) break;
          if (i > 1200 || s.child.exitCode !== null) throw new Error(`the service did not start: ${s.err()}`);
          await new Promise((r) => setTimeout(r, 50));
        }
        if (!key) {
          // PGlite: one process, no key store reachable from outside it; an unauthenticated claim is answered 401 by the one process
          const res = await fetch(`${url}/v1/claims`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(inpatientClaim()) });
          expect(res.status).toBe(401);
          expect(s.out()).not.toContain('"worker"');
          s.child.kill('SIGTERM');
          expect(await s.exited).toBe(0);
          return;
        }

        // 40 claims, 8 at a time on connections of their own: node:cluster hands connections to the workers in turn
        const claims = Array.from({ length: 40 }, (_, i) => (i % 2 ? inpatientClaim() : outpatientClaim()));
        const statuses: number[] = [];
        for (let i = 0; i < claims.length; i += 8) {
          const group = claims.slice(i, i + 8);
          const answers = await Promise.all(
            group.map((claim) =>
              fetch(`${url}/v1/claims`, {
                method: 'POST',
                headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', connection: 'close' },
                body: JSON.stringify(claim),
              }),
            ),
          );
          for (const a of answers) statuses.push(a.status);
        }
        expect(statuses).toEqual(claims.map(() => 200));

        await new Promise((r) => setTimeout(r, 200));
        const served = s
          .out()
          .split('\n')
          .filter((line) => line.includes('"msg":"request"') && line.includes('"route":"/v1/claims"'))
          .map((line) => JSON.parse(line) as { worker: number; pid: number; status: number });
        expect(served).toHaveLength(claims.length);
        const byWorker = new Map<number, number>();
        for (const r of served) byWorker.set(r.worker, (byWorker.get(r.worker) ?? 0) + 1);
        // both workers answered claims, each from a process of its own
        expect([...byWorker.keys()].sort()).toEqual([1, 2]);
        const pids = [...new Set(served.map((r) => r.pid))];
        expect(pids).toHaveLength(2);
        expect(pids).not.toContain(s.child.pid);

        // every claim answered is stored once
        const sql = postgres(db.url as string, { max: 1, onnotice: () => {} });
        const [row] = await sql<{ n: number }[]>`select count(*)::int as n from claims`;
        await sql.end();
        expect(row?.n).toBe(claims.length);

        // SIGTERM to the supervising process stops every worker, then itself, with 0
        s.child.kill('SIGTERM');
        expect(await s.exited).toBe(0);
        expect(pids.filter(alive)).toEqual([]);
        expect(s.out()).toContain('"msg":"all workers stopped"');
      } finally {
        await db.drop();
      }
    },
    120_000,
  );
});
