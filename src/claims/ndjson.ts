/**
 * Splits a byte stream into lines without ever holding more than one line (bounded by maxBytes)
 * in memory. A line longer than maxBytes is reported as oversized and skipped to its end.
 */
export type NdjsonLine = { lineNo: number; text: string } | { lineNo: number; oversized: true };

export async function* readLines(body: ReadableStream<Uint8Array>, maxBytes: number): AsyncGenerator<NdjsonLine> {
  const decoder = new TextDecoder('utf-8', { fatal: false });
  let buffer = '';
  let lineNo = 0;
  let skipping = false;
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      buffer += done ? decoder.decode() : decoder.decode(value, { stream: true });
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const text = buffer.slice(0, newline).replace(/\r$/, '');
        buffer = buffer.slice(newline + 1);
        if (skipping) {
          skipping = false;
          continue;
        }
        lineNo++; // a blank line is not answered, but it is a line: answers keep the input's numbers
        if (text.trim() === '') continue;
        yield tooLong(text, maxBytes) ? { lineNo, oversized: true } : { lineNo, text };
      }
      if (!skipping && buffer.length > maxBytes) {
        lineNo++;
        yield { lineNo, oversized: true };
        skipping = true;
      }
      if (skipping) buffer = '';
      if (done) break;
    }
    if (!skipping && buffer.trim() !== '') {
      lineNo++;
      yield tooLong(buffer, maxBytes) ? { lineNo, oversized: true } : { lineNo, text: buffer };
    }
  } finally {
    reader.releaseLock();
  }
}

/** The limit is in bytes, as for a single body; a character is 1 to 3 UTF-8 bytes per UTF-16 unit. */
function tooLong(text: string, maxBytes: number): boolean {
  return text.length > maxBytes || (text.length * 3 > maxBytes && Buffer.byteLength(text, 'utf8') > maxBytes);
}
