// docker commit, save and load in the real guest: a container's change becomes a layer of a new
// image that runs, with the container's command as its default and the commit in its history; the
// image goes out as a save archive and comes back by load after being removed; errors as Docker's.
import { describe, expect, it } from 'vitest';
import { guestSuite, sh, useGuest, vmSkipReason } from '../helpers/vm.ts';

describe.skipIf(vmSkipReason())(guestSuite('docker commit in the guest'), () => {
  const g = useGuest();

  it('commits a container\'s changes to an image that keeps them and its command', async () => {
    await sh(g.vm, 'docker pull -q busybox && docker run --name changed busybox sh -c "echo kept > /note.txt; rm /bin/vi"');
    const id = await sh(g.vm, 'docker commit -m "add a note" -a "Ada <ada@example.org>" changed notes:v1', { timeoutMs: 120_000 });
    expect(id).toMatch(/^sha256:[0-9a-f]{64}\n$/);
    expect(await sh(g.vm, 'docker run --rm notes:v1 cat /note.txt')).toBe('kept\n');
    // the deletion is a whiteout in the new layer
    expect((await g.vm.exec('docker run --rm notes:v1 ls /bin/vi')).exitCode).not.toBe(0);
    expect(await sh(g.vm, "docker image inspect -f '{{.Author}}|{{.Comment}}|{{json .Config.Cmd}}' notes:v1")).toBe('Ada <ada@example.org>|add a note|["sh","-c","echo kept \\u003e /note.txt; rm /bin/vi"]\n'.replace('\\u003e', '>'));
    const hist = await sh(g.vm, 'docker history --no-trunc --format "{{.CreatedBy}}|{{.Comment}}" notes:v1');
    expect(hist.split('\n')[0]).toBe('sh -c echo kept > /note.txt; rm /bin/vi|add a note');
    expect(await sh(g.vm, 'docker image ls --format "{{.Repository}}:{{.Tag}}" notes')).toBe('notes:v1\n');
  }, 180_000);

  it('saves the image to a Docker archive and loads it back after removing it', async () => {
    await sh(g.vm, 'docker save -o /root/notes.tar notes:v1', { timeoutMs: 120_000 });
    const members = await sh(g.vm, 'tar -tf /root/notes.tar');
    for (const m of ['manifest.json', 'index.json', 'oci-layout', 'repositories']) expect(members.split('\n')).toContain(m);
    const id = (await sh(g.vm, "docker image inspect -f '{{.Id}}' notes:v1")).trim();
    await sh(g.vm, 'docker rm changed && docker rmi notes:v1');
    expect((await g.vm.exec('docker image inspect notes:v1')).exitCode).not.toBe(0);
    expect(await sh(g.vm, 'docker load -i /root/notes.tar', { timeoutMs: 120_000 })).toBe('Loaded image: notes:v1\n');
    expect((await sh(g.vm, "docker image inspect -f '{{.Id}}' notes:v1")).trim()).toBe(id);
    expect(await sh(g.vm, 'docker run --rm notes:v1 cat /note.txt')).toBe('kept\n');
    // a pipe works too, and a file that is no archive fails clearly
    expect(await sh(g.vm, 'docker save notes:v1 | docker load -q')).toBe('');
    const bad = await g.vm.exec('echo nonsense > /root/bad.tar && docker load -i /root/bad.tar');
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toMatch(/^Error response from daemon: /);
  }, 240_000);

  it('refuses what it cannot do, with Docker\'s words', async () => {
    const missing = await g.vm.exec('docker commit nosuch img');
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toBe('Error response from daemon: No such container: nosuch\n');
    const change = await g.vm.exec('docker run --name again busybox true && docker commit --change "CMD [\\"x\\"]" again img');
    expect(change.exitCode).toBe(1);
    expect(change.stderr).toContain('commit --change is not supported');
  }, 60_000);
});
