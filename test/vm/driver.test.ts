// End to end in the real guest: the driver's own features (9p both ways, host folders on the
// share, save/restore, timeouts, the terminal stream) and its fallbacks on bad input.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { V86 } from 'v86';
import { VmCore } from '../../src/vm/core.ts';
import { isVmTimeoutError } from '../../src/vm/errors.ts';
import { createNodeVm, nodeAssets } from '../../src/vm/node.ts';
import { lessonMemorySizes } from '../../scripts/build-snapshot.ts';
import type { V86Constructor } from '../../src/vm/v86-types.ts';
import { guestSuite, sh, useGuest, vmSkipReason } from '../helpers/vm.ts';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

const folder = mkdtempSync(join(tmpdir(), 'wb-share-'));
const big = randomBytes(600_000);
mkdirSync(join(folder, 'blobs/sha256'), { recursive: true });
writeFileSync(join(folder, 'blobs/sha256/big'), big);
writeFileSync(join(folder, 'index.json'), '{"ok":true}\n');
symlinkSync('blobs/sha256/big', join(folder, 'latest'));

describe.skipIf(vmSkipReason())(guestSuite('VM driver in the guest'), () => {
  const g = useGuest({ shares: { fixture: folder } });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('restored from the boot snapshot (prepare builds one for the default size)', () => {
    // No cold-boot fallback is accepted here: a snapshot that fails to restore is a bug.
    expect(g.vm.lastBoot?.mode, g.vm.lastBoot?.fallbackReason).toBe('snapshot');
  });

  it('moves files host -> guest and guest -> host over 9p, bytes intact', async () => {
    const data = randomBytes(300_000);
    await g.vm.writeFile('t/deep/in.bin', data);
    await g.vm.writeFile('t/hello.txt', 'hello guest\n');
    expect(await sh(g.vm, 'cat /mnt/host/t/hello.txt; sha256sum /mnt/host/t/deep/in.bin | cut -d" " -f1')).toBe(`hello guest\n${sha(data)}\n`);
    await sh(g.vm, 'echo from guest >/mnt/host/t/out.txt; head -c 200000 /dev/urandom >/mnt/host/t/out.bin; sha256sum /mnt/host/t/out.bin | cut -d" " -f1 >/mnt/host/t/out.sum');
    expect(new TextDecoder().decode(await g.vm.readFile('t/out.txt'))).toBe('from guest\n');
    const out = await g.vm.readFile('t/out.bin');
    expect(out.length).toBe(200_000);
    expect(new TextDecoder().decode(await g.vm.readFile('t/out.sum')).trim()).toBe(sha(out));
    await g.vm.writeFile('t/hello.txt', 'replaced\n');
    expect(await sh(g.vm, 'cat /mnt/host/t/hello.txt')).toBe('replaced\n');
  });

  it('shows a host folder on the share, read on demand', async () => {
    const out = await sh(g.vm, 'cd /mnt/host/fixture && cat index.json && readlink latest && sha256sum blobs/sha256/big latest | cut -d" " -f1');
    expect(out).toBe(`{"ok":true}\nblobs/sha256/big\n${sha(big)}\n${sha(big)}\n`);
  });

  it('rejects bad share paths and missing files clearly', async () => {
    await expect(g.vm.readFile('no/such/file')).rejects.toThrow(/no such file on the share: no\/such\/file/);
    await expect(g.vm.writeFile('../escape', 'x')).rejects.toThrow(/may not contain ".."/);
  });

  it('sends large stdin through the share', async () => {
    const input = 'line\n'.repeat(5000);
    const r = await g.vm.exec('wc -l', { stdin: input });
    expect(r.stdout.trim()).toBe('5000');
  });

  it('times out a hung command, kills it, and stays usable', async () => {
    const err = await g.vm.exec('sleep 600', { timeoutMs: 800 }).catch((e: unknown) => e);
    expect(isVmTimeoutError(err)).toBe(true);
    expect((err as Error).message).toMatch(/timed out after 800 ms and was killed: sleep 600/);
    expect(await sh(g.vm, 'echo still here')).toBe('still here\n');
    // The agent killed the process group: no `sleep 600` is left.
    expect(await sh(g.vm, 'sleep 0.5; ps | grep -c "[s]leep 600" || true')).toBe('0\n');
  });

  it('saves and restores state', async () => {
    const saved = await g.vm.saveState();
    await sh(g.vm, 'echo after-save >/tmp/marker');
    await g.vm.restoreState(saved);
    const r = await g.vm.exec('cat /tmp/marker');
    expect(r.exitCode).not.toBe(0);
    expect(g.vm.status()).toBe('ready');
  });

  it('streams the learner terminal on ttyS0 and resizes it', async () => {
    let seen = '';
    const off = g.vm.onTerminal((d) => (seen += new TextDecoder().decode(d)));
    g.vm.sendTerminal('echo wb-$((6*7))\r'); // Enter, as a terminal sends it
    const t0 = Date.now();
    while (!seen.includes('wb-42') && Date.now() - t0 < 30_000) await new Promise((r) => setTimeout(r, 50));
    off();
    expect(seen).toContain('wb-42');
    await g.vm.resizeTerminal(101, 33);
    expect(await sh(g.vm, 'stty -F /dev/ttyS0 size')).toBe('33 101\n');
  });
});

