import { openConfiguredDatabase } from '../src/compose.js';
import { ConfigError, loadConfig, type Config } from '../src/config.js';
import type { Database } from '../src/db/client.js';
import { DataDirBusyError } from '../src/db/owner-lock.js';

/** Shared start of every command: configuration parsed once, a clear message when it is wrong. */
export function cliConfig(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}

export function fail(message: string, code = 2): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

/**
 * The running service, when a command goes through its API: `--url` (or CLAIMSCREEN_URL) and an
 * admin's key in CLAIMSCREEN_KEY (or `--key`, which other users of the machine can read in `ps`).
 */
export interface ServiceTarget {
  url: string;
  key: string;
}

export const SERVICE_OPTIONS = { url: { type: 'string' }, key: { type: 'string' } } as const;

export function serviceClient({ url, key }: ServiceTarget) {
  const base = url.replace(/\/+$/, '');
  return {
    url: base,
    /** the answer when 2xx; otherwise the service's error message, and exit 1 */
    async request(method: string, path: string, body?: unknown): Promise<Response> {
      let res: Response;
      try {
        res = await fetch(`${base}${path}`, {
          method,
          headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
      } catch (err) {
        const cause = (err as { cause?: { message?: string } }).cause?.message ?? (err as Error).message;
        return fail(`the service at ${base} did not answer (${cause})`, 1);
      }
      if (res.ok) return res;
      const text = await res.text();
      let message = text;
      try {
        message = (JSON.parse(text) as { error: { message: string } }).error.message;
      } catch {
        // not the service's error body
      }
      return fail(`${method} ${path}: ${res.status} ${message}`, 1);
    },
    async json<T>(method: string, path: string, body?: unknown): Promise<T> {
      return (await (await this.request(method, path, body)).json()) as T;
    },
  };
}
export type ServiceClient = ReturnType<typeof serviceClient>;

/**
 * Where a command works: the service's API when given a URL; else the database itself. With the
 * embedded database held by the running service (src/db/owner-lock.ts), the command goes through
 * the service at the URL its lock file names when a key is given, or says what to do.
 */
export async function databaseOrService(config: Config, flags: { url?: string | undefined; key?: string | undefined }): Promise<{ database: Database } | { service: ServiceClient }> {
  const url = flags.url ?? process.env.CLAIMSCREEN_URL;
  const key = flags.key ?? process.env.CLAIMSCREEN_KEY;
  if (url) {
    if (!key) fail(`an admin's API key is needed to go through the service at ${url}: CLAIMSCREEN_KEY=<key> (or --key)`);
    return { service: serviceClient({ url, key }) };
  }
  try {
    return { database: await openConfiguredDatabase(config) };
  } catch (err) {
    if (!(err instanceof DataDirBusyError)) throw err;
    if (key && err.holder?.url) {
      process.stderr.write(`${err.dataDir} is held by the service at ${err.holder.url}: going through its API\n`);
      return { service: serviceClient({ url: err.holder.url, key }) };
    }
    return fail(err.message);
  }
}

/** The database, or a clear refusal when the running service holds the embedded one. */
export async function openDatabaseOrExplain(config: Config, sessionSettings?: Record<string, string>): Promise<Database> {
  try {
    return await openConfiguredDatabase(config, sessionSettings);
  } catch (err) {
    if (err instanceof DataDirBusyError) fail(err.message);
    throw err;
  }
}
