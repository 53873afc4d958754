// dockerd: serves the Engine API on a unix socket (default /var/run/docker.sock) with state
// under /var/lib/docker. Containers run under their own containerd-shim and outlive dockerd.

import type { Syscalls } from '../sys/syscalls.ts';
import { AF_UNIX, SIGCHLD, SOCK_CLOEXEC, SOCK_STREAM } from '../sys/constants.ts';
import { writeAll } from '../sys/io.ts';
import { errorText, isErrno } from '../sys/errors.ts';
import { exists, mkdirp, readText, writeFileAtomic } from '../util/fsutil.ts';
import { parseFlags, helpText, UsageError, type CommandSpec } from '../util/flags.ts';
import { dirname } from '../util/path.ts';
import { API_VERSION, ENGINE_VERSION, MIN_API_VERSION } from '../api/engine-api.ts';
import { makeHandler, commonHeaders } from './api.ts';
import { Engine } from './engine.ts';
import { serve } from './http.ts';
import type { PullMode } from '../images/store.ts';

const SPEC: CommandSpec = {
  path: 'dockerd',
  usage: '[OPTIONS]',
  description: 'A self-sufficient runtime for containers.',
  maxArgs: 0,
  flags: [
    { name: 'host', short: 'H', kind: 'list', help: 'Daemon socket(s) to connect to', valueName: 'list' },
    { name: 'data-root', kind: 'string', help: 'Root directory of persistent Docker state', default: '/var/lib/docker' },
    { name: 'exec-root', kind: 'string', help: 'Root directory for execution state files', default: '/var/run/docker' },
    { name: 'pidfile', short: 'p', kind: 'string', help: 'Path to use for daemon PID file', default: '/var/run/docker.pid' },
    { name: 'registry', kind: 'string', help: 'Offline registry folder (OCI layouts)', default: '/mnt/host/registry' },
    { name: 'pull-mode', kind: 'string', help: 'copy: verify and unpack layers; lazy: use unpacked registry layers in place', default: 'copy' },
    { name: 'bridge', short: 'b', kind: 'string', help: 'Attach containers to a network bridge ("none": no bridge, containers get lo only)', default: 'docker0' },
    { name: 'debug', short: 'D', kind: 'bool', help: 'Enable debug mode' },
    { name: 'version', short: 'v', kind: 'bool', help: 'Print version information and quit' },
  ],
};

function kernelVersion(sys: Syscalls): string {
  try {
    return readText(sys, '/proc/sys/kernel/osrelease').trim();
  } catch {
    return 'unknown';
  }
}

