// `docker run -it busybox sh` on the guest's serial console (ttyS0), the learner's terminal in the
// app: a shell in the container answers, sees the terminal's size and its changes, Ctrl-C stops
// its foreground job, `exit` gives the outer prompt back with the terminal as it was; and
// `docker exec` lists the container's own processes; top and stats read its cgroup.
import { describe, expect, it } from 'vitest';
import { guestSuite, sh, useGuest, vmSkipReason } from '../helpers/vm.ts';

describe.skipIf(vmSkipReason())(guestSuite('interactive containers in the guest'), () => {
  const g = useGuest();

  /** Everything the serial console printed since the last mark, and a wait for a pattern in it. */
  function terminal() {
    let text = '';
    g.vm.onTerminal((d) => {
      text += Buffer.from(d).toString('utf8');
    });
    return {
      type: (s: string) => g.vm.sendTerminal(s),
      mark: () => {
        text = '';
      },
      get text() {
        return text;
      },
      async waitFor(pattern: RegExp, timeoutMs = 60_000): Promise<string> {
        const end = Date.now() + timeoutMs;
        while (Date.now() < end) {
          if (pattern.test(text)) return text;
          await new Promise((r) => setTimeout(r, 100));
        }
        throw new Error(`timed out waiting for ${pattern} on the serial console; it showed:\n${text}`);
      },
    };
  }

  it('gives a shell in the container on the serial console', async () => {
    await sh(g.vm, 'docker pull -q busybox');
    const t = terminal();
    t.type('\r');
    await t.waitFor(/# (\x1b\[6n)?$/);
    t.mark();
    t.type('docker run -it --rm --hostname inner busybox sh\r');
    await t.waitFor(/\/ # (\x1b\[6n)?$/);
    t.mark();
    t.type('echo $((6*7)); hostname; tty\r');
    // the container's terminal is a pty of its own devpts, as with Docker
    await t.waitFor(/42\r\ninner\r\n\/dev\/pts\/0\r\n/);
    // the terminal's size, and a change of it, reach the container's tty
    await g.vm.resizeTerminal(100, 30);
    await new Promise((r) => setTimeout(r, 1000));
    t.mark();
    t.type('stty size\r');
    await t.waitFor(/30 100\r\n/);
    // Ctrl-C goes to the container's foreground job, not to the docker client
    t.mark();
    // (a child shell runs it: busybox runs sleep inside the shell itself, and the shell is the
    // container's PID 1, which the kernel shields from signals it does not handle)
    t.type('sh -c "sleep 100"\r');
    await new Promise((r) => setTimeout(r, 3000));
    t.type('\x03');
    await t.waitFor(/\/ # (\x1b\[6n)?$/, 30_000);
    t.mark();
    t.type('echo status=$?\r');
    await t.waitFor(/status=130\r\n/);
    t.mark();
    t.type('exit\r');
    await new Promise((r) => setTimeout(r, 3000));
    t.type('echo outer-$((1+1)); hostname; stty -a | grep -o " echo "\r');
    const out = await t.waitFor(/outer-2\r\n(?!inner)\S+\r\n echo \r\n/);
    expect(out).not.toContain('inner\r\n');
  }, 300_000);

  it('docker attach reaches a running -it container, Ctrl-P Ctrl-Q leaves it, exit ends it', async () => {
    await sh(g.vm, 'docker run -dit --name att busybox sh');
    const t = terminal();
    t.type('\r');
    await t.waitFor(/# (\x1b\[6n)?$/);
    t.mark();
    // Enter until the container's shell answers: before the attach is made it only gives the
    // outer shell an empty line
    const attach = async (): Promise<void> => {
      t.mark();
      t.type('docker attach att\r');
      for (let i = 0; ; i++) {
        try {
          await t.waitFor(/\/ # /, 5000);
          return;
        } catch (e) {
          if (i === 12) throw e;
          t.type('\r');
        }
      }
    };
    await attach();
    t.type('echo in-$((2+2)); tty\r');
    await t.waitFor(/in-4\r\n\/dev\/pts\/0\r\n/);
    t.mark();
    t.type('\x10\x11');
    await t.waitFor(/read escape sequence\r\n/);
    expect(await sh(g.vm, 'docker inspect -f "{{.State.Status}}" att')).toBe('running\n');
    await t.waitFor(/# (\x1b\[6n)?$/);
    await attach();
    t.mark();
    t.type('exit 6\r');
    // the outer shell's prompt again (typing before it would go to the container)
    await t.waitFor(/~# (\x1b\[6n)?$/);
    t.type('echo attach=$?\r');
    await t.waitFor(/attach=6\r\n/);
    const r = await g.vm.exec('docker attach att', { timeoutMs: 100_000 });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe('You cannot attach to a stopped container, start it first\n');
    await sh(g.vm, 'docker rm att');
  }, 300_000);

  it('docker exec lists the container\'s own processes', async () => {
    await sh(g.vm, 'docker run -d --name box busybox sleep 300');
    const ps = await sh(g.vm, 'docker exec box ps');
    expect(ps).toMatch(/^PID +USER +COMMAND\n +1 root +sleep 300\n +\d+ root +ps\n$/);
    const r = await g.vm.exec('docker exec box nosuch', { timeoutMs: 100_000 });
    expect(r.exitCode).toBe(127);
    expect(r.stdout).toContain('exec: "nosuch": executable file not found in $PATH');
    await sh(g.vm, 'docker rm -f box');
  }, 300_000);

  it('docker top and docker stats read the container\'s cgroup', async () => {
    await sh(g.vm, 'docker run -d --name limited --memory 32m busybox sleep 300');
    expect(await sh(g.vm, 'docker top limited')).toMatch(/^UID +PID +PPID +C +STIME +TTY +TIME +CMD\nroot +\d+ +\d+ +\d+ +\d\d:\d\d +\? +\d\d:\d\d:\d\d +sleep 300\n$/);
    const stats = await sh(g.vm, 'docker stats --no-stream limited');
    expect(stats).toMatch(/\n[0-9a-f]{12} +limited +\d+\.\d\d% +[\d.]+[KM]iB \/ 32MiB +\d+\.\d\d% +[\d.]+[kMG]?B \/ [\d.]+[kMG]?B +\S+ \/ \S+ +1\n$/);
    await sh(g.vm, 'docker rm -f limited');
  }, 300_000);
});
