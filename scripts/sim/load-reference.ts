import type { ReferenceBatch } from '../../sim/simulation.js';

/** The reference API takes at most 5,000 records a request, and each body is held to BODY_LIMIT_BYTES. */
const MAX_RECORDS = 5000;
const MAX_BYTES = 900_000;

export interface LoadedKind {
  kind: string;
  records: number;
  requests: number;
}

/**
 * PUTs each kind in order (institutions and items before what refers to them) in batches small
 * enough by count and by bytes. Any refusal stops the load with the service's own message.
 */
export async function loadReference(batches: ReferenceBatch[], baseUrl: string, key: string): Promise<LoadedKind[]> {
  const loaded: LoadedKind[] = [];
  for (const { kind, records } of batches) {
    let requests = 0;
    for (const chunk of chunks(records)) {
      const res = await fetch(new URL(`/v1/reference/${kind}`, baseUrl), {
        method: 'PUT',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ records: chunk }),
      });
      if (!res.ok) throw new Error(`PUT /v1/reference/${kind} answered ${res.status}: ${(await res.text()).slice(0, 2000)}`);
      await res.arrayBuffer();
      requests++;
    }
    loaded.push({ kind, records: records.length, requests });
  }
  return loaded;
}

function* chunks(records: object[]): Generator<object[]> {
  let chunk: object[] = [];
  let bytes = 0;
  for (const r of records) {
    const size = Buffer.byteLength(JSON.stringify(r)) + 1;
    if (chunk.length > 0 && (chunk.length >= MAX_RECORDS || bytes + size > MAX_BYTES)) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push(r);
    bytes += size;
  }
  if (chunk.length > 0) yield chunk;
}
