import { describe, expect, it } from 'vitest';
import { FolderHolder } from '../../../src/guest/agent/hold.ts';
import { FakeSyscalls } from '../../../src/guest/sys/fake.ts';

describe('FolderHolder', () => {
  it('waits for the folder, then holds each of its files open once', () => {
    const sys = new FakeSyscalls();
    const h = new FolderHolder(sys, '/mnt/host/tools');
    expect(h.hold()).toBe(0);
    expect(sys.callsOf('open')).toEqual([]);
    sys.addDir('/mnt/host/tools/lib/i386-linux-gnu');
    sys.addFile('/mnt/host/tools/bin/ip', 'elf');
    sys.addFile('/mnt/host/tools/lib/i386-linux-gnu/libc.so.6', 'elf');
    sys.symlink('libc.so.6', '/mnt/host/tools/lib/i386-linux-gnu/libc.so');
    expect(h.hold()).toBe(2);
    expect(sys.callsOf('open').map((c) => c[0]).sort()).toEqual(['/mnt/host/tools/bin/ip', '/mnt/host/tools/lib/i386-linux-gnu/libc.so.6']);
    expect(h.hold()).toBe(2);
    expect(sys.callsOf('open')).toHaveLength(2);
  });
});
