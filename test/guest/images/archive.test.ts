// docker save / docker load on the fake: the archive has Docker's members (manifest.json,
// repositories, index.json, oci-layout, blobs) with digests that verify, and loading it into an
// empty store gives back the same image ID, tags and files (whiteouts included); a tampered layer
// and a foreign tar are refused without leaving anything behind.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FakeSyscalls } from '../../../src/guest/sys/fake.ts';
import { S_IFCHR, S_IFMT } from '../../../src/guest/sys/constants.ts';
import { ImageStore } from '../../../src/guest/images/store.ts';
import { parseRef } from '../../../src/guest/images/reference.ts';
import { ArchiveError, ImageLoader, saveImages } from '../../../src/guest/images/archive.ts';
import { TarReader } from '../../../src/guest/util/tar.ts';
import { tarHeader, tarPadding } from '../../../src/guest/util/layertar.ts';

const ROOT = '/var/lib/docker';
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const text = (b: Uint8Array) => new TextDecoder().decode(b);

function storeWithImage() {
  const sys = new FakeSyscalls();
  sys.addDir(ROOT);
  const store = new ImageStore(sys, ROOT);
  sys.addFile('/up1/bin/ls', 'ls', 0o755);
  sys.addFile('/up1/etc/motd', 'welcome');
  const base = store.registerImage({ parent: null, layers: [store.commitLayer('/up1')], config: { Cmd: ['sh'] }, history: [{ created_by: 'ADD' }], tags: [parseRef('base:1')] });
  sys.addFile('/up2/hello', 'hi\n');
  sys.addDir('/up2/bin');
  sys.mknod('/up2/bin/ls', S_IFCHR, 0);
  const img = store.registerImage({ parent: base, layers: [store.commitLayer('/up2')], config: { Cmd: ['cat', '/hello'] }, history: [{ created_by: 'sh' }], tags: [parseRef('img:1')] });
  return { sys, store, base, img };
}

function save(sys: FakeSyscalls, store: ImageStore, items: Parameters<typeof saveImages>[3]): Uint8Array {
  const parts: Uint8Array[] = [];
  saveImages(sys, store, null, items, (c) => parts.push(c.slice()));
  return Buffer.concat(parts);
}

function members(tar: Uint8Array): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  const r = new TarReader((e) => {
    const chunks: Uint8Array[] = [];
    out.set(e.path, new Uint8Array(0));
    return { data: (c) => chunks.push(c.slice()), end: () => out.set(e.path, Buffer.concat(chunks)) };
  });
  r.push(tar);
  r.end();
  return out;
}

function freshStore() {
  const sys = new FakeSyscalls();
  sys.addDir(ROOT);
  return { sys, store: new ImageStore(sys, ROOT) };
}

describe('docker save archive', () => {
  it("writes Docker's members, with blobs named by their digests", () => {
    const { sys, store, img } = storeWithImage();
    const tar = save(sys, store, [{ image: img, tags: ['img:1'] }]);
    const m = members(tar);
    const names = [...m.keys()];
    expect(names.slice(0, 2)).toEqual(['blobs/', 'blobs/sha256/']);
    expect(names.slice(-4)).toEqual(['index.json', 'manifest.json', 'oci-layout', 'repositories']);
    for (const n of names.filter((x) => /^blobs\/sha256\/[0-9a-f]{64}$/.test(x))) expect(sha(m.get(n)!)).toBe(n.slice(-64));
    const manifest = JSON.parse(text(m.get('manifest.json')!)) as { Config: string; RepoTags: string[]; Layers: string[] }[];
    expect(manifest).toHaveLength(1);
    expect(manifest[0]!.Config).toBe(`blobs/sha256/${img.id.slice(7)}`);
    expect(manifest[0]!.RepoTags).toEqual(['img:1']);
    expect(manifest[0]!.Layers).toHaveLength(2);
    const index = JSON.parse(text(m.get('index.json')!)) as { manifests: { digest: string; annotations: Record<string, string> }[] };
    expect(index.manifests[0]!.annotations).toEqual({ 'io.containerd.image.name': 'docker.io/library/img:1', 'org.opencontainers.image.ref.name': '1' });
    const oci = JSON.parse(text(m.get(`blobs/sha256/${index.manifests[0]!.digest.slice(7)}`)!)) as { config: { digest: string }; layers: { mediaType: string }[] };
    expect(oci.config.digest).toBe(img.id);
    expect(oci.layers.map((l) => l.mediaType)).toEqual(['application/vnd.oci.image.layer.v1.tar+gzip', 'application/vnd.oci.image.layer.v1.tar+gzip']);
    expect(JSON.parse(text(m.get('repositories')!))).toEqual({ img: { '1': manifest[0]!.Layers[1]!.slice(-64) } });
  });
});

