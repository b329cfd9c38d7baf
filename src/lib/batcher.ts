/**
 * Group commit: callers hand in one item each and wait for its own outcome; items that are ready
 * together are run as one batch. A batch starts as soon as fewer than `maxInFlight` batches are
 * running (items handed in during the same turn of the event loop go together); while all are
 * running, new items queue and go in the next batch, up to `maxBatch` at a time. So under light
 * load an item waits for nothing, and under heavy load batches grow by themselves.
 *
 * `run` answers one outcome per item, in order: an `Error` in its place fails only that item. If
 * `run` itself throws, every item of that batch fails with the error.
 */
export interface BatcherOptions<T, R> {
  run(items: T[]): Promise<(R | Error)[]>;
  maxBatch: number;
  maxInFlight: number;
}

export interface Batcher<T, R> {
  (item: T): Promise<R>;
  /** batches running now and items waiting for one */
  stats(): { inFlight: number; queued: number };
}

interface Waiting<T, R> {
  item: T;
  resolve: (r: R) => void;
  reject: (e: unknown) => void;
}

export function createBatcher<T, R>({ run, maxBatch, maxInFlight }: BatcherOptions<T, R>): Batcher<T, R> {
  const queue: Waiting<T, R>[] = [];
  let inFlight = 0;
  let scheduled = false;

  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(drain);
  };

  const settle = (batch: Waiting<T, R>[], outcomes: (R | Error)[]) => {
    if (outcomes.length !== batch.length) throw new Error(`batch of ${batch.length} answered ${outcomes.length} outcomes`);
    batch.forEach((w, i) => {
      const o = outcomes[i] as R | Error;
      if (o instanceof Error) w.reject(o);
      else w.resolve(o);
    });
  };

  function drain() {
    scheduled = false;
    while (queue.length > 0 && inFlight < maxInFlight) {
      const batch = queue.splice(0, maxBatch);
      inFlight++;
      run(batch.map((w) => w.item))
        .then((outcomes) => settle(batch, outcomes))
        .catch((err: unknown) => {
          for (const w of batch) w.reject(err);
        })
        .finally(() => {
          inFlight--;
          if (queue.length > 0) schedule();
        });
    }
  }

  const submit = ((item: T) =>
    new Promise<R>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      schedule();
    })) as Batcher<T, R>;
  submit.stats = () => ({ inFlight, queued: queue.length });
  return submit;
}
