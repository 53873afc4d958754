// Registers the offline service worker (public/sw.js) in production builds. On a first visit the
// page is not yet controlled by it, so the VM's downloads would bypass its cache: wait until it
// takes control (it caches only the small app shell before that), but never more than a few
// seconds, so a slow or broken service worker cannot hold the playground up.
const MAX_WAIT_MS = 4_000;

export async function registerOffline(): Promise<void> {
  if (!('serviceWorker' in navigator) || !import.meta.env.PROD) return;
  const sw = navigator.serviceWorker;
  try {
    const reg = await sw.register(new URL('sw.js', document.baseURI));
    const track = (w: ServiceWorker | null) =>
      w?.addEventListener('statechange', () => {
        if (w.state === 'redundant') console.warn('the offline service worker failed to install (no offline use this time)');
      });
    track(reg.installing);
    reg.addEventListener('updatefound', () => track(reg.installing));
  } catch (e) {
    console.warn('service worker not registered (no offline use):', e);
    return;
  }
  if (sw.controller) return;
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
