/*
 * wbnative: the thin system-call module for Whalebone's QuickJS runtime.
 *
 * Every function is one raw call: it converts arguments, calls the kernel and returns the result,
 * or -errno on failure. Calls that produce several values return an array whose first element is
 * that result. No policy lives here; src/guest/sys/real.ts turns results into SyscallErrors.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <fcntl.h>
#include <poll.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <signal.h>
#include <sched.h>
#include <spawn.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <grp.h>
#include "quickjs.h"
#include "layer.h"

#define WB_COUNT(a) (sizeof(a) / sizeof((a)[0]))
/* The call's result, or -errno when it failed (evaluates r once). */
static JSValue ret_errno(JSContext *ctx, long r)
{
    return JS_NewInt32(ctx, r < 0 ? -errno : (int32_t)r);
}
#define RET(r) ret_errno(ctx, (long)(r))

static int32_t int_arg(JSContext *ctx, JSValueConst v)
{
    int32_t n = 0;
    JS_ToInt32(ctx, &n, v);
    return n;
}

static uint32_t uint_arg(JSContext *ctx, JSValueConst v)
{
    uint32_t n = 0;
    JS_ToUint32(ctx, &n, v);
    return n;
}

/* Optional string: null/undefined become NULL. Caller frees with free_str. */
static const char *opt_str(JSContext *ctx, JSValueConst v)
{
    if (JS_IsNull(v) || JS_IsUndefined(v))
        return NULL;
    return JS_ToCString(ctx, v);
}

static void free_str(JSContext *ctx, const char *s)
{
    if (s)
        JS_FreeCString(ctx, s);
}

/* A JS array of numbers: [first, rest...]. */
static JSValue num_array(JSContext *ctx, const double *vals, int n)
{
    JSValue arr = JS_NewArray(ctx);
    for (int i = 0; i < n; i++)
        JS_SetPropertyUint32(ctx, arr, i, JS_NewFloat64(ctx, vals[i]));
    return arr;
}

/* Bytes of an ArrayBuffer argument at [offset, offset+len), checked against its size. */
static uint8_t *buf_arg(JSContext *ctx, JSValueConst buf, JSValueConst off, JSValueConst len, size_t *out_len)
{
    size_t size;
    uint8_t *p = JS_GetArrayBuffer(ctx, &size, buf);
    if (!p)
        return NULL;
    uint32_t o = uint_arg(ctx, off), l = uint_arg(ctx, len);
    if ((size_t)o > size || (size_t)l > size - o)
        return NULL;
    *out_len = l;
    return p + o;
}

/* A NULL-terminated char* array from a JS array of strings; free with free_strv. */
static char **strv_arg(JSContext *ctx, JSValueConst arr, uint32_t *count)
{
    JSValue lenv = JS_GetPropertyStr(ctx, arr, "length");
    uint32_t n = uint_arg(ctx, lenv);
    JS_FreeValue(ctx, lenv);
    char **v = calloc(n + 1, sizeof(char *));
    if (!v)
        return NULL;
    for (uint32_t i = 0; i < n; i++) {
        JSValue s = JS_GetPropertyUint32(ctx, arr, i);
        const char *c = JS_ToCString(ctx, s);
        JS_FreeValue(ctx, s);
        v[i] = strdup(c ? c : "");
        free_str(ctx, c);
    }
    *count = n;
    return v;
}

