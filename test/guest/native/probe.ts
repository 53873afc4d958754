// Runs inside the real i386 QuickJS runtime (whalebone-run), not under Node: the native tests
// bundle it and execute `whalebone-run probe.js <mode> [args]`. Each mode exercises real system
// calls through RealSyscalls and prints one JSON line `RESULT {...}` for the test to check.
import * as std from 'std';
import { RealSyscalls } from '../../../src/guest/sys/real.ts';
import { SyscallError } from '../../../src/guest/sys/errors.ts';
import { decodeUtf8, encodeUtf8, jsDecodeUtf8, jsEncodeUtf8 } from '../../../src/guest/sys/utf8.ts';
import { readAllFd, writeAll } from '../../../src/guest/sys/io.ts';
import { decodeMessage, encodeMessage, query } from '../../../src/guest/net/dns/message.ts';
import { exitCodeOf } from '../../../src/guest/sys/wait.ts';
import { layerTar } from '../../../src/guest/util/layertar.ts';
import {
  AF_INET, AF_UNIX, SOCK_DGRAM, CLONE_NEWIPC, CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWUTS, MNT_DETACH, MS_BIND, MS_PRIVATE, MS_REC,
  O_CREAT, O_RDONLY, O_TRUNC, O_WRONLY, POLLIN, PR_CAPBSET_DROP, PR_CAPBSET_READ, PR_GET_NO_NEW_PRIVS, PR_SET_NO_NEW_PRIVS, SOCK_STREAM,
  CAPABILITIES, SIGKILL, SIGPIPE, S_IFCHR, makedev, F_GETFL, O_CLOEXEC,
} from '../../../src/guest/sys/constants.ts';

declare const scriptArgs: string[];
const sys = new RealSyscalls();
type Json = Record<string, unknown>;

function result(r: Json): void {
  writeAll(sys, 1, `RESULT ${JSON.stringify(r)}\n`);
}

function errorOf(e: unknown): Json {
  return e instanceof SyscallError ? { code: e.code, errno: e.errno, message: e.message } : { thrown: String(e) };
}

/** Runs fn in a forked child that reports through a pipe; returns the child's report and exit. */
function inChild(flags: number, fn: (report: (r: Json) => void) => number | void): { report: Json; exit: number } {
  const [rd, wr] = sys.pipe();
  const pid = sys.fork(flags);
  if (pid === 0) {
    sys.close(rd);
    let code = 0;
    try {
      code = fn((r) => writeAll(sys, wr, JSON.stringify(r) + '\n')) ?? 0;
    } catch (e) {
      writeAll(sys, wr, JSON.stringify({ childError: errorOf(e) }) + '\n');
      code = 99;
    }
    sys.exit(code);
  }
  sys.close(wr);
  const chunks: string[] = [];
  const buf = new Uint8Array(4096);
  for (let n = sys.read(rd, buf); n > 0; n = sys.read(rd, buf)) chunks.push(decodeUtf8(buf.subarray(0, n)));
  sys.close(rd);
  const w = sys.waitpid(pid, 0);
  const report: Json = {};
  for (const line of chunks.join('').split('\n').filter(Boolean)) Object.assign(report, JSON.parse(line) as Json);
  return { report, exit: w ? exitCodeOf(w) : -1 };
}

