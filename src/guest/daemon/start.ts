// docker start (moby's daemon/start.go): mounts the container's root, fills its empty volumes,
// resolves its user, joins its networks, writes the OCI bundle and runs a containerd-shim for it
// (shim-launcher.ts); the exit is then monitor.ts's business.

import { mkdirp, readText, writeFileAtomic } from '../util/fsutil.ts';
import { InvalidParameter, SystemError } from './errdefs.ts';
import { ZERO_TIME, type ContainerRecord } from './model.ts';
import { fillVolumes, ociMounts } from './mounts.ts';
import { containerSpec, resolveUser } from './ocispec.ts';
import { nowIso, type EngineParts } from './parts.ts';

/** docker start: root, mounts, network, the OCI spec, then the shim; on failure all is undone. */
export function startContainer(p: EngineParts, c: ContainerRecord): 'started' | 'already' {
  if (c.State.Running) return 'already';
  const rootfs = p.rootfs.mount(c);
  fillVolumes(p.sys, c, rootfs);
  let passwd = '';
  let group = '';
  try {
    // root ('') needs neither file: two reads through the overlay saved on every start
    if (c.Config.User !== '') {
      passwd = readText(p.sys, `${rootfs}/etc/passwd`);
      group = readText(p.sys, `${rootfs}/etc/group`);
    }
  } catch {
    // images without passwd: numeric users only
  }
  let user;
  try {
    user = resolveUser(c.Config.User, passwd, group);
  } catch (e) {
    p.rootfs.unmount(c);
    throw new SystemError((e as Error).message);
  }
  const mounts = ociMounts(p.sys, c);
  let netnsPath;
  try {
    netnsPath = p.net.attach(c);
  } catch (e) {
    p.rootfs.unmount(c);
    throw e;
  }
  const spec = containerSpec(c, { rootfs, user, mounts, initPath: p.opts.selfExe, netnsPath });
  const bundle = p.layout.bundle(c.Id);
  mkdirp(p.sys, bundle, 0o711);
  writeFileAtomic(p.sys, `${bundle}/config.json`, JSON.stringify(spec));
  const oldExit = p.layout.exitFile(c.Id);
  if (p.sys.lstatOrNull(oldExit)) {
    try {
      p.sys.unlink(oldExit);
    } catch {
      // gone meanwhile
    }
  }
  const launched = p.launcher.launch({
    id: c.Id, bundle, runtimeRoot: p.layout.runtimeRoot, logPath: c.LogPath, exitFile: p.layout.exitFile(c.Id),
    shimLog: `${p.layout.containerDir(c.Id)}/shim.log`, socket: p.layout.shimSocket(c.Id), stdin: c.Config.OpenStdin, stdinOnce: c.Config.StdinOnce,
  }, () => p.attachments.connectPending(c.Id, p.layout.shimSocket(c.Id)));
  if (!launched.ok) {
    p.rootfs.unmount(c);
    p.net.detach(c);
    const msg = launched.message;
    const code = launched.exitCode;
    try {
      p.sys.unlink(p.layout.exitFile(c.Id));
    } catch {
      // none
    }
    c.State = { ...c.State, Status: 'created', ExitCode: code > 1 ? code : 128, Error: msg };
    p.store.persist(c);
    // --rm containers go away even when they never ran (the client waits for "removed")
    p.attachments.dropPending(c.Id);
    if (c.HostConfig.AutoRemove) p.remove(c.Id, true, true);
    const Kind = code === 127 || code === 126 ? InvalidParameter : SystemError;
    throw new Kind(`failed to create task for container: failed to create shim task: OCI runtime create failed: ${msg}: unknown`);
  }
  c.State = { ...c.State, Status: 'running', Running: true, Pid: launched.containerPid, ExitCode: 0, Error: '', OOMKilled: false, StartedAt: nowIso(p), FinishedAt: ZERO_TIME };
  c.ShimPid = launched.shimPid;
  p.health.started(c);
  p.store.persist(c);
  p.exits.track(c.Id, launched);
  launched.watch((code) => p.exits.refresh(c, code));
  p.events.container(c, 'start');
  return 'started';
}
