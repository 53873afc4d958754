// docker network and docker events against our dockerd on this host (in a network namespace of
// its own), with the official Docker client: its requests and its reading of our answers and of
// the event stream. (Under qemu-user there is no NETLINK_NETFILTER: published ports are tested
// in the guest, test/guest/net-e2e.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerdSkipReason, startDockerd, type NativeDockerd } from '../helpers/native-dockerd.ts';

const skip = dockerdSkipReason();

describe.skipIf(skip !== null)(`docker network and events natively${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let d: NativeDockerd;
  beforeAll(async () => {
    d = await startDockerd('wb-net-', { ownNetns: true });
  });
  afterAll(() => d?.stop());

  it.each([true, false])('creates, lists, inspects and removes networks, with Docker\'s errors (official client: %s)', (official) => {
    const dk = (args: string[]) => d.docker(args, official);
    const since = (Date.now() / 1000).toFixed(3);
    const made = dk(['network', 'create', '--subnet', '10.77.0.0/24', '--label', 'team=a', 'app']);
    expect(made).toMatchObject({ code: 0, stdout: expect.stringMatching(/^[0-9a-f]{64}\n$/) });
    expect(dk(['network', 'create', 'app'])).toMatchObject({ code: 1, stderr: 'Error response from daemon: network with name app already exists\n' });
    expect(dk(['network', 'create', '--subnet', '10.77.0.0/16', 'clash'])).toMatchObject({ code: 1, stderr: 'Error response from daemon: invalid pool request: Pool overlaps with other one on this address space\n' });
    expect(dk(['network', 'create', '--subnet', '10.78.0.1/24', 'bits']).stderr).toBe('Error response from daemon: invalid network config:\ninvalid subnet 10.78.0.1/24: it should be 10.78.0.0/24\n');
    expect(dk(['network', 'ls', '--filter', 'label=team=a', '--format', '{{.Name}} {{.Driver}}']).stdout).toBe('app bridge\n');
    expect(dk(['network', 'inspect', 'app', '--format', '{{json .IPAM.Config}}']).stdout).toBe('[{"Subnet":"10.77.0.0/24","Gateway":"10.77.0.1"}]\n');
    const run = dk(['run', '--rm', '--network', 'nope', 'busybox', 'true']);
    expect(run.code).toBe(125);
    expect(run.stderr).toContain('Error response from daemon: network nope not found');
    // (the official client adds a line "exit status 1" of its own)
    expect(dk(['network', 'rm', 'bridge'])).toMatchObject({ code: 1, stderr: expect.stringMatching(/^Error response from daemon: bridge is a pre-defined network and cannot be removed\n/) });
    expect(dk(['network', 'rm', 'app'])).toMatchObject({ code: 0, stdout: 'app\n' });
    const until = (Date.now() / 1000 + 0.5).toFixed(3);
    const ev = dk(['events', '--since', since, '--until', until, '--filter', 'type=network', '--format', '{{.Type}} {{.Action}} {{.Actor.Attributes.name}}']);
    expect(ev).toMatchObject({ code: 0, stdout: 'network create app\nnetwork destroy app\n' });
  });

  it('streams container events as the official client reads them', () => {
    const since = (Date.now() / 1000).toFixed(3);
    expect(d.docker(['run', '--rm', '--name', 'evt', 'busybox', 'true']).code).toBe(0);
    const until = (Date.now() / 1000 + 0.5).toFixed(3);
    const ev = d.docker(['events', '--since', since, '--until', until, '--filter', 'container=evt'], true);
    expect(ev.code).toBe(0);
    const actions = ev.stdout.split('\n').filter(Boolean).map((l) => l.split(' ').slice(1, 3).join(' '));
    expect(actions).toEqual(['container create', 'container attach', 'container start', 'container die', 'container destroy'].filter((a) => actions.includes(a)));
    expect(actions).toEqual(expect.arrayContaining(['container create', 'container start', 'container die', 'container destroy']));
    expect(ev.stdout).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}[Z+-][^ ]* container create [0-9a-f]{64} \(image=busybox, name=evt\)$/m);
  });
});
