// The layers part of an inspector snapshot: each running container's overlay stack (and any
// overlay with an upper dir mounted by hand, named by its mount point) as the kernel has it mounted (/proc/self/mountinfo: lower dirs, upper dir, work dir, merged), its lower dirs
// named by the image layer they hold (dockerd's layerdb: layerdb/sha256/<chain>/{cache-id or
// lazy-path, diff, size}, see src/guest/images/store.ts), with file counts and sizes, and the
// files in one container's upper dir (what it changed), whiteouts and opaque dirs marked.
// Image layers never change once registered, so each is counted once and remembered; the count
// goes a bounded number of entries per snapshot, so a big image costs a few refreshes of
// "counting" rather than one long pause of the agent (which serves the terminal's requests too).

import type { DirEntry, Syscalls } from '../sys/syscalls.ts';
import { S_IFCHR, S_IFMT } from '../sys/constants.ts';
import { utf8Decode } from '../util/text.ts';
import { secureJoin } from '../runc/securejoin.ts';
import { parseOverlayMountinfo, type OverlayMountInfo } from './parse.ts';

export const DOCKER_ROOT = '/var/lib/docker';
/** Directory entries a snapshot may visit counting image layers (the rest waits for the next one). */
export const LAYER_BUDGET = 1500;
/** Upper-dir entries listed, and visited at most, per snapshot. */
export const UPPER_LIST_MAX = 200;
export const UPPER_WALK_MAX = 2000;

export interface SnapshotLayer {
  /** The directory overlayfs reads. */
  dir: string;
  /** The layer's chain ID and diff ID from dockerd's layerdb ("" when the dir is no known layer). */
  chain: string;
  diffId: string;
  /** Non-directory entries (files, links, devices) and directories, counted so far. */
  files: number;
  dirs: number;
  /** Bytes: the layer's size as dockerd recorded it, or the sizes summed by the count. */
  bytes: number;
  /** False while the count is still going (a big layer takes several snapshots). */
  complete: boolean;
  /** The shared read-only view (images/views.ts) this dir was reached through, or "". */
  via: string;
}

export type UpperKind = 'file' | 'dir' | 'opaque' | 'whiteout' | 'symlink' | 'other';

export interface SnapshotUpperEntry {
  /** Path inside the container ("/etc/hostname"). */
  path: string;
  kind: UpperKind;
  size: number;
}

export interface SnapshotStack {
  id: string;
  merged: string;
  upper: string;
  work: string;
  /** Bottom layer first. */
  lower: SnapshotLayer[];
  /** The upper dir's entries (the focused container only; null for the others). */
  upperEntries: SnapshotUpperEntry[] | null;
  /** Entries and bytes in the upper dir (of what the walk reached), and whether it stopped short. */
  upperFiles: number;
  upperBytes: number;
  upperTruncated: boolean;
}

interface LayerFacts {
  chain: string;
  diffId: string;
  size: number | null;
}

interface Count {
  files: number;
  dirs: number;
  bytes: number;
  /** Dirs still to read; empty when done. */
  todo: string[];
  /** Sum the sizes (no layerdb size to take). */
  sizes: boolean;
}

const MERGED_RE = /\/overlay2\/([0-9a-f]{64})\/merged$/;

export class LayerCollector {
  /** Layer dir -> its layerdb facts (content-addressed: they never change). */
  private byDir = new Map<string, LayerFacts>();
  private knownChains = new Set<string>();
  private counts = new Map<string, Count>();
  private real = new Map<string, string>();

  constructor(
    private readonly sys: Syscalls,
    private readonly read: (path: string) => string | null,
    private readonly root = DOCKER_ROOT,
  ) {}

  stacks(focus: string | null): SnapshotStack[] {
    let text: string;
    try {
      // whole: a few containers' overlay lines, long lower dir lists, outgrow a small read
      text = utf8Decode(this.sys.readFile('/proc/self/mountinfo'));
    } catch {
      return [];
    }
    const mounts = parseOverlayMountinfo(text);
    const byTarget = new Map<string, OverlayMountInfo>();
    for (const m of mounts) byTarget.set(m.target, m);
    this.refreshLayerdb();
    const out: SnapshotStack[] = [];
    let budget = LAYER_BUDGET;
    // dockerd's containers, and overlays a learner mounts by hand (lesson 4), named by mount point
    const writable = mounts.filter((m) => m.upper !== null);
    const containers = writable.filter((m) => MERGED_RE.test(m.target));
    const byHand = writable.filter((m) => !MERGED_RE.test(m.target));
    const focused = containers.find((m) => focus !== null && MERGED_RE.exec(m.target)![1]!.startsWith(focus)) ?? containers[0];
    for (const m of [...containers, ...byHand]) {
      const id = MERGED_RE.exec(m.target)?.[1] ?? m.target;
      const lower: SnapshotLayer[] = [];
      // the kernel lists the top layer first; a view (a read-only overlay of the image) stands for its own lower dirs
      for (const dir of [...m.lower].reverse()) {
        // mountinfo names mount points by their real path (/run/docker/views/...), dockerd's
        // options by the path it used (/var/run/docker/views/..., /var/run a symlink)
        const view = byTarget.get(dir) ?? (this.byDir.has(dir) ? undefined : byTarget.get(this.realPath(dir)));
        if (view && view.upper === null) {
          for (const d of [...view.lower].reverse()) {
            if (this.isEmptyFiller(d)) continue;
            const l = this.layer(d, dir, budget);
            budget = l.left;
            lower.push(l.layer);
          }
        } else {
          const l = this.layer(dir, '', budget);
          budget = l.left;
          lower.push(l.layer);
        }
      }
      const stack: SnapshotStack = { id, merged: m.target, upper: m.upper ?? '', work: m.work ?? '', lower, upperEntries: null, upperFiles: 0, upperBytes: 0, upperTruncated: false };
      // a hand-made overlay has no ID to focus by: there are few, each walk is bounded
      if (m === focused || !MERGED_RE.test(m.target)) this.walkUpper(stack);
      out.push(stack);
    }
    return out;
  }

