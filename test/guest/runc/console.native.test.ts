// A container's terminal on this host, through our dockerd: a pty of the container's own devpts,
// so `tty` prints /dev/pts/0 as with Docker, /dev/console is that same terminal, the shell has it
// as its controlling tty, and each `docker exec -t` gets its own /dev/pts/N beside it.
// (Natively busybox runs under qemu-user, which replaces argv[0]: commands use /bin paths.)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BINARY, busyboxBundle, nativeSkipReason } from '../helpers/native.ts';
import { dockerdSkipReason, onPty, startDockerd, type NativeDockerd } from '../helpers/native-dockerd.ts';

const skip = dockerdSkipReason();

describe.skipIf(skip !== null)(`container terminals natively${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let d: NativeDockerd;
  beforeAll(async () => {
    d = await startDockerd('wb-console-');
    expect(d.docker(['pull', '-q', 'busybox']).code).toBe(0);
  }, 120_000);
  afterAll(() => d?.stop());

  for (const [name, official] of [['ours', false], ['official', true]] as const) {
    it(`docker run -it: the shell's terminal is /dev/pts/0 of the container's devpts, also /dev/console (${name} client)`, () => {
      const r = d.onPty([...d.client(official), 'run', '-it', '--rm', 'busybox', 'sh'], [
        { expect: '/ # ' },
        { send: '/usr/bin/tty; /bin/readlink /proc/self/fd/1\r', expect: '/dev/pts/0\r\n/dev/pts/0\r\n' },
        // the same character device (136 = 0x88, minor 0) under both names
        { send: '/bin/stat -c "%n %t:%T" /dev/console /dev/pts/0\r', expect: '/dev/console 88:0\r\n/dev/pts/0 88:0\r\n' },
        // a devpts of its own: none of the host's terminals are there
        { send: 'echo pts: $(/bin/ls /dev/pts)\r', expect: 'pts: 0 ptmx\r\n' },
        // it is the shell's controlling terminal
        { send: '/bin/ps -o pid,tty,comm\r', expect: '    1 136,0  sh' },
        { send: 'exit 3\r' },
      ]);
      expect(r.steps, r.output).toEqual([true, true, true, true, true]);
      expect(r.exit).toBe(3);
    });
  }

  it('docker exec -t gets its own /dev/pts/N beside the container\'s /dev/pts/0; without -t there is none', () => {
    expect(d.docker(['run', '-dit', '--name', 'term', 'busybox', 'sh']).code).toBe(0);
    for (const official of [false, true]) {
      const r = d.onPty([...d.client(official), 'exec', '-it', 'term', 'sh'], [
        { expect: '# ' },
        { send: '/usr/bin/tty\r', expect: '/dev/pts/1\r\n' },
        { send: '/bin/ps -o pid,tty,comm\r', expect: '136,1  sh' },
        { send: 'stty size\r', expect: '24 80\r\n' },
        { send: 'exit 4\r' },
      ]);
      expect(r.steps, r.output).toEqual([true, true, true, true]);
      expect(r.exit).toBe(4);
      expect(d.docker(['exec', '-t', 'term', '/usr/bin/tty'], official)).toMatchObject({ code: 0, stdout: '/dev/pts/1\r\n' });
    }
    expect(d.docker(['exec', 'term', '/usr/bin/tty'])).toMatchObject({ code: 1, stdout: 'not a tty\n' });
    // the container's own terminal is still its shell's
    expect(d.docker(['exec', 'term', '/bin/readlink', '/proc/1/fd/0']).stdout).toBe('/dev/pts/0\n');
  });

  it('the terminal belongs to the process\'s user (-u), as runc gives it', () => {
    expect(d.docker(['run', '-t', '-u', '1000', '--rm', 'busybox', '/bin/stat', '-c', '%n %u', '/dev/pts/0', '/dev/console']).stdout).toBe('/dev/pts/0 1000\r\n/dev/console 1000\r\n');
    expect(d.docker(['run', '-d', '--name', 'owner', 'busybox', '/bin/sleep', '300']).code).toBe(0);
    expect(d.docker(['exec', '-t', '-u', '1000', 'owner', '/bin/sh', '-c', '/bin/stat -c %u $(/usr/bin/tty)']).stdout).toBe('1000\r\n');
  });

  it('a container with a tty that nobody attached to still runs, and its output is logged', () => {
    expect(d.docker(['run', '-dt', '--name', 'quiet', 'busybox', '/usr/bin/tty']).code).toBe(0);
    expect(d.docker(['wait', 'quiet']).stdout).toBe('0\n');
    expect(d.docker(['logs', 'quiet']).stdout).toBe('/dev/pts/0\r\n');
  });
});

const runcSkip = nativeSkipReason() ?? dockerdSkipReason();

describe.skipIf(runcSkip !== null)(`runc run with a terminal natively${runcSkip ? ` (skipped: ${runcSkip})` : ''}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'wb-runc-tty-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('relays our terminal to a pty of the container\'s devpts: /dev/pts/0, its size, the exit code', async () => {
    const bundle = await busyboxBundle(join(dir, 'b'), (s) => {
      s.process!.terminal = true;
      s.process!.args = ['sh'];
      s.process!.env = ['PATH=/bin', 'TERM=xterm'];
    });
    symlinkSync('busybox', join(bundle, 'rootfs', 'bin', 'stty'));
    const r = onPty([BINARY, 'runc', '--root', join(dir, 'state'), 'run', '-b', bundle, 'ttybox'], [
      { expect: '# ' },
      { send: '/bin/readlink /proc/self/fd/0; /bin/readlink /proc/1/fd/2\r', expect: '/dev/pts/0\r\n/dev/pts/0\r\n' },
      { send: '/bin/stty size\r', expect: '24 80\r\n' },
      { resize: [33, 99] },
      { poke: '/bin/stty size\r', expect: '33 99\r\n' },
      { send: 'exit 9\r' },
    ]);
    expect(r.steps, r.output).toEqual([true, true, true, true]);
    expect(r.exit).toBe(9);
  });

  it('runc create --console-socket hands the master of the container\'s pty to the socket (SCM_RIGHTS)', async () => {
    const bundle = await busyboxBundle(join(dir, 'c'), (s) => {
      s.process!.terminal = true;
      s.process!.args = ['sh', '-c', '/bin/readlink /proc/self/fd/0; /bin/readlink /proc/self/fd/2; exit 6'];
    });
    const state = join(dir, 'state');
    // a console socket's owner, as containerd's shim is: receives the master, starts, reads it
    const receiver = `
import json, os, select, socket, subprocess, sys
path, runc = sys.argv[1], sys.argv[2:]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path)
s.listen(1)
create = subprocess.Popen(runc + ['create', '--console-socket', path, '-b', ${JSON.stringify(bundle)}, 'sock'])
conn, _ = s.accept()
msg, fds, _, _ = socket.recv_fds(conn, 1024, 1)
created = create.wait()
start = subprocess.run(runc + ['start', 'sock']).returncode
out = b''
while select.select([fds[0]], [], [], 10)[0]:
    try:
        d = os.read(fds[0], 4096)
    except OSError:
        break
    if not d:
        break
    out += d
state = subprocess.run(runc + ['state', 'sock'], capture_output=True, text=True).stdout
subprocess.run(runc + ['delete', 'sock'])
print(json.dumps({'name': msg.decode(), 'fds': len(fds), 'created': created, 'started': start, 'output': out.decode(), 'stopped': '"stopped"' in state}))
`;
    const r = spawnSync('python3', ['-c', receiver, join(dir, 'console.sock'), BINARY, 'runc', '--root', state], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ name: '/dev/ptmx', fds: 1, created: 0, started: 0, output: '/dev/pts/0\r\n/dev/pts/0\r\n', stopped: true });
  });
});
