import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from './env.js';

export const OPENAPI_INFO = {
  openapi: '3.1.0',
  info: {
    title: 'claimscreen',
    version: '0.1.0',
    description:
      'Medical-insurance claims fraud screening: per-claim answers, reference data, review and reports. ' +
      'Every error is answered with one body, ErrorBody; every answer carries X-Request-Id, the id the log knows the request by.',
    license: { name: 'Proprietary: the fund’s own software, not for redistribution', identifier: 'LicenseRef-Proprietary' },
  },
  servers: [{ url: '/', description: 'the service that serves this document (HOST and PORT set its address)' }],
};

/** The tags, in the order /docs shows them. */
const TAGS = [
  { name: 'claims', description: 'Screening claims, one at a time or as a stream, and reading them back with their answers' },
  { name: 'reference', description: 'The reference data the rules read: institutions, the catalogue, item relations, stock records, the person register' },
  { name: 'rules', description: 'The rule catalogue, each rule’s parameters and status, and what the rules found' },
  { name: 'national interface', description: 'The national medical-insurance platform’s interface (3101, 3102, 3103), answered from the same rules' },
  { name: 'inspections', description: 'On-site inspections: drawing institutions and inspectors at random, recording findings and conclusions' },
  { name: 'reports', description: 'The monthly provider risk report' },
  { name: 'provider model', description: 'The provider-level anomaly model: versions and scores' },
  { name: 'review', description: 'Human review of withheld claims: the queue, conclusions, second review, appeals, conflicts, the trail and the random re-check' },
  { name: 'admin', description: 'API keys and model training' },
  { name: 'operations', description: 'Liveness, readiness and Prometheus metrics, for the platform that runs the service' },
];

/** Descriptions of the parameters that recur, for the routes that did not give their own. */
const PARAMETERS: Record<string, string> = {
  limit: 'at most this many items in the page',
  offset: 'items to skip before the page starts',
  month: 'a service month, YYYY-MM',
  caseId: 'a review case’s id',
  drawId: 'an inspection draw’s id',
  inspectionId: 'an inspection’s id',
  institutionId: 'an institution’s code (定点医药机构编码)',
  claimId: 'the claim’s id at its institution',
  ruleId: 'a rule’s id, as in GET /v1/rules',
  id: 'the item’s id',
  status: 'only items with this status',
  format: 'the answer’s format (the Accept header is not read)',
  modelId: 'a provider model version’s id (default: the one in use)',
  reason: 'only cases with this reason',
  family: 'only findings of this rule family',
  minAgeDays: 'only cases open at least this many days',
  maxAgeDays: 'only cases open at most this many days',
  appealId: 'an appeal’s id',
  person: 'only the entries of this person (a key’s client name)',
  conflictId: 'a declared conflict’s id',
  afterSeq: 'only entries after this sequence number (for reading the trail a page at a time)',
  attachmentId: 'an attachment’s id',
};

/** What each request body is, for the routes that did not say (by operationId). */
const BODIES: Record<string, string> = {
  putReferenceInstitutions: '1 to 5000 institutions, each inserted or replaced by its key; all or none',
  putReferenceCatalogueItems: '1 to 5000 catalogue items, each inserted or replaced by its key; all or none',
  putReferenceItemRelations: '1 to 5000 item relations, each inserted or replaced by its key; all or none',
  putReferenceStockRecords: '1 to 5000 stock records, each inserted or replaced by its key; all or none',
  putReferencePersonRegister: '1 to 5000 person register entries, each inserted or replaced by its key; all or none',
  putReferenceDoctors: '1 to 5000 doctors (institution and daily capacity by visit kind), each inserted or replaced by its key; all or none',
  putReferenceItemIndications: '1 to 5000 item indications (allowed and excluded ICD-10 prefixes per catalogue item), each inserted or replaced by its key; all or none',
  putReferenceExamRecognition: '1 to 5000 entries of the exam mutual-recognition list (item, group, window in days), each inserted or replaced by its key; all or none',
  putReferenceServiceScopes: '1 to 5000 institutions’ service scopes (allowed line categories, care settings and department prefixes), each inserted or replaced by its key; all or none',
  postClaimsStream: 'Claims as NDJSON, one Claim per line; answered line by line in the same order',
  putRulesByRuleIdSettings: 'The rule’s new parameters and status, and why: a new settings version',
  postNational3101: 'The national platform’s 3101 request: the patient, the encounters, their diagnoses and orders',
  postNational3102: 'The national platform’s 3102 request, the same shape as 3101',
  postNational3103: 'How each violation answered by 3101/3102 was handled (warn_rslt_id, dspo_way)',
  postInspectionsDraws: 'How many institutions to draw from which pool, and the inspectors to pair',
  postInspectionsByInspectionIdFindings: 'One finding entry (a correction names the entry it replaces)',
  postInspectionsByInspectionIdConclusion: 'The inspection’s outcome',
  postReviewCasesByCaseIdConclusion: 'Violation confirmed (the lines, the amount and the basis) or dismissed (the reason)',
  postReviewCasesByCaseIdSecondReview: 'Agree, or send back with a reason',
  postReviewCasesByCaseIdRelease: 'Why the case goes back to the pool',
  postReviewCasesByCaseIdReopen: 'Why the closed case is reopened',
  postReviewAppeals: 'The withheld claim appealed and the appeal’s reason',
  postReviewConflicts: 'The institution and the person the conflict of interest is declared for, and why',
  postReviewConflictsByConflictIdWithdraw: 'Why the conflict is withdrawn',
  postReviewCasesByCaseIdNotes: 'The note’s text',
  postAdminKeys: 'The new key’s holder and role',
  postAdminModelsTrain: 'The month to train on',
};

