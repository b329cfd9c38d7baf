import { createServer, connect, type Server, type Socket } from 'node:net';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../src/db/client.js';
import { freshDatabaseUrl, onPostgres } from './support/database.js';

/**
 * A query past its deadline while its connection is still starting up (src/db/client.ts
 * withDeadline). The pool's connections are real PostgreSQL sessions (PGlite has none: this runs
 * on PostgreSQL), reached through a TCP relay that can hold new connections' bytes, as a server
 * restarting or a slow network does. postgres.js hands a query to a connection that is connecting
 * as its first query; cancelled there, it left the connection connected and never used again (the
 * driver only runs a connection's first query and returns it to the pool if that query is not
 * cancelled), so after an outage the pool could keep no usable connection: every request 503 until
 * the process restarted (`npm run chaos -- outage`, immediate stop, 5 December).
 */

/** A relay to `target` that forwards at once, or holds each new connection's bytes until released. */
function relay(target: { host: string; port: number }) {
  let holding = false;
  const held: (() => void)[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    const chunks: Buffer[] = [];
    const collect = (b: Buffer) => chunks.push(b);
    client.on('data', collect);
    client.on('error', () => {});
    const forward = () => {
      const upstream = connect(target.port, target.host);
      sockets.add(upstream);
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      upstream.once('connect', () => {
        client.off('data', collect);
        for (const c of chunks) upstream.write(c);
        client.pipe(upstream);
        upstream.pipe(client);
      });
    };
    if (holding) held.push(forward);
    else forward();
  });
  return {
    listen: () => new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port))),
    hold: () => (holding = true),
    release: () => {
      holding = false;
      for (const f of held.splice(0)) f();
    },
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe.skipIf(!onPostgres())('a query past its deadline while its connection starts up (PostgreSQL: the pool)', () => {
  let drop: () => Promise<void>;
  let url: string;
  let admin: postgres.Sql;
  let r: ReturnType<typeof relay>;
  let database: Database;

  beforeAll(async () => {
    const fresh = await freshDatabaseUrl();
    url = fresh.url as string;
    drop = fresh.drop;
    admin = postgres(url, { max: 1, onnotice: () => {} });
    await admin`create table deadline_probe (x int)`;
    const target = new URL(url);
    r = relay({ host: target.hostname, port: Number(target.port || 5432) });
    const relayed = new URL(url);
    relayed.hostname = '127.0.0.1';
    relayed.port = String(await r.listen());
    database = await openDatabase({ databaseUrl: relayed.toString(), pgliteDir: 'memory://', poolMax: 1, statementTimeoutMs: 5000, queryDeadlineMs: 300 });
  });

  afterAll(async () => {
    await database?.close();
    await r?.close();
    await admin?.end();
    await drop?.();
  });

  it('fails at its deadline, is not run when the connection comes up, and the connection serves the next query', async () => {
    r.hold();
    const started = Date.now();
    await expect(database.query('insert into deadline_probe values (1)')).rejects.toMatchObject({ code: 'QUERY_DEADLINE' });
    expect(Date.now() - started).toBeLessThan(2000);
    r.release();
    // the pool's one connection now completes its start-up; the next query must get it
    expect(await database.query<{ x: number }>('select 42 as x')).toEqual([{ x: 42 }]);
    expect(await database.query<{ n: number }>('select count(*)::int as n from deadline_probe')).toEqual([{ n: 0 }]);
    const [{ n } = { n: -1 }] = await admin<{ n: number }[]>`select count(*)::int as n from deadline_probe`;
    expect(n).toBe(0);
  });
});
