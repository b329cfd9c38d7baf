import { randomBytes } from 'node:crypto';
import postgres from 'postgres';

/**
 * One suite, two databases: with DATABASE_URL set, each test file gets a fresh database on that
 * server (created here, dropped afterwards); without it, a fresh in-memory PGlite. Both apply the
 * real migrations.
 */
export async function freshDatabaseUrl(): Promise<{ url: string | undefined; drop: () => Promise<void> }> {
  const base = process.env.DATABASE_URL;
  if (!base) return { url: undefined, drop: async () => {} };
  const name = `cs_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(base, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const a = postgres(base, { max: 1, onnotice: () => {} });
      await a.unsafe(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}

export const onPostgres = () => Boolean(process.env.DATABASE_URL);
