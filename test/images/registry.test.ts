// Checks the offline registry (vm-images/dist/registry, made by `npm run build:images`) against
// the OCI image-spec rules that can be checked here, and runs what the images contain.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { skipOutsideCi } from '../helpers/ci.ts';

const registry = join(import.meta.dirname, '..', '..', 'vm-images', 'dist', 'registry');
const built = existsSync(join(registry, 'catalog.json'));
const reason = 'vm-images/dist/registry is missing: run `npm run build:images`';
skipOutsideCi(built ? null : reason, 'the offline registry test');

interface Descriptor { mediaType: string; digest: string; size: number; annotations?: Record<string, string>; platform?: { architecture: string; os: string } }
interface Index { schemaVersion: number; mediaType: string; manifests: Descriptor[] }
interface Manifest { schemaVersion: number; mediaType: string; config: Descriptor; layers: Descriptor[]; annotations?: Record<string, string> }
interface Config {
  created: string; architecture: string; os: string;
  config: { Env?: string[]; Cmd?: string[]; Entrypoint?: string[]; WorkingDir?: string; ExposedPorts?: Record<string, object>; StopSignal?: string };
  rootfs: { type: string; diff_ids: string[] };
  history: Array<{ created: string; created_by: string; empty_layer?: boolean }>;
}

const DIGEST = /^sha256:[a-f0-9]{64}$/;

/** Checks a 32-bit i386 ELF header and returns its program headers' types (1 PT_LOAD, 2 PT_DYNAMIC, 3 PT_INTERP). */
function i386ProgramHeaderTypes(elf: Buffer): number[] {
  expect(elf.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
  expect(elf[4], 'ELFCLASS32').toBe(1);
  expect(elf.readUInt16LE(18), 'EM_386').toBe(3);
  const phoff = elf.readUInt32LE(28), phentsize = elf.readUInt16LE(42), phnum = elf.readUInt16LE(44);
  return Array.from({ length: phnum }, (_, i) => elf.readUInt32LE(phoff + i * phentsize));
}
const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const json = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;
const repos = built ? readdirSync(registry).filter((n) => existsSync(join(registry, n, 'index.json'))).sort() : [];

function blob(repo: string, d: Descriptor): Buffer {
  const file = join(registry, repo, 'blobs', 'sha256', d.digest.slice(7));
  expect(existsSync(file), `${repo}: blob ${d.digest} exists`).toBe(true);
  const b = readFileSync(file);
  expect(b.length, `${repo}: size of ${d.digest}`).toBe(d.size);
  expect(sha256(b), `${repo}: content of ${d.digest}`).toBe(d.digest);
  return b;
}

function image(repo: string, tag: string): { manifest: Manifest; config: Config } {
  const index = json<Index>(join(registry, repo, 'index.json'));
  const d = index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === tag);
  if (!d) throw new Error(`${repo}:${tag} not in index.json`);
  const manifest = JSON.parse(blob(repo, d).toString()) as Manifest;
  const config = JSON.parse(blob(repo, manifest.config).toString()) as Config;
  return { manifest, config };
}

function layerFile(repo: string, layer: Descriptor): string {
  return join(registry, repo, 'blobs', 'sha256', layer.digest.slice(7));
}

