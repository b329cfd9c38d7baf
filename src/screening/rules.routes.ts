import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { toJSONSchema } from 'zod';
import { requireRole } from '../auth/middleware.js';
import type { AppDeps } from '../deps.js';
import type { AppEnv } from '../http/env.js';
import { AppError, NotFoundError, ValidationError } from '../http/errors.js';
import { statusOf } from '../../rules/engine.js';
import { cstDate, parseDate } from '../lib/time.js';
import { bearerSecurity, errorResponses, ErrorSchema, paramText } from '../http/schemas.js';

const RuleSchema = z
  .object({
    id: z.string().openapi({ example: 'DUP-SAME-LINE' }),
    version: z.number().int(),
    family: z.string(),
    severity: z.enum(['violation', 'high', 'medium', 'low']),
    status: z.enum(['active', 'trial', 'retired']).openapi({ description: 'in force: the catalogue’s status, or the deployment’s override' }),
    description: z.object({ zh: z.string(), en: z.string() }),
    effectiveFrom: z.string(),
    effectiveTo: z.string().optional(),
    trialUntil: z.string().optional().openapi({ description: 'the last day of the rule’s trial (the admin’s extension, else the rule’s own); in trial until then unless a status was set' }),
    defaults: z.record(z.string(), z.unknown()),
    params: z.record(z.string(), z.unknown()).openapi({ description: 'in force: defaults with the deployment’s overrides' }),
    ranges: z.record(z.string(), z.unknown()).openapi({ description: 'each parameter’s allowed values, as JSON Schema (minimum, maximum, exclusiveMinimum, enum, pattern, maxItems)' }),
    settingsVersion: z.number().int().openapi({ description: 'how many times the deployment changed this rule’s settings' }),
  })
  .openapi('Rule');

const SettingsChangeSchema = z
  .object({
    // PostgreSQL's text and jsonb cannot hold U+0000: refused here, not a 500 from the database
    params: z
      .record(z.string(), z.unknown())
      .default({})
      .refine((p) => !JSON.stringify(p).includes('\\u0000'), 'must not contain the NUL character'),
    status: z.enum(['active', 'trial', 'retired']).optional(),
    trialUntil: z
      .string()
      .refine((s) => parseDate(s) !== undefined && !s.startsWith('0000'), 'must be a date yyyy-MM-dd')
      .optional()
      .openapi({ description: 'extends (or ends) the rule’s trial: in trial up to and including this day', example: '2027-02-01' }),
    reason: z
      .string()
      .min(1, 'must say why')
      .max(1000)
      .refine((r) => !r.includes('\u0000'), 'must not contain the NUL character'),
  })
  .strict()
  .openapi('RuleSettingsChange');

