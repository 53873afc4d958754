// The offline service worker (public/sw.js): registered in every build, not under the dev server
// (its modules change under it). The gate is import.meta.hot, not import.meta.env.PROD: Vite
// derives PROD from an inherited NODE_ENV, so a build started with NODE_ENV=test (as vitest sets
// it) had PROD false and silently never registered.
//
// On a first visit the page is not controlled yet, so the VM's downloads would bypass the service
// worker's cache: the VM waits until it takes control, which is quick because its install caches
// only the page (and never longer than a few seconds, so a slow or broken service worker cannot
// hold the playground up). Later visits are controlled from the start and wait for nothing.
// Once the lesson is ready, cacheForOffline() has it fetch the rest of the app.
const MAX_WAIT_MS = 4_000;

const supported = () => 'serviceWorker' in navigator && !import.meta.hot;

export async function registerOffline(): Promise<void> {
  if (!supported()) return;
  const sw = navigator.serviceWorker;
  const registered = sw.register(new URL('sw.js', document.baseURI)).then(
    (reg) => {
      const track = (w: ServiceWorker | null) =>
        w?.addEventListener('statechange', () => {
          if (w.state === 'redundant') console.warn('the offline service worker failed to install (no offline use this time)');
        });
      track(reg.installing);
      reg.addEventListener('updatefound', () => track(reg.installing));
      return true;
    },
    (e: unknown) => {
      console.warn('service worker not registered (no offline use):', e);
      return false;
    },
  );
  // Controlled already (a later visit): the registration (an update check) runs on its own.
  if (sw.controller) return;
  if (!(await registered) || sw.controller) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      sw.removeEventListener('controllerchange', done);
      resolve();
    };
    const timer = setTimeout(done, MAX_WAIT_MS);
    sw.addEventListener('controllerchange', done);
  });
}

/** What the service worker answers to "precache" (see public/sw.js). */
export interface PrecacheResult {
  version: string;
  files: number;
  fetched: number;
  /** "url: reason" for each file that could not be cached; empty when the app works offline. */
  failed: string[];
}

/**
 * Asks the service worker to cache every file the playground needs offline that it does not hold
 * yet; resolves with its answer, or null without a service worker.
 */
export async function cacheForOffline(): Promise<PrecacheResult | null> {
  if (!supported()) return null;
  const reg = await navigator.serviceWorker.getRegistration(document.baseURI);
  const target = navigator.serviceWorker.controller ?? reg?.active ?? null;
  if (!target) return null;
  const channel = new MessageChannel();
  const answer = new Promise<PrecacheResult>((resolve) => {
    channel.port1.onmessage = (e: MessageEvent<PrecacheResult>) => {
      channel.port1.close();
      resolve(e.data);
    };
  });
  target.postMessage({ type: 'precache' }, [channel.port2]);
  return answer;
}