const modes: Record<string, (args: string[]) => void> = {
  /** New PID/mount/UTS/IPC namespaces, tmpfs + proc, pivot_root into a busybox root, exec. */
  namespaces([root = '']) {
    const hostBefore = sys.gethostname();
    const { report, exit } = inChild(CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC, (report) => {
      report({ pid: sys.getpid(), ppid: sys.getppid() });
      sys.mount(null, '/', null, MS_REC | MS_PRIVATE);
      sys.sethostname('wb-child');
      report({ hostname: sys.gethostname() });
      sys.mount(root, root, null, MS_BIND | MS_REC);
      sys.mount('tmpfs', `${root}/tmp`, 'tmpfs', 0, 'size=1m,mode=1777');
      sys.mount('proc', `${root}/proc`, 'proc', 0);
      sys.mknod(`${root}/tmp/null`, S_IFCHR | 0o666, makedev(1, 3));
      sys.chdir(root);
      sys.pivotRoot('.', '.');
      sys.umount2('.', MNT_DETACH);
      sys.chdir('/');
      report({
        cwd: sys.getcwd(),
        rootEntries: sys.readdir('/').map((d) => d.name).sort(),
        procSelf: sys.readlink('/proc/self'),
        procStat: decodeUtf8(sys.readFile('/proc/1/stat')).split(' ')[0],
        nullDev: sys.stat('/tmp/null').rdev === makedev(1, 3),
      });
      sys.execve('/bin/busybox', ['busybox', 'sh', '-c', 'test "$$" = 1 && test "$(/bin/busybox hostname)" = wb-child && exit 42; exit 3'], ['PATH=/bin']);
    });
    result({ ...report, exit, hostAfter: sys.gethostname(), hostUnchanged: hostBefore === sys.gethostname() });
  },

  /** Dropping to an unprivileged user is for good; no_new_privs and the bounding set stick. */
  setuid() {
    const { report, exit } = inChild(0, (report) => {
      sys.prctl(PR_CAPBSET_DROP, CAPABILITIES.CAP_SYS_ADMIN!);
      sys.prctl(PR_SET_NO_NEW_PRIVS, 1);
      sys.setgroups([]);
      sys.setgid(65534);
      sys.setuid(65534);
      report({ uid: sys.getuid(), euid: sys.geteuid(), gid: sys.getgid(), caps: sys.capget().effective.toString() });
      report({ nnp: sys.prctl(PR_GET_NO_NEW_PRIVS), sysAdminInBounding: sys.prctl(PR_CAPBSET_READ, CAPABILITIES.CAP_SYS_ADMIN!) });
      try {
        sys.setuid(0);
        report({ regained: true });
      } catch (e) {
        report({ regained: false, setuid0: errorOf(e) });
      }
      return 7;
    });
    result({ ...report, exit, parentUid: sys.getuid(), parentCaps: sys.capget().effective > 0n });
  },

  /** A unix socket echo round trip between two processes, with poll. */
  echo([path = '']) {
    const server = sys.socket(AF_UNIX, SOCK_STREAM);
    sys.bind(server, { family: 'unix', path });
    sys.listen(server, 4);
    const pid = sys.fork();
    if (pid === 0) {
      sys.close(server);
      const c = sys.socket(AF_UNIX, SOCK_STREAM);
      sys.connect(c, { family: 'unix', path });
      writeAll(sys, c, 'ping ✓ whalebone');
      const buf = new Uint8Array(256);
      const n = sys.read(c, buf);
      sys.exit(decodeUtf8(buf.subarray(0, n)) === 'echo: ping ✓ whalebone' ? 0 : 1);
    }
    const ready = sys.poll([{ fd: server, events: POLLIN }], 5000);
    const conn = sys.accept(server);
    const buf = new Uint8Array(256);
    const n = sys.read(conn, buf);
    const got = decodeUtf8(buf.subarray(0, n));
    writeAll(sys, conn, `echo: ${got}`);
    const w = sys.waitpid(pid, 0);
    sys.close(conn);
    sys.close(server);
    const [a, b] = sys.socketpair(AF_UNIX, SOCK_STREAM);
    writeAll(sys, a, 'pair');
    const m = sys.read(b, buf);
    result({ got, pollReady: (ready[0]! & POLLIN) !== 0, clientExit: w ? exitCodeOf(w) : -1, pair: decodeUtf8(buf.subarray(0, m)), socketType: (sys.stat(path).mode & 0o170000) === 0o140000 });
  },

  /** UDP datagrams with sendTo/recvFrom on loopback: a DNS query and its answer, with the sender's address. */
  udp([port = '0']) {
    const server = sys.socket(AF_INET, SOCK_DGRAM);
    sys.bind(server, { family: 'inet', host: '127.0.0.1', port: Number(port) });
    const client = sys.socket(AF_INET, SOCK_DGRAM);
    sys.bind(client, { family: 'inet', host: '127.0.0.1', port: Number(port) + 1 });
    sys.sendTo(client, encodeMessage(query(0x4242, 'deb.debian.org')), { family: 'inet', host: '127.0.0.1', port: Number(port) });
    const buf = new Uint8Array(512);
    const got = sys.recvFrom(server, buf);
    const q = decodeMessage(buf.subarray(0, got.count));
    sys.sendTo(server, encodeMessage({ ...q, response: true, answers: [{ name: q.questions[0]!.name, type: 1, class: 1, ttl: 60, data: '10.86.0.53' }] }), got.from);
    const back = sys.recvFrom(client, buf);
    const a = decodeMessage(buf.subarray(0, back.count));
    let empty = '';
    try {
      sys.fcntl(client, 4 /* F_SETFL */, 0o4000 /* O_NONBLOCK */);
      sys.recvFrom(client, buf);
    } catch (e) {
      empty = e instanceof SyscallError ? e.code : String(e);
    }
    result({ from: got.from, id: a.id, answer: a.answers[0]?.data, replyFrom: back.from, empty });
  },

  /** Failed calls surface as SyscallError with errno names; the process keeps running. */
  errors([dir = '']) {
    const out: Json = {};
    const attempt = (name: string, fn: () => unknown) => {
      try {
        fn();
        out[name] = 'no error';
      } catch (e) {
        out[name] = errorOf(e);
      }
    };
    attempt('pivotRoot', () => sys.pivotRoot(`${dir}/missing`, `${dir}/missing`));
    attempt('pivotRootSame', () => sys.pivotRoot('.', '.'));
    attempt('open', () => sys.open(`${dir}/missing`, O_RDONLY));
    attempt('mkdirTwice', () => {
      sys.mkdir(`${dir}/d`);
      sys.mkdir(`${dir}/d`);
    });
    attempt('killNobody', () => sys.kill(999999, SIGKILL));
    attempt('closeBad', () => sys.close(9999));
    attempt('fcntlBad', () => sys.fcntl(9999, F_GETFL));
    attempt('execMissing', () => sys.execve(`${dir}/missing`, ['x'], []));
    out.stillRunning = sys.getpid() > 0;
    result(out);
  },

  /** With SIGPIPE ignored, writing to a pipe nobody reads is an EPIPE error, not death. */
  sigpipe() {
    sys.ignoreSignal(SIGPIPE);
    const [rd, wr] = sys.pipe();
    sys.close(rd);
    let err: Json = {};
    try {
      sys.write(wr, 'lost');
    } catch (e) {
      err = errorOf(e);
    }
    result({ write: err, alive: true });
  },

  /**
   * posix_spawn: the child's stdout and stderr are a close-on-exec pipe given through the fd
   * pairs, the SIGPIPE we ignore is back to its default there, and a missing program is an error
   * in the parent.
   */
  spawn() {
    sys.ignoreSignal(SIGPIPE);
    const [rd, wr] = sys.pipe(O_CLOEXEC);
    const pid = sys.spawn('/bin/sh', ['sh', '-c', 'echo out; echo err >&2; grep SigIgn /proc/self/status'], ['PATH=/usr/bin:/bin'], [[1, wr], [2, wr]]);
    sys.close(wr);
    const out = decodeUtf8(readAllFd(sys, rd));
    sys.close(rd);
    const w = sys.waitpid(pid, 0);
    const ign = /SigIgn:\s*([0-9a-f]+)/.exec(out)?.[1] ?? '';
    let missing: Json = {};
    try {
      sys.spawn('/nonexistent/program', ['program'], [], []);
    } catch (e) {
      missing = errorOf(e);
    }
    result({ lines: out.split('\n').slice(0, 2), sigpipeIgnored: ign ? (BigInt(`0x${ign}`) >> 12n) & 1n ? 'yes' : 'no' : 'unknown', exit: w ? exitCodeOf(w) : -1, missing });
  },

  /** A pty pair: window size round trip, and the slave is a tty. */
  pty() {
    const p = sys.openpty();
    sys.setWinsize(p.master, { rows: 33, cols: 101 });
    // A new session has no controlling terminal until TIOCSCTTY gives it the pty.
    const { report, exit } = inChild(0, (report) => {
      sys.setsid();
      const tty = () => {
        try {
          sys.close(sys.open('/dev/tty', O_RDONLY));
          return 'yes';
        } catch (e) {
          return e instanceof SyscallError ? e.code : String(e);
        }
      };
      const before = tty();
      sys.setControllingTty(p.slave);
      report({ ttyBefore: before, ttyAfter: tty() });
    });
    result({ path: p.path, size: sys.getWinsize(p.slave), isatty: sys.isatty(p.slave), pipeIsTty: sys.isatty(sys.pipe()[0]), ...report, exit });
  },

  /** Files through the real calls: write, read back, stat, readdir, symlink, rename, unlink. */
  files([dir = '']) {
    sys.writeFile(`${dir}/a.txt`, 'héllo\n', 0o600);
    sys.symlink('a.txt', `${dir}/link`);
    sys.rename(`${dir}/a.txt`, `${dir}/b.txt`);
    sys.symlink('b.txt', `${dir}/link2`);
    const st = sys.stat(`${dir}/b.txt`);
    result({
      content: decodeUtf8(sys.readFile(`${dir}/link2`)),
      mode: st.mode & 0o777,
      size: st.size,
      link: sys.readlink(`${dir}/link`),
      entries: sys.readdir(dir).map((e) => `${e.name}:${e.type}`).sort(),
      random: sys.randomBytes(16).length,
      env: sys.getenv('WB_PROBE'),
    });
  },

  /**
   * The runtime's allocator (native/alloc.c) under QuickJS's own patterns: strings and arrays that
   * grow through every size class into large blocks and shrink back, objects freed and reused.
   */
  alloc() {
    let s = '';
    const lengths: number[] = [];
    for (let i = 0; i < 2000; i++) {
      s += String.fromCharCode(97 + (i % 26));
      if ((i & (i - 1)) === 0) lengths.push(s.length);
    }
    const big: number[] = [];
    for (let i = 0; i < 50000; i++) big.push(i * 3);
    let sum = 0;
    for (const x of big) sum += x;
    big.length = 10; // a large array shrinks to a small block
    const objects: { id: number; name: string; tags: string[] }[] = [];
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 500; i++) objects.push({ id: i, name: `n${i}-${round}`, tags: Array.from({ length: i % 9 }, (_, k) => `t${k}`) });
      objects.splice(0, 400); // freed blocks are reused by the next round
    }
    const json = JSON.stringify(objects);
    const back = JSON.parse(json) as typeof objects;
    const bytes = new Uint8Array(300000).map((_, i) => i & 255);
    result({
      lengths, tail: s.slice(-5), sum, small: big.reduce((a, b) => a + b, 0), kept: objects.length,
      last: objects.at(-1), same: JSON.stringify(back) === json, bytes: bytes.reduce((a, b) => a + b, 0),
    });
  },

  /** The C UTF-8 codec against the JavaScript one on awkward input; prints both sides as hex. */
  utf8() {
    const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
    const strings = ['', 'plain ascii', 'héllo wörld', '€ 中文', '😀 pair', 'lone \ud800 hi', 'end \udfff', '\ud83d', 'x'.repeat(70000)];
    const bytes = [[0x61, 0xff, 0x62], [0xc3], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0xf4, 0x90, 0x80, 0x80], [0xf0, 0x9f, 0x98, 0x80], [0xe2, 0x82, 0xac, 0x41]];
    result({
      encoded: strings.map((s) => [hex(encodeUtf8(s)), hex(jsEncodeUtf8(s))]),
      decoded: bytes.map((b) => [decodeUtf8(new Uint8Array(b)), jsDecodeUtf8(new Uint8Array(b))]),
      // a view into the middle of a larger buffer decodes only its own bytes
      view: decodeUtf8(encodeUtf8('abc€def').subarray(3, 6)),
      long: decodeUtf8(encodeUtf8('é'.repeat(40000))).length,
    });
  },

  /**
   * Commits `dir` as a layer with the C writer (blob at `blob`, a copy at `copy`) and with the
   * JavaScript reference (uncompressed tar at `refTar`). Whiteouts and an opaque dir are made here
   * first, through the real mknod and lsetxattr: Node has no calls for them.
   */
  layer([dir = '', blob = '', refTar = '', copy = '']) {
    sys.mknod(`${dir}/gone`, S_IFCHR, 0);
    sys.mknod(`${dir}/etc/gone.conf`, S_IFCHR, 0);
    sys.lsetxattr(`${dir}/opq`, 'trusted.overlay.opaque', 'y');
    sys.lsetxattr(`${dir}/etc/hostname`, 'user.note', 'kept');
    const t0 = sys.monotonicMs();
    const c = sys.writeLayer(dir, blob, { copyTo: copy });
    const cMs = sys.monotonicMs() - t0;
    const fd = sys.open(refTar, O_WRONLY | O_CREAT | O_TRUNC, 0o644);
    const t1 = sys.monotonicMs();
    const jsContentSize = layerTar(sys, dir, (chunk) => writeAll(sys, fd, chunk));
    const jsMs = sys.monotonicMs() - t1;
    sys.close(fd);
    const opq = sys.lgetxattr(`${copy}/opq`, 'trusted.overlay.opaque');
    let missing: Json = {};
    try {
      sys.writeLayer(`${dir}/nope`, `${blob}.2`);
    } catch (e) {
      missing = errorOf(e);
    }
    result({
      c, cMs, jsMs, missing, jsContentSize,
      copyOpaque: opq ? decodeUtf8(opq) : null,
      copyWhiteout: sys.lstat(`${copy}/gone`).rdev === 0 && (sys.lstat(`${copy}/gone`).mode & 0o170000) === S_IFCHR,
      copyNote: decodeUtf8(sys.lgetxattr(`${dir}/etc/hostname`, 'user.note') ?? new Uint8Array(0)),
      list: sys.llistxattr(`${dir}/opq`),
      noAttr: sys.lgetxattr(`${dir}/etc`, 'user.none'),
      blobSha: sys.sha256File(blob),
    });
  },
};

const [mode = '', ...rest] = scriptArgs.slice(1);
const run = modes[mode];
if (!run) {
  writeAll(sys, 2, `probe: unknown mode ${mode}\n`);
  std.exit(2);
}
run(rest);
std.exit(0);
