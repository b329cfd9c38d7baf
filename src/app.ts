import { OpenAPIHono } from '@hono/zod-openapi';
import { requestId } from 'hono/request-id';
import { registerAdminRoutes } from './admin/admin.routes.js';
import { authenticate, requireRole } from './auth/middleware.js';
import { registerClaimRoutes } from './claims/claims.routes.js';
import { registerStreamRoute, STREAM_PATH } from './claims/stream.routes.js';
import type { AppDeps } from './deps.js';
import { renderDocsPage } from './http/docs-page.js';
import { openApiDocument } from './http/openapi.js';
import { bearerSecurity } from './http/schemas.js';
import type { AppEnv } from './http/env.js';
import { toErrorResponse } from './http/error-handler.js';
import { ValidationError, fieldIssues } from './http/errors.js';
import { registerInspectionRoutes } from './inspections/inspections.routes.js';
import { registerPageRoutes } from './page/page.routes.js';
import { admission } from './http/admission.js';
import { MatchOnceRouter } from './http/router.js';
import { registerNationalRoutes } from './national/national.routes.js';
import { registerHealthRoutes } from './ops/health.routes.js';
import { registerProviderModelRoutes } from './provider-model/provider-model.routes.js';
import { registerReferenceRoutes } from './reference/reference.routes.js';
import { registerReportRoutes } from './report/report.routes.js';
import { registerEvidenceRoutes } from './review/evidence.routes.js';
import { registerReviewRoutes } from './review/review.routes.js';
import { registerRuleRoutes } from './screening/rules.routes.js';

export function createApp(deps: AppDeps) {
  const app = new OpenAPIHono<AppEnv>({
    router: new MatchOnceRouter(),
    defaultHook: (result) => {
      if (!result.success) throw new ValidationError(fieldIssues(result.error.issues));
    },
  });

  app.use(requestId({ headerName: 'X-Request-Id' }));
  // Logged and timed first, so that what admission refuses (413, 408, a full bound's 503) has its
  // line too.
  app.use(async (c, next) => {
    const started = performance.now();
    await next();
    const seconds = (performance.now() - started) / 1000;
    const route = c.req.routePath;
    deps.metrics.httpDuration.observe({ method: c.req.method, route, status: String(c.res.status) }, seconds);
    deps.logger.info({ requestId: c.get('requestId'), method: c.req.method, route, status: c.res.status, ms: Math.round(seconds * 10_000) / 10, client: c.get('actor')?.clientName }, 'request');
  });
  app.use(admission(deps, { streamPath: STREAM_PATH }));
  app.onError((err, c) => toErrorResponse(err, c, deps.logger));
  app.notFound((c) => c.json({ error: { code: 'not_found', message: `No route ${c.req.method} ${c.req.path}`, requestId: c.get('requestId') } }, 404));

  registerHealthRoutes(app, deps);

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', { type: 'http', scheme: 'bearer' });
  app.get('/openapi.json', (c) => c.json(openApiDocument(app)));
  app.get('/docs', (c) => c.html(renderDocsPage(openApiDocument(app))));

  const auth = authenticate(deps.keys);
  app.use('/v1/*', auth);
  app.use('/metrics', auth);
  // Body limits and deadlines, on every route: src/http/admission.ts.

  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/metrics',
    operationId: 'getMetrics',
    tags: ['operations'],
    summary: 'Prometheus metrics: request durations, claims screened and refused, decisions, database pool (admin or supervisor key)',
    security: bearerSecurity,
    responses: {
      200: { description: 'The Prometheus text exposition format', content: { 'text/plain': { schema: { type: 'string' }, example: 'claimscreen_claims_screened_total{channel="single"} 12\n' } } },
    },
  });
  app.get('/metrics', requireRole('admin', 'supervisor'), async (c) => {
    c.header('Content-Type', deps.metrics.registry.contentType);
    return c.body(await deps.metrics.registry.metrics());
  });

  registerClaimRoutes(app, deps);
  registerReferenceRoutes(app, deps);
  registerStreamRoute(app, deps);
  registerRuleRoutes(app, deps);
  registerNationalRoutes(app, deps);
  registerInspectionRoutes(app, deps);
  registerPageRoutes(app, deps);
  registerReportRoutes(app, deps);
  registerProviderModelRoutes(app, deps);
  registerReviewRoutes(app, deps);
  registerEvidenceRoutes(app, deps);
  registerAdminRoutes(app, deps);
  return app;
}

export type App = ReturnType<typeof createApp>;
