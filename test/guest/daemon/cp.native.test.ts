// docker cp on this host, with our CLI and the official one against our dockerd: both directions,
// directories, new names, "-" as a tar stream, a stopped container, a volume, and a container
// whose own links point out of its root.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BINARY } from '../helpers/native.ts';
import { dockerdSkipReason, OFFICIAL_DOCKER, startDockerd, type NativeDockerd } from '../helpers/native-dockerd.ts';

const skip = dockerdSkipReason();
let d: NativeDockerd;
let dir = '';

/** Either client, with stdout kept as bytes too (tar streams). */
function docker(args: string[], official = false, input?: Buffer | string) {
  const [cmd, ...pre] = official ? [OFFICIAL_DOCKER] : [BINARY, 'docker'];
  const r = spawnSync(cmd!, [...pre, ...args], { env: d.env, timeout: 60_000, ...(input !== undefined ? { input } : {}) });
  return { code: r.status ?? -1, stdout: r.stdout?.toString('latin1') ?? '', stderr: r.stderr?.toString() ?? '', raw: r.stdout };
}

/** A command in the container, without a shell: under qemu-user (how the i386 binary runs on
 * this host) busybox sh's applet re-exec goes through qemu, not busybox. */
function ex(container: string, ...argv: string[]): string {
  const r = docker(['exec', container, ...argv]);
  expect(r.stderr).toBe('');
  return r.stdout;
}

describe.skipIf(skip !== null)(`docker cp natively${skip ? ` (skipped: ${skip})` : ''}`, () => {
  beforeAll(async () => {
    d = await startDockerd('wb-cp-', { noBridge: true });
    dir = d.dir;
    expect(docker(['pull', '-q', 'busybox']).code).toBe(0);
    expect(docker(['run', '-d', '--name', 'box', '-v', 'cpdata:/data', 'busybox', 'sleep', '600']).code).toBe(0);
  });
  afterAll(() => d?.stop());

  for (const official of [false, true]) {
    const who = official ? 'the official client' : 'our CLI';
    it(`copies a file and a directory in and out, with ${who}`, () => {
      const local = join(dir, official ? 'o' : 'u');
      mkdirSync(join(local, 'site', 'css'), { recursive: true });
      writeFileSync(join(local, 'site', 'index.html'), '<h1>hello</h1>\n');
      writeFileSync(join(local, 'site', 'css', 'a.css'), 'body{}\n');
      const tag = official ? 'o' : 'u';
      const into = docker(['cp', join(local, 'site'), `box:/tmp/${tag}`], official);
      expect(into.code, into.stderr).toBe(0);
      expect(ex('box', 'cat', `/tmp/${tag}/index.html`, `/tmp/${tag}/css/a.css`)).toBe('<h1>hello</h1>\nbody{}\n');
      // into an existing directory: under the source's own name
      expect(docker(['cp', join(local, 'site', 'index.html'), `box:/tmp/${tag}/css`], official).code).toBe(0);
      expect(ex('box', 'cat', `/tmp/${tag}/css/index.html`)).toBe('<h1>hello</h1>\n');
      // and back out, as a new name and into an existing directory
      expect(docker(['cp', `box:/tmp/${tag}`, join(local, 'back')], official).code).toBe(0);
      expect(readFileSync(join(local, 'back', 'css', 'index.html'), 'utf8')).toBe('<h1>hello</h1>\n');
      expect(docker(['cp', 'box:/etc/passwd', local], official).code).toBe(0);
      expect(readFileSync(join(local, 'passwd'), 'utf8')).toMatch(/^root:x:0:0:/);
      // the content only, with "/."
      expect(docker(['cp', `box:/tmp/${tag}/css/.`, join(local, 'flat')], official).code).toBe(0);
      expect(readdirSync(join(local, 'flat')).sort()).toEqual(['a.css', 'index.html']);
    });
  }

  it('says so in Docker\'s words when a path, container or direction is wrong', () => {
    for (const official of [false, true]) {
      const missing = docker(['cp', 'box:/nope', join(dir, 'x')], official);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toBe('Error response from daemon: Could not find the file /nope in container box\n');
      const noCtr = docker(['cp', 'ghost:/etc/passwd', join(dir, 'x')], official);
      expect(noCtr.code).toBe(1);
      expect(noCtr.stderr).toContain('No such container: ghost');
    }
    expect(docker(['cp', 'box:/a', 'box:/b']).stderr).toBe('copying between containers is not supported\n');
    expect(docker(['cp', 'a', 'b']).stderr).toBe('must specify at least one container source\n');
    expect(docker(['cp', join(dir, 'absent'), 'box:/tmp']).stderr).toBe(`lstat ${join(dir, 'absent')}: no such file or directory\n`);
  });

  it('streams a tar with "-" both ways', () => {
    const out = docker(['cp', 'box:/etc/hostname', '-']);
    expect(out.code).toBe(0);
    expect(out.stdout.slice(0, 8)).toBe('hostname');
    const back = docker(['cp', '-', 'box:/tmp'], false, out.raw);
    expect(back.code, back.stderr).toBe(0);
    expect(ex('box', 'cat', '/tmp/hostname')).toBe(ex('box', 'cat', '/etc/hostname'));
  });

  it('writes into the container\'s volume, and keeps the container\'s links inside its root', () => {
    writeFileSync(join(dir, 'note.txt'), 'kept\n');
    expect(docker(['cp', join(dir, 'note.txt'), 'box:/data/']).code).toBe(0);
    expect(docker(['run', '--rm', '-v', 'cpdata:/v', 'busybox', 'cat', '/v/note.txt']).stdout).toBe('kept\n');
    // a link in the container to "/" of the host's view: the copy must land in the container
    const hostTarget = join(dir, 'host-side');
    mkdirSync(hostTarget);
    ex('box', 'ln', '-s', hostTarget, '/escape');
    // the link's target does not exist in the container: Docker's answer, and nothing on the host
    const missing = docker(['cp', join(dir, 'note.txt'), 'box:/escape/']);
    expect(missing).toMatchObject({ code: 1, stderr: 'no such directory\n' });
    ex('box', 'mkdir', '-p', hostTarget);
    expect(docker(['cp', join(dir, 'note.txt'), 'box:/escape/']).code).toBe(0);
    expect(existsSync(join(hostTarget, 'note.txt'))).toBe(false);
    expect(ex('box', 'cat', `${hostTarget}/note.txt`)).toBe('kept\n');
  });

  it('copies from and into a stopped container', () => {
    expect(docker(['create', '--name', 'idle', 'busybox', 'true']).code).toBe(0);
    writeFileSync(join(dir, 'in.txt'), 'while stopped\n');
    expect(docker(['cp', join(dir, 'in.txt'), 'idle:/in.txt']).code).toBe(0);
    expect(docker(['cp', 'idle:/in.txt', join(dir, 'out.txt')]).code).toBe(0);
    expect(readFileSync(join(dir, 'out.txt'), 'utf8')).toBe('while stopped\n');
    expect(docker(['start', '-a', 'idle']).code).toBe(0);
  });
});
