// bench:app's inspector figures (issue #15), on a page whose lesson is ready:
//   - the round trip of a command typed in the terminal (`echo` of a sum, so the tty's echo of
//     the typing cannot match), with the inspector closed and open, alternating;
//   - the guest's time per inspector refresh, as the panel reports it;
//   - `docker run -d` (issued at t0 through the control channel) -> the container's button in the
//     inspector, beside the time `docker run -d` itself took with the panel open and closed.
import type { Page } from 'playwright-core';
import { exec } from './bench-net-browser.ts';
import { sleep } from './sleep.ts';

export interface InspectorFigures {
  typedClosedMs: number[];
  typedOpenMs: number[];
  refreshGuestMs: number[];
  dockerRunMs: number[];
  /** `docker run -d` with the panel closed: the baseline for dockerRunMs. */
  dockerRunClosedMs: number[];
  runToViewMs: number[];
}

interface Exec {
  exitCode: number;
  stdout: string;
  stderr: string;
}
type Session = { exec(c: string, o?: object): Promise<Exec>; vm: { sendTerminal(s: string): void; onTerminal(l: (d: Uint8Array) => void): () => void } };

/** Types `echo $((n+1))`-style input into the guest's terminal and times until its answer shows. */
async function typedRoundTrip(page: Page, n: number): Promise<number> {
  return page.evaluate(async (k) => {
    const vm = (globalThis as unknown as { whalebone: { session: Session } }).whalebone.session.vm;
    const want = `rt-${k + 1}-done`;
    let seen = '';
    const t0 = performance.now();
    const ms = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${want} in the terminal within 30 s`)), 30_000);
      const stop = vm.onTerminal((d) => {
        seen = (seen + new TextDecoder().decode(d)).slice(-4096);
        if (!seen.includes(want)) return;
        clearTimeout(timer);
        stop();
        resolve(performance.now() - t0);
      });
      vm.sendTerminal(`echo rt-$((${k}+1))-done\n`);
    });
    return ms;
  }, n);
}

async function setInspector(page: Page, open: boolean): Promise<void> {
  const now = (await page.getByTestId('inspector').count()) > 0;
  if (now !== open) await page.getByTestId('inspector-toggle').click();
  if (open) {
    // a first snapshot has arrived: the panel is refreshing
    await page.getByTestId('inspector-meta').filter({ hasText: /guest [\d.]+ ms/ }).waitFor({ timeout: 60_000 });
  } else {
    await page.getByTestId('inspector').waitFor({ state: 'detached', timeout: 10_000 });
  }
}

export async function inspectorFigures(page: Page, samples: number, tag: string): Promise<InspectorFigures> {
  const f: InspectorFigures = { typedClosedMs: [], typedOpenMs: [], refreshGuestMs: [], dockerRunMs: [], dockerRunClosedMs: [], runToViewMs: [] };
  // the image is in the guest's store before anything is timed (a lazy pull, once)
  await exec(page, 'docker pull -q busybox >/dev/null');
  for (let i = 0; i < samples; i++) {
    await setInspector(page, false);
    await sleep(500);
    f.typedClosedMs.push(await typedRoundTrip(page, i * 2));
    await setInspector(page, true);
    await sleep(1500); // a refresh or two under way, as when a learner types with the panel open
    f.typedOpenMs.push(await typedRoundTrip(page, i * 2 + 1));
    const meta = await page.getByTestId('inspector-meta').innerText();
    const guest = /guest ([\d.]+) ms/.exec(meta)?.[1];
    if (guest) f.refreshGuestMs.push(Number(guest));
  }
  await setInspector(page, false);
  for (let i = 0; i < samples; i++) {
    const ms = await page.evaluate(async (n) => {
      const s = (globalThis as unknown as { whalebone: { session: Session } }).whalebone.session;
      const t0 = performance.now();
      const x = await s.exec(`docker run -d --name ${n} busybox sleep 600`, { timeoutMs: 120_000 });
      if (x.exitCode !== 0) throw new Error(`docker run -d exited ${x.exitCode}: ${x.stderr}`);
      return performance.now() - t0;
    }, `bench-${tag}-closed-${i}`);
    f.dockerRunClosedMs.push(ms);
  }
  await setInspector(page, true);
  for (let i = 0; i < samples; i++) {
    const name = `bench-${tag}-${i}`;
    const r = await page.evaluate(async (n) => {
      const s = (globalThis as unknown as { whalebone: { session: Session } }).whalebone.session;
      const t0 = performance.now();
      const run = s.exec(`docker run -d --name ${n} busybox sleep 600`, { timeoutMs: 120_000 }).then((x) => {
        if (x.exitCode !== 0) throw new Error(`docker run -d exited ${x.exitCode}: ${x.stderr}`);
        return performance.now() - t0;
      });
      // (no named inner functions: tsx would wrap them in a helper the page does not have)
      const seen = (async () => {
        while (performance.now() - t0 < 60_000) {
          if (document.querySelector(`[data-testid="container-${n}"]`)) return performance.now() - t0;
          await new Promise((r) => setTimeout(r, 20));
        }
        throw new Error(`container ${n} not in the inspector within 60 s`);
      })();
      const [runMs, seenMs] = await Promise.all([run, seen]);
      return { runMs, seenMs };
    }, name);
    f.dockerRunMs.push(r.runMs);
    f.runToViewMs.push(r.seenMs);
  }
  await exec(page, `docker rm -f $(docker ps -aq --filter name=bench-${tag}-) >/dev/null`);
  await setInspector(page, false);
  return f;
}
