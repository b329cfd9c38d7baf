import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { streamClaims } from '../scripts/sim/stream-claims.js';
import type { SimulatedClaim } from '../sim/simulation.js';
import { openDatabase } from '../src/db/client.js';
import { outpatientClaim } from './support/claims.js';
import { freshDatabaseUrl, onPostgres, seedPgliteDir } from './support/database.js';
import { killChildren, runScript, startServiceProcess, type ServiceProcess } from './support/node-script.js';

/**
 * The embedded database has one owner (issue 22, item 4). The sequence that destroyed it, with real
 * processes over real HTTP: the service running, `npm run keys -- create` alongside (refused at
 * once, then through the service with an admin's key), claims streaming until other commands and
 * a second service trying the same DATA_DIR have all been refused, SIGTERM, a restart with every acknowledged claim there,
 * then kill -9 and a start right after (the lock is the kernel's: a killed owner leaves nothing stuck).
 *
 * On PostgreSQL there is nothing to own: the same commands work beside the service, and the test
 * checks only that.
 */
const dir = mkdtempSync(path.join(os.tmpdir(), 'claimscreen-owner-'));
const db = await freshDatabaseUrl();
// the migrated template, as the first process to open DATA_DIR would leave it (the PGlite-only test
// of one owner within a process is test/pglite-owner-lock.test.ts)
await seedPgliteDir(path.join(dir, 'pglite'));
const env: Record<string, string> = {
  DATA_DIR: dir,
  LOG_LEVEL: 'warn',
  AUTH_CACHE_TTL_MS: '0',
  ...(db.url ? { DATABASE_URL: db.url, PERSON_ID_SECRET: 'test-person-id-secret-0123456789abcdef' } : {}),
};
const log = path.join(dir, 'service.log');
let service: ServiceProcess | undefined;
afterAll(async () => {
  await service?.stop();
  killChildren();
  await db.drop();
  rmSync(dir, { recursive: true, force: true });
});

/** A command as `npm run` runs it (the same code, compiled once per run), with its exit code, output and duration. */
const run = (script: Parameters<typeof runScript>[0], args: string[], extra: Record<string, string> = {}) => runScript(script, args, { ...env, ...extra });
const get = (url: string, key: string) => fetch(url, { headers: { authorization: `Bearer ${key}` } }).then(async (r) => ({ status: r.status, body: await r.text() }));

/**
 * Claims stream while the other processes try DATA_DIR, until every one of them has ended (so each
 * was refused, or on PostgreSQL ran, while claims were being written): at least CLAIMS_MIN, at most
 * CLAIMS_MAX.
 */
const CLAIMS_MIN = 300;
const CLAIMS_MAX = 3000;
const claims = Array.from({ length: CLAIMS_MAX }, (_, i) => {
  const day = String(1 + (i % 28)).padStart(2, '0');
  return outpatientClaim({
    institutionId: i % 2 ? 'H32019800001' : 'H32019800002',
    claimId: `OWN-${String(i).padStart(5, '0')}`,
    insured: { id: `3201021990${String(i % 500).padStart(8, '0')}`, sex: i % 2 ? 'male' : 'female', birthDate: '1990-01-01' },
    visitAt: `2026-10-${day} 10:00:00`,
    lines: [{ lineId: '1', itemCode: '110100001', hospitalItemName: '普通门诊诊查费', category: 'service', serviceAt: `2026-10-${day} 10:00:00`, quantity: 1, unitPrice: 10, amount: 10 }],
  });
});

async function storedClaims(): Promise<number> {
  const database = await openDatabase({ databaseUrl: db.url, pgliteDir: path.join(dir, 'pglite'), poolMax: 2, statementTimeoutMs: 30_000 });
  try {
    const [row] = await database.query<{ n: number }>(`select count(*)::int as n from claims where claim_no like 'OWN-%'`);
    return row!.n;
  } finally {
    await database.close();
  }
}

