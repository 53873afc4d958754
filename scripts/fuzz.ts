// The long fuzz pass: 10^5 cases per parser (or FUZZ_RUNS), printing cases per second, the
// slowest case and any finding. Exit code 1 when a target found something.
//   npm run fuzz [-- target-name...]   FUZZ_RUNS=1000 FUZZ_SEED=42 to change the defaults
import { TARGETS } from '../test/fuzz/targets.ts';
import { runTarget } from '../test/fuzz/run.ts';

const runs = Number(process.env.FUZZ_RUNS ?? 100_000);
const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;
const wanted = process.argv.slice(2);
const targets = wanted.length ? TARGETS.filter((t) => wanted.includes(t.name)) : TARGETS;
if (targets.length === 0) {
  console.error(`no such target; targets: ${TARGETS.map((t) => t.name).join(', ')}`);
  process.exit(1);
}
console.log(`fuzz: ${runs} cases per target, ${targets.length} targets${seed !== undefined ? `, seed ${seed}` : ''}`);
console.log(`${'target'.padEnd(22)} ${'cases'.padStart(8)} ${'seconds'.padStart(8)} ${'cases/s'.padStart(9)} ${'slowest ms'.padStart(11)}  result`);
let found = 0;
for (const t of targets) {
  const r = runTarget(t, runs, seed);
  const rate = r.cases / (r.ms / 1000);
  console.log(`${r.name.padEnd(22)} ${String(r.cases).padStart(8)} ${(r.ms / 1000).toFixed(1).padStart(8)} ${rate.toFixed(0).padStart(9)} ${r.slowestMs.toFixed(1).padStart(11)}  ${r.finding ? 'FINDING' : 'ok'}`);
  if (r.finding) {
    found++;
    console.log(`  ${r.finding.replace(/\n/g, '\n  ')}`);
  }
}
console.log(`findings: ${found}`);
process.exit(found ? 1 : 0);
