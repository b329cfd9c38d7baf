import { z } from 'zod';

/**
 * The group commit's bounds (DB_BATCH_MAX, DB_BATCHES_IN_FLIGHT): the settings' defaults, and the
 * repositories' when they are built without the configuration (benchmarks, tests).
 */
export const DB_BATCH_DEFAULTS = { maxBatch: 32, maxBatchesInFlight: 2 } as const;

/** Configuration is parsed once at start-up; a wrong value stops the process naming the setting. */
const ConfigSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  // Worker processes serving HTTP (node:cluster): a number, or `auto` for one per core. They share
  // nothing but the database, so more than one needs DATABASE_URL (PGlite is one process's). src/main.ts
  WORKERS: z.union([z.literal('auto'), z.coerce.number().int().min(1).max(256)], { error: 'must be a whole number from 1 to 256, or auto' }).default(1),
  // A file holding a dump (PGlite dumpDataDir) of a migrated database, which a `memory://` DATA_DIR
  // starts from instead of running initdb and every migration; the tests set it (test/support/database-template.ts).
  PGLITE_TEMPLATE: z.string().min(1).optional(),
  // Per instance. Claims keep PostgreSQL's CPU busy: backends beyond a few per core only contend
  // (on 2 cores, 8 screened 25% more claims/s than 20; bench/README.md).
  DB_POOL_MAX: z.coerce.number().int().min(1).max(500).default(8),
  // Claims written by one statement (group commit), and claims whose histories one statement reads.
  // Larger batches cost PostgreSQL less per claim but run on one backend, one core: with 64 claims
  // in flight and two statements of each kind at once, statements of 16 were always full and 32
  // cost less a claim than 16 or 64 (bench/README.md, "Claims a statement").
  DB_BATCH_MAX: z.coerce.number().int().min(1).max(1000).default(DB_BATCH_DEFAULTS.maxBatch),
  // Statements of each kind (history reads, claim writes) one process runs at once; claims arriving
  // meanwhile wait and go together in the next statement. 2 rather than 4: bigger statements, each
  // paying its fixed cost for more claims (bench/README.md, "Statements in flight").
  DB_BATCHES_IN_FLIGHT: z.coerce.number().int().min(1).max(64).default(DB_BATCH_DEFAULTS.maxBatchesInFlight),
  DB_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).default(5000),
  // The longest a query waits for its rows, waiting for a connection included (PostgreSQL is down:
  // 503 within this rather than a request hanging until it returns). src/db/client.ts
  DB_QUERY_DEADLINE_MS: z.coerce.number().int().min(100).default(4000),
  PERSON_ID_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(1024 * 1024),
  MAX_LINES_PER_CLAIM: z.coerce.number().int().min(1).max(100_000).default(1000),
  STREAM_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(48),
  AUTH_CACHE_TTL_MS: z.coerce.number().int().min(0).default(5000),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(10_000),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).default(65_000),
  HISTORY_WINDOW_DAYS: z.coerce.number().int().min(1).max(730).default(90),
  REFERENCE_REFRESH_MS: z.coerce.number().int().min(100).default(30_000),
  // The monthly report reads a province's month in one snapshot: its own statement timeout.
  REPORT_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(1000).default(300_000),
  // Requests in progress at once (a stream counts as one); beyond it 503 + Retry-After at once
  // instead of an unbounded queue. /healthz, /readyz and /metrics are exempt (scripts/chaos, docs/scaling.md).
  MAX_IN_FLIGHT: z.coerce.number().int().min(1).max(100_000).default(256),
  // Slow clients (src/http/admission.ts). A request without a valid key or page session takes a slot
  // of its own small bound, never one of MAX_IN_FLIGHT, and may carry UNAUTHENTICATED_BODY_LIMIT_BYTES
  // (at most BODY_LIMIT_BYTES); an authenticated request takes a MAX_IN_FLIGHT slot once its body
  // has arrived, and while it arrives one of MAX_RECEIVING (at most MAX_RECEIVING × BODY_LIMIT_BYTES).
  MAX_UNAUTHENTICATED: z.coerce.number().int().min(1).max(100_000).default(32),
  MAX_RECEIVING: z.coerce.number().int().min(1).max(100_000).default(256),
  UNAUTHENTICATED_BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(16 * 1024),
  // All headers within HTTP_HEADERS_TIMEOUT_MS of a request's first byte (Node answers 408).
  HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).default(10_000),
  // A body gets HTTP_BODY_TIMEOUT_MS, plus a second for each HTTP_BODY_MIN_RATE bytes received,
  // and HTTP_REQUEST_TIMEOUT_MS after its headers at most (the NDJSON stream: no total, the rate
  // only, counted while the service waits for the client); past it 408 and the connection closed.
  HTTP_BODY_TIMEOUT_MS: z.coerce.number().int().min(1000).max(3_600_000).default(10_000),
  HTTP_BODY_MIN_RATE: z.coerce.number().int().min(1).max(1_000_000_000).default(1024),
  HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1000).max(3_600_000).default(30_000),
  // The review queue's random re-check (src/review/sampling.ts). The inpatient floor is the regulator's 5%.
  REVIEW_SAMPLE_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  REVIEW_SAMPLE_RATE_INPATIENT: z.coerce.number().min(0.05, 'must be at least 0.05 (the regulator’s floor)').max(1).default(0.05),
  REVIEW_SAMPLE_RATE_OUTPATIENT: z.coerce.number().min(0).max(1).default(0.01),
  REVIEW_SAMPLE_RATE_PHARMACY: z.coerce.number().min(0).max(1).default(0.01),
  REVIEW_DRAW_POOL: z.coerce.number().int().min(1).max(1000).default(10),
  // A closed month's sample is due this many days after the month's cut-off (docs/review-recheck.md);
  // draws take its cases ahead of targeted work, evenly, until REVIEW_SAMPLE_SLACK_DAYS before it.
  REVIEW_SAMPLE_DUE_DAYS: z.coerce.number().int().min(1).max(365).default(20),
  REVIEW_SAMPLE_SLACK_DAYS: z.coerce.number().int().min(0).max(364).default(5),
  // How often the service closes, on its own, the re-check of months whose cut-off has passed
  // (src/review/sample-closer.ts); 0 leaves closing to a person (page, API or npm run sample:close).
  REVIEW_SAMPLE_AUTOCLOSE_MS: z.coerce.number().int().min(0).max(86_400_000).default(3_600_000),
  // Monthly partitions (docs/operations.md "Monthly partitions and retention"): months created ahead
  // of the current one, at start and every PARTITION_MAINTENANCE_MS (0: at start only); the hot
  // window, months the retention commands never detach (at least 13: the rules and reports read a
  // year back); where archived months' files are written (default DATA_DIR/archive).
  PARTITION_AHEAD_MONTHS: z.coerce.number().int().min(1).max(24).default(2),
  PARTITION_MAINTENANCE_MS: z.coerce.number().int().min(0).max(86_400_000).default(3_600_000),
  RETENTION_HOT_MONTHS: z.coerce.number().int().min(13).max(180).default(24),
  ARCHIVE_DIR: z.string().min(1).optional(),
  // The case pages (docs/review-pages.md): a case is due this many days after it was opened (the
  // queue's due date and ageing); an attachment (PDF or image, stored in the database) is at most
  // this many bytes, and at most BODY_LIMIT_BYTES less 16 KiB for the rest of its form (src/compose.ts).
  REVIEW_CASE_DUE_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  REVIEW_ATTACHMENT_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(50 * 1024 * 1024)
    .default(1_000_000),
});