describe('DATA_DIR has one owner', () => {
  it('keys, claims, other processes refused, SIGTERM, restart: every acknowledged claim there; kill -9 leaves no stuck lock', async () => {
    // the first admin key, with the service stopped (nothing else can make one)
    const first = await run('scripts/keys.ts', ['create', '--name', 'Admin Zhou', '--role', 'admin', '--by', 'Admin Zhou']);
    expect(first.code, first.stderr).toBe(0);
    const admin = JSON.parse(first.stdout).key as string;

    service = await startServiceProcess(env, log);
    const holder = onPostgres() ? undefined : JSON.parse(readFileSync(path.join(dir, 'pglite.lock'), 'utf8'));
    if (holder) expect(holder).toMatchObject({ pid: service.pid, command: 'claimscreen service', url: service.url });

    // a second process on the same DATA_DIR without a key: refused at once, saying what to do
    const refused = await run('scripts/keys.ts', ['create', '--name', 'his-gateway', '--role', 'settlement', '--by', 'Admin Zhou']);
    let settlement: string;
    if (onPostgres()) {
      expect(refused.code, refused.stderr).toBe(0); // PostgreSQL has many clients
      settlement = JSON.parse(refused.stdout).key;
    } else {
      expect(refused.code).toBe(2);
      expect(refused.stdout).toBe('');
      expect(refused.stderr).toBe(
        `The embedded database in ${dir} is in use by pid ${service.pid} (claimscreen service at ${service.url}, since ${holder.since}). ` +
          'It has one owner: a second process on it would corrupt it. Go through the running service instead: its API and the admin page ' +
          `${service.url}/ui/keys, or the command again with CLAIMSCREEN_KEY=<admin key> (it then calls ${service.url}); or stop the service (SIGTERM) first.\n`,
      );
      // at once: the time is node starting, not waiting for the lock
      expect(refused.ms).toBeLessThan(15_000);
      // with an admin's key, the same command goes through the service (the URL from the lock file)
      const through = await run('scripts/keys.ts', ['create', '--name', 'his-gateway', '--role', 'settlement'], { CLAIMSCREEN_KEY: admin });
      expect(through.code, through.stderr).toBe(0);
      expect(through.stderr).toBe(`${dir} is held by the service at ${service.url}: going through its API\n`);
      settlement = JSON.parse(through.stdout).key;
    }
    // the running service knows the new key at once
    expect((await get(`${service.url}/v1/rules`, settlement)).status).toBe(200);

    // reference data through the API, then the claims, while a second service, the report and
    // training try the same DATA_DIR without a key
    const put = await fetch(`${service.url}/v1/reference/institutions`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        records: ['H32019800001', 'H32019800002'].map((institutionId) => ({
          institutionId,
          name: institutionId,
          type: 'hospital',
          level: 'secondary',
          ownership: 'public',
          area: '320102',
          beds: 100,
          designatedFrom: '2020-01-01',
          validFrom: '2020-01-01',
        })),
      }),
    });
    expect(put.status, await put.text()).toBe(200);
    const acknowledged: string[] = [];
    let othersEnded = false;
    function* whileOthersRun() {
      for (let i = 0; i < CLAIMS_MAX && (i < CLAIMS_MIN || !othersEnded); i++) yield { claim: claims[i] } as unknown as SimulatedClaim;
    }
    const sending = streamClaims(whileOthersRun(), {
      url: service.url,
      key: settlement,
      onAnswer: (a, sent) => {
        if (a.status === 200) acknowledged.push((sent as unknown as { claim: { claimId: string } }).claim.claimId);
      },
    });
    const others = await Promise.all([
      // (on PostgreSQL a second instance is welcome, and would keep running)
      ...(onPostgres() ? [] : [run('src/main.ts', [], { PORT: '0' })]),
      run('scripts/train.ts', ['--month', '2026-10']),
      run('scripts/report.ts', ['--month', '2026-10', '--out', path.join(dir, 'reports-refused')]),
    ]);
    othersEnded = true;
    const { sent, answered } = await sending;
    const n = sent;
    expect(n).toBeGreaterThanOrEqual(CLAIMS_MIN);
    expect({ answered, acknowledged: acknowledged.length }).toEqual({ answered: n, acknowledged: n });
    expect(acknowledged).toEqual(claims.slice(0, n).map((c) => c.claimId));
    if (!onPostgres()) {
      for (const o of others) {
        expect(o.code).toBe(2);
        expect(o.stderr).toContain(`The embedded database in ${dir} is in use by pid ${service.pid} (claimscreen service at ${service.url}`);
      }
    }

    // the report and training through the service, as the commands run them with a key
    const report = await run('scripts/report.ts', ['--month', '2026-10', '--cutoff', '2027-01-01T00:00:00Z', '--format', 'json,csv', '--out', path.join(dir, 'reports')], {
      CLAIMSCREEN_KEY: admin,
      CLAIMSCREEN_URL: service.url,
    });
    expect(report.code, report.stderr).toBe(0);
    expect(report.stdout.startsWith(`report 2026-10: ${n.toLocaleString('en')} claims, ${n * 10}.00 yuan, 2 institutions`), report.stdout).toBe(true);
    expect(JSON.parse(readFileSync(path.join(dir, 'reports', 'provider-risk-2026-10.json'), 'utf8')).fund.claims).toBe(n);
    expect(readFileSync(path.join(dir, 'reports', 'provider-risk-2026-10.csv'), 'utf8')).toContain('H32019800001');
    const train = await run('scripts/train.ts', ['--month', '2026-10', '--trees', '10', '--psi', '2'], { CLAIMSCREEN_KEY: admin, CLAIMSCREEN_URL: service.url });
    expect(train.code, train.stderr).toBe(0);
    expect(train.stdout).toMatch(/^model version \d+: 2 institutions scored for 2026-10, 2 institution-months trained on \(10 trees, psi 2, seed 20081215\)/);

    // SIGTERM, restart: every acknowledged claim is there, and the key created through the service
    expect(await service.stop()).toBe(0);
    service = await startServiceProcess(env, log);
    expect((await get(`${service.url}/v1/rules`, settlement)).status).toBe(200);
    for (const i of [0, Math.floor(n / 2), n - 1]) {
      const c = claims[i]!;
      expect((await get(`${service.url}/v1/claims/${c.institutionId}/${c.claimId}`, admin)).status).toBe(200);
    }

    // kill -9: nothing is left stuck; the next start opens DATA_DIR at once
    await service.kill9();
    service = await startServiceProcess(env, log);
    expect((await get(`${service.url}/v1/rules`, settlement)).status).toBe(200);
    expect(await service.stop()).toBe(0);
    service = undefined;
    expect(await storedClaims()).toBe(n);

    // with the service stopped, the commands work on the database itself again
    const list = await run('scripts/keys.ts', ['list']);
    expect(list.code, list.stderr).toBe(0);
    const keys = list.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(keys.map((k) => [k.clientName, k.role, k.createdBy])).toEqual([
      ['Admin Zhou', 'admin', 'Admin Zhou'],
      ['his-gateway', 'settlement', 'Admin Zhou'],
    ]);
  }, 600_000);
});
