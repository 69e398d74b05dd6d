// The order test files start in. Vitest runs the files it has timings for longest first, but a clean
// clone (CI) has none, and then it starts the largest files first: a short file that takes minutes
// (one spawning processes, or fitting a method's defaults several times) starts last and runs alone
// at the end while the other core idles. These files, measured the longest on the 2-core machine,
// start first in their project; every other file keeps Vitest's order.
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

export const LONG_FILES: readonly string[] = [
  'test/methods/variational/mc-dropout-rate.node.test.ts',
  'test/cli/flags.node.test.ts',
  'test/queue/leases.node.test.ts',
  'test/queue/faults.node.test.ts',
  'test/queue/stops.node.test.ts',
  'test/architecture/api.node.test.ts',
];

export class LongFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (s: TestSpecification) => {
      const i = LONG_FILES.indexOf(relative(s.project.config.root, s.moduleId).replaceAll('\\', '/'));
      return i < 0 ? LONG_FILES.length : i;
    };
    const at = new Map(sorted.map((s, i) => [s, i]));
    // Projects keep their order; within one, the long files first, then Vitest's order.
    return sorted.slice().sort((a, b) => (a.project.name !== b.project.name ? at.get(a)! - at.get(b)! : rank(a) - rank(b) || at.get(a)! - at.get(b)!));
  }
}