  /** A path with its symlinks resolved (remembered: dockerd's folders do not move while the guest runs). */
  private realPath(path: string): string {
    let out = this.real.get(path);
    if (out === undefined) {
      try {
        out = secureJoin(this.sys, '/', path);
      } catch {
        out = path; // a symlink loop: no mount point has that name
      }
      this.real.set(path, out);
    }
    return out;
  }

  /** The empty dir a one-layer view gets as its second lower dir (images/views.ts): no layer. */
  private isEmptyFiller(dir: string): boolean {
    return dir.endsWith('/views/.empty');
  }

  /** Reads the layerdb entries not seen before (a pull or build adds some; they never change). */
  private refreshLayerdb(): void {
    const db = `${this.root}/image/overlay2/layerdb/sha256`;
    let entries: DirEntry[];
    try {
      entries = this.sys.readdir(db);
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.type !== 'dir' || this.knownChains.has(e.name) || !/^[0-9a-f]{64}$/.test(e.name)) continue;
      const d = `${db}/${e.name}`;
      const diff = this.read(`${d}/diff`);
      // a layer being registered has no diff file yet: look again next time
      if (diff === null) continue;
      const lazy = this.read(`${d}/lazy-path`);
      const cache = lazy === null ? this.read(`${d}/cache-id`) : null;
      const dir = lazy !== null ? lazy.trim() : cache !== null ? `${this.root}/overlay2/${cache.trim()}/diff` : null;
      if (dir === null) continue;
      const sizeText = this.read(`${d}/size`);
      const size = sizeText === null ? NaN : Number(sizeText.trim());
      this.byDir.set(dir, { chain: `sha256:${e.name}`, diffId: diff.trim(), size: Number.isFinite(size) ? size : null });
      this.knownChains.add(e.name);
    }
  }

  private layer(dir: string, via: string, budget: number): { layer: SnapshotLayer; left: number } {
    const facts = this.byDir.get(dir);
    let c = this.counts.get(dir);
    if (!c) {
      c = { files: 0, dirs: 0, bytes: 0, todo: [dir], sizes: !facts || facts.size === null };
      this.counts.set(dir, c);
    }
    const left = this.advance(c, budget);
    return {
      layer: {
        dir,
        chain: facts?.chain ?? '',
        diffId: facts?.diffId ?? '',
        files: c.files,
        dirs: c.dirs,
        bytes: facts && facts.size !== null ? facts.size : c.bytes,
        complete: c.todo.length === 0,
        via,
      },
      left,
    };
  }

  /** Counts entries of a layer until the budget is spent; returns what is left of it. */
  private advance(c: Count, budget: number): number {
    while (c.todo.length > 0 && budget > 0) {
      const dir = c.todo.pop()!;
      let entries: DirEntry[];
      try {
        entries = this.sys.readdir(dir);
      } catch {
        continue;
      }
      for (const e of entries) {
        if (e.name === '.' || e.name === '..') continue;
        budget--;
        if (e.type === 'dir') {
          c.dirs++;
          c.todo.push(`${dir}/${e.name}`);
          continue;
        }
        c.files++;
        if (c.sizes && e.type === 'file') c.bytes += this.sys.lstatOrNull(`${dir}/${e.name}`)?.size ?? 0;
      }
    }
    return budget;
  }

  /** Lists the upper dir breadth first by path (bounded), marking overlay's whiteouts and opaque dirs. */
  private walkUpper(s: SnapshotStack): void {
    const entries: SnapshotUpperEntry[] = [];
    const queue: string[] = [''];
    let visited = 0;
    while (queue.length > 0) {
      const rel = queue.shift()!;
      let list: DirEntry[];
      try {
        list = this.sys.readdir(`${s.upper}${rel}`);
      } catch {
        continue;
      }
      list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const e of list) {
        if (e.name === '.' || e.name === '..') continue;
        if (visited >= UPPER_WALK_MAX) {
          s.upperTruncated = true;
          queue.length = 0;
          break;
        }
        visited++;
        const path = `${rel}/${e.name}`;
        const full = `${s.upper}${path}`;
        let kind: UpperKind;
        let size = 0;
        if (e.type === 'dir') {
          kind = this.opaque(full) ? 'opaque' : 'dir';
          queue.push(path);
        } else if (e.type === 'char') {
          // overlayfs records a deleted lower file as a 0:0 character device of the same name
          const st = this.sys.lstatOrNull(full);
          kind = st && (st.mode & S_IFMT) === S_IFCHR && st.rdev === 0 ? 'whiteout' : 'other';
        } else if (e.type === 'file') {
          kind = 'file';
          size = this.sys.lstatOrNull(full)?.size ?? 0;
        } else if (e.type === 'symlink') kind = 'symlink';
        else kind = 'other';
        if (kind !== 'dir' && kind !== 'opaque') s.upperFiles++;
        s.upperBytes += size;
        if (entries.length < UPPER_LIST_MAX) entries.push({ path, kind, size });
        else s.upperTruncated = true;
      }
    }
    s.upperEntries = entries;
  }

  /** A dir that hides everything below it in the lower layers (made by rm -rf and mkdir again). */
  private opaque(path: string): boolean {
    try {
      const v = this.sys.lgetxattr(path, 'trusted.overlay.opaque');
      return v !== null && v.length > 0 && v[0] === 0x79; // "y"
    } catch {
      return false;
    }
  }
}
