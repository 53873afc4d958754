// Interactive containers and exec on this host: stdin through attach, `docker run -it` on a real
// pseudo-terminal (driven by test/guest/helpers/pty-session.py), window size, Ctrl-C, detach
// keys, and docker exec, with our docker CLI and the official one against our dockerd.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BINARY } from '../helpers/native.ts';
import { dockerdSkipReason, OFFICIAL_DOCKER, startDockerd, type NativeDockerd, type Step } from '../helpers/native-dockerd.ts';

const skip = dockerdSkipReason();
let d: NativeDockerd;

const CLIENTS = [['ours', [BINARY, 'docker']], ['official', [OFFICIAL_DOCKER]]] as const;

const docker = (args: string[], official = false, input = '') => d.docker(args, official, input);
const onPty = (command: readonly string[], steps: Step[]) => d.onPty(command, steps);

describe.skipIf(skip !== null)(`interactive containers natively${skip ? ` (skipped: ${skip})` : ''}`, () => {
  beforeAll(async () => {
    d = await startDockerd('wb-interactive-');
    expect(docker(['pull', '-q', 'busybox']).code).toBe(0);
  });
  afterAll(() => d?.stop());

  it('docker run -i passes piped stdin and ends when it ends', () => {
    for (const official of [false, true]) {
      const r = docker(['run', '-i', '--rm', 'busybox', 'cat'], official, 'hi\nthere\n');
      expect(r.stdout).toBe('hi\nthere\n');
      expect(r.code).toBe(0);
      expect(docker(['run', '-i', '--rm', 'busybox', 'wc', '-l'], official, 'a\nb\nc\n').stdout.trim()).toBe('3');
    }
    // without -i the container gets no input
    expect(docker(['run', '--rm', 'busybox', 'cat'], false, 'ignored\n').stdout).toBe('');
  });

  it('docker run -it refuses input that is no terminal, as Docker does', () => {
    const r = docker(['run', '-it', '--rm', 'busybox', 'true'], false, '');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('the input device is not a TTY\n');
  });

  for (const [name, cmd] of CLIENTS) {
    it(`docker run -it gives a shell on a terminal (${name} client): size, resize, Ctrl-C, job control, exit code`, () => {
      const r = onPty([...cmd, 'run', '-it', '--rm', 'busybox', 'sh'], [
        { expect: '/ # ' },
        { send: 'echo $((6*7))\r', expect: '42\r\n' },
        { send: 'stty size\r', expect: '24 80\r\n' },
        // the new size reaches the container's terminal through the daemon: ask until it has
        { resize: [40, 120] },
        { poke: 'stty size\r', expect: '40 120\r\n' },
        // Ctrl-C reaches the container's foreground job through its terminal, not the client
        // (a trap in a child shell: the echo of the typing shows INT-\$((40+2)), only the trap prints INT-42)
        { send: 'sh -c \'trap "echo INT-\\$((40+2)); exit" INT; echo TRAP-$((1+1)); while :; do sleep 1; done\'\r', expect: 'TRAP-2\r\n' },
        { send: '\u0003', expect: 'INT-42\r\n' },
        { expect: '/ # ' },
        // the quotes split the word in the echo, so only the shell's output has JOBCONTROL
        { send: 'set -m; case $- in *m*) echo JOB""CONTROL;; esac\r', expect: 'JOBCONTROL\r\n' },
        { send: 'exit 3\r' },
      ]);
      expect(r.steps, r.output).toEqual([true, true, true, true, true, true, true, true]);
      expect(r.output).not.toContain("can't access tty");
      expect(r.exit).toBe(3);
    });
  }

  it('Ctrl-D ends the shell, and the client\'s terminal is restored', () => {
    const r = onPty(['sh', '-c', `${BINARY} docker run -it --rm busybox sh; stty -a | grep -o ' echo ' ; echo done=$?`], [
      { expect: '/ # ' },
      { send: '\u0004', expect: 'done=0' },
    ]);
    expect(r.steps, r.output).toEqual([true, true]);
  });

  for (const [name, cmd] of CLIENTS) {
    it(`Ctrl-P Ctrl-Q detaches and leaves the container running (${name} client)`, () => {
      const cname = `det-${name}`;
      const r = onPty([...cmd, 'run', '-it', '--name', cname, 'busybox', 'sh'], [{ expect: '/ # ' }, { send: '\u0010\u0011' }]);
      expect(r.exit, r.output).toBe(0);
      expect(docker(['inspect', '-f', '{{.State.Status}}', cname]).stdout.trim()).toBe('running');
      docker(['rm', '-f', cname]);
    });
  }

  it('docker exec runs in the container: env, workdir, user, stdin, exit codes and Docker\'s errors', () => {
    expect(docker(['run', '-d', '--name', 'box', '-e', 'FOO=bar', '-w', '/tmp', 'busybox', 'sleep', '300']).code).toBe(0);
    for (const official of [false, true]) {
      const ps = docker(['exec', 'box', '/bin/ps'], official);
      expect(ps.code).toBe(0);
      expect(ps.stdout).toMatch(/^PID +USER +COMMAND\n +1 root .*sleep 300\n/);
      expect(docker(['exec', '-e', 'X=1', 'box', '/bin/sh', '-c', 'echo $FOO $X; pwd'], official).stdout).toBe('bar 1\n/tmp\n');
      expect(docker(['exec', '-w', '/etc', '-u', '1000:1000', 'box', '/bin/sh', '-c', 'pwd; while read k v; do [ "$k" = Uid: ] && echo $k $v; done < /proc/self/status'], official).stdout).toMatch(/^\/etc\nUid: 1000\s/);
      expect(docker(['exec', '-i', 'box', '/bin/cat'], official, 'piped\n').stdout).toBe('piped\n');
      expect(docker(['exec', 'box', '/bin/sh', '-c', 'echo err >&2; exit 7'], official)).toMatchObject({ code: 7, stderr: 'err\n' });
      const nf = docker(['exec', 'box', 'nosuch'], official);
      expect(nf.code).toBe(127);
      expect(nf.stdout).toContain('OCI runtime exec failed: exec failed: unable to start container process: exec: "nosuch": executable file not found in $PATH: unknown');
      expect(docker(['exec', 'box', '/etc'], official).code).toBe(126);
      expect(docker(['exec', 'nope', 'ls'], official)).toMatchObject({ code: 1, stderr: 'Error response from daemon: No such container: nope\n' });
    }
    const d = docker(['exec', '-d', 'box', '/bin/sh', '-c', 'echo detached > /tmp/d']);
    expect(d).toMatchObject({ code: 0, stdout: '' });
    for (let i = 0; i < 50 && docker(['exec', 'box', '/bin/cat', '/tmp/d']).stdout !== 'detached\n'; i++) spawnSync('sleep', ['0.1']);
    expect(docker(['exec', 'box', '/bin/cat', '/tmp/d']).stdout).toBe('detached\n');
    const unknown = docker(['exec', '--bogus', 'box', 'ls']);
    expect(unknown.code).toBe(125);
    expect(unknown.stderr).toContain('unknown flag: --bogus');
    docker(['stop', '-t', '0', 'box']);
    expect(docker(['exec', 'box', 'ls'])).toMatchObject({ code: 1, stderr: expect.stringMatching(/^Error response from daemon: container [0-9a-f]{64} is not running\n$/) });
  });

  for (const [name, cmd] of CLIENTS) {
    it(`docker exec -it gives a shell on a terminal in a running container (${name} client)`, () => {
      const cname = `ex-${name}`;
      docker(['run', '-d', '--name', cname, 'busybox', 'sleep', '300']);
      const r = onPty([...cmd, 'exec', '-it', cname, 'sh'], [
        { expect: '# ' },
        { send: 'stty size; echo $TERM\r', expect: 'xterm' },
        { send: 'exit 5\r' },
      ]);
      expect(r.steps, r.output).toEqual([true, true]);
      expect(r.output).toContain('24 80');
      expect(r.exit).toBe(5);
      docker(['rm', '-f', cname]);
    });
  }
});