const errorBody = (description: string, headers?: Record<string, { $ref: string }>) => ({
  description,
  ...(headers ? { headers } : {}),
  content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorBody' } } },
});

/** Answers any operation may give, whatever its own code does: auth, admission (src/http/admission.ts) and the error handler. */
const COMMON_RESPONSES = {
  BadRequest: errorBody('Invalid request: every failing field with its path and message (details)'),
  Unauthorized: errorBody('Missing, unknown or revoked API key'),
  Forbidden: errorBody('The key’s role may not do this'),
  RequestTimeout: errorBody('The body did not arrive within its deadline; the connection is closed'),
  PayloadTooLarge: errorBody('Body over the size limit (a declared Content-Length over it is refused on every route); the connection is closed'),
  InternalError: errorBody('An unexpected failure: nothing internal is said, the log has it under the request id'),
  Unavailable: errorBody('The database did not answer, or the service is at its bound of requests in progress: try again after Retry-After', {
    'Retry-After': { $ref: '#/components/headers/Retry-After' },
  }),
};

type Parameter = { name: string; in: string; description?: string };
type Operation = { operationId?: string; security?: unknown[]; parameters?: Parameter[]; requestBody?: { description?: string }; responses: Record<string, unknown> };
type Document = ReturnType<OpenAPIHono<AppEnv>['getOpenAPI31Document']>;

const upper = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const camel = (s: string) =>
  s
    .split(/[^0-9A-Za-z]+/)
    .filter(Boolean)
    .map(upper)
    .join('');

/** `get /v1/review/cases/{caseId}/evidence` → `getReviewCasesByCaseIdEvidence`: stable, unique, read from the route. */
export const operationIdOf = (method: string, path: string) =>
  method +
  path
    .replace(/^\/v1\//, '/')
    .split('/')
    .filter(Boolean)
    .map((seg) => (seg.startsWith('{') ? `By${upper(seg.slice(1, -1))}` : camel(seg)))
    .join('');

/**
 * The document /openapi.json serves, /docs renders and `npm run lint:openapi` lints: the routes'
 * own descriptions, completed with what every operation shares (its id, the error answers that
 * authentication, admission and the error handler give, the recurring parameters), so that no
 * route has to repeat them.
 */
export function openApiDocument(app: OpenAPIHono<AppEnv>): Document {
  const doc = app.getOpenAPI31Document(OPENAPI_INFO);
  doc.tags = TAGS;
  const used = new Set<keyof typeof COMMON_RESPONSES>();
  for (const [path, methods] of Object.entries(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(methods as Record<string, Operation>)) {
      op.operationId ??= operationIdOf(method, path);
      for (const p of op.parameters ?? []) p.description ??= PARAMETERS[p.name];
      if (op.requestBody) op.requestBody.description ??= BODIES[op.operationId];
      const add = (status: string, name: keyof typeof COMMON_RESPONSES) => {
        if (op.responses[status]) return;
        op.responses[status] = { $ref: `#/components/responses/${name}` };
        used.add(name);
      };
      if (op.parameters?.length || op.requestBody) add('400', 'BadRequest');
      if (op.security?.length) {
        add('401', 'Unauthorized');
        add('403', 'Forbidden');
      }
      // A declared Content-Length over the limit is 413 on every route, these two included.
      add('413', 'PayloadTooLarge');
      if (op.requestBody) add('408', 'RequestTimeout');
      add('500', 'InternalError');
      add('503', 'Unavailable');
    }
  }
  doc.components = {
    ...doc.components,
    responses: Object.fromEntries([...used].sort().map((name) => [name, COMMON_RESPONSES[name]])),
    headers: { 'Retry-After': { description: 'seconds to wait before trying again', schema: { type: 'integer', minimum: 1 } } },
  };
  return doc;
}