static void free_strv(char **v, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* ---- process ---- */

static JSValue f_fork(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    uint32_t flags = uint_arg(ctx, argv[0]);
    fflush(stdout);
    fflush(stderr);
    if (flags == 0)
        return RET(fork());
    /* clone without a new stack: the child continues on a copy of this stack, like fork. */
    long r = syscall(SYS_clone, (unsigned long)flags | SIGCHLD, 0, 0, 0, 0);
    return RET((int)r);
}

static JSValue f_unshare(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    return RET(unshare(int_arg(ctx, argv[0])));
}

/* A limit from JS (a double, as JSON gives uint64 values): negative or 2^64-1 and up is infinity. */
static uint64_t rlim_arg(JSContext *ctx, JSValueConst v)
{
    double d = 0;
    JS_ToFloat64(ctx, &d, v);
    if (d < 0 || d >= 18446744073709551615.0)
        return UINT64_MAX;
    return (uint64_t)d;
}

/* prlimit64 on ourselves: 64-bit limits on i386 too, where setrlimit's are 32-bit. */
static JSValue f_setrlimit(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    struct { uint64_t cur, max; } lim = { rlim_arg(ctx, argv[1]), rlim_arg(ctx, argv[2]) };
    return RET(syscall(SYS_prlimit64, 0, int_arg(ctx, argv[0]), &lim, NULL));
}

static JSValue f_setns(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    return RET(setns(int_arg(ctx, argv[0]), int_arg(ctx, argv[1])));
}

static JSValue f_execve(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    const char *path = JS_ToCString(ctx, argv[0]);
    uint32_t na = 0, ne = 0;
    char **av = strv_arg(ctx, argv[1], &na);
    char **ev = strv_arg(ctx, argv[2], &ne);
    fflush(stdout);
    fflush(stderr);
    int r = (path && av && ev) ? execve(path, av, ev) : (errno = ENOMEM, -1);
    int e = errno;
    free_str(ctx, path);
    if (av) free_strv(av, na);
    if (ev) free_strv(ev, ne);
    errno = e;
    return RET(r);
}

/* Up to max ints from a JS array of numbers; returns how many there were (capped at max). */
static uint32_t int_array_arg(JSContext *ctx, JSValueConst arr, int *out, uint32_t max)
{
    JSValue lenv = JS_GetPropertyStr(ctx, arr, "length");
    uint32_t n = uint_arg(ctx, lenv);
    JS_FreeValue(ctx, lenv);
    if (n > max)
        n = max;
    for (uint32_t i = 0; i < n; i++) {
        JSValue v = JS_GetPropertyUint32(ctx, arr, i);
        out[i] = int_arg(ctx, v);
        JS_FreeValue(ctx, v);
    }
    return n;
}

/*
 * posix_spawn: the child shares our memory until it execs (vfork), so nothing of this process is
 * copied. A daemon with a few MiB of heap pays for that on every fork(), in page tables and in
 * copy-on-write faults on both sides. argv[3] is [target, source, ...] dup2 pairs applied in the
 * child; argv[4] the signals to reset to their default (ignoring survives exec).
 */
static JSValue f_spawn(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    int dups[64], sigs[64];
    uint32_t nd = int_array_arg(ctx, argv[3], dups, WB_COUNT(dups)) & ~1u;
    uint32_t ns = int_array_arg(ctx, argv[4], sigs, WB_COUNT(sigs));
    const char *path = JS_ToCString(ctx, argv[0]);
    uint32_t na = 0, ne = 0;
    char **av = strv_arg(ctx, argv[1], &na);
    char **ev = strv_arg(ctx, argv[2], &ne);
    int e = ENOMEM;
    pid_t pid = -1;
    if (path && av && ev) {
        posix_spawn_file_actions_t fa;
        posix_spawnattr_t at;
        sigset_t def, none;
        posix_spawn_file_actions_init(&fa);
        posix_spawnattr_init(&at);
        for (uint32_t i = 0; i < nd; i += 2)
            posix_spawn_file_actions_adddup2(&fa, dups[i + 1], dups[i]);
        sigemptyset(&def);
        sigemptyset(&none);
        for (uint32_t i = 0; i < ns; i++)
            sigaddset(&def, sigs[i]);
        posix_spawnattr_setsigdefault(&at, &def);
        posix_spawnattr_setsigmask(&at, &none);
        posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
        fflush(stdout);
        fflush(stderr);
        e = posix_spawn(&pid, path, &fa, &at, av, ev);
        posix_spawn_file_actions_destroy(&fa);
        posix_spawnattr_destroy(&at);
    }
    free_str(ctx, path);
    if (av) free_strv(av, na);
    if (ev) free_strv(ev, ne);
    return JS_NewInt32(ctx, e ? -e : pid);
}

/*
 * What ps shows as our command line: a copy of the strings, NUL-separated, made the kernel's
 * argument area with PR_SET_MM (root only). The copy lives as long as the process; the next
 * call replaces it. The copy is on the heap, below the old area on the stack, so moving the
 * start first keeps start < end at every step, as the kernel requires.
 */
static char *cmdline_buf;

static JSValue f_set_cmdline(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    uint32_t n = 0;
    char **v = strv_arg(ctx, argv[0], &n);
    if (!v)
        return JS_NewInt32(ctx, -ENOMEM);
    size_t len = 0;
    for (uint32_t i = 0; i < n; i++)
        len += strlen(v[i]) + 1;
    char *buf = malloc(len ? len : 1);
    int r = -ENOMEM;
    if (buf && len) {
        char *p = buf;
        for (uint32_t i = 0; i < n; i++) {
            size_t l = strlen(v[i]) + 1;
            memcpy(p, v[i], l);
            p += l;
        }
        r = prctl(PR_SET_MM, PR_SET_MM_ARG_START, (unsigned long)buf, 0, 0) < 0 ? -errno : 0;
        if (r == 0)
            r = prctl(PR_SET_MM, PR_SET_MM_ARG_END, (unsigned long)(buf + len), 0, 0) < 0 ? -errno : 0;
    }
    free_strv(v, n);
    if (r == 0) {
        free(cmdline_buf);
        cmdline_buf = buf;
    } else {
        free(buf);
    }
    return JS_NewInt32(ctx, r);
}

static JSValue f_exit(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    _exit(int_arg(ctx, argv[0]));
}

static JSValue f_waitpid(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    int status = 0;
    int r = waitpid(int_arg(ctx, argv[0]), &status, int_arg(ctx, argv[1]));
    double v[2] = { r < 0 ? -errno : r, status };
    return num_array(ctx, v, 2);
}

static JSValue f_kill(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    return RET(kill(int_arg(ctx, argv[0]), int_arg(ctx, argv[1])));
}

#define NOARG(name, expr) \
    static JSValue name(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv) { return RET(expr); }
NOARG(f_getpid, getpid())
NOARG(f_getppid, getppid())
NOARG(f_getuid, (int)getuid())
NOARG(f_geteuid, (int)geteuid())
NOARG(f_getgid, (int)getgid())
NOARG(f_getegid, (int)getegid())
NOARG(f_setsid, setsid())

static JSValue f_setpgid(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    return RET(setpgid(int_arg(ctx, argv[0]), int_arg(ctx, argv[1])));
}

static JSValue f_prctl(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    unsigned long a[5];
    for (int i = 0; i < 5; i++)
        a[i] = i < argc ? uint_arg(ctx, argv[i]) : 0;
    return RET(prctl((int)a[0], a[1], a[2], a[3], a[4]));
}

/* ---- credentials ---- */

static JSValue f_setuid(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    return RET(setuid(uint_arg(ctx, argv[0])));
}

static JSValue f_setgid(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    return RET(setgid(uint_arg(ctx, argv[0])));
}

static JSValue f_setgroups(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    JSValue lenv = JS_GetPropertyStr(ctx, argv[0], "length");
    uint32_t n = uint_arg(ctx, lenv);
    JS_FreeValue(ctx, lenv);
    if (n > 65536)
        return JS_NewInt32(ctx, -EINVAL);
    gid_t *g = calloc(n + 1, sizeof(gid_t));
    if (!g)
        return JS_NewInt32(ctx, -ENOMEM);
    for (uint32_t i = 0; i < n; i++) {
        JSValue v = JS_GetPropertyUint32(ctx, argv[0], i);
        g[i] = uint_arg(ctx, v);
        JS_FreeValue(ctx, v);
    }
    int r = setgroups(n, g);
    int e = errno;
    free(g);
    errno = e;
    return RET(r);
}

/* The kernel's capability ABI, version 3 (two 32-bit words per set). */
struct wb_cap_header { uint32_t version; int pid; };
struct wb_cap_data { uint32_t effective, permitted, inheritable; };
#define WB_CAP_V3 0x20080522

static JSValue f_capget(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    struct wb_cap_header h = { WB_CAP_V3, int_arg(ctx, argv[0]) };
    struct wb_cap_data d[2];
    memset(d, 0, sizeof d);
    long r = syscall(SYS_capget, &h, d);
    double v[7] = { r < 0 ? -errno : 0, d[0].effective, d[0].permitted, d[0].inheritable,
                    d[1].effective, d[1].permitted, d[1].inheritable };
    return num_array(ctx, v, 7);
}

/* capset(eff_lo, perm_lo, inh_lo, eff_hi, perm_hi, inh_hi) for this process. */
static JSValue f_capset(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    struct wb_cap_header h = { WB_CAP_V3, 0 };
    struct wb_cap_data d[2] = {
        { uint_arg(ctx, argv[0]), uint_arg(ctx, argv[1]), uint_arg(ctx, argv[2]) },
        { uint_arg(ctx, argv[3]), uint_arg(ctx, argv[4]), uint_arg(ctx, argv[5]) },
    };
    return RET((int)syscall(SYS_capset, &h, d));
}

/* ---- mounts and identity ---- */

static JSValue f_mount(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    const char *src = opt_str(ctx, argv[0]), *target = opt_str(ctx, argv[1]);
    const char *fstype = opt_str(ctx, argv[2]), *data = opt_str(ctx, argv[4]);
    int r = mount(src, target, fstype, uint_arg(ctx, argv[3]), data);
    int e = errno;
    free_str(ctx, src); free_str(ctx, target); free_str(ctx, fstype); free_str(ctx, data);
    errno = e;
    return RET(r);
}

/* Calls that take one path and up to two integers. */
#define PATH_CALL(name, expr)                                                                 \
    static JSValue name(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv) \
    {                                                                                         \
        const char *p = JS_ToCString(ctx, argv[0]);                                           \
        if (!p) return JS_NewInt32(ctx, -EINVAL);                                             \
        int32_t a1 = argc > 1 ? int_arg(ctx, argv[1]) : 0;                                    \
        int32_t a2 = argc > 2 ? int_arg(ctx, argv[2]) : 0;                                    \
        (void)a1; (void)a2;                                                                   \
        int r = (expr);                                                                       \
        int e = errno;                                                                        \
        JS_FreeCString(ctx, p);                                                               \
        errno = e;                                                                            \
        return RET(r);                                                                        \
    }
PATH_CALL(f_umount2, umount2(p, a1))
PATH_CALL(f_chroot, chroot(p))
PATH_CALL(f_chdir, chdir(p))
PATH_CALL(f_open, open(p, a1, (mode_t)a2))
PATH_CALL(f_mkdir, mkdir(p, (mode_t)a1))
PATH_CALL(f_rmdir, rmdir(p))
PATH_CALL(f_unlink, unlink(p))
PATH_CALL(f_mknod, mknod(p, (mode_t)a1, (dev_t)(uint32_t)a2))
PATH_CALL(f_chmod, chmod(p, (mode_t)a1))
PATH_CALL(f_chown, chown(p, (uid_t)a1, (gid_t)a2))
PATH_CALL(f_lchown, lchown(p, (uid_t)a1, (gid_t)a2))
PATH_CALL(f_sethostname, sethostname(p, strlen(p)))

/* Calls that take two paths. */
#define PATH2_CALL(name, expr)                                                                \
    static JSValue name(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv) \
    {                                                                                         \
        const char *a = JS_ToCString(ctx, argv[0]), *b = JS_ToCString(ctx, argv[1]);          \
        int r = (a && b) ? (expr) : (errno = EINVAL, -1);                                     \
        int e = errno;                                                                        \
        free_str(ctx, a); free_str(ctx, b);                                                   \
        errno = e;                                                                            \
        return RET(r);                                                                        \
    }
PATH2_CALL(f_pivot_root, (int)syscall(SYS_pivot_root, a, b))
PATH2_CALL(f_rename, rename(a, b))
PATH2_CALL(f_symlink, symlink(a, b))
PATH2_CALL(f_link, link(a, b))

static JSValue f_readlink(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    char buf[4096];
    const char *p = JS_ToCString(ctx, argv[0]);
    if (!p) return JS_NewInt32(ctx, -EINVAL);
    ssize_t n = readlink(p, buf, sizeof buf - 1);
    int e = errno;
    JS_FreeCString(ctx, p);
    if (n < 0) return JS_NewInt32(ctx, -e);
    return JS_NewStringLen(ctx, buf, n);
}

static JSValue f_getcwd(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    char buf[4096];
    if (!getcwd(buf, sizeof buf)) return JS_NewInt32(ctx, -errno);
    return JS_NewString(ctx, buf);
}

static JSValue f_gethostname(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    struct utsname u;
    if (uname(&u) < 0) return JS_NewInt32(ctx, -errno);
    return JS_NewString(ctx, u.nodename);
}

static JSValue f_umask(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    return JS_NewInt32(ctx, umask((mode_t)int_arg(ctx, argv[0])));
}

/* utimes(path, atime_s, atime_ns, mtime_s, mtime_ns, nofollow) */
static JSValue f_utimes(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    const char *p = JS_ToCString(ctx, argv[0]);
    if (!p) return JS_NewInt32(ctx, -EINVAL);
    double as = 0, an = 0, ms = 0, mn = 0;
    JS_ToFloat64(ctx, &as, argv[1]); JS_ToFloat64(ctx, &an, argv[2]);
    JS_ToFloat64(ctx, &ms, argv[3]); JS_ToFloat64(ctx, &mn, argv[4]);
    struct timespec ts[2] = { { (time_t)as, (long)an }, { (time_t)ms, (long)mn } };
    int r = utimensat(AT_FDCWD, p, ts, JS_ToBool(ctx, argv[5]) ? AT_SYMLINK_NOFOLLOW : 0);
    int e = errno;
    JS_FreeCString(ctx, p);
    errno = e;
    return RET(r);
}

/* ---- files ---- */

static JSValue stat_array(JSContext *ctx, int r, const struct stat *st)
{
    double v[10] = { r < 0 ? -errno : 0, st->st_dev, st->st_ino, st->st_mode, st->st_nlink,
                     st->st_uid, st->st_gid, st->st_rdev, st->st_size,
                     st->st_mtim.tv_sec * 1e3 + st->st_mtim.tv_nsec / 1e6 };
    return num_array(ctx, v, 10);
}

static JSValue f_stat(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    struct stat st;
    memset(&st, 0, sizeof st);
    const char *p = JS_ToCString(ctx, argv[0]);
    if (!p) return JS_NewInt32(ctx, -EINVAL);
    int r = JS_ToBool(ctx, argv[1]) ? lstat(p, &st) : stat(p, &st);
    int e = errno;
    JS_FreeCString(ctx, p);
    errno = e;
    return stat_array(ctx, r, &st);
}

static JSValue f_fstat(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    struct stat st;
    memset(&st, 0, sizeof st);
    int r = fstat(int_arg(ctx, argv[0]), &st);
    return stat_array(ctx, r, &st);
}

/* readdir(path) -> [0, name, d_type, name, d_type, ...] or -errno; skips . and .. */
static JSValue f_readdir(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    const char *p = JS_ToCString(ctx, argv[0]);
    if (!p) return JS_NewInt32(ctx, -EINVAL);
    DIR *d = opendir(p);
    int e = errno;
    JS_FreeCString(ctx, p);
    if (!d) return JS_NewInt32(ctx, -e);
    JSValue arr = JS_NewArray(ctx);
    uint32_t i = 0;
    JS_SetPropertyUint32(ctx, arr, i++, JS_NewInt32(ctx, 0));
    struct dirent *ent;
    while ((ent = readdir(d))) {
        if (!strcmp(ent->d_name, ".") || !strcmp(ent->d_name, ".."))
            continue;
        JS_SetPropertyUint32(ctx, arr, i++, JS_NewString(ctx, ent->d_name));
        JS_SetPropertyUint32(ctx, arr, i++, JS_NewInt32(ctx, ent->d_type));
    }
    closedir(d);
    return arr;
}

static JSValue f_close(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    return RET(close(int_arg(ctx, argv[0])));
}

/* read(fd, arraybuffer, offset, length) */
static JSValue f_read(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    size_t len;
    uint8_t *p = buf_arg(ctx, argv[1], argv[2], argv[3], &len);
    if (!p) return JS_NewInt32(ctx, -EFAULT);
    return RET((int)read(int_arg(ctx, argv[0]), p, len));
}

static JSValue f_write(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    size_t len;
    uint8_t *p = buf_arg(ctx, argv[1], argv[2], argv[3], &len);
    if (!p) return JS_NewInt32(ctx, -EFAULT);
    return RET((int)write(int_arg(ctx, argv[0]), p, len));
}

/* ---- descriptors ---- */

static JSValue f_pipe(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    int fds[2] = { -1, -1 };
    int r = pipe2(fds, int_arg(ctx, argv[0]));
    double v[3] = { r < 0 ? -errno : 0, fds[0], fds[1] };
    return num_array(ctx, v, 3);
}

static JSValue f_dup(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    return RET(dup(int_arg(ctx, argv[0])));
}

static JSValue f_dup2(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    return RET(dup2(int_arg(ctx, argv[0]), int_arg(ctx, argv[1])));
}

static JSValue f_fcntl(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    return RET(fcntl(int_arg(ctx, argv[0]), int_arg(ctx, argv[1]), int_arg(ctx, argv[2])));
}

/* ---- sockets ---- */

static JSValue f_socket(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    return RET(socket(int_arg(ctx, argv[0]), int_arg(ctx, argv[1]), int_arg(ctx, argv[2])));
}

static JSValue f_socketpair(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    int fds[2] = { -1, -1 };
    int r = socketpair(int_arg(ctx, argv[0]), int_arg(ctx, argv[1]), int_arg(ctx, argv[2]), fds);
    double v[3] = { r < 0 ? -errno : 0, fds[0], fds[1] };
    return num_array(ctx, v, 3);
}

/* Fills a sockaddr from (family, path-or-host, port); returns its length or -errno. */
static int sockaddr_arg(JSContext *ctx, JSValueConst *argv, struct sockaddr_storage *ss)
{
    int family = int_arg(ctx, argv[1]);
    memset(ss, 0, sizeof *ss);
    if (family == AF_UNIX) {
        struct sockaddr_un *un = (struct sockaddr_un *)ss;
        size_t len;
        const char *p = JS_ToCStringLen(ctx, &len, argv[2]);
        if (!p) return -EINVAL;
        if (len >= sizeof un->sun_path) { JS_FreeCString(ctx, p); return -ENAMETOOLONG; }
        un->sun_family = AF_UNIX;
        memcpy(un->sun_path, p, len); /* a leading NUL makes an abstract address */
        JS_FreeCString(ctx, p);
        return (int)(offsetof(struct sockaddr_un, sun_path) + len + (len && un->sun_path[0] ? 1 : 0));
    }
    if (family == AF_INET) {
        struct sockaddr_in *in = (struct sockaddr_in *)ss;
        const char *h = JS_ToCString(ctx, argv[2]);
        if (!h) return -EINVAL;
        int ok = inet_pton(AF_INET, h, &in->sin_addr);
        JS_FreeCString(ctx, h);
        if (ok != 1) return -EINVAL;
        in->sin_family = AF_INET;
        in->sin_port = htons((uint16_t)int_arg(ctx, argv[3]));
        return sizeof *in;
    }
    return -EAFNOSUPPORT;
}

/* bind(fd, family, pathOrHost, port) */
static JSValue f_bind(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    struct sockaddr_storage ss;
    int len = sockaddr_arg(ctx, argv, &ss);
    if (len < 0) return JS_NewInt32(ctx, len);
    return RET(bind(int_arg(ctx, argv[0]), (struct sockaddr *)&ss, len));
}

static JSValue f_connect(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    struct sockaddr_storage ss;
    int len = sockaddr_arg(ctx, argv, &ss);
    if (len < 0) return JS_NewInt32(ctx, len);
    return RET(connect(int_arg(ctx, argv[0]), (struct sockaddr *)&ss, len));
}

static JSValue f_listen(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    return RET(listen(int_arg(ctx, argv[0]), int_arg(ctx, argv[1])));
}

static JSValue f_accept(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    return RET(accept4(int_arg(ctx, argv[0]), NULL, NULL, int_arg(ctx, argv[1])));
}

/* sendto(fd, family, host, port, buf, off, len): one datagram to an address (a DNS answer). */
static JSValue f_sendto(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    struct sockaddr_storage ss;
    int slen = sockaddr_arg(ctx, argv, &ss);
    if (slen < 0) return JS_NewInt32(ctx, slen);
    size_t len;
    uint8_t *p = buf_arg(ctx, argv[4], argv[5], argv[6], &len);
    if (!p) return JS_NewInt32(ctx, -EFAULT);
    return RET((int)sendto(int_arg(ctx, argv[0]), p, len, 0, (struct sockaddr *)&ss, slen));
}

/* recvfrom(fd, buf, off, len): [count, host, port] for an IPv4 sender, or -errno. */
static JSValue f_recvfrom(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    size_t len;
    uint8_t *p = buf_arg(ctx, argv[1], argv[2], argv[3], &len);
    if (!p) return JS_NewInt32(ctx, -EFAULT);
    struct sockaddr_in from;
    socklen_t flen = sizeof from;
    memset(&from, 0, sizeof from);
    ssize_t n = recvfrom(int_arg(ctx, argv[0]), p, len, 0, (struct sockaddr *)&from, &flen);
    if (n < 0) return JS_NewInt32(ctx, -errno);
    char host[INET_ADDRSTRLEN] = "";
    if (from.sin_family == AF_INET) inet_ntop(AF_INET, &from.sin_addr, host, sizeof host);
    JSValue arr = JS_NewArray(ctx);
    JS_SetPropertyUint32(ctx, arr, 0, JS_NewInt32(ctx, (int32_t)n));
    JS_SetPropertyUint32(ctx, arr, 1, JS_NewString(ctx, host));
    JS_SetPropertyUint32(ctx, arr, 2, JS_NewInt32(ctx, ntohs(from.sin_port)));
    return arr;
}

/* sendfd(sock, fd, name): fd passed with SCM_RIGHTS, name as the message (runc's console socket). */
static JSValue f_sendfd(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    size_t len;
    const char *name = JS_ToCStringLen(ctx, &len, argv[2]);
    if (!name) return JS_NewInt32(ctx, -EINVAL);
    int fd = int_arg(ctx, argv[1]);
    union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } control;
    memset(&control, 0, sizeof control);
    struct iovec iov = { .iov_base = (void *)(len ? name : "\0"), .iov_len = len ? len : 1 };
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf, .msg_controllen = sizeof control.buf };
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd, sizeof(int));
    long r = sendmsg(int_arg(ctx, argv[0]), &msg, MSG_NOSIGNAL);
    JSValue out = RET(r);
    JS_FreeCString(ctx, name);
    return out;
}

