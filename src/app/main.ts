// Entry: refuse clearly on browsers that cannot run the emulator, register the offline service
// worker, start the VM at once, then load and mount the UI. The UI (Svelte, xterm, the lessons)
// is a separate chunk imported afterwards, so the VM's downloads and restore overlap with its
// loading instead of waiting for it.
import { mount } from 'svelte';
import './global.css';
import { unsupportedReason } from './logic.ts';
import { VmSession } from './vm-session.svelte.ts';
import { registerOffline } from './offline.ts';
import { servePreviews } from './preview-host.ts';
import { parseRoute } from './stores/route.ts';
import lessonMemory, { snapshotMeta, startKeys } from 'virtual:whalebone-lesson-memory';

const target = document.getElementById('app')!;

/** Whether the browser can reserve the memory the emulator needs (a real allocation, freed at once). */
function canReserve(mib: number): boolean {
  try {
    new WebAssembly.Memory({ initial: (mib * 1024 * 1024) / 65536 });
    return true;
  } catch {
    return false;
  }
}

const hasWasm = typeof WebAssembly === 'object' && typeof WebAssembly.instantiate === 'function';
const why = unsupportedReason({
  webAssembly: hasWasm,
  worker: typeof Worker === 'function',
  deviceMemoryGiB: (navigator as Navigator & { deviceMemory?: number }).deviceMemory,
  canReserveGuestMemory: hasWasm ? canReserve(320) : true,
});

if (why) {
  const p = document.createElement('p');
  p.className = 'unsupported';
  p.setAttribute('role', 'alert');
  p.dataset.testid = 'unsupported';
  p.textContent = why;
  target.replaceChildren(p);
} else {
  const session = new VmSession(snapshotMeta);
  // A link to a lesson with a set-up boots from its starting state, and one to a lesson that needs
  // a bigger guest boots one, at once: not the boot snapshot's guest first and then, once the
  // lesson is known, a second restore or boot.
  const route = parseRoute(location.hash);
  const memoryMiB = route.page === 'lesson' ? (lessonMemory[route.slug] ?? null) : null;
  const startKey = route.page === 'lesson' ? startKeys[route.slug] : undefined;
  // On a first visit the VM's downloads wait (briefly) for the service worker, so they are cached.
  void session.start(registerOffline(), memoryMiB, route.page === 'lesson' && startKey ? { slug: route.slug, key: startKey } : null);
  // The port preview's requests (service worker -> this page -> the VM worker -> the guest).
  servePreviews(() => session.vm);
  (globalThis as { whalebone?: unknown }).whalebone = { session };
  import('./App.svelte')
    // The chunk's evaluation and the mount would share one task (the import resolves in a microtask): a task each.
    .then((m) => new Promise<typeof m>((resolve) => setTimeout(() => resolve(m), 0)))
    .then(({ default: App }) => {
      target.replaceChildren();
      mount(App, { target, props: { session } });
    })
    .catch((e: unknown) => {
      const p = document.createElement('p');
      p.setAttribute('role', 'alert');
      p.textContent = `The playground failed to load (${e instanceof Error ? e.message : e}). Check your connection and reload.`;
      target.replaceChildren(p);
    });
}
