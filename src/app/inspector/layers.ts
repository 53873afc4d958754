// The layers view's model: a container's overlay stack from the snapshot (src/vm/inspect.ts)
// as rows top to bottom, the way overlayfs resolves a path: the merged view, the container's
// writable upper dir, then the image's layers from the newest down. Pure: tested in Node
// (test/app/inspector/layers.test.ts).
import type { InspectContainer, InspectSnapshot, InspectStack, InspectUpperEntry } from '../../vm/inspect.ts';
import { formatBytes } from './model.ts';

export interface StackRow {
  kind: 'merged' | 'upper' | 'layer';
  /** "merged", "upper (container)", "layer 3 of 3". */
  label: string;
  dir: string;
  /** What the row is, for the screen reader and the tooltip ("image layer sha256:1234…"). */
  detail: string;
  /** "412 files, 2.1MiB", "counting… 120 files so far", "" for merged. */
  counts: string;
  /** Non-empty for layers reached through the image's shared read-only view. */
  via: string;
}

export interface StackModel {
  stack: InspectStack;
  container: InspectContainer | null;
  rows: StackRow[];
  upper: InspectUpperEntry[] | null;
}

/** Running containers with an overlay stack, in the snapshot's order with names. */
export function stackChoices(s: InspectSnapshot): { id: string; name: string }[] {
  const names = new Map(s.containers.map((c) => [c.id, c.name]));
  return (s.layers ?? []).map((st) => ({ id: st.id, name: names.get(st.id) || (st.id.startsWith('/') ? st.id : st.id.slice(0, 12)) })).sort((a, b) => a.name.localeCompare(b.name));
}

export function shortDigest(d: string): string {
  return d.startsWith('sha256:') ? d.slice(7, 19) : d.slice(0, 12);
}

function plural(n: number, one: string): string {
  return `${n} ${one}${n === 1 ? '' : 's'}`;
}

/** The stack of the chosen container (or the one whose upper dir the guest listed, or the first). */
export function stackModel(s: InspectSnapshot, id: string | null): StackModel | null {
  const stacks = s.layers ?? [];
  const stack = stacks.find((x) => x.id === id) ?? stacks.find((x) => x.upperEntries !== null) ?? stacks[0];
  if (!stack) return null;
  const container = s.containers.find((c) => c.id === stack.id) ?? null;
  const rows: StackRow[] = [
    { kind: 'merged', label: 'merged', dir: stack.merged, detail: 'what the container sees: the upper dir over the layers', counts: '', via: '' },
    {
      kind: 'upper',
      label: 'upper (container)',
      dir: stack.upper,
      detail: `the container's writable layer; work dir ${stack.work}`,
      counts: stack.upperEntries === null ? '' : `${plural(stack.upperFiles, 'file')}${stack.upperTruncated ? '+' : ''}, ${formatBytes(stack.upperBytes)}`,
      via: '',
    },
  ];
  const n = stack.lower.length;
  for (let i = n - 1; i >= 0; i--) {
    const l = stack.lower[i]!;
    rows.push({
      kind: 'layer',
      label: `layer ${i + 1} of ${n}`,
      dir: l.dir,
      detail: l.chain ? `image layer, diff ${shortDigest(l.diffId)}, chain ${shortDigest(l.chain)}` : 'a lower dir that is no layer dockerd knows',
      counts: l.complete ? `${plural(l.files, 'file')}, ${plural(l.dirs, 'dir')}, ${formatBytes(l.bytes)}` : `counting… ${plural(l.files, 'file')} so far, ${formatBytes(l.bytes)}`,
      via: l.via,
    });
  }
  return { stack, container, rows, upper: stack.upperEntries };
}

/** What an upper-dir entry means, in words (whiteouts are how overlayfs records a deletion). */
export function upperKindText(kind: InspectUpperEntry['kind']): string {
  switch (kind) {
    case 'whiteout':
      return 'whiteout: deleted from a lower layer';
    case 'opaque':
      return 'opaque dir: hides the lower layers’ contents';
    case 'dir':
      return 'dir';
    case 'file':
      return 'file (new or copied up)';
    case 'symlink':
      return 'symlink';
    default:
      return 'other';
  }
}