static JSValue f_shutdown(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    return RET(shutdown(int_arg(ctx, argv[0]), int_arg(ctx, argv[1])));
}

static JSValue f_setsockopt(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    int v = int_arg(ctx, argv[3]);
    return RET(setsockopt(int_arg(ctx, argv[0]), int_arg(ctx, argv[1]), int_arg(ctx, argv[2]), &v, sizeof v));
}

/* poll([fd, events, fd, events...], timeout) -> [n, revents...] */
static JSValue f_poll(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    JSValue lenv = JS_GetPropertyStr(ctx, argv[0], "length");
    uint32_t n = uint_arg(ctx, lenv) / 2;
    JS_FreeValue(ctx, lenv);
    if (n > 4096) return JS_NewInt32(ctx, -EINVAL);
    struct pollfd *p = calloc(n + 1, sizeof *p);
    if (!p) return JS_NewInt32(ctx, -ENOMEM);
    for (uint32_t i = 0; i < n; i++) {
        JSValue a = JS_GetPropertyUint32(ctx, argv[0], 2 * i), b = JS_GetPropertyUint32(ctx, argv[0], 2 * i + 1);
        p[i].fd = int_arg(ctx, a);
        p[i].events = (short)int_arg(ctx, b);
        JS_FreeValue(ctx, a); JS_FreeValue(ctx, b);
    }
    int r = poll(p, n, int_arg(ctx, argv[1]));
    int e = errno;
    JSValue arr = JS_NewArray(ctx);
    JS_SetPropertyUint32(ctx, arr, 0, JS_NewInt32(ctx, r < 0 ? -e : r));
    for (uint32_t i = 0; i < n; i++)
        JS_SetPropertyUint32(ctx, arr, i + 1, JS_NewInt32(ctx, p[i].revents));
    free(p);
    return arr;
}

