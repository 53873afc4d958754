// Runs the slowest test files first. The run is bound by the two cores, so its length is the
// files' total time over two workers plus the tail: a long file that starts late runs on alone
// while the other core idles. On a clean clone (CI) Vitest has no timings of its own and keeps
// the discovery order, which put the 150 s mirror file last. durations.json holds each slow
// file's seconds from a CI run (files under 10 s are left out); refresh it when that changes
// much. Files it does not name run after, in Vitest's own order.
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const root = join(import.meta.dirname, '..', '..');
const seconds = JSON.parse(readFileSync(join(import.meta.dirname, 'durations.json'), 'utf8')) as Record<string, number>;

export default class SlowestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const ordered = await super.sort(files);
    const cost = (f: TestSpecification) => seconds[relative(root, f.moduleId)] ?? 0;
    return ordered
      .map((f, i) => ({ f, i }))
      .sort((a, b) => cost(b.f) - cost(a.f) || a.i - b.i)
      .map(({ f }) => f);
  }
}
