// Entry: refuse clearly on browsers that cannot run the emulator, register the offline service
// worker, then mount the app.
import { mount } from 'svelte';
import App from './App.svelte';
import './global.css';
import { unsupportedReason } from './logic.ts';

const target = document.getElementById('app')!;
const why = unsupportedReason({
  webAssembly: typeof WebAssembly === 'object' && typeof WebAssembly.instantiate === 'function',
  worker: typeof Worker === 'function',
  deviceMemoryGiB: (navigator as Navigator & { deviceMemory?: number }).deviceMemory,
});

if (why) {
  target.innerHTML = '';
  const p = document.createElement('p');
  p.className = 'unsupported';
  p.setAttribute('role', 'alert');
  p.textContent = why;
  target.append(p);
} else {
  if ('serviceWorker' in navigator && import.meta.env.PROD)
    void navigator.serviceWorker.register(new URL('sw.js', document.baseURI)).catch((e) => console.warn('service worker not registered:', e));
  target.replaceChildren();
  mount(App, { target });
}
