import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { requireRole } from '../auth/middleware.js';
import type { AppDeps } from '../deps.js';
import type { AppEnv } from '../http/env.js';
import { ValidationError } from '../http/errors.js';
import { bearerSecurity, ErrorSchema, errorResponses } from '../http/schemas.js';
import { ATTACHMENT_TYPES, HISTORY_DAYS, type AttachmentMeta } from './evidence.js';
import { personOf } from './identity.js';

const TAG = ['review'];
const STAFF = ['auditor', 'supervisor', 'admin'] as const;
const REVIEWERS = ['auditor', 'supervisor'] as const;
const err = (description: string) => ({ content: { 'application/json': { schema: ErrorSchema } }, description });
const CaseIdParam = z.object({
  caseId: z.coerce
    .number()
    .int()
    .positive()
    .openapi({ param: { name: 'caseId', in: 'path' }, example: 1 }),
});

const NoteSchema = z.object({ id: z.number().int(), body: z.string(), author: z.string(), createdAt: z.string() }).openapi('ReviewNote');
const AttachmentSchema = z
  .object({
    id: z.number().int(),
    fileName: z.string(),
    contentType: z.enum(ATTACHMENT_TYPES),
    sizeBytes: z.number().int(),
    sha256: z.string(),
    uploadedBy: z.string(),
    createdAt: z.string(),
  })
  .openapi('ReviewAttachment');
const HistorySchema = z.object({
  institutionId: z.string(),
  institutionName: z.string().nullable(),
  claimId: z.string(),
  visitType: z.string(),
  startedAt: z.string(),
  endedAt: z.string(),
  totalAmount: z.string(),
  decision: z.string(),
  caseId: z.number().int().nullable(),
  caseStatus: z.string().nullable(),
  mainDiagnosis: z.string().nullable(),
});
const InstitutionSchema = z.object({ institutionId: z.string(), name: z.string(), type: z.string(), level: z.string(), ownership: z.string(), area: z.string(), beds: z.number().int() });

/** A file from a multipart form's `file` field: its name and bytes, or a 400 naming the field. */
export async function formFile(c: Context<AppEnv>): Promise<{ fileName: string; data: Uint8Array; form: Record<string, unknown> }> {
  let form: Record<string, unknown>;
  try {
    form = await c.req.parseBody();
  } catch {
    throw new ValidationError([{ path: 'file', message: 'must be sent as multipart/form-data with a file field' }]);
  }
  const file = form.file;
  if (!(file instanceof File) || file.size === 0) throw new ValidationError([{ path: 'file', message: 'must be a file (PDF or image)' }]);
  return { fileName: file.name, data: new Uint8Array(await file.arrayBuffer()), form };
}

/** The evidence around a case: notes, attachments, the person's history, the institution (docs/review-pages.md). */
export function registerEvidenceRoutes(app: OpenAPIHono<AppEnv>, deps: AppDeps) {
  const { cases, evidence } = deps.review;

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/review/cases/{caseId}/evidence',
      tags: TAG,
      summary: `The evidence around a case: the institution’s record, notes, attachments (listed), and the insured person’s claims of the last ${HISTORY_DAYS} days (auditors and supervisors only: null for an admin)`,
      security: bearerSecurity,
      middleware: [requireRole(...STAFF)] as const,
      request: { params: CaseIdParam },
      responses: {
        200: {
          content: {
            'application/json': {
              schema: z
                .object({ institution: InstitutionSchema.nullable(), notes: z.array(NoteSchema), attachments: z.array(AttachmentSchema), history: z.array(HistorySchema).nullable() })
                .openapi('ReviewEvidence'),
            },
          },
          description: 'The evidence',
        },
        404: err('No such case'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const person = personOf(c.get('actor'));
      const k = await cases.get(c.req.valid('param').caseId, person);
      const [institution, notes, attachments, history] = await Promise.all([
        evidence.institution(k.institutionId, k.claim.serviceMonth + '-01'),
        evidence.notes(k.id),
        evidence.attachments(k.id),
        evidence.history(person, k.claim.id),
      ]);
      return c.json({ institution: institution ?? null, notes, attachments, history: history ?? null }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/review/cases/{caseId}/notes',
      tags: TAG,
      summary: 'Add a note to a case (auditors and supervisors; append-only, in the trail as case.note)',
      security: bearerSecurity,
      middleware: [requireRole(...REVIEWERS)] as const,
      request: {
        params: CaseIdParam,
        body: {
          content: {
            'application/json': {
              schema: z
                .object({ body: z.string().max(4000) })
                .strict()
                .openapi('ReviewNoteInput'),
            },
          },
          required: true,
        },
      },
      responses: { 200: { content: { 'application/json': { schema: NoteSchema } }, description: 'The note' }, 404: err('No such case'), ...errorResponses },
    }),
    async (c) => c.json(await evidence.addNote(personOf(c.get('actor')), c.req.valid('param').caseId, c.req.valid('json').body), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/review/cases/{caseId}/attachments',
      tags: TAG,
      summary: 'Attach a PDF or an image to a case (multipart/form-data, field `file`; at most REVIEW_ATTACHMENT_MAX_BYTES; the type is read from the file’s first bytes); in the trail as case.attach',
      security: bearerSecurity,
      middleware: [requireRole(...REVIEWERS)] as const,
      request: { params: CaseIdParam },
      responses: { 200: { content: { 'application/json': { schema: AttachmentSchema } }, description: 'The attachment as stored' }, 404: err('No such case'), ...errorResponses },
    }),
    async (c) => {
      const file = await formFile(c);
      return c.json(await evidence.attach(personOf(c.get('actor')), c.req.valid('param').caseId, file), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/review/cases/{caseId}/attachments/{attachmentId}',
      tags: TAG,
      summary: 'An attachment’s bytes (auditors and supervisors)',
      security: bearerSecurity,
      middleware: [requireRole(...REVIEWERS)] as const,
      request: {
        params: CaseIdParam.extend({
          attachmentId: z.coerce
            .number()
            .int()
            .positive()
            .openapi({ param: { name: 'attachmentId', in: 'path' }, example: 1 }),
        }),
      },
      responses: { 200: { content: { 'application/octet-stream': { schema: z.string().openapi({ format: 'binary' }) } }, description: 'The file' }, 404: err('No such attachment'), ...errorResponses },
    }),
    async (c) => {
      const { caseId, attachmentId } = c.req.valid('param');
      return sendAttachment(c, await evidence.download(personOf(c.get('actor')), caseId, attachmentId)) as never;
    },
  );
}

/** The file as a download: its checked type, nosniff, and its name both plain (ASCII) and as RFC 5987. */
export function sendAttachment(c: Context<AppEnv>, a: AttachmentMeta & { data: Uint8Array }) {
  const ascii = a.fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  c.header('Content-Type', a.contentType);
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('Content-Disposition', `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(a.fileName)}`);
  c.header('Cache-Control', 'no-store');
  return c.body(new Uint8Array(a.data), 200);
}
