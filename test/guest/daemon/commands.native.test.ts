// docker top, stats --no-stream, history, system df, restart policies and start -a -i on this
// host, with our CLI and the official one against our dockerd.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerdSkipReason, startDockerd, type NativeDockerd } from '../helpers/native-dockerd.ts';

const skip = dockerdSkipReason();
let d: NativeDockerd;
const docker = (args: string[], official = false, input = '') => d.docker(args, official, input);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(skip !== null)(`container commands natively${skip ? ` (skipped: ${skip})` : ''}`, () => {
  beforeAll(async () => {
    d = await startDockerd('wb-commands-');
    expect(docker(['pull', '-q', 'busybox']).code).toBe(0);
  });
  afterAll(() => d?.stop());

  it('top lists the container\'s processes in ps -ef columns', () => {
    docker(['run', '-d', '--name', 'web', 'busybox', 'sleep', '300']);
    for (const official of [false, true]) {
      const r = docker(['top', 'web'], official);
      expect(r.code).toBe(0);
      const lines = r.stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^UID {17}PID {17}PPID {16}C {19}STIME {15}TTY {17}TIME {16}CMD$/);
      expect(lines).toHaveLength(2);
      expect(lines[1]).toMatch(/^root +\d+ +\d+ +\d+ +\d\d:\d\d +\? +00:00:0\d +.*sleep 300$/);
    }
    expect(docker(['top', 'nope'])).toMatchObject({ code: 1, stderr: 'Error response from daemon: No such container: nope\n' });
  });

  it('stats --no-stream prints one reading in Docker\'s columns', () => {
    for (const official of [false, true]) {
      const r = docker(['stats', '--no-stream', 'web'], official);
      expect(r.code).toBe(0);
      const lines = r.stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^CONTAINER ID +NAME +CPU % +MEM USAGE \/ LIMIT +MEM % +NET I\/O +BLOCK I\/O +PIDS$/);
      expect(lines[1]).toMatch(/^[0-9a-f]{12} +web +\d+\.\d\d% +[\d.]+[KMG]?i?B \/ [\d.]+[KMGT]i?B +\d+\.\d\d% +[\d.]+k?B \/ [\d.]+k?B +[\d.]+[kM]?B \/ [\d.]+[kM]?B +1$/);
    }
  });

  it('history shows the image\'s layers; system df the disk use', () => {
    const ours = docker(['history', 'busybox']);
    const theirs = docker(['history', 'busybox'], true);
    expect(ours.stdout.split('\n')[0]).toMatch(/^IMAGE +CREATED +CREATED BY +SIZE +COMMENT$/);
    expect(ours.stdout).toMatch(/\n[0-9a-f]{12} {3}\S.* ago {3}/);
    expect(ours.stdout).toContain('<missing>');
    expect(ours.stdout).toBe(theirs.stdout);
    for (const official of [false, true]) {
      const df = docker(['system', 'df'], official);
      expect(df.stdout).toMatch(/^TYPE {12}TOTAL {5}ACTIVE {4}SIZE {6}RECLAIMABLE\nImages {10}1 {9}1 {9}\S+ +0B \(0%\)\nContainers {6}1 {9}1 {9}\S+ +\S+\nLocal Volumes   0 {9}0 {9}0B {8}0B\nBuild Cache {5}0 {9}0 {9}0B {8}0B\n$/);
    }
    docker(['rm', '-f', 'web']);
  });

  it('restarts containers by their policy, and not after docker stop', async () => {
    docker(['run', '-d', '--name', 'onf', '--restart', 'on-failure:2', 'busybox', 'sh', '-c', 'exit 3']);
    docker(['run', '-d', '--name', 'alw', '--restart', 'always', 'busybox', 'sleep', '1']);
    docker(['run', '-d', '--name', 'nop', 'busybox', 'sh', '-c', 'exit 1']);
    await sleep(5000);
    const state = (n: string) => docker(['inspect', '-f', '{{.RestartCount}} {{.State.Status}} {{.State.ExitCode}}', n], true).stdout.trim();
    expect(state('onf')).toBe('2 exited 3');
    expect(state('nop')).toBe('0 exited 1');
    expect(Number(state('alw').split(' ')[0])).toBeGreaterThanOrEqual(1);
    expect(docker(['stop', 'alw']).code).toBe(0);
    await sleep(2500);
    expect(state('alw')).toMatch(/^\d+ exited /);
    expect(docker(['run', '--rm', '--restart', 'always', 'busybox', 'true'])).toMatchObject({ code: 125, stderr: expect.stringContaining('Conflicting options: --restart and --rm') });
    expect(docker(['run', '-d', '--restart', 'sometimes', 'busybox', 'true']).stderr).toContain("invalid restart policy: unknown policy 'sometimes'");
  });

  it('starts always containers again when the daemon starts', async () => {
    docker(['rm', '-f', 'alw']);
    docker(['run', '-d', '--name', 'back', '--restart', 'always', 'busybox', 'sleep', '300']);
    docker(['run', '-d', '--name', 'gone', '--restart', 'unless-stopped', 'busybox', 'sleep', '300']);
    docker(['stop', '-t', '0', 'gone']);
    const pid = Number(docker(['inspect', '-f', '{{.State.Pid}}', 'back']).stdout.trim());
    expect(pid).toBeGreaterThan(0);
    await d.kill();
    // the container dies while no daemon runs; the new daemon finds the exit and restarts it
    process.kill(pid, 'SIGKILL');
    await d.start();
    const status = (name: string): string => docker(['inspect', '-f', '{{.State.Status}}', name]).stdout.trim();
    for (let i = 0; i < 150 && !(status('back') === 'running' && Number(docker(['inspect', '-f', '{{.State.Pid}}', 'back']).stdout.trim()) !== pid); i++) await sleep(200);
    expect(status('back'), d.log()).toBe('running');
    expect(Number(docker(['inspect', '-f', '{{.State.Pid}}', 'back']).stdout.trim())).not.toBe(pid);
    expect(docker(['inspect', '-f', '{{.State.Status}}', 'gone']).stdout.trim()).toBe('exited');
  });

  it('start -a -i attaches to a created container with its stdin', () => {
    for (const official of [false, true]) {
      const id = docker(['create', '-i', 'busybox', 'sh', '-c', 'read l; echo got $l']).stdout.trim();
      const r = docker(['start', '-a', '-i', id], official, 'through start\n');
      expect(r.stdout).toBe('got through start\n');
      expect(r.code).toBe(0);
      const code = docker(['create', 'busybox', 'sh', '-c', 'echo out; exit 4']).stdout.trim();
      expect(docker(['start', '-a', code], official)).toMatchObject({ code: 4, stdout: 'out\n' });
    }
  });
});
