// The compose role on the Syscalls fake: `docker-compose` and `docker compose` reach the same
// code, config reads the folder's file, errors print Compose's message and exit 1, and a command
// that needs the daemon says it is not there as Docker does.
import { describe, expect, it } from 'vitest';
import { dispatch } from '../../../src/guest/roles.ts';
import { FakeSyscalls } from '../../../src/guest/sys/fake.ts';

async function run(files: Record<string, string>, ...argv: string[]) {
  const sys = new FakeSyscalls();
  sys.addDir('/root/blog');
  for (const [p, t] of Object.entries(files)) sys.addFile(p, t);
  sys.cwd = '/root/blog';
  const code = await dispatch(argv, sys);
  return { code, stdout: sys.stdout, stderr: sys.stderr };
}

const FILE = { '/root/blog/docker-compose.yml': 'version: "3.3"\nservices:\n  web:\n    image: busybox\n    ports: ["8080:80"]\n' };

describe('compose role', () => {
  it('prints the normalized config through both names, with the version warning on stderr', async () => {
    const a = await run(FILE, 'docker-compose', 'config');
    const b = await run(FILE, 'docker', 'compose', 'config');
    expect(a.code).toBe(0);
    expect(a.stdout).toBe('name: blog\nservices:\n  web:\n    image: busybox\n    networks:\n      default: null\n    ports:\n      - mode: ingress\n        target: 80\n        published: "8080"\n        protocol: tcp\nnetworks:\n  default:\n    name: blog_default\n');
    // stderr is no terminal here: logrus's key=value layout, as Compose prints it then
    expect(a.stderr).toMatch(/^time="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ" level=warning msg="\/root\/blog\/docker-compose.yml: the attribute `version` is obsolete, it will be ignored, please remove it to avoid potential confusion"\n$/);
    expect(b.stdout).toEqual(a.stdout);
  });

  it('answers config --services, -p and version', async () => {
    expect((await run(FILE, 'docker', 'compose', 'config', '--services')).stdout).toBe('web\n');
    expect((await run(FILE, 'docker', 'compose', '-p', 'other', 'config', '--volumes')).stdout).toBe('');
    expect((await run({}, 'docker-compose', '--version')).stdout).toMatch(/^Docker Compose version v\S+\n$/);
    expect((await run({}, 'docker', 'compose', 'version')).stdout).toMatch(/^Docker Compose version v\S+\n$/);
  });

  it('exits 1 with the message for an invalid file, a missing file and an unknown command', async () => {
    const bad = await run({ '/root/blog/compose.yaml': 'services:\n  web:\n    image: busybox\n    portz: [80]\n' }, 'docker', 'compose', 'up', '-d');
    expect(bad).toEqual({ code: 1, stdout: '', stderr: 'validating /root/blog/compose.yaml: services.web Additional property portz is not allowed\n' });
    const none = await run({}, 'docker', 'compose', 'ps');
    expect(none).toMatchObject({ code: 1, stderr: 'no configuration file provided: not found\n' });
    const unknown = await run(FILE, 'docker', 'compose', 'frobnicate');
    expect(unknown).toMatchObject({ code: 1, stderr: 'unknown docker command: "compose frobnicate"\n' });
    const flagErr = await run(FILE, 'docker', 'compose', 'up', '--bogus');
    expect(flagErr).toMatchObject({ code: 1, stderr: 'unknown flag: --bogus\n' });
  });

  it('reports a missing daemon as Docker does', async () => {
    const r = await run(FILE, 'docker', 'compose', 'ps');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('\nCannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n');
  });
});
