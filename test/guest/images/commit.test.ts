// Committing layers and registering images, on the fake: the blob's tar (the JavaScript reference
// writer's) carries Docker's whiteouts, the copy made in the same pass becomes the overlay lower
// dir, IDs are the sha256 of the config bytes, parents are recorded, and a layer known only by its
// blob is unpacked (whiteouts and opaque marks back in overlayfs form).
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { FakeSyscalls } from '../../../src/guest/sys/fake.ts';
import { S_IFCHR, S_IFMT } from '../../../src/guest/sys/constants.ts';
import { commitLayer } from '../../../src/guest/images/commit.ts';
import { ImageStore } from '../../../src/guest/images/store.ts';
import { parseRef } from '../../../src/guest/images/reference.ts';
import { TarReader, type TarEntry } from '../../../src/guest/util/tar.ts';

const ROOT = '/var/lib/docker';
const sha = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

function tarEntries(blob: Uint8Array): TarEntry[] {
  const out: TarEntry[] = [];
  const r = new TarReader((e) => {
    out.push(e);
    return null;
  });
  r.push(gunzipSync(blob));
  r.end();
  return out;
}

function setup() {
  const sys = new FakeSyscalls();
  sys.addDir(ROOT);
  const store = new ImageStore(sys, ROOT);
  sys.addFile('/up1/bin/sh', '#!fake shell', 0o755);
  sys.addFile('/up1/bin/ls', 'ls', 0o755);
  sys.addFile('/up1/etc/motd', 'welcome');
  sys.addDir('/up1/var/cache/old');
  sys.addFile('/up1/var/cache/old/x', 'stale');
  const l1 = store.commitLayer('/up1');
  const base = store.registerImage({
    parent: null, layers: [l1], config: { Cmd: ['sh'], Env: ['PATH=/bin'] },
    history: [{ created: '2026-01-01T00:00:00Z', created_by: 'ADD rootfs /' }], tags: [parseRef('base:1')],
  });
  return { sys, store, l1, base };
}

describe('commitLayer', () => {
  it('writes the blob under its digest and returns digests that describe its bytes', () => {
    const sys = new FakeSyscalls();
    sys.addFile('/up/hello', 'hi\n');
    sys.mknod('/up/gone', S_IFCHR, 0);
    const l = commitLayer(sys, '/up', '/blobs');
    const blob = sys.readFile(`/blobs/${l.digest.slice(7)}`);
    expect(l.digest).toBe(sha(blob));
    expect(l.diffId).toBe(sha(gunzipSync(blob)));
    expect(l.size).toBe(blob.length);
    expect(l.diffSize).toBe(gunzipSync(blob).length);
    expect(l.contentSize).toBe(3);
    expect(tarEntries(blob).map((e) => e.path)).toEqual(['.wh.gone', 'hello']);
    // the same tree again: the same blob, nothing left over
    const again = commitLayer(sys, '/up', '/blobs');
    expect(again.digest).toBe(l.digest);
    expect(sys.readdir('/blobs').map((e) => e.name)).toEqual([l.digest.slice(7)]);
  });

  it('reports a missing upper dir and leaves no temp file', () => {
    const sys = new FakeSyscalls();
    expect(() => commitLayer(sys, '/nope', '/blobs')).toThrow(/ENOENT/);
    expect(sys.readdir('/blobs')).toEqual([]);
  });
});

