// How build progress is shown: the legacy builder's text, BuildKit-style plain output and the
// terminal screen, from the same events.
import { describe, expect, it } from 'vitest';
import type { BuildEvent } from '../../../../src/guest/build/executor/events.ts';
import { LegacyWriter } from '../../../../src/guest/build/progress/legacy.ts';
import { TraceWriter, type SolveStatus } from '../../../../src/guest/build/progress/trace.ts';
import { ProgressRenderer, contextSize } from '../../../../src/guest/build/progress/render.ts';

const ID = `sha256:${'ab'.repeat(32)}`;
const events: BuildEvent[] = [
  { kind: 'internal', name: '[internal] load build definition from Dockerfile', detail: 'transferring dockerfile: 90B', done: true },
  { kind: 'step', step: { legacyIndex: 1, legacyTotal: 3, text: 'FROM busybox', vertex: '[1/2] FROM docker.io/library/busybox:latest', line: 1 } },
  { kind: 'image', id: `sha256:${'cd'.repeat(32)}` },
  { kind: 'step-done' },
  { kind: 'step', step: { legacyIndex: 2, legacyTotal: 3, text: 'ENV A=1', vertex: null, line: 2 } },
  { kind: 'cached' },
  { kind: 'image', id: `sha256:${'ef'.repeat(32)}` },
  { kind: 'step-done' },
  { kind: 'step', step: { legacyIndex: 3, legacyTotal: 3, text: 'RUN echo hi', vertex: '[2/2] RUN echo hi', line: 3 } },
  { kind: 'container', id: '12'.repeat(32) },
  { kind: 'output', text: 'hi\n' },
  { kind: 'removed', id: '12'.repeat(32) },
  { kind: 'image', id: ID },
  { kind: 'step-done' },
  { kind: 'export', phase: 'start' },
  { kind: 'export', phase: 'layers' },
  { kind: 'export', phase: 'image', detail: ID },
  { kind: 'export', phase: 'naming', detail: 'docker.io/library/x:latest' },
  { kind: 'export', phase: 'done' },
];

function trace(): SolveStatus[] {
  const out: SolveStatus[] = [];
  let t = 1000;
  const w = new TraceWriter((s) => out.push(JSON.parse(JSON.stringify(s)) as SolveStatus), () => (t += 100));
  for (const e of events) w.event(e);
  return out;
}

describe('build progress', () => {
  it('writes the legacy builder\'s text', () => {
    let s = '';
    const w = new LegacyWriter((x) => (s += x));
    for (const e of events) w.event(e);
    w.finished(ID, ['x:latest'], []);
    expect(s).toBe(
      'Step 1/3 : FROM busybox\n ---> cdcdcdcdcdcd\nStep 2/3 : ENV A=1\n ---> Using cache\n ---> efefefefefef\nStep 3/3 : RUN echo hi\n ---> Running in 121212121212\nhi\n' +
        ' ---> Removed intermediate container 121212121212\n ---> abababababab\nSuccessfully built abababababab\nSuccessfully tagged x:latest\n',
    );
  });

  it('prints BuildKit\'s plain progress', () => {
    let s = '';
    let t = 0;
    const r = new ProgressRenderer('plain', (x) => (s += x), () => t);
    for (const st of trace()) {
      t = Math.max(t, ...st.vertexes.map((v) => v.completed ?? v.started ?? 0));
      r.update(st);
    }
    r.finish(null);
    expect(s).toBe([
      '#0 building with "default" instance using docker driver', '',
      '#1 [internal] load build definition from Dockerfile', '#1 transferring dockerfile: 90B done', '#1 DONE 0.1s', '',
      '#2 [1/2] FROM docker.io/library/busybox:latest', '#2 DONE 0.3s', '',
      '#3 [2/2] RUN echo hi', '#3 0.200 hi', '#3 DONE 0.6s', '',
      '#4 exporting to image', '#4 exporting layers 0.1s done', `#4 writing image ${ID} 0.1s done`, '#4 naming to docker.io/library/x:latest 0.1s done', '#4 DONE 0.4s', '', '',
    ].join('\n'));
  });

  it('draws the terminal screen in place and ends with FINISHED', () => {
    let s = '';
    let t = 0;
    const r = new ProgressRenderer('tty', (x) => (s += x), () => (t += 150), 60);
    for (const st of trace()) r.update(st);
    r.finish(null);
    const last = s.slice(s.lastIndexOf('\x1b[') + 0);
    expect(s).toContain('\x1b[');
    const screen = s.split(/\x1b\[\d+A\r/).pop()!.replace(/\x1b\[K/g, '').replace(/\x1b\[J/g, '');
    const lines = screen.split('\n');
    expect(lines[0]).toMatch(/^\[\+\] Building [\d.]+s \(4\/4\) FINISHED +docker:default$/);
    expect(lines[1]).toMatch(/^ => \[internal\] load build definition from Dockerfile +[\d.]+s$/);
    expect(lines[2]).toMatch(/^ => => transferring dockerfile: 90B +[\d.]+s$/);
    expect(lines.some((l) => /^ => \[2\/2\] RUN echo hi +[\d.]+s$/.test(l))).toBe(true);
    expect(lines.every((l) => l.length <= 60)).toBe(true);
    expect(last).toBeTruthy();
  });

  it('sizes the context as the client prints it', () => {
    expect(contextSize(2048)).toBe('2.048kB');
    expect(contextSize(512)).toBe('512B');
    expect(contextSize(1_234_567)).toBe('1.235MB');
  });
});