export type Config = z.infer<typeof ConfigSchema>;

export class ConfigError extends Error {}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const known = Object.fromEntries(Object.keys(ConfigSchema.shape).map((k) => [k, env[k] === '' ? undefined : env[k]]));
  const parsed = ConfigSchema.safeParse(known);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  if (parsed.data.REVIEW_SAMPLE_SLACK_DAYS >= parsed.data.REVIEW_SAMPLE_DUE_DAYS) {
    throw new ConfigError(
      `Invalid configuration:\n  REVIEW_SAMPLE_SLACK_DAYS: must be less than REVIEW_SAMPLE_DUE_DAYS (${parsed.data.REVIEW_SAMPLE_DUE_DAYS}), got ${parsed.data.REVIEW_SAMPLE_SLACK_DAYS}`,
    );
  }
  if (parsed.data.WORKERS !== 1 && !parsed.data.DATABASE_URL) {
    throw new ConfigError('Invalid configuration:\n  WORKERS: more than one worker needs DATABASE_URL (the embedded database belongs to one process)');
  }
  if (parsed.data.DATABASE_URL && !parsed.data.PERSON_ID_SECRET) {
    throw new ConfigError("Invalid configuration:\n  PERSON_ID_SECRET: required with DATABASE_URL (the key that hashes insured persons' ids)");
  }
  const c = parsed.data;
  const crossed = [c.HTTP_BODY_TIMEOUT_MS > c.HTTP_REQUEST_TIMEOUT_MS && `  HTTP_BODY_TIMEOUT_MS: must not exceed HTTP_REQUEST_TIMEOUT_MS (${c.HTTP_REQUEST_TIMEOUT_MS})`].filter(
    (x): x is string => typeof x === 'string',
  );
  if (crossed.length) throw new ConfigError(`Invalid configuration:\n${crossed.join('\n')}`);
  return c;
}
