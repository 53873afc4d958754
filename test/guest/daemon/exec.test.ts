import { describe, expect, it } from 'vitest';
import { execFailure, execProcess, mergeEnv } from '../../../src/guest/daemon/exec.ts';
import type { OciProcess } from '../../../src/guest/runc/spec.ts';

const base: OciProcess = {
  terminal: false, user: { uid: 0, gid: 0 }, args: ['sleep', '60'], env: ['PATH=/bin', 'FOO=image'], cwd: '/work',
  capabilities: { bounding: ['CAP_CHOWN'], effective: ['CAP_CHOWN'], permitted: ['CAP_CHOWN'], inheritable: [] },
};

describe('docker exec processes', () => {
  it('keep the container\'s env, cwd, user and capabilities, with the exec\'s changes on top', () => {
    const p = execProcess(base, { Cmd: ['sh', '-c', 'echo $FOO'], Env: ['FOO=exec', 'NEW=1'] }, null);
    expect(p.args).toEqual(['sh', '-c', 'echo $FOO']);
    expect(p.env).toEqual(['PATH=/bin', 'FOO=exec', 'NEW=1']);
    expect(p.cwd).toBe('/work');
    expect(p.user).toEqual({ uid: 0, gid: 0 });
    expect(p.capabilities).toEqual(base.capabilities);
    expect(p.terminal).toBe(false);
  });

  it('take -w, -u and -t', () => {
    const p = execProcess(base, { Cmd: ['sh'], WorkingDir: '/etc', Tty: true }, { uid: 1000, gid: 1000, additionalGids: [] });
    expect(p.cwd).toBe('/etc');
    expect(p.user.uid).toBe(1000);
    expect(p.terminal).toBe(true);
    expect(p.env).toContain('TERM=xterm');
  });

  it('report start failures with Docker\'s wording and codes', () => {
    expect(execFailure('exec failed: unable to start container process: exec: "nosuch": executable file not found in $PATH', 127)).toEqual({
      message: 'OCI runtime exec failed: exec failed: unable to start container process: exec: "nosuch": executable file not found in $PATH: unknown', code: 127,
    });
    expect(execFailure('exec failed: unable to start container process: exec: "/etc": permission denied', 126).code).toBe(126);
  });

  it('merge environment lists by name', () => {
    expect(mergeEnv(['A=1', 'B=2'], ['B=3', 'C=4'])).toEqual(['A=1', 'B=3', 'C=4']);
  });
});
