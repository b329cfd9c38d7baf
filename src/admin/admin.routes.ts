import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { ROLES } from '../auth/api-keys.js';
import { requireRole } from '../auth/middleware.js';
import type { AppDeps } from '../deps.js';
import type { AppEnv } from '../http/env.js';
import { AppError, ConflictError, NotFoundError } from '../http/errors.js';
import { bearerSecurity, errorResponses, ErrorSchema } from '../http/schemas.js';
import { DEFAULT_PROVIDER_SEED, trainProviderModelVersion } from '../provider-model/train-provider-model.js';

/**
 * Administration through the running service: API keys (created, listed, revoked, each act in the
 * trail under the admin's name) and training the provider model. With the embedded database the
 * service is its one owner (src/db/owner-lock.ts), so this is how `npm run keys` and `npm run
 * train` reach it while it runs; no restart is needed to onboard anyone.
 */
const TAG = ['admin'];
const admin = requireRole('admin');
const notFound = { 404: { content: { 'application/json': { schema: ErrorSchema } }, description: 'No such key' } };
const conflict = { 409: { content: { 'application/json': { schema: ErrorSchema } }, description: 'Already revoked, or the key making the request' } };

export const ClientName = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters')
  .regex(/^[^\u0000-\u001F\u007F-\u009F]*$/, 'must not contain control characters')
  .openapi({ example: 'Li Na', description: 'a person’s name for a personal key (every review action is recorded under it), or the client system’s name' });
export const KeyCreateSchema = z
  .object({
    clientName: ClientName,
    role: z.enum(ROLES),
    institutionId: z
      .string()
      .trim()
      .min(1)
      .max(64)
      .optional()
      .openapi({ description: 'role institution only (and then required): the institution the key speaks for; it reads that institution’s appeals only' }),
  })
  .strict()
  .openapi('ApiKeyCreate');

const KeySchema = z
  .object({
    id: z.string().uuid(),
    clientName: z.string(),
    role: z.enum(ROLES),
    keyPrefix: z.string().openapi({ description: 'the first 8 characters of the key, to tell keys apart' }),
    createdAt: z.string(),
    createdBy: z.string(),
    revokedAt: z.string().nullable(),
    revokedBy: z.string().nullable(),
  })
  .openapi('ApiKey');
const CreatedKeySchema = KeySchema.extend({ key: z.string().openapi({ description: 'the key itself: shown this once, only its SHA-256 is stored' }) }).openapi('ApiKeyCreated');
const KeyTrailSchema = z
  .object({ seq: z.number().int(), at: z.string(), actor: z.string(), action: z.enum(['key.create', 'key.revoke']), keyId: z.string(), clientName: z.string(), role: z.string() })
  .openapi('ApiKeyTrailEntry');

const Whole = (min: number, max: number, fallback: number) => z.number().int().min(min).max(max).default(fallback);
export const TrainSchema = z
  .object({
    month: z
      .string()
      .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month yyyy-MM')
      .openapi({ example: '2026-10', description: 'the month scored; the training window ends with it' }),
    windowMonths: Whole(1, 36, 3).openapi({ description: 'the money window: months of billing in the money at stake and the rolling expected loss' }),
    evidenceMonths: Whole(1, 36, 6).openapi({ description: "the evidence window: months of an institution's history its targeting evidence pools" }),
    trees: Whole(1, 10_000, 100),
    psi: Whole(2, 1_000_000, 256),
    seed: Whole(0, 0xffffffff, DEFAULT_PROVIDER_SEED),
    minLabels: Whole(2, 1_000_000, 30).openapi({ description: 'concluded institution-months of each class (confirmed, dismissed) in the window needed to fit the supervised model' }),
    outcomeMargin: z.number().min(0).max(1).default(0.02).openapi({ description: 'the supervised model targets only when its cross-validated AUC beats the unsupervised one by this' }),
  })
  .strict()
  .openapi('TrainRequest');
const TrainedSchema = z
  .object({
    modelId: z.number().int(),
    month: z.string(),
    institutions: z.number().int().openapi({ description: 'institutions scored' }),
    trainingRows: z.number().int(),
    inputHash: z.string(),
    trainMs: z.number().int(),
    ms: z.number().int().openapi({ description: 'the whole request: features, forest, storing' }),
    top: z
      .array(z.object({ institutionId: z.string(), peerGroup: z.string(), score: z.number(), targetingScore: z.number().nullable(), percentile: z.number(), explanations: z.array(z.string()) }))
      .openapi({ description: 'the five highest targeting scores' }),
    outcome: z.record(z.string(), z.unknown()).openapi({ description: 'learning from outcomes: labels, cross-validated AUCs, which probability targets and why' }),
  })
  .openapi('TrainResult');

/** The outcome as the train answer gives it: without the coefficients (they are in the model version). */
export const summaryOfOutcome = (o: {
  used: string;
  why: string;
  labels: { positive: number; negative: number; unmatched: number };
  cv?: { folds: number; supervisedAuc: number; unsupervisedAuc: number } | undefined;
}): Record<string, string | Record<string, number>> => ({ used: o.used, why: o.why, labels: { ...o.labels }, ...(o.cv ? { cv: { ...o.cv } } : {}) });