/* ---- terminals ---- */

/* ioctl(fd, request, intValue, byPointer): passes the integer itself, or a pointer to it;
   returns [result, value after the call]. */
static JSValue f_ioctl(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    int v = int_arg(ctx, argv[2]);
    unsigned long req = uint_arg(ctx, argv[1]);
    int r = JS_ToBool(ctx, argv[3]) ? ioctl(int_arg(ctx, argv[0]), req, &v)
                                    : ioctl(int_arg(ctx, argv[0]), req, (unsigned long)v);
    double out[2] = { r < 0 ? -errno : r, v };
    return num_array(ctx, out, 2);
}

/* ioctl_buf(fd, request, buf, offset, length): passes a pointer to those bytes (termios...). */
static JSValue f_ioctl_buf(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    size_t len;
    uint8_t *p = buf_arg(ctx, argv[2], argv[3], argv[4], &len);
    if (!p)
        return JS_NewInt32(ctx, -EFAULT);
    return RET(ioctl(int_arg(ctx, argv[0]), (unsigned long)uint_arg(ctx, argv[1]), p));
}

/* winsize(fd, set, rows, cols) -> [result, rows, cols] */
static JSValue f_winsize(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    struct winsize ws;
    memset(&ws, 0, sizeof ws);
    int set = JS_ToBool(ctx, argv[1]);
    if (set) {
        ws.ws_row = (unsigned short)int_arg(ctx, argv[2]);
        ws.ws_col = (unsigned short)int_arg(ctx, argv[3]);
    }
    int r = ioctl(int_arg(ctx, argv[0]), set ? TIOCSWINSZ : TIOCGWINSZ, &ws);
    double out[3] = { r < 0 ? -errno : r, ws.ws_row, ws.ws_col };
    return num_array(ctx, out, 3);
}

