// A guest's overlay mounts and dockerd's layer store, laid out in a FakeSyscalls tree: one
// container of a lazily pulled image (its layers on the 9p share, read through the image's shared
// view) and one of a local image (layers unpacked under overlay2/<cache-id>/diff).
import { FakeSyscalls } from '../../../src/guest/sys/fake.ts';
import { S_IFCHR } from '../../../src/guest/sys/constants.ts';
import { mkdirp } from '../../../src/guest/util/fsutil.ts';

export const LAZY_CID = '5b1f0c7e9a8d4c3b2a1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b';
export const LOCAL_CID = '9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d';
export const TOP_CHAIN = 'b'.repeat(64);
const D = '/var/lib/docker';

export const LAYERS_MOUNTINFO = [
  '1 1 0:2 / / rw - rootfs rootfs rw',
  '22 1 0:20 / /proc rw,nosuid,nodev,noexec,relatime shared:2 - proc proc rw',
  '25 1 0:23 / /mnt/host rw,relatime shared:5 - 9p host9p rw,cache=none,access=client,msize=512000,trans=virtio',
  // as recorded: the view's mount point by its real path, the container's lowerdir as dockerd wrote it
  `23 12 0:17 / /run/docker/views/${TOP_CHAIN} rw,relatime - overlay overlay ro,lowerdir=/mnt/host/layers/bbb:/mnt/host/layers/aaa`,
  `40 1 0:37 / ${D}/overlay2/${LAZY_CID}/merged rw,relatime shared:16 - overlay overlay rw,lowerdir=/var/run/docker/views/${TOP_CHAIN},upperdir=${D}/overlay2/${LAZY_CID}/diff,workdir=${D}/overlay2/${LAZY_CID}/work`,
  `47 1 0:39 / ${D}/overlay2/${LOCAL_CID}/merged rw,relatime shared:18 - overlay overlay rw,lowerdir=${D}/overlay2/${'f'.repeat(64)}/diff:${D}/overlay2/${'c'.repeat(64)}/diff,upperdir=${D}/overlay2/${LOCAL_CID}/diff,workdir=${D}/overlay2/${LOCAL_CID}/work`,
  '',
].join('\n');

function layer(sys: FakeSyscalls, chain: string, diff: string, size: number, where: { lazy: string } | { cache: string }): void {
  const d = `${D}/image/overlay2/layerdb/sha256/${chain}`;
  mkdirp(sys, d);
  sys.writeFile(`${d}/diff`, `sha256:${diff}`);
  sys.writeFile(`${d}/size`, String(size));
  if ('lazy' in where) sys.writeFile(`${d}/lazy-path`, where.lazy);
  else sys.writeFile(`${d}/cache-id`, where.cache);
}

export function layersFixture(): FakeSyscalls {
  const sys = new FakeSyscalls();
  mkdirp(sys, '/proc/self');
  mkdirp(sys, '/run/docker/views');
  mkdirp(sys, '/var');
  sys.symlink('../run', '/var/run');
  sys.writeFile('/proc/self/mountinfo', LAYERS_MOUNTINFO);
  layer(sys, 'a'.repeat(64), 'd'.repeat(64), 4096, { lazy: '/mnt/host/layers/aaa' });
  layer(sys, TOP_CHAIN, '1'.repeat(64), 100, { lazy: '/mnt/host/layers/bbb' });
  layer(sys, 'e'.repeat(64), '2'.repeat(64), 5000, { cache: 'c'.repeat(64) });
  layer(sys, '3'.repeat(64), '4'.repeat(64), 20, { cache: 'f'.repeat(64) });
  mkdirp(sys, '/mnt/host/layers/aaa/bin');
  sys.writeFile('/mnt/host/layers/aaa/bin/busybox', 'x'.repeat(4000));
  sys.symlink('busybox', '/mnt/host/layers/aaa/bin/sh');
  sys.writeFile('/mnt/host/layers/aaa/x', '');
  mkdirp(sys, '/mnt/host/layers/bbb');
  sys.writeFile('/mnt/host/layers/bbb/etc-note', 'y');
  for (const c of ['c', 'f']) mkdirp(sys, `${D}/overlay2/${c.repeat(64)}/diff`);
  sys.writeFile(`${D}/overlay2/${'c'.repeat(64)}/diff/base`, 'z');
  sys.writeFile(`${D}/overlay2/${'f'.repeat(64)}/diff/app`, 'z');
  for (const id of [LAZY_CID, LOCAL_CID]) for (const p of ['diff', 'work', 'merged']) mkdirp(sys, `${D}/overlay2/${id}/${p}`);
  const up = `${D}/overlay2/${LOCAL_CID}/diff`;
  sys.writeFile(`${up}/made-here`, 'hi\n');
  mkdirp(sys, `${up}/etc`);
  sys.lsetxattr(`${up}/etc`, 'trusted.overlay.opaque', 'y');
  sys.writeFile(`${up}/etc/passwd`, 'root:x:0:0');
  mkdirp(sys, `${up}/tmp`);
  sys.mknod(`${up}/tmp/gone`, S_IFCHR, 0);
  return sys;
}
