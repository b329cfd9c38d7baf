/**
 * The slow clients of the chaos script in a process of their own, so that their thousand sockets
 * do not share an event loop with the load whose latency is measured. Reads the kinds from
 * ATTACK (JSON: name, count, head, body, slowHead), prints "started" once every socket is opened,
 * and on SIGTERM prints what each kind got (JSON) and exits.
 */
import { slowSockets } from './slow.js';

const kinds = (JSON.parse(process.env.ATTACK ?? '[]') as { name: string; count: number; head: string; body: string; slowHead?: boolean }[]).map((k) => ({
  ...k,
  request: () => ({ head: k.head, body: k.body }),
}));
const attack = slowSockets(process.argv[2]!, kinds, { rampMs: 2000 });
await attack.started;
process.stdout.write('started\n');
process.once('SIGTERM', () => {
  void attack.stop().then((results) => {
    const plain = results.map((r) => ({ ...r, statuses: [...r.statuses], heldMs: [...r.heldMs] }));
    process.stdout.write(`${JSON.stringify(plain)}\n`, () => process.exit(0));
  });
});
setInterval(() => {}, 1 << 30);