export function registerRuleRoutes(app: OpenAPIHono<AppEnv>, deps: AppDeps) {
  const ranges = new Map(deps.rules.map((r) => [r.id, (toJSONSchema(r.paramSchema) as { properties?: Record<string, unknown> }).properties ?? {}]));
  const describe = (id: string) => {
    const rule = deps.rules.find((r) => r.id === id);
    if (!rule) return undefined;
    const o = deps.ruleSettings.get(id);
    return {
      id: rule.id,
      version: rule.version,
      family: rule.family,
      severity: rule.severity,
      status: statusOf(rule, o, cstDate(Date.now())),
      description: rule.description,
      effectiveFrom: rule.effectiveFrom,
      ...(rule.effectiveTo ? { effectiveTo: rule.effectiveTo } : {}),
      ...((o?.trialUntil ?? rule.trialUntil) ? { trialUntil: o?.trialUntil ?? rule.trialUntil } : {}),
      defaults: rule.defaults as Record<string, unknown>,
      params: { ...rule.defaults, ...o?.params },
      ranges: ranges.get(id) ?? {},
      settingsVersion: o?.version ?? 0,
    };
  };

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/rules',
      tags: ['rules'],
      summary: 'The rule catalogue with the parameters and status in force',
      security: bearerSecurity,
      middleware: [requireRole('auditor', 'supervisor', 'admin', 'settlement')] as const,
      responses: { 200: { content: { 'application/json': { schema: z.object({ rules: z.array(RuleSchema) }) } }, description: 'Every rule' }, ...errorResponses },
    }),
    (c) => c.json({ rules: deps.rules.map((r) => describe(r.id)!) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/v1/rules/{ruleId}/settings',
      tags: ['rules'],
      summary: 'Change a rule’s parameters or status (a new settings version; nothing is edited)',
      security: bearerSecurity,
      middleware: [requireRole('admin')] as const,
      request: {
        params: z.object({ ruleId: paramText(64) }),
        body: { content: { 'application/json': { schema: SettingsChangeSchema } }, required: true },
      },
      responses: {
        200: { content: { 'application/json': { schema: RuleSchema } }, description: 'The rule as now in force' },
        ...errorResponses,
        404: { content: { 'application/json': { schema: ErrorSchema } }, description: 'No such rule' },
        422: { content: { 'application/json': { schema: ErrorSchema } }, description: 'A parameter out of its range (details: each with the range and the value sent)' },
      },
    }),
    async (c) => {
      const { ruleId } = c.req.valid('param');
      const body = c.req.valid('json');
      if (!describe(ruleId)) throw new NotFoundError(`No rule ${ruleId}`);
      const issues = deps.ruleSettings.check(ruleId, body.params);
      if (issues.length > 0) throw new ValidationError(issues);
      const outOfRange = deps.ruleSettings.outOfRange(ruleId, body.params);
      if (outOfRange.length > 0)
        throw new AppError(
          'unprocessable',
          'out_of_range',
          `A setting is out of range: ${outOfRange
            .map((i) => `${i.path} ${i.message}`)
            .slice(0, 3)
            .join('; ')}${outOfRange.length > 3 ? '; …' : ''}`,
          outOfRange,
        );
      await deps.ruleSettings.change(ruleId, { params: body.params, status: body.status, trialUntil: body.trialUntil, reason: body.reason, changedBy: c.get('actor').clientName });
      return c.json(describe(ruleId)!, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/rules/stats',
      tags: ['rules'],
      summary: 'Hits and amounts per rule in a service month (trial rules: what they would have withheld), and the rules that threw',
      security: bearerSecurity,
      middleware: [requireRole('auditor', 'supervisor', 'admin')] as const,
      request: { query: z.object({ month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month yyyy-MM') }) },
      responses: {
        200: {
          content: {
            'application/json': {
              schema: z.object({
                month: z.string(),
                rules: z.array(
                  z.object({
                    ruleId: z.string(),
                    status: z.string(),
                    severity: z.string(),
                    hits: z.number().int(),
                    claims: z.number().int(),
                    retrospective: z.number().int(),
                    amount: z.string().openapi({ description: 'amount at issue; for violations of active rules, withheld (or to recover, when retrospective)' }),
                  }),
                ),
                errors: z.array(
                  z.object({
                    ruleId: z.string(),
                    ruleVersion: z.number().int(),
                    errors: z.number().int().openapi({ description: 'claims of the month on which the rule threw (each claim was screened by the other rules)' }),
                    lastMessage: z.string(),
                    lastAt: z.string(),
                  }),
                ),
              }),
            },
          },
          description: 'One row per rule, status and severity with hits in the month',
        },
        ...errorResponses,
      },
    }),
    async (c) => {
      const { month } = c.req.valid('query');
      const rows = await deps.rulesRepository.hitsForMonth(month);
      const errors = await deps.ruleErrors.forMonth(month);
      return c.json(
        {
          month,
          rules: rows.map((r) => ({ ruleId: r.rule_id, status: r.status, severity: r.severity, hits: r.hits, claims: r.claims, retrospective: r.retrospective, amount: r.amount })),
          errors: errors.map((e) => ({ ruleId: e.rule_id, ruleVersion: Number(e.rule_version), errors: Number(e.errors), lastMessage: e.last_message, lastAt: e.last_at })),
        },
        200,
      );
    },
  );
}