/* ---- text ----
 * UTF-8 in C, because the same loops in JavaScript cost dockerd, the shim and the CLI a large
 * share of their time in the emulator (every request, response and JSON file passes through).
 * The results match src/guest/sys/utf8.ts: lone surrogates encode as U+FFFD, and decoding
 * returns null for malformed input so that the JavaScript decoder applies its replacement rules.
 */

static JSValue f_utf8_encode(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    size_t len;
    const char *s = JS_ToCStringLen2(ctx, &len, argv[0], 0);
    if (!s)
        return JS_EXCEPTION;
    JSValue ab = JS_NewArrayBufferCopy(ctx, (const uint8_t *)s, len);
    JS_FreeCString(ctx, s);
    if (JS_IsException(ab))
        return ab;
    size_t size;
    uint8_t *p = JS_GetArrayBuffer(ctx, &size, ab);
    /* QuickJS keeps a lone surrogate as ED A0..BF xx; U+FFFD (EF BF BD) has the same length */
    for (size_t i = 0; p && i + 2 < size; i++) {
        if (p[i] == 0xed && p[i + 1] >= 0xa0) {
            p[i] = 0xef;
            p[i + 1] = 0xbf;
            p[i + 2] = 0xbd;
            i += 2;
        }
    }
    return ab;
}

