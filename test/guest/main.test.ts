// The multi-call dispatch, run against the recording fake.
import { describe, expect, it } from 'vitest';
import { dispatch, EXIT_USAGE, ROLE_NAMES } from '../../src/guest/roles.ts';
import { FakeSyscalls } from '../../src/guest/sys/fake.ts';

async function run(...argv: string[]) {
  const sys = new FakeSyscalls();
  const code = await dispatch(argv, sys);
  return { code, stdout: sys.stdout, stderr: sys.stderr };
}

describe('multi-call dispatch', () => {
  it('answers docker --version through a link and through the first argument', async () => {
    // The CLI (src/guest/cli) prints the Docker version it mirrors; the role is reached either way.
    const expected = await run('/usr/bin/docker', '--version');
    expect(expected).toMatchObject({ code: 0, stderr: '' });
    expect(expected.stdout).toMatch(/^Docker version \S+, build whalebone\n$/);
    expect(await run('/usr/bin/whalebone', 'docker', '--version')).toEqual(expected);
    expect(await run('whalebone', 'docker', '-v')).toEqual(expected);
  });

  it('reaches every role the same way through a link and through the first argument', async () => {
    for (const role of ROLE_NAMES) {
      const viaLink = await run(`/usr/bin/${role}`, '--version');
      const viaArg = await run('/usr/bin/whalebone', role, '--version');
      expect(viaArg, role).toEqual(viaLink);
      expect(viaLink.stderr, role).not.toContain('unknown role');
    }
  });

  it('prints usage on stderr and exits 125 for an unknown role; exits 1 for an unknown subcommand, as Docker does', async () => {
    const role = await run('whalebone', 'kubectl');
    expect(role.code).toBe(EXIT_USAGE);
    expect(role.stdout).toBe('');
    expect(role.stderr).toMatch(/unknown role: kubectl[\s\S]*Usage:  whalebone ROLE/);
    const none = await run('whalebone');
    expect(none.code).toBe(125);
    expect(none.stderr).toContain('no role given');
    const sub = await run('docker', 'frobnicate');
    // The CLI's own answer, as Docker 28's: exit 1 and a pointer to --help.
    expect(sub.code).toBe(1);
    expect(sub.stderr).toMatch(/unknown command: docker frobnicate[\s\S]*docker --help/);
  });
});