function memTotal(sys: Syscalls): number {
  try {
    const m = /MemTotal:\s+(\d+)/.exec(readText(sys, '/proc/meminfo'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Not async: see shimMain on QuickJS and rejected promises. */
export function dockerdMain(argv: string[], sys: Syscalls): Promise<number> {
  try {
    return dockerdRun(argv, sys);
  } catch (e) {
    writeAll(sys, 2, `failed to start daemon: ${(e as Error).message}\n`);
    return Promise.resolve(1);
  }
}

function dockerdRun(argv: string[], sys: Syscalls): Promise<number> {
  let p;
  try {
    p = parseFlags(SPEC, argv);
  } catch (e) {
    if (e instanceof UsageError) {
      writeAll(sys, 2, e.render());
      return Promise.resolve(e.exitCode);
    }
    throw e;
  }
  if (p.help) {
    writeAll(sys, 1, helpText(SPEC));
    return Promise.resolve(0);
  }
  if (p.flags.bool('version')) {
    writeAll(sys, 1, `Docker version ${ENGINE_VERSION}, build whalebone\n`);
    return Promise.resolve(0);
  }
  const hosts = p.flags.list('host');
  const host = hosts[0] ?? 'unix:///var/run/docker.sock';
  if (!host.startsWith('unix://')) throw new Error(`only unix sockets are supported: ${host}`);
  const sock = host.slice('unix://'.length);
  const mode = p.flags.string('pull-mode');
  if (mode !== 'copy' && mode !== 'lazy') throw new Error(`--pull-mode must be copy or lazy, not ${mode}`);
  const root = p.flags.string('data-root');
  mkdirp(sys, root, 0o710);
  const selfExe = sys.readlink('/proc/self/exe');
  const engine = new Engine(sys, { root, execRoot: p.flags.string('exec-root'), registry: p.flags.string('registry'), pullMode: mode as PullMode, selfExe, bridge: p.flags.string('bridge') });
  const log = (msg: string): void => {
    try {
      writeAll(sys, 2, `time="${new Date().toISOString()}" level=info msg="${msg}"\n`);
    } catch {
      // its log is on the guest's tmpfs: a full disk must not stop the daemon
    }
  };
  engine.log = log;

  engine.net.init();
  mkdirp(sys, dirname(sock));
  if (exists(sys, sock)) {
    // a socket left by a daemon that is gone: refuse only if something answers on it
    const probe = sys.socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC);
    let live = false;
    try {
      sys.connect(probe, { family: 'unix', path: sock });
      live = true;
    } catch {
      sys.unlink(sock);
    } finally {
      sys.close(probe);
    }
    if (live) throw new Error(`${sock} is in use by another daemon`);
  }
  const fd = sys.socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC);
  sys.bind(fd, { family: 'unix', path: sock });
  sys.chmod(sock, 0o660);
  sys.listen(fd, 64);
  writeFileAtomic(sys, p.flags.string('pidfile'), String(sys.getpid()));

  const info = (): Record<string, unknown> => {
    const cs = engine.all();
    const hostname = sys.gethostname();
    return {
      ID: 'WHALEBONE',
      Containers: cs.length,
      ContainersRunning: cs.filter((c) => c.State.Running).length,
      ContainersPaused: 0,
      ContainersStopped: cs.filter((c) => !c.State.Running).length,
      Images: engine.images.ids().length,
      Driver: 'overlay2',
      DriverStatus: [['Backing Filesystem', 'tmpfs'], ['Supports d_type', 'true'], ['Using metacopy', 'false'], ['Native Overlay Diff', 'true'], ['userxattr', 'false']],
      Plugins: { Volume: ['local'], Network: ['bridge', 'host', 'null'], Authorization: null, Log: ['json-file'] },
      MemoryLimit: true, SwapLimit: true, CpuCfsPeriod: true, CpuCfsQuota: true, CPUShares: true, CPUSet: false, PidsLimit: true,
      IPv4Forwarding: true, Debug: p!.flags.bool('debug'), NFd: 0, OomKillDisable: false, NGoroutines: 1, SystemTime: new Date().toISOString(),
      LoggingDriver: 'json-file', CgroupDriver: 'cgroupfs', CgroupVersion: '2', NEventsListener: 0,
      KernelVersion: kernelVersion(sys), OperatingSystem: 'Whalebone guest (Linux)', OSVersion: '', OSType: 'linux', Architecture: 'i686',
      IndexServerAddress: 'https://index.docker.io/v1/', RegistryConfig: { IndexConfigs: {}, InsecureRegistryCIDRs: [], Mirrors: [] },
      NCPU: 1, MemTotal: memTotal(sys), DockerRootDir: root, HttpProxy: '', HttpsProxy: '', NoProxy: '', Name: hostname, Labels: [],
      ExperimentalBuild: false, ServerVersion: ENGINE_VERSION, Runtimes: { runc: { path: 'runc' } }, DefaultRuntime: 'runc',
      Swarm: { NodeID: '', NodeAddr: '', LocalNodeState: 'inactive', ControlAvailable: false, Error: '', RemoteManagers: null },
      LiveRestoreEnabled: true, Isolation: '', InitBinary: 'docker-init',
      ContainerdCommit: { ID: 'whalebone' }, RuncCommit: { ID: 'whalebone' }, InitCommit: { ID: 'whalebone' },
      SecurityOptions: ['name=cgroupns'], Warnings: [],
      __version: {
        Platform: { Name: 'Whalebone Engine' },
        Components: [
          { Name: 'Engine', Version: ENGINE_VERSION, Details: { ApiVersion: API_VERSION, Arch: '386', BuildTime: '', Experimental: 'false', GitCommit: 'whalebone', GoVersion: 'quickjs', KernelVersion: kernelVersion(sys), MinAPIVersion: MIN_API_VERSION, Os: 'linux' } },
          { Name: 'containerd', Version: 'whalebone', Details: { GitCommit: 'whalebone' } },
          { Name: 'runc', Version: '1.1.12-whalebone', Details: { GitCommit: 'whalebone' } },
          { Name: 'docker-init', Version: '0.19.0', Details: { GitCommit: 'whalebone' } },
        ],
        Version: ENGINE_VERSION, ApiVersion: API_VERSION, MinAPIVersion: MIN_API_VERSION, GitCommit: 'whalebone', GoVersion: 'quickjs',
        Os: 'linux', Arch: '386', KernelVersion: kernelVersion(sys), BuildTime: '',
      },
    };
  };

  serve(sys, fd, commonHeaders, makeHandler(sys, engine, info));
  sys.onSignal(SIGCHLD, () => engine.reapShims());
  const tick = (): void => {
    // armed first: nothing poll meets may end the daemon's polling
    sys.setTimer(500, tick);
    try {
      engine.poll();
    } catch (e) {
      if (!isErrno(e, 'ENOENT')) log(`poll: ${errorText(e)}`);
    }
  };
  sys.setTimer(500, tick);
  // after the first turn of the loop: the start-up's garbage goes before anyone snapshots the guest
  sys.setTimer(0, () => sys.collectCycles());
  log(`API listen on ${sock} (engine binary ${selfExe})`);
  // the event loop keeps the process alive; this promise never settles
  return new Promise<number>(() => {});
}
