// Offline service worker. The build (vite.config.ts) fills in BUILD: a version and the app shell
// (index.html and the bundles the page and its workers load), which are cached at install. The
// guest's files are cached as they are fetched: the boot set (snapshot, BIOS, 9p index) on the
// first visit, the registry's files when the guest first reads them. The guest reads those in
// byte ranges; each range is cached under its own key, so exactly what was read works offline.
// A new build has a new version: its install caches the new shell, activate drops old caches.
const BUILD = /* build */ { version: 'dev', shell: [] };
const CACHE = `whalebone-${BUILD.version}`;

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      // One by one and tolerant: a chunk that fails now is cached when the page first loads it.
      const failed = [];
      await Promise.all(
        ['./', ...BUILD.shell].map(async (url) => {
          try {
            const res = await fetch(url);
            if (!res.ok) throw new Error(`HTTP ${res.status}`);
            await cache.put(url, res);
          } catch (e) {
            failed.push(`${url}: ${e}`);
          }
        }),
      );
      if (failed.length) console.warn(`[sw] not cached at install: ${failed.join(', ')}`);
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('whalebone-') && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

/** Pages: the network first, so a new build is picked up; the cached shell when offline. */
async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  try {
    const res = await fetch(request);
    if (res.ok) await cache.put(request, res.clone());
    return res;
  } catch (err) {
    const hit = (await cache.match(request, { ignoreSearch: true })) ?? (await cache.match('./'));
    if (hit) return hit;
    throw err;
  }
}

/** Everything else: the cache first (bundles are content-hashed; guest files change with the build version). */
async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(request);
  if (hit) return hit;
  const res = await fetch(request);
  if (res.ok && res.status === 200) await cache.put(request, res.clone());
  return res;
}

/** A byte range of a guest file: cached as a whole answer under a key that names the range. */
async function rangeCached(request) {
  const range = request.headers.get('range');
  const key = new URL(request.url);
  key.searchParams.set('whalebone-range', range.replace(/^bytes=/, ''));
  const cache = await caches.open(CACHE);
  const hit = await cache.match(key.href);
  if (hit) {
    const body = await hit.arrayBuffer();
    return new Response(body, {
      status: 206,
      headers: {
        'Content-Range': hit.headers.get('x-content-range') ?? '',
        'Content-Length': String(body.byteLength),
        'Content-Type': hit.headers.get('content-type') ?? 'application/octet-stream',
      },
    });
  }
  const res = await fetch(request);
  if (res.status === 206) {
    const body = await res.clone().arrayBuffer();
    const headers = { 'x-content-range': res.headers.get('content-range') ?? '', 'Content-Type': res.headers.get('content-type') ?? 'application/octet-stream' };
    // The Cache API stores no 206 answers: keep the bytes as a 200 under the range's own key.
    await cache.put(key.href, new Response(body, { status: 200, headers }));
  }
  return res;
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) return;
  if (request.headers.has('range')) event.respondWith(rangeCached(request));
  else event.respondWith(request.mode === 'navigate' ? networkFirst(request) : cacheFirst(request));
});
