import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readLines, type NdjsonLine } from '../src/claims/ndjson.js';

/** the stream as the request would deliver it: the bytes cut into chunks at the given offsets */
function streamOf(bytes: Uint8Array, cuts: number[]): ReadableStream<Uint8Array> {
  const offsets = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (const at of [...offsets, bytes.length]) {
    if (at > from) chunks.push(bytes.slice(from, at));
    from = Math.max(from, at);
  }
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
}

async function collect(bytes: Uint8Array, cuts: number[], maxBytes: number): Promise<NdjsonLine[]> {
  const out: NdjsonLine[] = [];
  for await (const line of readLines(streamOf(bytes, cuts), maxBytes)) out.push(line);
  return out;
}

/** what the lines must be, computed from the whole text at once */
function expected(text: string, maxBytes: number): NdjsonLine[] {
  const parts = text.split('\n');
  if (parts.at(-1) === '') parts.pop();
  const out: NdjsonLine[] = [];
  parts.forEach((part, i) => {
    const raw = i === 0 && part.startsWith('\uFEFF') ? part.slice(1) : part;
    if (Buffer.byteLength(part, 'utf8') > maxBytes) out.push({ lineNo: i + 1, oversized: true });
    else if (raw.replace(/\r$/, '').trim() !== '') out.push({ lineNo: i + 1, text: raw.replace(/\r$/, '') });
  });
  return out;
}

describe('readLines', () => {
  it('splits a stream cut anywhere into the lines of the whole text, oversized lines reported once', async () => {
    const piece = fc.oneof(fc.constantFrom('\n', '\r\n', ' ', '{"a":1}', '科', '😀', '\uFEFF'), fc.string({ maxLength: 12 }), fc.string({ unit: 'grapheme', maxLength: 6 }));
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { maxLength: 40 }), fc.array(fc.nat(), { maxLength: 12 }), fc.integer({ min: 1, max: 24 }), async (pieces, cuts, maxBytes) => {
        const text = pieces.join('');
        expect(await collect(new TextEncoder().encode(text), cuts, maxBytes)).toEqual(expected(text, maxBytes));
      }),
      { numRuns: 2000 },
    );
  });

  it('answers a 64 MB line as oversized after reading past the limit, holding no more than the limit', async () => {
    const limit = 1024 * 1024;
    let sent = 0;
    const chunk = new Uint8Array(64 * 1024).fill(0x61);
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 64 * 1024 * 1024) {
          controller.enqueue(new TextEncoder().encode('\n{"b":2}\n'));
          controller.close();
          return;
        }
        sent += chunk.length;
        controller.enqueue(chunk);
      },
    });
    const lines: NdjsonLine[] = [];
    let sentAtFirst = 0;
    for await (const line of readLines(body, limit)) {
      if (lines.length === 0) sentAtFirst = sent;
      lines.push(line);
    }
    expect(lines).toEqual([
      { lineNo: 1, oversized: true },
      { lineNo: 2, text: '{"b":2}' },
    ]);
    // the first answer comes as soon as the line passes the limit, not at its end
    expect(sentAtFirst).toBeLessThanOrEqual(limit + 2 * chunk.length);
  });
});
