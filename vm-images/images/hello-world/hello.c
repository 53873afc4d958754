/*
 * Whalebone's hello-world: a tiny static i386 program with no C library.
 * It talks to the Linux kernel directly through `int $0x80` system calls,
 * so the whole image is this one file.
 */

static const char message[] =
    "\n"
    "Hello from Whalebone!\n"
    "\n"
    "If you can read this, a container just ran. Here is what happened:\n"
    " 1. The docker command sent your request to the daemon (dockerd) over\n"
    "    the socket /var/run/docker.sock, using the Docker Engine API.\n"
    " 2. The daemon looked for the image \"hello-world\". If it was missing,\n"
    "    it pulled the image from the offline registry: it checked each\n"
    "    layer's sha256 digest and unpacked it into its layer store.\n"
    " 3. It stacked the layers with overlayfs into a root filesystem, wrote\n"
    "    an OCI bundle (config.json + rootfs) and started a containerd-shim.\n"
    " 4. The shim ran runc, which made new namespaces (pid, mount, uts, ipc,\n"
    "    net), put the process into a cgroup, switched root with pivot_root\n"
    "    and executed /hello: this program, now process 1 in its own world.\n"
    " 5. What I print goes to the shim, which logs it and streams it back\n"
    "    to your terminal. When I exit, the container stops.\n"
    "\n"
    "This program is under 2 KB: no shell, no libc, just system calls.\n"
    "Try something bigger:\n"
    "  docker run -it busybox sh\n"
    "  docker run -d nginx\n"
    "\n";

static long sys3(long nr, long a, long b, long c)
{
    long ret;
    __asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
    return ret;
}

enum { SYS_exit = 1, SYS_write = 4 };

void _start(void)
{
    const char *p = message;
    long left = sizeof message - 1;
    int status = 0;
    while (left > 0) {
        long n = sys3(SYS_write, 1, (long)p, left);
        if (n == -4) continue; /* EINTR: try again */
        if (n <= 0) { status = 1; break; }
        p += n;
        left -= n;
    }
    for (;;) sys3(SYS_exit, status, 0, 0);
}
