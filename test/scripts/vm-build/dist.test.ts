// Checks of the built guest images (vm-images/dist, made by `npm run build:vm`).
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { repoRoot } from '../../../scripts/lib/cache.ts';
import { describeDropped, droppedOptions, parseKconfig } from '../../../scripts/vm-build/kconfig.ts';
import { readCpio, writeCpio } from '../../../scripts/vm-build/cpio.ts';
import { skipOutsideCi } from '../../helpers/ci.ts';
import type { V86FsEntry, V86FsIndex } from '../../../src/vm/v86-types.ts';

const dist = join(repoRoot, 'vm-images', 'dist');
const built = existsSync(join(dist, 'bzImage')) && existsSync(join(dist, 'initramfs.cpio.gz'));

// The options moby's contrib/check-config.sh calls "generally necessary" (kernel 6.1, cgroup v2),
// but CPUSETS: it needs SMP, and the guest's one CPU runs a uniprocessor kernel (vm-images/kernel.config).
const MOBY_NECESSARY = [
  'NAMESPACES', 'NET_NS', 'PID_NS', 'IPC_NS', 'UTS_NS', 'CGROUPS', 'CGROUP_CPUACCT', 'CGROUP_DEVICE',
  'CGROUP_FREEZER', 'CGROUP_SCHED', 'MEMCG', 'KEYS', 'VETH', 'BRIDGE', 'BRIDGE_NETFILTER',
  'IP_NF_FILTER', 'IP_NF_MANGLE', 'IP_NF_TARGET_MASQUERADE', 'IP6_NF_FILTER', 'IP6_NF_MANGLE',
  'IP6_NF_TARGET_MASQUERADE', 'NETFILTER_XT_MATCH_ADDRTYPE', 'NETFILTER_XT_MATCH_CONNTRACK',
  'NETFILTER_XT_MATCH_IPVS', 'NETFILTER_XT_MARK', 'IP_NF_RAW', 'IP_NF_NAT', 'NF_NAT', 'IP6_NF_RAW',
  'IP6_NF_NAT', 'POSIX_MQUEUE', 'CGROUP_BPF',
];

describe('cpio reader', () => {
  it('reads back what the writer wrote', () => {
    const data = new TextEncoder().encode('hello');
    const list = readCpio(writeCpio([
      { path: '.', type: 'dir', mode: 0o755 },
      { path: 'a', type: 'file', mode: 0o640, data },
      { path: 'dev/null', type: 'char', mode: 0o666, major: 1, minor: 3 },
    ]));
    expect(list.map((e) => [e.path, e.mode.toString(8), e.size])).toEqual([['.', '40755', 0], ['a', '100640', 5], ['dev/null', '20666', 0]]);
    expect(new TextDecoder().decode(list[1]?.data)).toBe('hello');
    expect([list[2]?.rdevMajor, list[2]?.rdevMinor]).toEqual([1, 3]);
  });
});

describe.skipIf(skipOutsideCi(built ? null : 'vm-images/dist is not built', 'the built guest images test') !== null)('built guest images (skipped until npm run build:vm has run)', () => {
  it('kernel config kept every option of the fragment and builds nothing as a module', () => {
    const fragment = parseKconfig(readFileSync(join(repoRoot, 'vm-images', 'kernel.config'), 'utf8'));
    const final = parseKconfig(readFileSync(join(dist, 'kernel.config'), 'utf8'));
    expect(droppedOptions(fragment, final).map(describeDropped)).toEqual([]);
    expect([...final].filter(([, v]) => v === 'm')).toEqual([]);
  });

  it("kernel has every option moby's check-config calls generally necessary", () => {
    const final = parseKconfig(readFileSync(join(dist, 'kernel.config'), 'utf8'));
    expect(MOBY_NECESSARY.filter((o) => final.get(`CONFIG_${o}`) !== 'y')).toEqual([]);
  });

  it('bzImage is a bzImage within the 3 MiB budget', () => {
    const img = readFileSync(join(dist, 'bzImage'));
    expect(img.subarray(0x202, 0x206).toString('latin1')).toBe('HdrS');
    expect(statSync(join(dist, 'bzImage')).size).toBeLessThanOrEqual(3 * 1024 * 1024);
  });

  it('initramfs has an executable /init, a 0755 root, devices, a static busybox and links to the tools folder', () => {
    const entries = new Map(readCpio(gunzipSync(readFileSync(join(dist, 'initramfs.cpio.gz')))).map((e) => [e.path, e]));
    expect(entries.get('.')?.mode).toBe(0o40755);
    expect((entries.get('init')?.mode ?? 0) & 0o111).not.toBe(0);
    expect(entries.get('dev/console')?.mode).toBe(0o20600);
    const target = (p: string) => new TextDecoder().decode(entries.get(p)?.data);
    expect(target('bin/sh')).toBe('/bin/busybox');
    expect(target('sbin/ip')).toBe('/bin/ip');
    // nothing in RAM needs a program interpreter: glibc and what needs it live on the share
    const dynamic = [...entries.values()].filter((e) => (e.mode & 0o170000) === 0o100000 && e.data && hasInterpreter(e.data)).map((e) => e.path);
    expect(dynamic).toEqual([]);
    expect(entries.get('bin/busybox')?.size).toBeGreaterThan(100_000);
    for (const real of ['bin/ip', 'sbin/bridge', 'usr/bin/unshare', 'usr/bin/nsenter', 'usr/bin/lsns', 'lib/i386-linux-gnu/libc.so.6']) {
      expect(target(real), real).toBe(`/mnt/host/tools/${real}`);
      expect(statSync(join(dist, 'tools', real)).isFile(), real).toBe(true);
    }
  });

  it("the tools folder's index lists its files as root's, and the initramfs names its hash", () => {
    const index = readFileSync(join(dist, 'tools.fs.json'));
    const entries = new Map(readCpio(gunzipSync(readFileSync(join(dist, 'initramfs.cpio.gz')))).map((e) => [e.path, e]));
    expect(new TextDecoder().decode(entries.get('etc/whalebone/tools.sha256')?.data).trim()).toBe(createHash('sha256').update(index).digest('hex'));
    const owners = new Set<string>();
    const walk = (list: V86FsEntry[]): void => {
      for (const [, , , , uid, gid, t] of list) {
        owners.add(`${uid}:${gid}`);
        if (Array.isArray(t)) walk(t);
      }
    };
    walk((JSON.parse(index.toString('utf8')) as V86FsIndex).fsroot);
    expect([...owners]).toEqual(['0:0']);
  });
});

/** Whether an ELF file has a PT_INTERP program header (is dynamically linked). */
function hasInterpreter(data: Uint8Array): boolean {
  const b = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (b.length < 52 || b.toString('latin1', 0, 4) !== '\x7fELF') return false;
  const is64 = b[4] === 2;
  const phoff = is64 ? Number(b.readBigUInt64LE(0x20)) : b.readUInt32LE(0x1c);
  const phentsize = b.readUInt16LE(is64 ? 0x36 : 0x2a);
  const phnum = b.readUInt16LE(is64 ? 0x38 : 0x2c);
  for (let i = 0; i < phnum; i++) if (b.readUInt32LE(phoff + i * phentsize) === 3) return true;
  return false;
}
