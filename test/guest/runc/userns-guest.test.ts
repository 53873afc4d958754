// The guest's runc (the i386 build on the guest's own kernel) with a user namespace: mapped ids,
// proc and sysfs mounted inside, run's exit code, exec joining the namespace, and an ordinary
// container next to it unchanged.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { guestSuite, sh, useGuest, vmSkipReason } from '../../helpers/vm.ts';
import { extractDeb, fetchDeb } from '../../../scripts/lib/apt.ts';
import { runcDefaultSpec, type OciSpec } from '../../../src/guest/runc/spec.ts';

const skip = vmSkipReason();
const share = skip ? '' : mkdtempSync(join(tmpdir(), 'wb-userns-guest-'));

/** A shell loop printing a file's lines (word-split, so runs of spaces become one). */
const show = (file: string): string => `while read a b c; do echo $a $b $c; done < ${file}`;

function config(args: string[], userns: boolean): string {
  const s: OciSpec = runcDefaultSpec();
  s.process!.terminal = false;
  s.process!.args = args;
  s.root!.readonly = false;
  if (userns) {
    s.linux!.namespaces!.push({ type: 'user' });
    s.linux!.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
    s.linux!.gidMappings = [{ containerID: 0, hostID: 200000, size: 65536 }];
  }
  return JSON.stringify(s);
}

/** Shell lines making bundle $1 from the shared busybox and config, owned by uid:gid $2. */
const MAKE_BUNDLE = [
  'mk() { rm -rf /tmp/$1; mkdir -p /tmp/$1/rootfs/bin /tmp/$1/rootfs/tmp; cp /mnt/host/un/bb/bin/busybox /tmp/$1/rootfs/bin/;',
  '  for a in sh id sleep; do ln -s busybox /tmp/$1/rootfs/bin/$a; done; cp /mnt/host/un/$1.json /tmp/$1/config.json;',
  '  /mnt/host/un/bb/bin/busybox chown -R $2 /tmp/$1/rootfs; }',
].join('\n');

describe.skipIf(skip)(guestSuite('runc with a user namespace in the guest'), () => {
  beforeAll(async () => {
    await extractDeb(await fetchDeb('test', 'busybox-static'), join(share, 'bb'));
    const probe = `${show('/proc/self/uid_map')}; ${show('/proc/self/gid_map')}; id -u; echo $$; : > /tmp/made;
      while read dev at type rest; do [ "$at $type" = "/sys sysfs" ] && echo sysfs; done < /proc/self/mounts; exit 3`;
    writeFileSync(join(share, 'u1.json'), config(['sh', '-c', probe], true));
    writeFileSync(join(share, 'u2.json'), config(['sleep', '300'], true));
    writeFileSync(join(share, 'plain.json'), config(['sh', '-c', `${show('/proc/self/uid_map')}; id -u`], false));
  });
  const g = useGuest({ shares: { un: share } });

  it('runs as root inside, mapped to the configured host ids, and returns the exit code', async () => {
    const r = await g.vm.exec(`${MAKE_BUNDLE}\nmk u1 100000:200000 && cd /tmp/u1 && runc run userns-1`, { timeoutMs: 120_000 });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(3);
    expect(r.stdout.trim().split('\n')).toEqual(['0 100000 65536', '0 200000 65536', '0', '1', 'sysfs']);
    // the file the container's root made is the mapped host ids' on the host
    expect(await sh(g.vm, "stat -c '%u %g' /tmp/u1/rootfs/tmp/made")).toBe('100000 200000\n');
  }, 180_000);

  it('exec joins the user namespace; delete removes the container', async () => {
    await sh(g.vm, `${MAKE_BUNDLE}\nmk u2 100000:200000 && cd /tmp/u2 && runc run -d userns-2 </dev/null >/dev/null 2>&1`, { timeoutMs: 120_000 });
    expect(await sh(g.vm, `runc exec userns-2 sh -c '${show('/proc/self/uid_map')}; id -u'`)).toBe('0 100000 65536\n0\n');
    await sh(g.vm, 'runc delete -f userns-2');
    expect(await sh(g.vm, 'runc list -q')).not.toContain('userns-2');
  }, 180_000);

  it('leaves a container without a user namespace in the host\'s', async () => {
    const out = await sh(g.vm, `${MAKE_BUNDLE}\nmk plain 0:0 && cd /tmp/plain && runc run plain-1`, { timeoutMs: 120_000 });
    expect(out).toBe('0 0 4294967295\n0\n');
  }, 180_000);
});