/* Length of the well-formed UTF-8 sequence at p (1..4), or 0 when it is malformed. */
static int utf8_seq_len(const uint8_t *p, size_t left)
{
    uint8_t c = p[0];
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c < 0xe0)
        return left >= 2 && (p[1] & 0xc0) == 0x80 ? 2 : 0;
    if (c >= 0xe0 && c < 0xf0) {
        if (left < 3 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80)
            return 0;
        if ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] >= 0xa0))
            return 0; /* overlong, or a surrogate */
        return 3;
    }
    if (c >= 0xf0 && c < 0xf5) {
        if (left < 4 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 || (p[3] & 0xc0) != 0x80)
            return 0;
        if ((c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] >= 0x90))
            return 0; /* overlong, or above U+10FFFF */
        return 4;
    }
    return 0;
}

/* utf8_decode(buf, offset, length): the string, or null when the bytes are not well-formed. */
static JSValue f_utf8_decode(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    size_t len;
    uint8_t *p = buf_arg(ctx, argv[0], argv[1], argv[2], &len);
    if (!p)
        return JS_ThrowRangeError(ctx, "utf8_decode: range outside the buffer");
    for (size_t i = 0; i < len;) {
        int n = utf8_seq_len(p + i, len - i);
        if (!n)
            return JS_NULL;
        i += n;
    }
    return JS_NewStringLen(ctx, (const char *)p, len);
}

/* ---- extended attributes ---- */

