import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { requireRole } from '../auth/middleware.js';
import type { AppDeps } from '../deps.js';
import type { AppEnv } from '../http/env.js';
import { AppError, fieldIssues } from '../http/errors.js';
import { streamDeadline } from '../http/admission.js';
import { httpErrorOf } from '../http/error-status.js';
import { bearerSecurity, errorResponses } from '../http/schemas.js';
import { ClaimAnswerSchema } from './answer.js';
import { buildClaimSchema } from './claim.schema.js';
import { readLines, type NdjsonLine } from './ndjson.js';
import { screenClaim, screeningContext } from './screen-claim.js';

export const STREAM_PATH = '/v1/claims/stream';

const StreamLineSchema = z
  .object({
    line: z.number().int().openapi({ description: '1-based number of the input line' }),
    status: z.number().int().openapi({ description: 'what POST /v1/claims would have answered: 200, 400, 409, 413, 503' }),
    answer: ClaimAnswerSchema.optional(),
    error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }).optional(),
  })
  .openapi('StreamAnswerLine');

/**
 * NDJSON in, NDJSON out: one answer line per claim, in input order, a per-line error for a bad
 * line. Output is produced on demand (pull), and input is read only as far as a bounded window of
 * claims in flight, so memory stays flat however long the stream.
 */
export function registerStreamRoute(app: OpenAPIHono<AppEnv>, deps: AppDeps) {
  const ClaimSchema = buildClaimSchema({ maxLines: deps.config.MAX_LINES_PER_CLAIM });

  const route = createRoute({
    method: 'post',
    path: STREAM_PATH,
    tags: ['claims'],
    summary: 'Screen a stream of claims (NDJSON in, NDJSON out)',
    description: `Each input line is one claim as for POST /v1/claims. Each output line answers the input line of the same number, in order. Lines are screened ${deps.config.STREAM_CONCURRENCY} at a time; each line is limited to ${deps.config.BODY_LIMIT_BYTES} bytes.`,
    security: bearerSecurity,
    middleware: [requireRole('settlement', 'admin')] as const,
    request: { body: { content: { 'application/x-ndjson': { schema: z.string().openapi({ description: 'one Claim JSON per line' }) } }, required: true } },
    responses: {
      200: { content: { 'application/x-ndjson': { schema: StreamLineSchema } }, description: 'One line per input line' },
      ...errorResponses,
    },
  });

  app.openapi(route, async (c) => {
    const body = c.req.raw.body;
    if (!body) throw new AppError('invalid', 'invalid_request', 'The stream is empty', [{ path: '', message: 'is empty' }]);
    const lines = readLines(body, deps.config.BODY_LIMIT_BYTES);
    const handle = (line: NdjsonLine) => answerLine(deps, c, ClaimSchema, line);
    const window: Promise<string>[] = [];
    let inputDone = false;
    const encoder = new TextEncoder();

    // A client sending too slowly (src/http/admission.ts) is cut off: the answers to the lines read
    // stand, and the last line says where the input stopped.
    const deadline = streamDeadline(c);
    let lastLine = 0;
    let pushed: (() => void) | undefined;
    const fill = async () => {
      while (!inputDone && window.length < deps.config.STREAM_CONCURRENCY) {
        let next: IteratorResult<NdjsonLine>;
        try {
          next = await (deadline ? deadline.race(lines.next()) : lines.next());
        } catch (err) {
          if (!(err instanceof AppError && err.kind === 'timeout')) throw err;
          inputDone = true;
          window.push(Promise.resolve(JSON.stringify({ line: lastLine + 1, status: httpErrorOf(err).status, error: { code: err.code, message: err.message } })));
          void lines.return(undefined).catch(() => {});
          break;
        }
        if (next.done) inputDone = true;
        else {
          lastLine = next.value.lineNo;
          window.push(handle(next.value));
          pushed?.();
        }
      }
    };

    let filling: Promise<void> | undefined;
    let failed: unknown;
    const reading = () =>
      (filling ??= fill().then(
        () => void (filling = undefined),
        (err: unknown) => void ((failed = err), (filling = undefined)),
      ));

    const output = new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          // the window fills on while its first answer is awaited: an answer goes out when it is
          // ready, not when the window is full (a line of 1 GB is answered 413 once its first
          // BODY_LIMIT_BYTES are read, while the rest of it is skipped)
          const filled = reading();
          while (window.length === 0 && filling) await Promise.race([filled, new Promise<void>((r) => (pushed = r))]);
          if (failed !== undefined) throw failed;
          const head = window.shift();
          if (head === undefined) {
            controller.close();
            return;
          }
          controller.enqueue(encoder.encode(`${await head}\n`));
        },
        async cancel() {
          await lines.return(undefined);
        },
      },
      { highWaterMark: 0 },
    );
    return new Response(output, {
      status: 200,
      headers: { 'Content-Type': 'application/x-ndjson', 'X-Request-Id': c.get('requestId') },
    }) as never;
  });
}

async function answerLine(deps: AppDeps, c: Context<AppEnv>, schema: ReturnType<typeof buildClaimSchema>, line: NdjsonLine): Promise<string> {
  const out = (status: number, rest: object) => JSON.stringify({ line: line.lineNo, status, ...rest });
  const reject = async (raw: unknown, issues: { path: string; message: string }[], status = 400, code = 'invalid_request') => {
    await deps.rejections.record({ channel: 'stream', raw, issues, requestId: c.get('requestId') });
    return out(status, {
      error: {
        code,
        message: issues
          .map((i) => `${i.path || '(line)'} ${i.message}`)
          .slice(0, 3)
          .join('; '),
        details: issues,
      },
    });
  };
  let raw: unknown;
  try {
    if ('oversized' in line) return await reject(undefined, [{ path: '', message: `is longer than ${deps.config.BODY_LIMIT_BYTES} bytes` }], 413, 'payload_too_large');
    try {
      raw = JSON.parse(line.text);
    } catch {
      return await reject(undefined, [{ path: '', message: 'is not valid JSON' }]);
    }
    const parsed = await schema.safeParseAsync(raw);
    if (!parsed.success) return await reject(raw, fieldIssues(parsed.error.issues));
    const { answer, answerJson, replayed } = await screenClaim({ ctx: screeningContext(deps, { clientId: c.get('actor')?.clientId ?? null, requestId: c.get('requestId') }), input: parsed.data });
    if (!replayed) deps.metrics.recordAnswer(answer, 'stream');
    // the answer's text as stored, not serialised again: {"line":…,"status":200,"answer":…[,"replayed":true]}
    return `{"line":${line.lineNo},"status":200,"answer":${answerJson}${replayed ? ',"replayed":true' : ''}}`;
  } catch (err) {
    const e = httpErrorOf(err);
    const answer = () => out(e.status, { error: { code: e.code, message: e.message, details: e.details } });
    // a line the domain refused as invalid is recorded as a rejection, as a line failing the schema is
    if (err instanceof AppError && err.kind === 'invalid') return await reject(raw, err.details as { path: string; message: string }[]).catch(answer);
    // the database being down is not logged per line: an outage would log every line in flight
    if (e.log && e.status !== 503) deps.logger[e.log.level]({ err, requestId: c.get('requestId'), line: line.lineNo }, `stream line: ${e.log.message}`);
    return answer();
  }
}