describe.skipIf(vmSkipReason())(guestSuite('VM driver fallbacks'), () => {
  it('falls back to a cold boot, with a message, when the snapshot is corrupt', async () => {
    const real = nodeAssets();
    const messages: string[] = [];
    const vm = new VmCore({
      V86: V86 as unknown as V86Constructor,
      memoryMiB: 256,
      assets: {
        ...real,
        snapshot: async () => ({ state: new Uint8Array(randomBytes(4096)).buffer }),
        // Stop right where the cold boot begins: the fallback decision is what is tested here.
        kernel: async () => {
          throw new Error('cold boot reached');
        },
      },
    });
    const err = await vm.boot({ onProgress: (p) => messages.push(p.message) }).catch((e: unknown) => e as Error);
    await vm.destroy();
    expect(messages.some((m) => /^the boot snapshot could not be restored \(.+\); booting cold$/.test(m))).toBe(true);
    expect(err?.message).toMatch(/cold boot reached/);
  });
});

describe.skipIf(vmSkipReason())(guestSuite('a guest size without a boot snapshot (a lesson\'s environment.memory)'), () => {
  it('boots cold with that much memory and is ready like a restored snapshot: docker answers at once', async () => {
    const vm = createNodeVm({ memoryMiB: 384 });
    try {
      await vm.boot();
      expect(vm.lastBoot?.mode).toBe('cold');
      expect(vm.lastBoot?.fallbackReason).toMatch(/the boot snapshot is for 256 MiB, and there is none for 384 MiB/);
      const total = Number(/MemTotal:\s+(\d+) kB/.exec(await sh(vm, 'cat /proc/meminfo'))?.[1]);
      expect(total / 1024).toBeGreaterThan(350);
      expect(total / 1024).toBeLessThanOrEqual(384);
      // no wait for dockerd here: the boot did it
      expect((await sh(vm, 'docker ps')).split('\n')[0]).toMatch(/^CONTAINER ID\s+IMAGE/);
    } finally {
      await vm.destroy();
    }
  }, 180_000);
});

describe.skipIf(vmSkipReason())(guestSuite('a lesson\'s guest size with a snapshot of its own (prepare builds one per environment.memory)'), () => {
  it('restores the lesson size\'s snapshot instead of booting cold: all its memory, docker answers', async () => {
    const sizes = lessonMemorySizes();
    expect(sizes.length, 'no lesson asks for a bigger guest any more: this test has nothing to check').toBeGreaterThan(0);
    const memoryMiB = sizes[sizes.length - 1]!;
    const vm = createNodeVm({ memoryMiB });
    try {
      await vm.boot();
      expect(vm.lastBoot?.mode, vm.lastBoot?.fallbackReason).toBe('snapshot');
      const total = Number(/MemTotal:\s+(\d+) kB/.exec(await sh(vm, 'cat /proc/meminfo'))?.[1]);
      expect(total / 1024).toBeGreaterThan(memoryMiB - 40);
      expect(total / 1024).toBeLessThanOrEqual(memoryMiB);
      expect((await sh(vm, 'docker ps')).split('\n')[0]).toMatch(/^CONTAINER ID\s+IMAGE/);
    } finally {
      await vm.destroy();
    }
  }, 180_000);
});
