// The heavy part of the VM worker, v86's JavaScript and the driver core: worker.ts imports it only
// after it has started the downloads and the compile of v86.wasm, which then overlap its loading.
export { V86 } from 'v86';
export { VmCore } from './core.ts';
export { forTraffic, tunedForWorker } from './worker-v86.ts';
