/**
 * Node/V8 flags the service process runs with: `npm start`, the Dockerfile's CMD, the intake
 * benchmark and the chaos runs all start it with these (test/node-flags.test.ts holds the first two
 * to this list). Workers of WORKERS > 1 inherit them from their primary.
 *
 * `--max-semi-space-size=32` (MiB; Node 20's young generation stops at 16): every claim leaves
 * short-lived objects (the parsed body, the validated and normalised claim, its JSON, its history,
 * the statements' parameters), and each scavenge copies those of the claims still in flight. A
 * young generation twice as large is scavenged half as often: the garbage collector's share of the
 * busy process fell from 11–12 % to 7–8 % (`npm run bench -- --cpu-prof`, bench/README.md). The
 * cost is up to 2 × 16 MiB more young generation (its two semi-spaces) in the resident set.
 */
export const SERVICE_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=32'];
