// download() as the VM worker uses it, against real Responses (Node has fetch's Response):
// progress in downloaded bytes with the right total, and failures that name the asset.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { download, urlAssets, type AssetProgress } from '../../src/vm/browser-assets.ts';
import { stateBytes } from '../../src/vm/state-restore.ts';

/** A fetch that answers with body in chunks of chunkSize (as a network would), with headers. */
function fetchOf(body: Uint8Array, headers: Record<string, string> = {}, chunkSize = 64 * 1024, status = 200): typeof fetch {
  return (async () => {
    let at = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        if (at >= body.length) return c.close();
        c.enqueue(body.slice(at, at + chunkSize));
        at += chunkSize;
      },
    });
    return new Response(stream, { status, headers });
  }) as typeof fetch;
}

const body = Uint8Array.from({ length: 1_000_000 }, (_, i) => (i * 7919) & 255);
const same = (a: ArrayBuffer, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

describe('download', () => {
  it('returns the whole body and reports progress against Content-Length', async () => {
    const seen: AssetProgress[] = [];
    const buf = await download('the boot snapshot', '/vm/state.bin.zst', {
      onProgress: (p) => seen.push(p),
      fetchFn: fetchOf(body, { 'content-length': String(body.length) }, 4096),
    });
    expect(same(buf, body)).toBe(true);
    expect(seen[0]).toMatchObject({ asset: 'the boot snapshot', loaded: 0, total: body.length });
    expect(seen.length).toBeGreaterThan(2);
    expect(seen.at(-1)).toMatchObject({ loaded: body.length, total: body.length });
  });

  it('takes the total from expectedBytes when the server compressed the body, read as it goes', async () => {
    let known = 0;
    const seen: AssetProgress[] = [];
    const fetchFn = fetchOf(body, { 'content-encoding': 'gzip', 'content-length': '1234' }, 256 * 1024);
    const p = download('the boot snapshot', '/vm/state.bin.zst', { onProgress: (x) => seen.push(x), expectedBytes: () => known, fetchFn });
    known = body.length; // the metadata arrived while the download ran
    expect(same(await p, body)).toBe(true);
    expect(seen.at(-1)).toMatchObject({ loaded: body.length, total: body.length });
    expect(seen.every((x) => x.total !== 1234)).toBe(true);
  });

  it('names the asset when the server fails or the body breaks off', async () => {
    await expect(download('the BIOS', '/vm/bios.bin', { fetchFn: fetchOf(body, {}, 1024, 503) })).rejects.toThrow(
      'Downloading the BIOS (/vm/bios.bin) failed: HTTP 503',
    );
    const breaking = (async () =>
      new Response(
        new ReadableStream<Uint8Array>({
          start(c) {
            c.enqueue(body.slice(0, 1000));
          },
          pull(c) {
            c.error(new Error('connection reset'));
          },
        }),
      )) as typeof fetch;
    await expect(download('the boot snapshot', '/vm/state.bin.zst', { onProgress: () => undefined, fetchFn: breaking })).rejects.toThrow(
      /^Downloading the boot snapshot \(\/vm\/state\.bin\.zst\) failed: the download broke off after 1000 bytes \(connection reset\)/,
    );
  });
});

describe('urlAssets: the boot snapshot', () => {
  afterEach(() => vi.unstubAllGlobals());

  /** A server with a snapshot for 256 MiB; counts the requests for each path. */
  function serve(): Map<string, number> {
    const hits = new Map<string, number>();
    vi.stubGlobal('fetch', async (url: string) => {
      const path = new URL(url, 'http://app.test/').pathname;
      hits.set(path, (hits.get(path) ?? 0) + 1);
      if (path === '/vm/state.json') return Response.json({ inputs: 'x', memoryMiB: 256, v86: 'x', rawBytes: 9, compressedBytes: body.length, createdAt: 'x' });
      if (path === '/vm/state.bin.zst') return new Response(body.slice());
      if (path === '/vm/lesson-08-volumes.json') return Response.json({ slug: '08-volumes', key: 'k8', memoryMiB: 256, bootInputs: 'x', v86: 'x', rawBytes: 9, compressedBytes: 3, createdAt: 'x' });
      if (path === '/vm/lesson-08-volumes.bin.zst') return new Response(new Uint8Array([1, 2, 3]));
      return new Response('', { status: 404 });
    });
    return hits;
  }

  it('is downloaded once for the boot (the prefetch is what the boot gets), and not kept: a second restore reads it again', async () => {
    const hits = serve();
    const assets = urlAssets({ distUrl: 'http://app.test/vm/', wasmUrl: 'http://app.test/v86.wasm', cmdline: '' });
    assets.prefetch();
    const first = await assets.snapshot(256);
    expect(hits.get('/vm/state.bin.zst')).toBe(1);
    expect('state' in first && same(stateBytes(first.state), body)).toBe(true);
    // Reset: the tab kept no copy, so the file is requested again (the cache answers it in the app).
    const second = await assets.snapshot(256);
    expect(hits.get('/vm/state.bin.zst')).toBe(2);
    expect('state' in second && same(stateBytes(second.state), body)).toBe(true);
    // each caller owns its buffer (v86 may detach it)
    expect('state' in first && 'state' in second && first.state !== second.state).toBe(true);
  });

  it('with the metadata built into the app, asks for no state.json before handing out the snapshot', async () => {
    const hits = serve();
    const built = { inputs: 'x', memoryMiB: 256, v86: 'x', rawBytes: 9, compressedBytes: body.length, createdAt: 'x' };
    const assets = urlAssets({ distUrl: 'http://app.test/vm/', wasmUrl: 'http://app.test/v86.wasm', cmdline: '', snapshotMeta: built });
    assets.prefetch();
    const snap = await assets.snapshot(256);
    expect('state' in snap && same(stateBytes(snap.state), body)).toBe(true);
    await expect(assets.snapshotMeta()).resolves.toEqual(built);
    expect(hits.get('/vm/state.json')).toBeUndefined();
    // Another size's snapshot has metadata of its own, asked for as before.
    await assets.snapshot(512);
    expect(hits.get('/vm/state-512.json')).toBe(1);
  });

  it('says why there is none for another memory size, without downloading it', async () => {
    const hits = serve();
    const assets = urlAssets({ distUrl: 'http://app.test/vm/', wasmUrl: 'http://app.test/v86.wasm', cmdline: '' });
    await expect(assets.snapshot(512)).resolves.toEqual({ missing: 'the boot snapshot is for 256 MiB, and there is none for 512 MiB' });
    expect(hits.get('/vm/state.bin.zst')).toBeUndefined();
  });

  it("fetches a lesson link's starting state instead of the boot snapshot, when its key matches", async () => {
    const hits = serve();
    const assets = urlAssets({ distUrl: 'http://app.test/vm/', wasmUrl: 'http://app.test/v86.wasm', cmdline: '', lessonState: { slug: '08-volumes', key: 'k8' } });
    assets.prefetch();
    const l = await assets.lessonState?.('08-volumes');
    expect(l?.meta).toMatchObject({ slug: '08-volumes', key: 'k8', memoryMiB: 256 });
    expect([...new Uint8Array(stateBytes((await l?.state()) ?? new ArrayBuffer(0)))]).toEqual([1, 2, 3]);
    expect(hits.get('/vm/lesson-08-volumes.bin.zst')).toBe(1);
    expect(hits.get('/vm/state.bin.zst')).toBeUndefined();
  });

  it('falls back to the boot snapshot for a lesson state made from another version of the lesson', async () => {
    const hits = serve();
    const assets = urlAssets({ distUrl: 'http://app.test/vm/', wasmUrl: 'http://app.test/v86.wasm', cmdline: '', lessonState: { slug: '08-volumes', key: 'edited' } });
    assets.prefetch();
    await expect.poll(() => hits.get('/vm/state.bin.zst')).toBe(1);
    expect(hits.get('/vm/lesson-08-volumes.bin.zst')).toBeUndefined();
  });

  it('has no lesson state for a lesson the build made none for, and says nothing is wrong', async () => {
    serve();
    const assets = urlAssets({ distUrl: 'http://app.test/vm/', wasmUrl: 'http://app.test/v86.wasm', cmdline: '' });
    await expect(assets.lessonState?.('01-virtual-machines')).resolves.toBeNull();
  });
});
