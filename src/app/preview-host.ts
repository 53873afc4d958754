// The page's side of the port preview: the service worker (public/sw.js) posts each request under
// <app>/preview/<port>/ to the playground's windows; the one whose VM is running answers through
// the gateway (src/vm/http/preview.ts), which owns the cookie jars. A window without a running VM
// says it did not handle the request, so the service worker asks another or shows why it cannot.
import { PreviewGateway, previewErrorPage, type PreviewRequest, type PreviewResponse } from '../vm/http/preview.ts';
import type { VmApi } from '../vm/types.ts';

interface PreviewMessage extends PreviewRequest {
  type: 'preview-request';
}

export type PreviewAnswer = { handled: false } | { handled: true; response: PreviewResponse };

/** Answers the service worker's preview requests with the VM that vm() returns; returns a stop function. */
export function servePreviews(vm: () => VmApi | null): () => void {
  if (!('serviceWorker' in navigator)) return () => undefined;
  let gateway: PreviewGateway | null = null;
  let gatewayVm: VmApi | null = null;
  const onMessage = (e: MessageEvent) => {
    const data = e.data as PreviewMessage | undefined;
    const reply = e.ports[0];
    if (data?.type !== 'preview-request' || !reply) return;
    const current = vm();
    const running = current && (current.status() === 'ready' || current.status() === 'busy');
    if (!current || !running) {
      reply.postMessage({ handled: false } satisfies PreviewAnswer);
      return;
    }
    // A new VM (a restart) starts with empty cookie jars, as a new browser profile would.
    if (gatewayVm !== current) {
      gatewayVm = current;
      gateway = new PreviewGateway((port, request) => current.http(port, request));
    }
    void (gateway as PreviewGateway)
      .handle(data)
      // The gateway turns the guest's failures into pages; anything else still gets an answer, never a hang.
      .catch((e: unknown) => previewErrorPage(500, 'The preview failed', String(e instanceof Error ? e.message : e).replace(/[<&]/g, ' ')))
      .then((response) => {
        const answer: PreviewAnswer = { handled: true, response };
        reply.postMessage(answer, [response.body.buffer]);
      });
  };
  navigator.serviceWorker.addEventListener('message', onMessage);
  // Messages from the service worker wait in a queue until this is called (or onmessage is set).
  navigator.serviceWorker.startMessages();
  return () => navigator.serviceWorker.removeEventListener('message', onMessage);
}

/** The URL a port's preview opens at, under this page's base. */
export function previewUrl(port: number, path = '/'): string {
  return new URL(`preview/${port}${path.startsWith('/') ? path : '/' + path}`, document.baseURI).href;
}
