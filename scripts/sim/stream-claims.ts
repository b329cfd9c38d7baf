import { once } from 'node:events';
import http from 'node:http';
import type { SimulatedClaim } from '../../sim/simulation.js';

/** One line of the stream's answer: what POST /v1/claims would have answered for that claim. */
export interface AnswerLine {
  line: number;
  status: number;
  replayed?: boolean;
  answer?: { decision: string; findings: { family: string; ruleId: string }[] };
  error?: { code: string; message: string };
}

const CHUNK_BYTES = 64 * 1024;

/**
 * Streams claims through POST /v1/claims/stream over one HTTP request. The body is written as the
 * generator yields, a 64 KB chunk at a time, waiting for 'drain' whenever the socket is full, so
 * the generator runs only as fast as the service reads. Answer lines are handled as they arrive,
 * each with the claim it answers (the stream answers in input order).
 */
export async function streamClaims<T extends { claim: unknown } = SimulatedClaim>(
  claims: Iterable<T>,
  { url, key, onAnswer }: { url: string; key: string; onAnswer: (answer: AnswerLine, sent: T) => void },
): Promise<{ sent: number; answered: number }> {
  const target = new URL('/v1/claims/stream', url);
  const req = http.request(target, {
    method: 'POST',
    agent: false,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/x-ndjson' },
  });
  const inFlight: T[] = [];
  let head = 0;
  let sent = 0;
  let answered = 0;

  const response = new Promise<void>((resolve, reject) => {
    req.once('error', reject);
    req.once('response', (res) => {
      res.setEncoding('utf8');
      let buffer = '';
      let failure = '';
      res.on('data', (text: string) => {
        if (res.statusCode !== 200) return void (failure += text);
        buffer += text;
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          if (line.trim() === '') continue;
          const claim = inFlight[head++];
          if (head > 4096) {
            // drop answered claims now and then rather than shifting the array on every line
            inFlight.splice(0, head);
            head = 0;
          }
          answered++;
          if (claim) onAnswer(JSON.parse(line) as AnswerLine, claim);
        }
      });
      res.once('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`POST ${target.pathname} answered ${res.statusCode}: ${failure.slice(0, 2000)}`))));
      res.once('error', reject);
    });
  });
  // Without a handler an early failure (a refused key) would be an unhandled rejection while writing.
  response.catch(() => {});

  let chunk = '';
  for (const item of claims) {
    inFlight.push(item);
    sent++;
    chunk += `${JSON.stringify(item.claim)}\n`;
    if (chunk.length < CHUNK_BYTES) continue;
    if (!req.write(chunk)) await Promise.race([once(req, 'drain'), response]);
    chunk = '';
  }
  req.end(chunk);
  await response;
  return { sent, answered };
}
