import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { requireRole } from '../auth/middleware.js';
import type { AppDeps } from '../deps.js';
import type { AppEnv } from '../http/env.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../http/errors.js';
import { bearerSecurity, errorResponses, ErrorSchema } from '../http/schemas.js';
import { fenFrom, formatFen } from '../lib/money.js';
import { drawInspectionRound, verifyDraw } from './draw-inspections.js';
import type { InspectionFindingRecord } from './inspections.repository.js';
import { ConclusionRequestSchema, DrawRequestSchema, DrawSchema, FindingRequestSchema, InspectionFindingSchema, InspectionSchema, PublicSummarySchema } from './inspections.schema.js';
import { findingsInForce, publicSummary } from './public-summary.js';

const uuid = z.string().uuid('must be a uuid');
const notFound = (what: string) => ({ content: { 'application/json': { schema: ErrorSchema } }, description: `No such ${what}` });
const conflict = (what: string) => ({ content: { 'application/json': { schema: ErrorSchema } }, description: what });
const READERS = ['auditor', 'supervisor', 'admin'] as const;
const findingOut = (f: InspectionFindingRecord) => ({ ...f, amountFen: undefined, amount: formatFen(f.amountFen) });

export function registerInspectionRoutes(app: OpenAPIHono<AppEnv>, deps: AppDeps) {
  const ctx = deps.inspections;

  async function drawDetail(id: string) {
    const draw = await ctx.inspections.draw(id);
    if (!draw) throw new NotFoundError(`No inspection draw ${id}`);
    const { windowFrom, windowTo, ...rest } = draw;
    return { ...rest, window: { from: windowFrom, to: windowTo }, inspections: await ctx.inspections.inspectionsOf(id) };
  }

  /** Only the drawn pair works an inspection: the draw is what makes it independent. */
  async function ownInspection(id: string, person: string) {
    const inspection = await ctx.inspections.inspection(id);
    if (!inspection) throw new NotFoundError(`No inspection ${id}`);
    if (!inspection.inspectors.includes(person)) throw new ForbiddenError(`Only the inspectors drawn for this inspection (${inspection.inspectors.length}) may record it`);
    return inspection;
  }

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/inspections/draws',
      tags: ['inspections'],
      summary: 'Draw institutions to inspect and a pair of inspectors for each (双随机), recorded with its seed',
      security: bearerSecurity,
      middleware: [requireRole('supervisor')] as const,
      request: { body: { content: { 'application/json': { schema: DrawRequestSchema } }, required: true } },
      responses: {
        201: { content: { 'application/json': { schema: DrawSchema } }, description: 'The draw, its pool and seed, and the inspections drawn' },
        ...errorResponses,
        409: conflict('The draw cannot be made: no scores to weight by, an empty pool, or an institution without two inspectors free of conflict'),
      },
    }),
    async (c) => {
      const id = await drawInspectionRound({ ctx, actor: c.get('actor').clientName, input: c.req.valid('json') });
      return c.json(await drawDetail(id), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/inspections/draws',
      tags: ['inspections'],
      summary: 'Inspection draws, newest first',
      security: bearerSecurity,
      middleware: [requireRole(...READERS)] as const,
      request: { query: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50), offset: z.coerce.number().int().min(0).max(1_000_000).default(0) }).strict() },
      responses: {
        200: {
          content: {
            'application/json': {
              schema: z.object({
                draws: z.array(
                  z.object({
                    id: z.string(),
                    kind: z.string(),
                    title: z.string(),
                    quarter: z.string().nullable(),
                    windowFrom: z.string(),
                    windowTo: z.string(),
                    count: z.number().int(),
                    drawnBy: z.string(),
                    drawnAt: z.string(),
                  }),
                ),
              }),
            },
          },
          description: 'Draws',
        },
        ...errorResponses,
      },
    }),
    async (c) => {
      const { limit, offset } = c.req.valid('query');
      return c.json({ draws: await ctx.inspections.listDraws(limit, offset) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/inspections/draws/{drawId}',
      tags: ['inspections'],
      summary: 'One draw with its inspections and inspectors',
      security: bearerSecurity,
      middleware: [requireRole(...READERS)] as const,
      request: { params: z.object({ drawId: uuid }) },
      responses: { 200: { content: { 'application/json': { schema: DrawSchema } }, description: 'The draw' }, ...errorResponses, 404: notFound('draw') },
    }),
    async (c) => c.json(await drawDetail(c.req.valid('param').drawId), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/inspections/draws/{drawId}/verify',
      tags: ['inspections'],
      summary: 'Re-derive a draw from its recorded seed, pool and conflicts, and compare it with what was stored',
      security: bearerSecurity,
      middleware: [requireRole(...READERS)] as const,
      request: { params: z.object({ drawId: uuid }) },
      responses: {
        200: {
          content: {
            'application/json': {
              schema: z.object({
                drawId: z.string(),
                seed: z.string(),
                matches: z.boolean(),
                resultHash: z.string(),
                rederivedHash: z.string(),
                rederived: z.array(z.object({ rank: z.number().int(), institutionId: z.string(), inspectors: z.array(z.string()) })),
              }),
            },
          },
          description: 'Whether the stored draw is the one its seed gives',
        },
        ...errorResponses,
        404: notFound('draw'),
      },
    }),
    async (c) => {
      const { drawId } = c.req.valid('param');
      const result = await verifyDraw(ctx, drawId);
      if (!result) throw new NotFoundError(`No inspection draw ${drawId}`);
      return c.json(result, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/inspections/draws/{drawId}/public-summary',
      tags: ['inspections'],
      summary: 'The publishable summary of a draw and its results (一公开): institutions, method, findings by family and amounts; no personal data',
      security: bearerSecurity,
      middleware: [requireRole(...READERS)] as const,
      request: { params: z.object({ drawId: uuid }) },
      responses: { 200: { content: { 'application/json': { schema: PublicSummarySchema } }, description: 'The summary' }, ...errorResponses, 404: notFound('draw') },
    }),
    async (c) => {
      const { drawId } = c.req.valid('param');
      const summary = await publicSummary(ctx.inspections, drawId);
      if (!summary) throw new NotFoundError(`No inspection draw ${drawId}`);
      return c.json(summary, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/inspections/{inspectionId}',
      tags: ['inspections'],
      summary: 'One inspection with every finding entry',
      security: bearerSecurity,
      middleware: [requireRole(...READERS)] as const,
      request: { params: z.object({ inspectionId: uuid }) },
      responses: {
        200: { content: { 'application/json': { schema: InspectionSchema.extend({ findings: z.array(InspectionFindingSchema) }) } }, description: 'The inspection' },
        ...errorResponses,
        404: notFound('inspection'),
      },
    }),
    async (c) => {
      const { inspectionId } = c.req.valid('param');
      const inspection = await ctx.inspections.inspection(inspectionId);
      if (!inspection) throw new NotFoundError(`No inspection ${inspectionId}`);
      const findings = await ctx.inspections.findingsOf([inspectionId]);
      return c.json({ ...inspection, findings: findings.map(findingOut) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/inspections/{inspectionId}/findings',
      tags: ['inspections'],
      summary: 'Record what an inspection found (append-only; a correction is a new entry naming the one it replaces)',
      security: bearerSecurity,
      middleware: [requireRole('auditor', 'supervisor')] as const,
      request: { params: z.object({ inspectionId: uuid }), body: { content: { 'application/json': { schema: FindingRequestSchema } }, required: true } },
      responses: {
        201: { content: { 'application/json': { schema: InspectionFindingSchema } }, description: 'The entry recorded' },
        ...errorResponses,
        404: notFound('inspection'),
        409: conflict('The inspection is concluded'),
      },
    }),
    async (c) => {
      const { inspectionId } = c.req.valid('param');
      const body = c.req.valid('json');
      const person = c.get('actor').clientName;
      const inspection = await ownInspection(inspectionId, person);
      if (inspection.outcome) throw new ConflictError(`The inspection was concluded (${inspection.outcome}) at ${inspection.concludedAt}`);
      if (body.corrects !== undefined) {
        const earlier = await ctx.inspections.findingsOf([inspectionId]);
        if (!earlier.some((f) => f.id === body.corrects)) throw new ValidationError([{ path: 'corrects', message: `no finding ${body.corrects} in this inspection` }]);
      }
      const id = await ctx.inspections.addFinding({
        inspectionId,
        family: body.family,
        amount: formatFen(fenFrom(body.amount)!),
        note: body.note,
        corrects: body.corrects ?? null,
        recordedBy: person,
      });
      const recorded = (await ctx.inspections.findingsOf([inspectionId])).find((f) => f.id === id)!;
      return c.json(findingOut(recorded), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/inspections/{inspectionId}/conclusion',
      tags: ['inspections'],
      summary: 'Conclude an inspection (once)',
      security: bearerSecurity,
      middleware: [requireRole('auditor', 'supervisor')] as const,
      request: { params: z.object({ inspectionId: uuid }), body: { content: { 'application/json': { schema: ConclusionRequestSchema } }, required: true } },
      responses: {
        200: { content: { 'application/json': { schema: InspectionSchema } }, description: 'The inspection, concluded' },
        ...errorResponses,
        404: notFound('inspection'),
        409: conflict('Already concluded, or the outcome contradicts the findings'),
      },
    }),
    async (c) => {
      const { inspectionId } = c.req.valid('param');
      const { outcome } = c.req.valid('json');
      const person = c.get('actor').clientName;
      await ownInspection(inspectionId, person);
      const inForce = findingsInForce(await ctx.inspections.findingsOf([inspectionId])).filter((f) => f.amountFen > 0);
      if (outcome === 'violations-found' && inForce.length === 0) throw new ConflictError('No finding with an amount is recorded: record what was found before concluding that violations were found');
      if (outcome === 'no-violation' && inForce.length > 0)
        throw new ConflictError(`${inForce.length} finding(s) with an amount are in force: correct them (a new entry with amount 0) before concluding no violation`);
      if (!(await ctx.inspections.conclude(inspectionId, outcome, person))) throw new ConflictError('The inspection is already concluded');
      return c.json((await ctx.inspections.inspection(inspectionId))!, 200);
    },
  );
}