/* lgetxattr(path, name) -> ArrayBuffer with the value, or -errno */
static JSValue f_lgetxattr(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    const char *p = JS_ToCString(ctx, argv[0]), *name = JS_ToCString(ctx, argv[1]);
    char val[65536];
    ssize_t n = (p && name) ? lgetxattr(p, name, val, sizeof val) : (errno = EINVAL, -1);
    int e = errno;
    free_str(ctx, p); free_str(ctx, name);
    if (n < 0) return JS_NewInt32(ctx, -e);
    return JS_NewArrayBufferCopy(ctx, (const uint8_t *)val, (size_t)n);
}

/* lsetxattr(path, name, buf, offset, length) */
static JSValue f_lsetxattr(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    size_t len;
    uint8_t *v = buf_arg(ctx, argv[2], argv[3], argv[4], &len);
    if (!v) return JS_NewInt32(ctx, -EFAULT);
    const char *p = JS_ToCString(ctx, argv[0]), *name = JS_ToCString(ctx, argv[1]);
    int r = (p && name) ? lsetxattr(p, name, v, len, 0) : (errno = EINVAL, -1);
    int e = errno;
    free_str(ctx, p); free_str(ctx, name);
    errno = e;
    return RET(r);
}

/* llistxattr(path) -> [0, name, name...] or -errno */
static JSValue f_llistxattr(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    const char *p = JS_ToCString(ctx, argv[0]);
    if (!p) return JS_NewInt32(ctx, -EINVAL);
    char list[65536];
    ssize_t n = llistxattr(p, list, sizeof list);
    int e = errno;
    JS_FreeCString(ctx, p);
    if (n < 0) return JS_NewInt32(ctx, -e);
    JSValue arr = JS_NewArray(ctx);
    uint32_t k = 0;
    JS_SetPropertyUint32(ctx, arr, k++, JS_NewInt32(ctx, 0));
    for (ssize_t i = 0; i < n; i += (ssize_t)strlen(list + i) + 1)
        JS_SetPropertyUint32(ctx, arr, k++, JS_NewString(ctx, list + i));
    return arr;
}

/* ---- layers and digests (layer.c) ---- */

/* layer_write(dir, outPath, level, copyTo|null)
   -> [0, digestHex, diffIdHex, size, diffSize, contentSize] or [-errno, failedPath] */
static JSValue f_layer_write(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    const char *dir = JS_ToCString(ctx, argv[0]), *out = JS_ToCString(ctx, argv[1]);
    const char *copy = opt_str(ctx, argv[3]);
    wb_layer_result *res = malloc(sizeof *res);
    int r = (dir && out && res) ? wb_layer_write(dir, out, int_arg(ctx, argv[2]), copy, res) : -ENOMEM;
    free_str(ctx, dir); free_str(ctx, out); free_str(ctx, copy);
    JSValue arr = JS_NewArray(ctx);
    JS_SetPropertyUint32(ctx, arr, 0, JS_NewInt32(ctx, r));
    if (r == 0) {
        JS_SetPropertyUint32(ctx, arr, 1, JS_NewString(ctx, res->digest));
        JS_SetPropertyUint32(ctx, arr, 2, JS_NewString(ctx, res->diff_id));
        JS_SetPropertyUint32(ctx, arr, 3, JS_NewFloat64(ctx, (double)res->size));
        JS_SetPropertyUint32(ctx, arr, 4, JS_NewFloat64(ctx, (double)res->diff_size));
        JS_SetPropertyUint32(ctx, arr, 5, JS_NewFloat64(ctx, (double)res->content_size));
    } else if (res) {
        JS_SetPropertyUint32(ctx, arr, 1, JS_NewString(ctx, res->err_path));
    }
    free(res);
    return arr;
}

/* sha256(buf, offset, length) -> 64 hex digits */
static JSValue f_sha256(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    size_t len;
    uint8_t *p = buf_arg(ctx, argv[0], argv[1], argv[2], &len);
    if (!p)
        return JS_ThrowRangeError(ctx, "sha256: range outside the buffer");
    wb_sha256 s;
    char hex[65];
    wb_sha256_init(&s);
    wb_sha256_update(&s, p, len);
    wb_sha256_hex(&s, hex);
    return JS_NewString(ctx, hex);
}

/* sha256_file(path) -> 64 hex digits or -errno: a blob is hashed without entering the JS heap */
static JSValue f_sha256_file(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    const char *p = JS_ToCString(ctx, argv[0]);
    if (!p) return JS_NewInt32(ctx, -EINVAL);
    int fd = open(p, O_RDONLY | O_CLOEXEC);
    int e = errno;
    JS_FreeCString(ctx, p);
    if (fd < 0) return JS_NewInt32(ctx, -e);
    uint8_t *buf = malloc(65536);
    if (!buf) { close(fd); return JS_NewInt32(ctx, -ENOMEM); }
    wb_sha256 s;
    wb_sha256_init(&s);
    ssize_t n;
    while ((n = read(fd, buf, 65536)) != 0) {
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) { e = errno; free(buf); close(fd); return JS_NewInt32(ctx, -e); }
        wb_sha256_update(&s, buf, (size_t)n);
    }
    free(buf);
    close(fd);
    char hex[65];
    wb_sha256_hex(&s, hex);
    return JS_NewString(ctx, hex);
}