describe('docker load', () => {
  it('restores the image, its tags and its files in an empty store', () => {
    const { sys, store, img } = storeWithImage();
    const tar = save(sys, store, [{ image: img, tags: ['img:1'] }]);
    const dst = freshStore();
    const loader = new ImageLoader(dst.sys, dst.store);
    for (let i = 0; i < tar.length; i += 1000) loader.push(tar.subarray(i, i + 1000));
    const r = loader.finish();
    expect(r.lines).toEqual(['Loaded image: img:1']);
    expect(r.ids).toEqual([img.id]);
    const got = dst.store.find('img:1', parseRef('img:1'));
    expect(got.id).toBe(img.id);
    const [top, bottom] = dst.store.lowerDirs(got);
    expect(text(dst.sys.readFile(`${top}/hello`))).toBe('hi\n');
    expect(dst.sys.lstat(`${top}/bin/ls`).mode & S_IFMT).toBe(S_IFCHR);
    expect(text(dst.sys.readFile(`${bottom}/etc/motd`))).toBe('welcome');
    expect(dst.sys.readdir(`${ROOT}/tmp`)).toEqual([]);
    // loading it again changes nothing; an untagged save prints the ID
    const again = new ImageLoader(dst.sys, dst.store);
    again.push(save(sys, store, [{ image: img, tags: [] }]));
    expect(again.finish().lines).toEqual([`Loaded image ID: ${img.id}`]);
  });

  it('says when a loaded tag takes the name from another image', () => {
    const { sys, store, base, img } = storeWithImage();
    const dst = freshStore();
    let l = new ImageLoader(dst.sys, dst.store);
    l.push(save(sys, store, [{ image: base, tags: ['app:1'] }]));
    l.finish();
    l = new ImageLoader(dst.sys, dst.store);
    l.push(save(sys, store, [{ image: img, tags: ['app:1'] }]));
    expect(l.finish().lines).toEqual([`The image app:1 already exists, renaming the old one with ID ${base.id} to empty string`, 'Loaded image: app:1']);
  });

  it('refuses a layer whose content does not match the config, and a tar without manifest.json', () => {
    const { sys, store, img } = storeWithImage();
    const m = members(save(sys, store, [{ image: img, tags: ['img:1'] }]));
    const manifest = JSON.parse(text(m.get('manifest.json')!)) as { Layers: string[] }[];
    // swap the two layers' contents: each is a valid gzip tar, neither is what the config says
    const [a, b] = manifest[0]!.Layers as [string, string];
    const swapped = new Map(m);
    swapped.set(a, m.get(b)!);
    swapped.set(b, m.get(a)!);
    const parts: Uint8Array[] = [];
    for (const [name, data] of swapped) {
      if (name.endsWith('/')) continue;
      parts.push(tarHeader(name, data.length), data, tarPadding(data.length));
    }
    parts.push(new Uint8Array(1024));
    const dst = freshStore();
    const l = new ImageLoader(dst.sys, dst.store);
    l.push(Buffer.concat(parts));
    expect(() => l.finish()).toThrow(/invalid diffID for layer 0/);
    expect(dst.store.ids()).toEqual([]);
    expect(dst.sys.readdir(`${ROOT}/tmp`)).toEqual([]);

    const junk = new ImageLoader(dst.sys, dst.store);
    const data = new TextEncoder().encode('not an image');
    junk.push(Buffer.concat([tarHeader('notes.txt', data.length), data, tarPadding(data.length), new Uint8Array(1024)]));
    expect(() => junk.finish()).toThrow(ArchiveError);
  });
});