/** Names in a gzip tar layer, without a leading ./ and trailing slash. */
function listLayer(file: string): string[] {
  return execFileSync('tar', ['-tzf', file], { maxBuffer: 64 << 20 }).toString().split('\n').filter(Boolean).map((n) => n.replace(/^\.\//, '').replace(/\/$/, ''));
}

const i386Runs = spawnSync('arch-test', ['i386']).status === 0;
// prepare makes i386 programs run here (scripts/images-build/i386-exec.ts): under CI they must
const i386Skip = skipOutsideCi(i386Runs ? null : 'this host cannot execute i386 programs (see scripts/images-build/i386-exec.ts)', 'running the images\' i386 programs');

describe.skipIf(!built)(`offline registry (${built ? registry : reason})`, () => {
  it('has the four images with their tags', () => {
    expect(repos).toEqual(expect.arrayContaining(['busybox', 'debian', 'hello-world', 'nginx']));
    const catalog = json<{ repositories: Record<string, { tags: string[]; manifest: Descriptor }> }>(join(registry, 'catalog.json'));
    expect(catalog.repositories['debian']?.tags).toContain('bookworm-slim');
    for (const repo of repos) {
      const index = json<Index>(join(registry, repo, 'index.json'));
      const tags = index.manifests.map((m) => m.annotations?.['org.opencontainers.image.ref.name']);
      expect(tags).toContain(repo === 'debian' ? 'bookworm-slim' : 'latest');
      expect(catalog.repositories[repo]?.tags.sort()).toEqual([...tags].sort());
    }
  });

  it.each(repos)('%s is a valid OCI image layout', (repo) => {
    expect(json(join(registry, repo, 'oci-layout'))).toEqual({ imageLayoutVersion: '1.0.0' });
    const index = json<Index>(join(registry, repo, 'index.json'));
    expect(index.schemaVersion).toBe(2);
    expect(index.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    expect(index.manifests.length).toBeGreaterThan(0);
    const referenced = new Set<string>();
    for (const d of index.manifests) {
      expect(d.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
      expect(d.digest).toMatch(DIGEST);
      expect(d.platform).toEqual({ architecture: '386', os: 'linux' });
      const tag = d.annotations?.['org.opencontainers.image.ref.name'] ?? '';
      expect(tag).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/);
      referenced.add(d.digest);
      const { manifest, config } = image(repo, tag);
      expect(manifest.schemaVersion).toBe(2);
      expect(manifest.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
      expect(manifest.config.mediaType).toBe('application/vnd.oci.image.config.v1+json');
      referenced.add(manifest.config.digest);
      expect(config.os).toBe('linux');
      expect(config.architecture).toBe('386');
      expect(Number.isNaN(Date.parse(config.created))).toBe(false);
      expect(config.rootfs.type).toBe('layers');
      expect(config.rootfs.diff_ids).toHaveLength(manifest.layers.length);
      expect(config.history.filter((h) => !h.empty_layer)).toHaveLength(manifest.layers.length);
      expect(config.config.Cmd?.length ?? 0).toBeGreaterThan(0);
      manifest.layers.forEach((layer, i) => {
        expect(layer.mediaType).toBe('application/vnd.oci.image.layer.v1.tar+gzip');
        referenced.add(layer.digest);
        const tar = gunzipSync(blob(repo, layer));
        expect(sha256(tar), `${repo} layer ${i} diff_id`).toBe(config.rootfs.diff_ids[i]);
      });
    }
    // No stray blobs: everything in blobs/ is reachable from the index.
    const stored = readdirSync(join(registry, repo, 'blobs', 'sha256')).map((h) => `sha256:${h}`);
    expect(stored.sort()).toEqual([...referenced].sort());
  });

  it.each(repos)('%s layers are kept unpacked, matching their tars and whiteout lists', (repo) => {
    const { manifest, config } = image(repo, json<Index>(join(registry, repo, 'index.json')).manifests[0]?.annotations?.['org.opencontainers.image.ref.name'] ?? '');
    const below = new Set<string>();
    manifest.layers.forEach((layer, i) => {
      const hex = (config.rootfs.diff_ids[i] ?? '').slice(7);
      const meta = json<{ diffId: string; digest: string; size: number; whiteouts: string[] }>(join(registry, 'layers', `${hex}.json`));
      expect(meta.digest).toBe(layer.digest);
      expect(meta.size).toBe(layer.size);
      const names = listLayer(layerFile(repo, layer));
      const tree = join(registry, 'layers', hex);
      for (const n of names) expect(lstatSync(join(tree, n), { throwIfNoEntry: false }), `${n} unpacked`).toBeDefined();
      const whiteouts = names.filter((n) => n.split('/').pop()?.startsWith('.wh.')).map((n) => n.replace(/(^|\/)\.wh\.([^/]+)$/, '$1$2'));
      expect(whiteouts.sort()).toEqual([...meta.whiteouts].sort());
      // A whiteout must hide something that a lower layer has.
      for (const w of whiteouts) expect(below.has(w), `whiteout ${w} hides a lower path`).toBe(true);
      for (const n of names) below.add(n);
    });
  });

  it('hello-world is a static i386 ELF', () => {
    const { manifest, config } = image('hello-world', 'latest');
    expect(config.config.Cmd).toEqual(['/hello']);
    const dir = mkdtempSync(join(tmpdir(), 'hello-'));
    try {
      execFileSync('tar', ['-xzf', layerFile('hello-world', manifest.layers[0]!), '-C', dir]);
      const types = i386ProgramHeaderTypes(readFileSync(join(dir, 'hello')));
      // Static: no PT_INTERP (type 3) program header.
      expect(types).toContain(1);
      expect(types).not.toContain(3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(i386Skip !== null)(`hello-world's program prints our message${i386Skip ? ` (skipped: ${i386Skip})` : ''}`, () => {
    const { manifest } = image('hello-world', 'latest');
    const dir = mkdtempSync(join(tmpdir(), 'hello-'));
    try {
      execFileSync('tar', ['-xzf', layerFile('hello-world', manifest.layers[0]!), '-C', dir]);
      const out = execFileSync(join(dir, 'hello')).toString();
      expect(out).toContain('Hello from Whalebone!');
      expect(out).toContain('docker run -it busybox sh');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('nginx has the binary, the welcome page and Docker-like config, on the debian base layer', () => {
    const { manifest, config } = image('nginx', 'latest');
    expect(config.config.Cmd).toEqual(['nginx', '-g', 'daemon off;']);
    expect(config.config.ExposedPorts).toHaveProperty(['80/tcp']);
    expect(config.config.StopSignal).toBe('SIGQUIT');
    const names = new Set(manifest.layers.flatMap((l) => listLayer(layerFile('nginx', l))));
    expect(names).toContain('usr/sbin/nginx');
    expect(names).toContain('var/www/html/index.nginx-debian.html');
    expect(names).toContain('etc/nginx/sites-enabled/default');
    const debian = image('debian', 'bookworm-slim');
    expect(manifest.layers[0]?.digest).toBe(debian.manifest.layers[0]?.digest);
    const top = manifest.layers[manifest.layers.length - 1]!;
    const page = execFileSync('tar', ['-xzOf', layerFile('nginx', top), 'var/www/html/index.nginx-debian.html']).toString();
    expect(page).toContain('Welcome to nginx!');
  });

  it("nginx is one static binary (no dynamic loader at start) whose build accepts Debian's config", () => {
    const { manifest, config } = image('nginx', 'latest');
    const top = manifest.layers[manifest.layers.length - 1]!;
    const types = i386ProgramHeaderTypes(execFileSync('tar', ['-xzOf', layerFile('nginx', top), 'usr/sbin/nginx'], { maxBuffer: 64 << 20 }));
    expect(types, 'PT_LOAD').toContain(1);
    expect(types, 'no PT_INTERP').not.toContain(3);
    expect(types, 'no PT_DYNAMIC').not.toContain(2);
    const conf = execFileSync('tar', ['-xzOf', layerFile('nginx', top), 'etc/nginx/nginx.conf']).toString();
    expect(conf).toMatch(/^\s*gzip on;/m);
    expect(conf).not.toMatch(/^\s*ssl_/m);
    expect(config.history.map((h) => h.created_by).join('\n')).toMatch(/install -m 755 nginx \/usr\/sbin\/nginx .*# nginx: static i386 musl, built from Debian's nginx 1\.22\.1/);
    // nginx's temp folders come made, owned by www-data (33), so a first start copies nothing up
    const listing = execFileSync('tar', ['-tvzf', layerFile('nginx', top), 'var/lib/nginx/body/']).toString();
    expect(listing).toMatch(/^drwx------ 33\/0 /m);
  });

  it('debian:bookworm-slim has dpkg status, apt sources and no docs', () => {
    const { manifest, config } = image('debian', 'bookworm-slim');
    expect(config.config.Cmd).toEqual(['bash']);
    expect(config.config.Env?.some((e) => e.startsWith('PATH='))).toBe(true);
    const layer = layerFile('debian', manifest.layers[0]!);
    const status = execFileSync('tar', ['-xzOf', layer, 'var/lib/dpkg/status'], { maxBuffer: 64 << 20 }).toString();
    expect(status).toMatch(/^Package: dpkg$/m);
    expect(status).toMatch(/^Package: apt$/m);
    expect(status).toMatch(/^Architecture: i386$/m);
    const sources = execFileSync('tar', ['-xzOf', layer, 'etc/apt/sources.list']).toString();
    expect(sources).toContain('http://deb.debian.org/debian bookworm main');
    const names = listLayer(layer);
    expect(names.filter((n) => n.startsWith('usr/share/man/') && n.length > 'usr/share/man/'.length)).toEqual([]);
    expect(names).toContain('usr/bin/dpkg');
    expect(names).toContain('usr/bin/apt-get');
  });

  const skopeoSkip = skipOutsideCi(spawnSync('sh', ['-c', 'command -v skopeo']).status === 0 ? null : 'needs skopeo', 'the skopeo copy');
  it.skipIf(skopeoSkip !== null)(`an independent OCI implementation (skopeo) copies every image, checking digests${skopeoSkip ? ` (skipped: ${skopeoSkip})` : ''}`, () => {
    for (const repo of repos) {
      const tag = json<Index>(join(registry, repo, 'index.json')).manifests[0]?.annotations?.['org.opencontainers.image.ref.name'];
      const out = mkdtempSync(join(tmpdir(), 'skopeo-'));
      try {
        const r = spawnSync('skopeo', ['copy', '-q', `oci:${join(registry, repo)}:${tag}`, `dir:${out}`], { timeout: 120_000 });
        expect(r.status, `skopeo copy ${repo}:${tag}: ${r.stderr.toString()}`).toBe(0);
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    }
  });

  const asRoot = process.getuid?.() === 0;
  const haveCurl = spawnSync('sh', ['-c', 'command -v curl && command -v unshare && command -v ip']).status === 0;
  const nginxSkip = skipOutsideCi(!asRoot ? 'needs root' : i386Skip ?? (haveCurl ? null : 'needs curl, unshare and ip'), 'the nginx run');
  it.skipIf(nginxSkip !== null)('nginx serves its welcome page, with the unpacked layers as overlay lower dirs (root, i386 host support, curl)', () => {
    const { config } = image('nginx', 'latest');
    // Top layer first, as overlayfs wants lowerdir.
    const lowers = [...config.rootfs.diff_ids].reverse().map((d) => join(registry, 'layers', d.slice(7)));
    const dir = mkdtempSync(join(tmpdir(), 'nginx-'));
    // A private mount, network and pid namespace: everything started here dies with the shell.
    const script = `set -e
T="$1"; M="$1/m"
mount -t tmpfs tmpfs "$T"
mkdir "$T/u" "$T/w" "$M"
mount -t overlay overlay -o "lowerdir=$2,upperdir=$T/u,workdir=$T/w" "$M"
ip link set lo up
mount -t proc proc "$M/proc"
mount -t tmpfs tmpfs "$M/dev"
ln -s /proc/self/fd/1 "$M/dev/stdout"; ln -s /proc/self/fd/2 "$M/dev/stderr"
touch "$M/dev/null"; mount --bind /dev/null "$M/dev/null"
chroot "$M" nginx -g 'daemon off;' >"$T/nginx.log" 2>&1 &
for i in $(seq 100); do curl -sf http://127.0.0.1/ && exit 0; sleep 0.2; done
cat "$T/nginx.log"; exit 1`;
    try {
      const r = spawnSync('unshare', ['--mount', '--net', '--pid', '--fork', 'sh', '-c', script, 'nginx-test', dir, lowers.join(':')], { timeout: 60_000 });
      expect(r.status, r.stdout.toString() + r.stderr.toString()).toBe(0);
      expect(r.stdout.toString()).toContain('<h1>Welcome to nginx!</h1>');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(skipOutsideCi(!asRoot ? 'needs root' : i386Skip, 'the busybox chroot run') !== null)('busybox runs `echo hi` in a chroot of its layer (root, i386 host support)', () => {
    const { manifest } = image('busybox', 'latest');
    const dir = mkdtempSync(join(tmpdir(), 'busybox-'));
    try {
      for (const l of manifest.layers) execFileSync('tar', ['-xzf', layerFile('busybox', l), '-C', dir]);
      expect(execFileSync('chroot', [dir, '/bin/sh', '-c', 'echo hi']).toString()).toBe('hi\n');
      // Applets by their links. (Not through sh: busybox's standalone shell re-executes
      // /proc/self/exe, which is qemu itself on hosts that run i386 through qemu-user.)
      const bin = execFileSync('chroot', [dir, '/bin/ls', '/bin']).toString().split('\n').filter(Boolean);
      expect(bin).toContain('sh');
      expect(bin.length).toBeGreaterThan(50);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

if (!built)
  describe('offline registry', () => {
    it.skip(reason, () => undefined);
  });