static const JSCFunctionListEntry wb_funcs[] = {
    JS_CFUNC_DEF("fork", 1, f_fork),
    JS_CFUNC_DEF("unshare", 1, f_unshare),
    JS_CFUNC_DEF("setrlimit", 3, f_setrlimit),
    JS_CFUNC_DEF("setns", 2, f_setns),
    JS_CFUNC_DEF("execve", 3, f_execve),
    JS_CFUNC_DEF("spawn", 5, f_spawn),
    JS_CFUNC_DEF("setCmdline", 1, f_set_cmdline),
    JS_CFUNC_DEF("exit", 1, f_exit),
    JS_CFUNC_DEF("waitpid", 2, f_waitpid),
    JS_CFUNC_DEF("kill", 2, f_kill),
    JS_CFUNC_DEF("getpid", 0, f_getpid),
    JS_CFUNC_DEF("getppid", 0, f_getppid),
    JS_CFUNC_DEF("getuid", 0, f_getuid),
    JS_CFUNC_DEF("geteuid", 0, f_geteuid),
    JS_CFUNC_DEF("getgid", 0, f_getgid),
    JS_CFUNC_DEF("getegid", 0, f_getegid),
    JS_CFUNC_DEF("setsid", 0, f_setsid),
    JS_CFUNC_DEF("setpgid", 2, f_setpgid),
    JS_CFUNC_DEF("prctl", 5, f_prctl),
    JS_CFUNC_DEF("setuid", 1, f_setuid),
    JS_CFUNC_DEF("setgid", 1, f_setgid),
    JS_CFUNC_DEF("setgroups", 1, f_setgroups),
    JS_CFUNC_DEF("capget", 1, f_capget),
    JS_CFUNC_DEF("capset", 6, f_capset),
    JS_CFUNC_DEF("mount", 5, f_mount),
    JS_CFUNC_DEF("umount2", 2, f_umount2),
    JS_CFUNC_DEF("pivot_root", 2, f_pivot_root),
    JS_CFUNC_DEF("chroot", 1, f_chroot),
    JS_CFUNC_DEF("chdir", 1, f_chdir),
    JS_CFUNC_DEF("getcwd", 0, f_getcwd),
    JS_CFUNC_DEF("sethostname", 1, f_sethostname),
    JS_CFUNC_DEF("gethostname", 0, f_gethostname),
    JS_CFUNC_DEF("umask", 1, f_umask),
    JS_CFUNC_DEF("open", 3, f_open),
    JS_CFUNC_DEF("close", 1, f_close),
    JS_CFUNC_DEF("read", 4, f_read),
    JS_CFUNC_DEF("write", 4, f_write),
    JS_CFUNC_DEF("stat", 2, f_stat),
    JS_CFUNC_DEF("fstat", 1, f_fstat),
    JS_CFUNC_DEF("readdir", 1, f_readdir),
    JS_CFUNC_DEF("mkdir", 2, f_mkdir),
    JS_CFUNC_DEF("rmdir", 1, f_rmdir),
    JS_CFUNC_DEF("unlink", 1, f_unlink),
    JS_CFUNC_DEF("rename", 2, f_rename),
    JS_CFUNC_DEF("symlink", 2, f_symlink),
    JS_CFUNC_DEF("readlink", 1, f_readlink),
    JS_CFUNC_DEF("link", 2, f_link),
    JS_CFUNC_DEF("mknod", 3, f_mknod),
    JS_CFUNC_DEF("chmod", 2, f_chmod),
    JS_CFUNC_DEF("chown", 3, f_chown),
    JS_CFUNC_DEF("lchown", 3, f_lchown),
    JS_CFUNC_DEF("utimes", 6, f_utimes),
    JS_CFUNC_DEF("pipe", 1, f_pipe),
    JS_CFUNC_DEF("dup", 1, f_dup),
    JS_CFUNC_DEF("dup2", 2, f_dup2),
    JS_CFUNC_DEF("fcntl", 3, f_fcntl),
    JS_CFUNC_DEF("socket", 3, f_socket),
    JS_CFUNC_DEF("socketpair", 3, f_socketpair),
    JS_CFUNC_DEF("bind", 4, f_bind),
    JS_CFUNC_DEF("connect", 4, f_connect),
    JS_CFUNC_DEF("listen", 2, f_listen),
    JS_CFUNC_DEF("accept", 2, f_accept),
    JS_CFUNC_DEF("shutdown", 2, f_shutdown),
    JS_CFUNC_DEF("sendfd", 3, f_sendfd),
    JS_CFUNC_DEF("sendto", 7, f_sendto),
    JS_CFUNC_DEF("recvfrom", 4, f_recvfrom),
    JS_CFUNC_DEF("setsockopt", 4, f_setsockopt),
    JS_CFUNC_DEF("poll", 2, f_poll),
    JS_CFUNC_DEF("ioctl", 4, f_ioctl),
    JS_CFUNC_DEF("winsize", 4, f_winsize),
    JS_CFUNC_DEF("ioctl_buf", 5, f_ioctl_buf),
    JS_CFUNC_DEF("utf8_encode", 1, f_utf8_encode),
    JS_CFUNC_DEF("utf8_decode", 3, f_utf8_decode),
    JS_CFUNC_DEF("lgetxattr", 2, f_lgetxattr),
    JS_CFUNC_DEF("lsetxattr", 5, f_lsetxattr),
    JS_CFUNC_DEF("llistxattr", 1, f_llistxattr),
    JS_CFUNC_DEF("layer_write", 4, f_layer_write),
    JS_CFUNC_DEF("sha256", 3, f_sha256),
    JS_CFUNC_DEF("sha256_file", 1, f_sha256_file),
};

static int wb_init(JSContext *ctx, JSModuleDef *m)
{
    return JS_SetModuleExportList(ctx, m, wb_funcs, WB_COUNT(wb_funcs));
}

JSModuleDef *wb_init_native(JSContext *ctx, const char *name)
{
    JSModuleDef *m = JS_NewCModule(ctx, name, wb_init);
    if (!m)
        return NULL;
    JS_AddModuleExportList(ctx, m, wb_funcs, WB_COUNT(wb_funcs));
    return m;
}
