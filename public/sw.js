// Offline service worker. The build (vite.config.ts) fills in BUILD: a version, the app shell
// (every bundle the page and its workers may load) and the guest's boot set (snapshot, BIOS, 9p
// index). Install caches only the page itself, so the worker activates and controls the page
// within moments of a first visit: the VM's downloads then pass through it and are cached as they
// happen, instead of the page waiting for a large install. Once the lesson is ready the page asks
// for the rest ("precache"), which fetches whatever is still missing (mostly revalidations of what
// the HTTP cache already holds) and answers when the playground can run offline.
// The guest reads registry files in byte ranges; each range is cached under its own key, so
// exactly what was read works offline. A new build has a new version: activate drops old caches.
const BUILD = /* build */ { version: 'dev', shell: [], critical: [], boot: [] };
const CACHE = `whalebone-${BUILD.version}`;
/** Bundles fetched with a few requests at a time: the page runs the emulator meanwhile. */
const PRECACHE_PARALLEL = 4;

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      // Tolerant: a page that fails now is cached by the next navigation or the precache.
      await fetchToCache(cache, './').stored.catch((e) => console.warn(`[sw] the page was not cached at install: ${e}`));
      // The scripts every visit runs (a few, from the HTTP cache): Chromium compiles scripts cached
      // during install at once and keeps the code, so the first returning visit starts them faster.
      await cache.addAll(BUILD.critical).catch((e) => console.warn(`[sw] the app's scripts were not cached at install: ${e}`));
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

/** Whole-file downloads being stored, by URL: the precache waits for them instead of fetching twice. */
const inflight = new Map();

/**
 * Fetches request (a Request or URL) and stores a 200 answer while the caller reads it:
 * { response, stored }, where stored settles once the cache holds the file (or rejects why not).
 */
function fetchToCache(cache, request) {
  const key = new URL(typeof request === 'string' ? request : request.url, self.location.href).href;
  const response = fetch(request);
  // Registered before the caller gets the answer, so the copy is taken before its body is read.
  const stored = response.then((res) => (res.status === 200 ? cache.put(key, res.clone()) : Promise.reject(new Error(`HTTP ${res.status}`))));
  inflight.set(key, stored);
  stored.then(
    () => inflight.delete(key),
    () => inflight.delete(key),
  );
  return { response, stored };
}

/** Pages: the network first, so a new build is picked up; the cached page when offline. */
async function networkFirst(event) {
  const { request } = event;
  const cache = await caches.open(CACHE);
  try {
    const res = await fetch(request);
    // stored meanwhile: the page need not wait for the cache write
    if (res.ok) event.waitUntil(cache.put(request, res.clone()).catch(() => undefined));
    return res;
  } catch (err) {
    const hit = (await cache.match(request, { ignoreSearch: true })) ?? (await cache.match('./'));
    if (hit) return hit;
    throw err;
  }
}

/**
 * Everything else: the cache first (bundles are content-hashed; guest files change with the build
 * version). A miss is answered as it downloads and stored meanwhile.
 */
async function cacheFirst(event) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(event.request);
  if (hit) return hit;
  // The precache is fetching it right now: wait for that copy rather than download it twice.
  const pending = inflight.get(new URL(event.request.url).href);
  if (pending) {
    const stored = await pending.then(() => cache.match(event.request)).catch(() => undefined);
    if (stored) return stored;
  }
  const { response, stored } = fetchToCache(cache, event.request);
  event.waitUntil(stored.catch(() => undefined));
  return response;
}

/** A 206 answer carrying body as the bytes that contentRange names. */
function partial(body, contentRange, type) {
  return new Response(body, {
    status: 206,
    headers: { 'Content-Range': contentRange, 'Content-Length': String(body.byteLength), 'Content-Type': type ?? 'application/octet-stream' },
  });
}

