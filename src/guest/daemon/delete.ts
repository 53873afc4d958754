// docker rm (moby's daemon/delete.go): kills a running container when forced, releases its health
// checks, root, network, attach and exec state, deletes its record and files, and wakes
// `docker wait --condition removed`.

import { SIGKILL } from '../sys/constants.ts';
import { removeAll } from '../util/fsutil.ts';
import { Conflict } from './errdefs.ts';
import type { ContainerRecord } from './model.ts';
import type { EngineParts } from './parts.ts';

/** docker rm: a running container only when forced (killed first); -v takes its anonymous volumes. */
export function removeContainer(p: EngineParts, c: ContainerRecord, force: boolean, volumes: boolean): void {
  if (c.State.Running) {
    if (!force) throw new Conflict(`cannot remove container "${c.Name}": container is running: stop the container before removing or force remove`);
    p.sys.kill(c.State.Pid, SIGKILL);
    // wait briefly for the shim to record the exit
    for (let i = 0; i < 100 && c.State.Running; i++) {
      p.sys.poll([], 20);
      p.exits.refresh(c);
    }
  }
  p.health.stopped(c);
  p.rootfs.unmount(c);
  p.net.detach(c);
  p.attachments.dropPending(c.Id);
  p.execs.forget(c.Id);
  p.store.delete(c.Id);
  removeAll(p.sys, p.layout.bundle(c.Id));
  p.rootfs.remove(c.Id);
  removeAll(p.sys, p.layout.containerDir(c.Id));
  if (volumes) p.volumes.removeAnonymous(c);
  p.events.container(c, 'destroy');
  p.exits.wake(c.Id);
}
