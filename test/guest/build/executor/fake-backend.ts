// A BuildBackend over the Syscalls fake for executor unit tests: images are folders holding their
// whole filesystem, a layer is a folder copied over its parent's, RUN steps are answered by a
// function the test gives (files it writes, output, exit code).
import type { BuildBackend, ImageInfo, ImageView, NewLayer, RunRequest, RunResult } from '../../../../src/guest/build/executor/backend.ts';
import type { ImageConfig } from '../../../../src/guest/images/oci.ts';
import { FakeSyscalls } from '../../../../src/guest/sys/fake.ts';
import { S_IFDIR, S_IFLNK, S_IFMT } from '../../../../src/guest/sys/constants.ts';
import { mkdirp } from '../../../../src/guest/util/fsutil.ts';

export interface RunAnswer {
  files?: Record<string, string>;
  output?: string;
  exitCode?: number;
}

function copyTree(sys: FakeSyscalls, from: string, to: string): void {
  const st = sys.lstat(from);
  const type = st.mode & S_IFMT;
  if (type === S_IFDIR) {
    if (!sys.lstatOrNull(to)) sys.mkdir(to, st.mode & 0o7777);
    sys.chmod(to, st.mode & 0o7777);
    sys.lchown(to, st.uid, st.gid);
    for (const e of sys.readdir(from)) if (e.name !== '.' && e.name !== '..') copyTree(sys, `${from}/${e.name}`, `${to}/${e.name}`);
  } else if (type === S_IFLNK) {
    if (sys.lstatOrNull(to)) sys.unlink(to);
    sys.symlink(sys.readlink(from), to);
  } else {
    sys.writeFile(to, sys.readFile(from), st.mode & 0o7777);
    sys.chmod(to, st.mode & 0o7777);
    sys.lchown(to, st.uid, st.gid);
  }
}

export class FakeBackend implements BuildBackend {
  images = new Map<string, { config: ImageConfig; root: string; parent: string | null }>();
  cache = new Map<string, string>();
  tags = new Map<string, string>();
  runs: RunRequest[] = [];
  removed: string[] = [];
  pulls: string[] = [];
  private seq = 0;
  clock = 0;

  constructor(
    readonly sys: FakeSyscalls,
    public onRun: (req: RunRequest) => RunAnswer = () => ({}),
  ) {
    mkdirp(sys, '/images');
    mkdirp(sys, '/scratch');
    mkdirp(sys, '/containers');
  }

  /** A base image in the "registry": its files and config. */
  addBase(name: string, files: Record<string, string>, config: Partial<ImageConfig['config']> = {}): string {
    const id = `sha256:${(++this.seq).toString(16).padStart(12, '0')}${'0'.repeat(52)}`;
    const root = `/images/${this.seq}`;
    mkdirp(this.sys, root);
    for (const [p, c] of Object.entries(files)) {
      mkdirp(this.sys, `${root}${p.slice(0, p.lastIndexOf('/'))}`);
      this.sys.writeFile(`${root}${p}`, c);
    }
    this.images.set(id, { config: { architecture: '386', os: 'linux', config: { Env: ['PATH=/usr/bin:/bin'], Cmd: ['sh'], ...config }, rootfs: { type: 'layers', diff_ids: ['sha256:base'] }, history: [{ created_by: 'base' }] }, root, parent: null });
    this.tags.set(name, id);
    return id;
  }

  baseImage(name: string, _pull: boolean, progress: (line: string) => void): ImageInfo {
    const id = this.tags.get(name) ?? this.tags.get(`${name}:latest`);
    if (!id) throw new Error(`pull access denied for ${name.split(':')[0]}, repository does not exist`);
    this.pulls.push(name);
    progress(`pulled ${name}`);
    return { id, config: this.images.get(id)!.config };
  }

  image(id: string): ImageInfo | null {
    const i = this.images.get(id);
    return i ? { id, config: i.config } : null;
  }

  createImage(config: ImageConfig, parent: string | null, layers: NewLayer[]): string {
    const id = `sha256:${(++this.seq).toString(16).padStart(12, '0')}${'0'.repeat(52)}`;
    const root = `/images/${this.seq}`;
    mkdirp(this.sys, root);
    if (parent) copyTree(this.sys, this.images.get(parent)!.root, root);
    for (const l of layers) copyTree(this.sys, l.handle as string, root);
    this.images.set(id, { config: JSON.parse(JSON.stringify(config)) as ImageConfig, root, parent });
    return id;
  }

  async run(req: RunRequest, onStart: (id: string) => void, onOutput: (text: string) => void): Promise<RunResult> {
    this.runs.push(req);
    const cid = `c${++this.seq}`;
    onStart(cid);
    const upper = `/containers/${cid}`;
    mkdirp(this.sys, upper);
    const a = this.onRun(req);
    for (const [p, c] of Object.entries(a.files ?? {})) {
      mkdirp(this.sys, `${upper}${p.slice(0, p.lastIndexOf('/'))}`);
      this.sys.writeFile(`${upper}${p}`, c);
    }
    if (a.output) onOutput(a.output);
    return { containerId: cid, exitCode: a.exitCode ?? 0 };
  }

  commitContainer(containerId: string): NewLayer {
    return { diffId: `sha256:layer-${containerId}`, handle: `/containers/${containerId}` };
  }

  removeContainer(containerId: string): void {
    this.removed.push(containerId);
  }

  commitTree(dir: string): NewLayer {
    const keep = `/scratch/kept-${++this.seq}`;
    copyTree(this.sys, dir, keep);
    return { diffId: `sha256:tree-${this.seq}`, handle: keep };
  }

  discard(): void {}

  view(image: ImageInfo): ImageView {
    return { root: this.images.get(image.id)!.root, release: () => {} };
  }

  scratch(): string {
    const d = `/scratch/t${++this.seq}`;
    mkdirp(this.sys, d);
    return d;
  }

  cacheGet(key: string): string | null {
    return this.cache.get(key) ?? null;
  }

  cachePut(key: string, imageId: string): void {
    this.cache.set(key, imageId);
  }

  tag(imageId: string, name: string): void {
    this.tags.set(name, imageId);
  }

  available(): string[] {
    return ['busybox', 'debian'];
  }

  now(): string {
    return new Date(Date.UTC(2026, 0, 1, 0, 0, this.clock++)).toISOString();
  }
}
