/**
 * The benchmark's baseline: the least a durable JSON intake can do. A bare hono endpoint on
 * @hono/node-server parses the JSON body and inserts it as one jsonb row, one statement in its own
 * (implicit) transaction, prepared, over a postgres.js pool of the same size as the service's.
 * No validation, no auth, no screening, no logging, no metrics.
 *
 * Env: DATABASE_URL (required), PORT (default 0), DB_POOL_MAX (default 8, the service's).
 * Prints `listening <url>` on stdout when ready.
 */
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import postgres from 'postgres';

const url = process.env.DATABASE_URL;
if (!url) throw new Error('DATABASE_URL is required');
const port = Number(process.env.PORT ?? 0);
const poolMax = Number(process.env.DB_POOL_MAX ?? 8);

const sql = postgres(url, { max: poolMax, prepare: true, onnotice: () => {} });
await sql`create table if not exists intake (id bigint generated always as identity primary key, received_at timestamptz not null default now(), body jsonb not null)`;

const INSERT = 'insert into intake (body) values ($1::jsonb) returning id';

const app = new Hono();
app.post('/v1/claims', async (c) => {
  const body = await c.req.json();
  // postgres.js serialises a jsonb parameter itself (JSON.stringify): pass the parsed value.
  const [row] = await sql.unsafe(INSERT, [body as postgres.JSONValue], { prepare: true });
  return c.json({ id: String(row?.id) }, 200);
});

const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port }, (info) => {
  process.stdout.write(`listening http://127.0.0.1:${info.port}\n`);
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    server.close();
    void sql.end({ timeout: 5 }).then(() => process.exit(0));
  });
}