describe('ImageStore.registerImage', () => {
  it('registers a FROM-scratch image whose ID is the sha256 of its config', () => {
    const { sys, store, l1, base } = setup();
    const bytes = sys.readFile(`${ROOT}/image/overlay2/imagedb/content/sha256/${base.id.slice(7)}`);
    expect(base.id).toBe(sha(bytes));
    expect(base.repoTags).toEqual(['base:1']);
    expect(base.config.rootfs.diff_ids).toEqual([l1.diffId]);
    expect(base.config.config?.Cmd).toEqual(['sh']);
    expect(base.config.architecture).toBe('386');
    expect(base.size).toBe(l1.contentSize);
    // the lower dir is the copy made during the commit: the staging folder moved into overlay2/
    const [lower] = store.lowerDirs(base);
    expect(lower).toMatch(new RegExp(`^${ROOT}/overlay2/[0-9a-f]{64}/diff$`));
    expect(new TextDecoder().decode(sys.readFile(`${lower}/etc/motd`))).toBe('welcome');
    expect(sys.readdir(`${ROOT}/overlay2`).filter((e) => e.name.endsWith('.tmp'))).toEqual([]);
    expect(store.parentOf(base.id)).toBeNull();
  });

  it('commits whiteouts and opaque dirs on top of a parent, and records the parent', () => {
    const { sys, store, l1, base } = setup();
    sys.addFile('/up2/hello', 'hi\n');
    sys.addDir('/up2/bin');
    sys.mknod('/up2/bin/ls', S_IFCHR, 0);
    sys.addDir('/up2/var/cache');
    sys.lsetxattr('/up2/var/cache', 'trusted.overlay.opaque', 'y');
    sys.addFile('/up2/var/cache/new', 'n');
    const l2 = store.commitLayer('/up2');
    const img = store.registerImage({
      parent: base, layers: [l2], config: { ...base.config.config, Cmd: ['cat', '/hello'] },
      history: [{ created_by: '/bin/sh -c echo hi > /hello', comment: 'test' }], tags: [parseRef('img:1')], author: 'me',
    });
    expect(img.config.rootfs.diff_ids).toEqual([l1.diffId, l2.diffId]);
    expect(img.chain).toHaveLength(2);
    expect(img.config.history?.map((h) => h.created_by)).toEqual(['ADD rootfs /', '/bin/sh -c echo hi > /hello']);
    expect(img.config.author).toBe('me');
    expect(store.parentOf(img.id)).toBe(base.id);
    expect(store.childrenOf(base.id)).toEqual([img.id]);

    const blob = sys.readFile(`${store.blobsDir}/${l2.digest.slice(7)}`);
    const names = tarEntries(blob).map((e) => e.path);
    expect(names).toContain('bin/.wh.ls');
    expect(names).toContain('var/cache/.wh..wh..opq');
    expect(store.layerBlobs(l2.diffId)).toEqual([{ Digest: l2.digest, SourceRepository: '' }]);

    const [top] = store.lowerDirs(img);
    const wh = sys.lstat(`${top}/bin/ls`);
    expect(wh.mode & S_IFMT).toBe(S_IFCHR);
    expect(wh.rdev).toBe(0);
    expect(sys.lgetxattr(`${top}/var/cache`, 'trusted.overlay.opaque')).toEqual(new TextEncoder().encode('y'));
  });

  it('unpacks a layer known only by its blob, and drops the staging copy of a layer it has', () => {
    const { sys, store, base } = setup();
    sys.addDir('/up2/var/cache');
    sys.lsetxattr('/up2/var/cache', 'trusted.overlay.opaque', 'y');
    sys.mknod('/up2/gone', S_IFCHR, 0);
    const l2 = store.commitLayer('/up2');
    const img = store.registerImage({ parent: base, layers: [l2], config: {}, history: [] });
    // forget the image and its unpacked layer, keep the blob (as docker load finds it)
    const blob = sys.readFile(`${store.blobsDir}/${l2.digest.slice(7)}`);
    store.deleteImage(img.id);
    sys.addDir(store.blobsDir);
    sys.writeFile(`${store.blobsDir}/${l2.digest.slice(7)}`, blob);
    const again = store.registerImage({ parent: base, layers: [{ digest: l2.digest, diffId: l2.diffId }], config: {}, history: [] });
    const [top] = store.lowerDirs(again);
    expect(sys.lstat(`${top}/gone`).mode & S_IFMT).toBe(S_IFCHR);
    expect(sys.lgetxattr(`${top}/var/cache`, 'trusted.overlay.opaque')).not.toBeNull();

    // committing the same tree again finds the layer: its staging copy goes away
    const dup = store.commitLayer('/up2');
    store.registerImage({ parent: base, layers: [dup], config: { Cmd: ['x'] }, history: [] });
    expect(sys.lstatOrNull(dup.dir!)).toBeNull();
    expect(sys.readdir(`${ROOT}/overlay2`).filter((e) => e.name.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses a blob whose content does not match its diff_id', () => {
    const { sys, store, base } = setup();
    sys.addFile('/up2/a', 'a');
    const l2 = commitLayer(sys, '/up2', store.blobsDir);
    const wrong = `sha256:${'0'.repeat(64)}`;
    expect(() => store.registerImage({ parent: base, layers: [{ digest: l2.digest, diffId: wrong }], config: {}, history: [] })).toThrow(
      /expected sha256:0000/,
    );
    expect(store.hasLayer(wrong)).toBe(false);
  });

  it('deletes the blobs of layers no image uses any more', () => {
    const { sys, store, base } = setup();
    sys.addFile('/up2/a', 'a');
    const l2 = store.commitLayer('/up2');
    const img = store.registerImage({ parent: base, layers: [l2], config: {}, history: [] });
    store.deleteImage(img.id);
    expect(sys.lstatOrNull(`${store.blobsDir}/${l2.digest.slice(7)}`)).toBeNull();
    expect(store.get(base.id).id).toBe(base.id);
  });
});
