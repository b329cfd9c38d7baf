import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { requireRole } from '../auth/middleware.js';
import type { AppDeps } from '../deps.js';
import type { AppEnv } from '../http/env.js';
import { NotFoundError } from '../http/errors.js';
import { bearerSecurity, errorResponses, ErrorSchema } from '../http/schemas.js';

const Month = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month yyyy-MM')
  .openapi({ example: '2026-10' });
const readers = requireRole('auditor', 'supervisor', 'admin');
const notFound = { 404: { content: { 'application/json': { schema: ErrorSchema } }, description: 'Nothing stored for this' } };

const ModelSummarySchema = z
  .object({
    id: z.number().int().openapi({ description: 'the model version' }),
    month: z.string().openapi({ description: 'the month scored' }),
    windowFrom: z.string(),
    windowTo: z.string(),
    params: z.object({
      trees: z.number().int(),
      psi: z.number().int(),
      seed: z.number().int(),
      windowMonths: z.number().int(),
      evidenceMonths: z
        .number()
        .int()
        .optional()
        .openapi({ description: 'the evidence window, months (absent on versions trained before the two windows were separate: evidence then pooled windowMonths)' }),
      sides: z.enum(['upper', 'both']),
    }),
    seed: z.number().int(),
    featureNames: z.array(z.string()),
    inputHash: z.string().openapi({ description: 'SHA-256 of the training rows and parameters' }),
    trainingRows: z.number().int().openapi({ description: 'institution-months trained on' }),
    trainMs: z.number().int(),
    trainedBy: z.string(),
    trainedAt: z.string(),
    outcome: z
      .record(z.string(), z.unknown())
      .nullable()
      .openapi({ description: 'learning from review outcomes: labels, cross-validated AUC of the supervised and unsupervised scores, which one targets and why' }),
  })
  .openapi('ProviderModel');

const ExplanationSchema = z
  .object({
    feature: z.string(),
    value: z.number().nullable(),
    peerMedian: z.number(),
    z: z.number().openapi({ description: '(value − peer median) / MAD' }),
    zh: z.string().openapi({ example: '平均住院日 18.2 天, 同级同类机构中位数 7.9 天' }),
    en: z.string().openapi({ example: 'mean length of stay 18.2 days; peer median 7.9 days' }),
  })
  .openapi('ProviderScoreExplanation');

const ScoreSchema = z
  .object({
    modelId: z.number().int(),
    institutionId: z.string(),
    month: z.string(),
    peerGroup: z.string().openapi({ example: 'hospital/secondary', description: 'institution type / level' }),
    peerSize: z.number().int(),
    score: z.number().openapi({ description: 'isolation-forest score in (0, 1]; higher is more anomalous' }),
    percentile: z.number().openapi({ description: 'share of the peer group scoring at most this, in percent' }),
    rank: z.number().int().openapi({ description: '1 = highest score of the peer group' }),
    features: z.record(z.string(), z.number().nullable()),
    comparable: z.record(z.string(), z.number()).openapi({ description: 'robust z of each feature within the peer group' }),
    peerMedians: z.record(z.string(), z.number().nullable()),
    explanations: z.array(ExplanationSchema),
    targetingScore: z.number().nullable().openapi({ description: 'what targeting ranks by: P(fraud) × fund money at stake over the window, yuan (null before migration 0020)' }),
    targeting: z
      .record(z.string(), z.unknown())
      .nullable()
      .openapi({ description: 'the targeting score with its probability, source (unsupervised or supervised), evidence, money at stake, rank and percentile in the peer group, and zh/en sentences' }),
  })
  .openapi('ProviderScore');

const asScore = (r: Record<string, unknown>) => r as z.infer<typeof ScoreSchema>;
const asModel = (r: Record<string, unknown>) => r as z.infer<typeof ModelSummarySchema>;

export function registerProviderModelRoutes(app: OpenAPIHono<AppEnv>, deps: AppDeps) {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/models',
      tags: ['provider model'],
      summary: 'Provider model versions, newest first',
      security: bearerSecurity,
      middleware: [readers] as const,
      responses: { 200: { content: { 'application/json': { schema: z.object({ models: z.array(ModelSummarySchema) }) } }, description: 'Every stored version' }, ...errorResponses },
    }),
    async (c) => c.json({ models: (await deps.providerModels.listModels()).map(asModel) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/models/{id}',
      tags: ['provider model'],
      summary: 'One provider model version with the forest as JSON',
      security: bearerSecurity,
      middleware: [readers] as const,
      request: { params: z.object({ id: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER).openapi({ example: 1 }) }) },
      responses: {
        200: { content: { 'application/json': { schema: ModelSummarySchema.extend({ model: z.record(z.string(), z.unknown()) }) } }, description: 'The version and its forest' },
        ...errorResponses,
        ...notFound,
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const row = await deps.providerModels.model(id);
      if (!row) throw new NotFoundError(`No provider model ${id}`);
      return c.json({ ...asModel(row), model: row.model as Record<string, unknown> }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/provider-scores',
      tags: ['provider model'],
      summary: 'Every institution’s score for a month, highest first, with explanations',
      description: 'From the latest model version that scored the month, or the version given.',
      security: bearerSecurity,
      middleware: [readers] as const,
      request: { query: z.object({ month: Month, modelId: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional() }) },
      responses: {
        200: { content: { 'application/json': { schema: z.object({ month: z.string(), modelId: z.number().int(), scores: z.array(ScoreSchema) }) } }, description: 'The month’s scores' },
        ...errorResponses,
        ...notFound,
      },
    }),
    async (c) => {
      const { month, modelId } = c.req.valid('query');
      const id = modelId ?? (await deps.providerModels.latestModelFor(month));
      const scores = id === undefined ? [] : (await deps.providerModels.scores(id)).filter((s) => s.month === month);
      if (id === undefined || scores.length === 0) throw new NotFoundError(`No provider scores for ${month}${modelId ? ` from model ${modelId}` : ''}`);
      return c.json({ month, modelId: id, scores: scores.map(asScore) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/provider-scores/{institutionId}',
      tags: ['provider model'],
      summary: 'One institution’s score for a month (default: its latest), with explanations',
      security: bearerSecurity,
      middleware: [readers] as const,
      request: {
        params: z.object({
          institutionId: z
            .string()
            .max(32)
            .regex(/^[0-9A-Za-z._-]+$/, 'must contain only letters, digits, ".", "_" and "-"')
            .openapi({ example: 'H32010200001' }),
        }),
        query: z.object({ month: Month.optional() }),
      },
      responses: { 200: { content: { 'application/json': { schema: ScoreSchema } }, description: 'The score' }, ...errorResponses, ...notFound },
    }),
    async (c) => {
      const { institutionId } = c.req.valid('param');
      const { month } = c.req.valid('query');
      const latest = month ?? (await deps.providerModels.latestMonthOf(institutionId));
      const id = latest === undefined ? undefined : await deps.providerModels.latestModelFor(latest);
      const row = id === undefined ? undefined : await deps.providerModels.scoreOf(id, institutionId);
      if (!row) throw new NotFoundError(`No provider score for ${institutionId}${month ? ` in ${month}` : ''}`);
      return c.json(asScore(row), 200);
    },
  );
}