/** The asked-for range of a file the precache holds whole (the guest's tools), or null. */
async function sliceOfWhole(cache, request, range) {
  const whole = await cache.match(request.url);
  const m = whole && /^bytes=(\d+)-(\d*)$/.exec(range);
  if (!m) return null;
  const all = await whole.arrayBuffer();
  const start = Number(m[1]);
  const end = Math.min(m[2] ? Number(m[2]) : all.byteLength - 1, all.byteLength - 1);
  if (start > end) return null;
  return partial(all.slice(start, end + 1), `bytes ${start}-${end}/${all.byteLength}`, whole.headers.get('content-type'));
}

/**
 * A byte range of a guest file: cached as a whole answer under a key that names the range, or cut
 * from a file cached whole (offline too), or fetched and kept.
 */
async function rangeCached(request) {
  const range = request.headers.get('range');
  const key = new URL(request.url);
  key.searchParams.set('whalebone-range', range.replace(/^bytes=/, ''));
  const cache = await caches.open(CACHE);
  const hit = await cache.match(key.href);
  if (hit) return partial(await hit.arrayBuffer(), hit.headers.get('x-content-range') ?? '', hit.headers.get('content-type'));
  const sliced = await sliceOfWhole(cache, request, range);
  if (sliced) return sliced;
  const res = await fetch(request);
  if (res.status === 206) {
    const body = await res.clone().arrayBuffer();
    const headers = { 'x-content-range': res.headers.get('content-range') ?? '', 'Content-Type': res.headers.get('content-type') ?? 'application/octet-stream' };
    // The Cache API stores no 206 answers: keep the bytes as a 200 under the range's own key.
    await cache.put(key.href, new Response(body, { status: 200, headers }));
  }
  return res;
}

/**
 * Caches every file of the shell and the boot set that is not cached yet. Answers
 * { version, files, fetched, failed: ["url: reason"] }: the playground works offline when failed is empty.
 */
async function precache() {
  const cache = await caches.open(CACHE);
  const urls = [...new Set(['./', ...BUILD.shell, ...BUILD.boot])];
  const failed = [];
  let fetched = 0;
  let next = 0;
  const lane = async () => {
    while (next < urls.length) {
      const url = urls[next++];
      const key = new URL(url, self.location.href).href;
      try {
        // A download the page started is awaited; if it failed, this one tries again.
        await inflight.get(key)?.catch(() => undefined);
        if (await cache.match(key)) continue;
        await fetchToCache(cache, key).stored;
        fetched++;
      } catch (e) {
        failed.push(`${url}: ${e instanceof Error ? e.message : e}`);
      }
    }
  };
  await Promise.all(Array.from({ length: PRECACHE_PARALLEL }, lane));
  if (failed.length) console.warn(`[sw] not cached for offline use: ${failed.join(', ')}`);
  return { version: BUILD.version, files: urls.length, fetched, failed };
}

self.addEventListener('message', (event) => {
  if (event.data?.type !== 'precache') return;
  const port = event.ports[0];
  event.waitUntil(
    precache().then(
      (r) => port?.postMessage(r),
      (e) => port?.postMessage({ version: BUILD.version, files: 0, fetched: 0, failed: [`precache: ${e}`] }),
    ),
  );
});

// ---- The port preview: <scope>preview/<port>/<path> is the guest's port <port>. ----
// There is no server: each request goes to the page that runs the VM (src/app/preview-host.ts),
// whose gateway (src/vm/http/preview.ts) sends it over v86's network and answers. So it works
// offline and from any static host. Root-absolute links in a guest's page ("/style.css") are
// caught by their referrer and kept under the prefix.
const SCOPE_PATH = new URL(self.registration.scope).pathname;
const PREVIEW_ROOT = `${SCOPE_PATH}preview/`;
/** Longer than the page's own limits (the client gives up after 30 s of silence): the page answers first. */
const PREVIEW_ANSWER_MS = 120_000;

