/**
 * Splits a byte stream into lines without ever holding more than one line (bounded by maxBytes)
 * in memory. A line longer than maxBytes is reported as oversized and skipped to its end.
 *
 * Lines are split on the bytes, not on decoded text: a newline byte never occurs inside a UTF-8
 * sequence, each byte is looked at once, and a line's bytes are copied once, when it is complete
 * (appending to a growing string and searching it again after every chunk costs memory and time
 * in the square of the line's length).
 */
export type NdjsonLine = { lineNo: number; text: string } | { lineNo: number; oversized: true };

const NEWLINE = 0x0a;

export async function* readLines(body: ReadableStream<Uint8Array>, maxBytes: number): AsyncGenerator<NdjsonLine> {
  const first = new TextDecoder('utf-8'); // drops a byte-order mark before the first line only
  const rest = new TextDecoder('utf-8', { ignoreBOM: true });
  let pieces: Uint8Array[] = []; // the line so far, at most maxBytes
  let held = 0;
  let lineNo = 0;
  let skipping = false; // inside a line already answered as oversized
  const line = (tail: Uint8Array): NdjsonLine | undefined => {
    lineNo++; // a blank line is not answered, but it is a line: answers keep the input's numbers
    if (held + tail.length > maxBytes) return { lineNo, oversized: true };
    const bytes = pieces.length === 0 ? tail : Buffer.concat([...pieces, tail], held + tail.length);
    const text = (lineNo === 1 ? first : rest).decode(bytes).replace(/\r$/, '');
    return text.trim() === '' ? undefined : { lineNo, text };
  };
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      let start = 0;
      let newline: number;
      while ((newline = value.indexOf(NEWLINE, start)) >= 0) {
        const tail = value.subarray(start, newline);
        start = newline + 1;
        if (skipping) skipping = false;
        else {
          const next = line(tail);
          if (next) yield next;
        }
        pieces = [];
        held = 0;
      }
      if (skipping || start === value.length) continue;
      const tail = value.subarray(start);
      if (held + tail.length > maxBytes) {
        lineNo++;
        yield { lineNo, oversized: true };
        skipping = true;
        pieces = [];
        held = 0;
      } else {
        pieces.push(tail.slice()); // a copy: the reader may reuse its chunk
        held += tail.length;
      }
    }
    if (!skipping && held > 0) {
      const last = line(new Uint8Array(0));
      if (last) yield last;
    }
  } finally {
    reader.releaseLock();
  }
}