export function registerAdminRoutes(app: OpenAPIHono<AppEnv>, deps: AppDeps) {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/admin/keys',
      tags: TAG,
      summary: 'Every API key (never the key itself), oldest first',
      security: bearerSecurity,
      middleware: [admin] as const,
      responses: { 200: { content: { 'application/json': { schema: z.object({ keys: z.array(KeySchema) }) } }, description: 'The keys' }, ...errorResponses },
    }),
    async (c) => c.json({ keys: await deps.keys.manage() }, 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/admin/keys',
      tags: TAG,
      summary: 'Create an API key: the answer shows it once',
      description: 'Recorded in the trail (key.create) under the admin’s name. The key works at once, on every instance.',
      security: bearerSecurity,
      middleware: [admin] as const,
      request: { body: { content: { 'application/json': { schema: KeyCreateSchema } }, required: true } },
      responses: { 201: { content: { 'application/json': { schema: CreatedKeySchema } }, description: 'The key, shown once' }, ...errorResponses },
    }),
    async (c) => {
      const input = c.req.valid('json');
      const created = await deps.keys.issue(input, c.get('actor')!.clientName);
      deps.logger.info({ keyId: created.id, clientName: created.clientName, role: created.role, by: created.createdBy }, 'API key created');
      return c.json(created, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/admin/keys/{id}/revoke',
      tags: TAG,
      summary: 'Revoke an API key',
      description:
        'Recorded in the trail (key.revoke). Refused at once by this instance, by others within AUTH_CACHE_TTL_MS; its page sessions end at once. A key cannot revoke itself (sign in with another admin key).',
      security: bearerSecurity,
      middleware: [admin] as const,
      request: { params: z.object({ id: z.string().uuid('must be a key id (UUID)').openapi({ example: '7b0f5c1e-1d2a-4e0b-9a51-3f6f3d2b8c10' }) }) },
      responses: { 200: { content: { 'application/json': { schema: KeySchema } }, description: 'The revoked key' }, ...errorResponses, ...notFound, ...conflict },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const actor = c.get('actor')!;
      if (actor.clientId === id) throw new ConflictError('A key cannot revoke itself: revoke it with another admin key');
      const outcome = await deps.keys.revokeAs(id, actor.clientName);
      if (!outcome.ok) {
        if (outcome.why === 'missing') throw new NotFoundError(`No API key ${id}`);
        throw new ConflictError(`The API key ${id} is already revoked`);
      }
      deps.logger.info({ keyId: id, by: actor.clientName }, 'API key revoked');
      return c.json(outcome.key, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/admin/keys/trail',
      tags: TAG,
      summary: 'Who created and revoked which key, newest first (the trail’s key entries)',
      security: bearerSecurity,
      middleware: [admin] as const,
      request: { query: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(200) }) },
      responses: { 200: { content: { 'application/json': { schema: z.object({ entries: z.array(KeyTrailSchema) }) } }, description: 'The entries' }, ...errorResponses },
    }),
    async (c) => c.json({ entries: await deps.keys.trail(c.req.valid('query').limit) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/admin/models/train',
      tags: TAG,
      summary: 'Train the provider model on the stored claims and store the version with its scores (what `npm run train` runs)',
      description:
        'Features of each month of the window in one snapshot each (their own statement timeout), the isolation forest, the scores of the month. The service uses the new scores within REFERENCE_REFRESH_MS. With the embedded database, claims wait while the features are read.',
      security: bearerSecurity,
      middleware: [admin] as const,
      request: { body: { content: { 'application/json': { schema: TrainSchema } }, required: true } },
      responses: {
        201: { content: { 'application/json': { schema: TrainedSchema } }, description: 'The stored model version' },
        ...errorResponses,
        422: { content: { 'application/json': { schema: ErrorSchema } }, description: 'Not enough claims in the window to train' },
      },
    }),
    async (c) => {
      const input = c.req.valid('json');
      const started = performance.now();
      let result;
      try {
        result = await trainProviderModelVersion({ database: deps.database, models: deps.providerModels }, { ...input, trainedBy: c.get('actor')!.clientName });
      } catch (err) {
        // the model's own checks: too few institution-months, no claims in the month
        if (err instanceof RangeError) throw new AppError('unprocessable', 'not_enough_data', `Cannot train for ${input.month}: ${err.message}`);
        throw err;
      }
      deps.logger.info({ modelId: result.modelId, month: input.month, by: c.get('actor')!.clientName }, 'provider model trained');
      return c.json(
        {
          modelId: result.modelId,
          month: input.month,
          institutions: result.scores.length,
          trainingRows: result.trainingRows,
          inputHash: result.inputHash,
          trainMs: result.trainMs,
          ms: Math.round(performance.now() - started),
          outcome: summaryOfOutcome(result.outcome),
          top: [...result.scores]
            .sort((a, b) => (b.targeting?.score ?? 0) - (a.targeting?.score ?? 0) || b.score - a.score)
            .slice(0, 5)
            .map((s) => ({
              institutionId: s.institutionId,
              peerGroup: s.peerGroup,
              score: s.score,
              targetingScore: s.targeting?.score ?? null,
              percentile: s.targeting?.percentile ?? s.percentile,
              explanations: [...(s.targeting ? [s.targeting.zh] : []), ...s.explanations.map((e) => e.zh)],
            })),
        },
        201,
      );
    },
  );
}