/** { port, path } for a URL under the preview root, or for one a preview page asked for; else null. */
function previewTarget(request) {
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return null;
  const m = /^(\d{1,5})(\/.*)?$/.exec(url.pathname.startsWith(PREVIEW_ROOT) ? url.pathname.slice(PREVIEW_ROOT.length) : '');
  if (m) return { port: Number(m[1]), path: (m[2] ?? '') + url.search, bare: m[2] === undefined };
  // A guest page's root-absolute URL: its referrer is under the prefix, the URL is not.
  let ref = null;
  try {
    ref = request.referrer ? new URL(request.referrer) : null;
  } catch {}
  const r = ref && ref.origin === self.location.origin && ref.pathname.startsWith(PREVIEW_ROOT) ? /^(\d{1,5})\//.exec(ref.pathname.slice(PREVIEW_ROOT.length)) : null;
  if (r && !url.pathname.startsWith(PREVIEW_ROOT)) return { port: Number(r[1]), path: url.pathname + url.search, escaped: true };
  return null;
}

function previewPage(status, title, detail) {
  const html = `<!doctype html><meta charset="utf-8"><title>${title}</title><body style="font:16px/1.5 system-ui,sans-serif;margin:2rem"><h1>${title}</h1><p>${detail}</p>`;
  return new Response(html, { status, headers: { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' } });
}

/** Asks one window for an answer: { handled: false } when it runs no VM. */
function askWindow(client, message) {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    const timer = setTimeout(() => resolve({ handled: false, timedOut: true }), PREVIEW_ANSWER_MS);
    channel.port1.onmessage = (e) => {
      clearTimeout(timer);
      resolve(e.data);
    };
    client.postMessage(message, [channel.port2]);
  });
}

async function preview(event, target) {
  const { request } = event;
  const prefix = `${PREVIEW_ROOT}${target.port}/`;
  if (target.port < 1 || target.port > 65535) return previewPage(404, `No such port: ${target.port}`, 'Ports are 1 to 65535.');
  // "preview/8080" without its slash: relative links would resolve outside the prefix.
  if (target.bare) return Response.redirect(new URL(prefix + new URL(request.url).search, self.location.href).href, 302);
  // A navigation to a root-absolute guest link: move it under the prefix, so its own links resolve there.
  if (target.escaped && request.mode === 'navigate') return Response.redirect(new URL(prefix + target.path.slice(1), self.location.href).href, 302);
  const body = request.method === 'GET' || request.method === 'HEAD' ? undefined : new Uint8Array(await request.arrayBuffer());
  const message = { type: 'preview-request', port: target.port, method: request.method, path: target.path, headers: [...request.headers], body, prefix };
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  // The playground's pages, not preview tabs (those run no VM).
  const hosts = windows.filter((c) => !new URL(c.url).pathname.startsWith(PREVIEW_ROOT));
  for (const host of hosts) {
    const answer = await askWindow(host, message);
    if (!answer.handled) continue;
    const r = answer.response;
    const headers = new Headers();
    for (const [k, v] of r.headers) {
      try {
        headers.append(k, v);
      } catch {} // a header the Fetch API refuses (Set-Cookie is filtered, not refused)
    }
    const nobody = request.method === 'HEAD' || r.status === 204 || r.status === 304 || (r.status >= 100 && r.status < 200);
    try {
      return new Response(nobody ? null : r.body, { status: r.status, statusText: r.statusText, headers });
    } catch (e) {
      return previewPage(502, `Port ${target.port} in the guest sent an answer the browser cannot show`, String(e));
    }
  }
  return previewPage(
    503,
    'The playground is not running',
    `The preview of port ${target.port} goes through the playground's page, which runs the guest. Open the playground (or wait for it to finish starting) and reload.`,
  );
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  const target = previewTarget(request);
  if (target) {
    event.respondWith(preview(event, target));
    return;
  }
  if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) return;
  if (request.headers.has('range')) event.respondWith(rangeCached(request));
  else event.respondWith(request.mode === 'navigate' ? networkFirst(event) : cacheFirst(event));
});
