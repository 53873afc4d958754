/*
 * layer.c: commits an overlayfs upper directory as an OCI image layer in one pass.
 *
 * A container's changes become a gzip-compressed tar (the layer blob) while the same walk
 * computes sha256 of the uncompressed tar (the layer's diff_id) and of the compressed bytes (the
 * blob's digest). Doing this in JavaScript meant a QuickJS sha256 and deflate over every byte of
 * the layer, which in the emulator takes minutes for tens of megabytes; here it is zlib and a
 * plain C sha256 over buffers that never reach the JavaScript heap.
 *
 * What the tar holds, in the order of a sorted depth-first walk (src/guest/util/layertar.ts is
 * the JavaScript reference and must produce the same bytes):
 * - POSIX ustar headers; a PAX extended header carries paths and link targets over 100 bytes,
 *   sizes and ids too big for the octal fields, and extended attributes (SCHILY.xattr.*).
 * - overlayfs whiteouts (0:0 character devices) become empty files named .wh.<name>; a directory
 *   with trusted.overlay.opaque=y gets an empty .wh..wh..opq entry after it, as Docker writes
 *   them. overlayfs's own trusted.overlay.* attributes are never copied into the layer.
 * - a file with several links inside the layer is stored once; its other names are hard links.
 * Optionally every entry is also recreated under copy_to (overlayfs form: whiteouts stay 0:0
 * devices, opaque dirs keep the xattr), so the committed layer can serve as an overlay lower dir
 * without a second read of the data.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/xattr.h>
#include <zlib.h>
#include "layer.h"

/* ---- sha256 (FIPS 180-4) ---- */

static const uint32_t K256[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void sha256_block(wb_sha256 *s, const uint8_t *b)
{
    uint32_t w[64];
    for (int t = 0; t < 16; t++)
        w[t] = (uint32_t)b[4 * t] << 24 | (uint32_t)b[4 * t + 1] << 16 | (uint32_t)b[4 * t + 2] << 8 | b[4 * t + 3];
    for (int t = 16; t < 64; t++) {
        uint32_t s0 = ROR(w[t - 15], 7) ^ ROR(w[t - 15], 18) ^ (w[t - 15] >> 3);
        uint32_t s1 = ROR(w[t - 2], 17) ^ ROR(w[t - 2], 19) ^ (w[t - 2] >> 10);
        w[t] = w[t - 16] + s0 + w[t - 7] + s1;
    }
    uint32_t a = s->h[0], bb = s->h[1], c = s->h[2], d = s->h[3], e = s->h[4], f = s->h[5], g = s->h[6], h = s->h[7];
    for (int t = 0; t < 64; t++) {
        uint32_t t1 = h + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) + K256[t] + w[t];
        uint32_t t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & bb) ^ (a & c) ^ (bb & c));
        h = g; g = f; f = e; e = d + t1; d = c; c = bb; bb = a; a = t1 + t2;
    }
    s->h[0] += a; s->h[1] += bb; s->h[2] += c; s->h[3] += d;
    s->h[4] += e; s->h[5] += f; s->h[6] += g; s->h[7] += h;
}

void wb_sha256_init(wb_sha256 *s)
{
    static const uint32_t iv[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
    memcpy(s->h, iv, sizeof iv);
    s->used = 0;
    s->total = 0;
}

void wb_sha256_update(wb_sha256 *s, const uint8_t *p, size_t n)
{
    s->total += n;
    if (s->used) {
        size_t k = 64 - s->used < n ? 64 - s->used : n;
        memcpy(s->buf + s->used, p, k);
        s->used += k;
        p += k;
        n -= k;
        if (s->used < 64)
            return;
        sha256_block(s, s->buf);
        s->used = 0;
    }
    for (; n >= 64; p += 64, n -= 64)
        sha256_block(s, p);
    memcpy(s->buf, p, n);
    s->used = n;
}

void wb_sha256_hex(wb_sha256 *s, char out[65])
{
    uint64_t bits = s->total * 8;
    uint8_t pad[72] = { 0x80 };
    size_t padlen = (s->used < 56 ? 56 : 120) - s->used;
    for (int i = 0; i < 8; i++)
        pad[padlen + i] = (uint8_t)(bits >> (56 - 8 * i));
    wb_sha256_update(s, pad, padlen + 8);
    for (int i = 0; i < 8; i++)
        snprintf(out + 8 * i, 9, "%08x", s->h[i]);
}

/* ---- the writer ---- */

#define OUT_CHUNK 65536

struct link_seen {
    dev_t dev;
    ino_t ino;
    char *path; /* tar name of the first link */
};

typedef struct {
    int out_fd;
    z_stream z;
    int z_ready;
    wb_sha256 tar_hash, gz_hash;
    uint64_t tar_size, gz_size;
    uint8_t zout[OUT_CHUNK];
    uint8_t io[OUT_CHUNK];
    struct link_seen *links;
    size_t nlinks, caplinks;
    const char *copy_to;
    wb_layer_result *res;
} writer;

static int fail(writer *w, int err, const char *path)
{
    if (!w->res->err) {
        w->res->err = err;
        snprintf(w->res->err_path, sizeof w->res->err_path, "%s", path);
    }
    return -1;
}

static int write_full(int fd, const uint8_t *p, size_t n)
{
    while (n) {
        ssize_t k = write(fd, p, n);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

/* Deflates whatever zlib has pending and writes it out (flush: Z_NO_FLUSH or Z_FINISH). */
static int drain(writer *w, int flush)
{
    int r;
    do {
        w->z.next_out = w->zout;
        w->z.avail_out = OUT_CHUNK;
        r = deflate(&w->z, flush);
        if (r == Z_STREAM_ERROR)
            return fail(w, EIO, "deflate");
        size_t have = OUT_CHUNK - w->z.avail_out;
        if (have) {
            wb_sha256_update(&w->gz_hash, w->zout, have);
            w->gz_size += have;
            if (write_full(w->out_fd, w->zout, have) < 0)
                return fail(w, errno, "layer blob");
        }
    } while (w->z.avail_out == 0 || (flush == Z_FINISH && r != Z_STREAM_END));
    return 0;
}

/* Appends bytes of the uncompressed tar stream. */
static int emit(writer *w, const void *p, size_t n)
{
    wb_sha256_update(&w->tar_hash, p, n);
    w->tar_size += n;
    w->z.next_in = (Bytef *)p;
    w->z.avail_in = (uInt)n;
    while (w->z.avail_in)
        if (drain(w, Z_NO_FLUSH) < 0)
            return -1;
    return 0;
}

static int emit_padding(writer *w, uint64_t size)
{
    static const uint8_t zeros[512];
    size_t pad = (512 - size % 512) % 512;
    return pad ? emit(w, zeros, pad) : 0;
}

/* A number in an octal header field; 0 when it does not fit (then PAX carries it). */
static int put_octal(uint8_t *field, size_t len, uint64_t v)
{
    char tmp[24];
    int n = snprintf(tmp, sizeof tmp, "%0*llo", (int)len - 1, (unsigned long long)v);
    if (n != (int)len - 1)
        return 0;
    memcpy(field, tmp, len - 1);
    field[len - 1] = 0;
    return 1;
}

struct entry {
    const char *name;     /* tar name (directories end with '/') */
    char type;            /* '0' file, '1' hard link, '2' symlink, '3' char, '4' block, '5' dir, '6' fifo */
    uint32_t mode;
    uint64_t uid, gid, size;
    int64_t mtime;
    const char *linkname; /* hard link or symlink target, or "" */
    uint32_t devmajor, devminor;
    const char *xattrs;   /* llistxattr result: NUL-separated names */
    ssize_t xattrs_len;
    const char *path;     /* file on disk, for xattr values */
};

/* Appends one "len key=value\n" PAX record; the length counts its own digits. */
static int pax_record(char **buf, size_t *len, size_t *cap, const char *key, const char *val, size_t vlen)
{
    size_t body = 1 + strlen(key) + 1 + vlen + 1; /* ' ' key '=' value '\n' */
    size_t digits = 1, total;
    for (;;) {
        total = body + digits;
        size_t d = 1;
        for (size_t t = total; t >= 10; t /= 10)
            d++;
        if (d == digits)
            break;
        digits = d;
    }
    if (*len + total > *cap) {
        size_t ncap = (*cap + total) * 2;
        char *nb = realloc(*buf, ncap);
        if (!nb)
            return -1;
        *buf = nb;
        *cap = ncap;
    }
    char *p = *buf + *len;
    int k = sprintf(p, "%zu %s=", total, key);
    memcpy(p + k, val, vlen);
    p[k + vlen] = '\n';
    *len += total;
    return 0;
}

static void header_block(uint8_t h[512], const char *name, char type, uint32_t mode, uint64_t uid, uint64_t gid,
                         uint64_t size, int64_t mtime, const char *linkname, uint32_t major, uint32_t minor)
{
    memset(h, 0, 512);
    size_t nl = strlen(name), ll = strlen(linkname);
    memcpy(h, name, nl > 100 ? 100 : nl);
    put_octal(h + 100, 8, mode);
    if (!put_octal(h + 108, 8, uid)) put_octal(h + 108, 8, 0);
    if (!put_octal(h + 116, 8, gid)) put_octal(h + 116, 8, 0);
    if (!put_octal(h + 124, 12, size)) put_octal(h + 124, 12, 0);
    put_octal(h + 136, 12, mtime > 0 ? (uint64_t)mtime : 0);
    h[156] = (uint8_t)type;
    memcpy(h + 157, linkname, ll > 100 ? 100 : ll);
    memcpy(h + 257, "ustar", 6);
    memcpy(h + 263, "00", 2);
    if (type == '3' || type == '4') {
        put_octal(h + 329, 8, major);
        put_octal(h + 337, 8, minor);
    }
    memset(h + 148, ' ', 8);
    unsigned sum = 0;
    for (int i = 0; i < 512; i++)
        sum += h[i];
    snprintf((char *)h + 148, 8, "%06o", sum);
    h[155] = ' ';
}

/* Writes the header (and a PAX header before it when the fields cannot hold everything). */
static int put_header(writer *w, const struct entry *e)
{
    char *pax = NULL;
    size_t plen = 0, pcap = 0;
    char num[24];
    int bad = 0;
    if (strlen(e->name) > 100)
        bad |= pax_record(&pax, &plen, &pcap, "path", e->name, strlen(e->name));
    if (strlen(e->linkname) > 100)
        bad |= pax_record(&pax, &plen, &pcap, "linkpath", e->linkname, strlen(e->linkname));
    if (e->size > 077777777777ULL) {
        int k = snprintf(num, sizeof num, "%llu", (unsigned long long)e->size);
        bad |= pax_record(&pax, &plen, &pcap, "size", num, (size_t)k);
    }
    if (e->uid > 07777777) {
        int k = snprintf(num, sizeof num, "%llu", (unsigned long long)e->uid);
        bad |= pax_record(&pax, &plen, &pcap, "uid", num, (size_t)k);
    }
    if (e->gid > 07777777) {
        int k = snprintf(num, sizeof num, "%llu", (unsigned long long)e->gid);
        bad |= pax_record(&pax, &plen, &pcap, "gid", num, (size_t)k);
    }
    for (ssize_t i = 0; e->xattrs && i < e->xattrs_len; i += (ssize_t)strlen(e->xattrs + i) + 1) {
        const char *xn = e->xattrs + i;
        if (!strncmp(xn, "trusted.overlay.", 16))
            continue;
        char val[4096], key[300];
        ssize_t vl = lgetxattr(e->path, xn, val, sizeof val);
        if (vl < 0)
            continue;
        snprintf(key, sizeof key, "SCHILY.xattr.%s", xn);
        bad |= pax_record(&pax, &plen, &pcap, key, val, (size_t)vl);
    }
    if (bad) {
        free(pax);
        return fail(w, ENOMEM, e->name);
    }
    uint8_t h[512];
    if (plen) {
        header_block(h, "././@PaxHeader", 'x', 0644, 0, 0, plen, 0, "", 0, 0);
        int r = emit(w, h, 512);
        if (!r) r = emit(w, pax, plen);
        if (!r) r = emit_padding(w, plen);
        free(pax);
        if (r < 0)
            return -1;
    }
    header_block(h, e->name, e->type, e->mode, e->uid, e->gid, e->type == '0' ? e->size : 0, e->mtime,
                 e->linkname, e->devmajor, e->devminor);
    return emit(w, h, 512);
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int copy_meta(writer *w, const char *copy, const struct stat *st, int is_link)
{
    if (lchown(copy, st->st_uid, st->st_gid) < 0)
        return fail(w, errno, copy);
    if (!is_link && chmod(copy, st->st_mode & 07777) < 0)
        return fail(w, errno, copy);
    struct timespec ts[2] = { st->st_atim, st->st_mtim };
    if (utimensat(AT_FDCWD, copy, ts, AT_SYMLINK_NOFOLLOW) < 0 && !is_link)
        return fail(w, errno, copy);
    return 0;
}

/* Streams a regular file's data into the tar (and into the copy), exactly st_size bytes. */
static int put_file_data(writer *w, const char *path, const char *copy, uint64_t size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return fail(w, errno, path);
    int cfd = -1;
    if (copy) {
        cfd = open(copy, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (cfd < 0) {
            close(fd);
            return fail(w, errno, copy);
        }
    }
    uint64_t left = size;
    int r = 0;
    while (left && !r) {
        ssize_t n = read(fd, w->io, left < OUT_CHUNK ? left : OUT_CHUNK);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            r = fail(w, errno, path);
            break;
        }
        if (n == 0) { /* the file shrank while we read it: pad to the size in the header */
            memset(w->io, 0, OUT_CHUNK);
            n = (ssize_t)(left < OUT_CHUNK ? left : OUT_CHUNK);
        }
        r = emit(w, w->io, (size_t)n);
        if (!r && cfd >= 0 && write_full(cfd, w->io, (size_t)n) < 0)
            r = fail(w, errno, copy);
        left -= (uint64_t)n;
    }
    close(fd);
    if (cfd >= 0 && close(cfd) < 0 && !r)
        r = fail(w, errno, copy);
    if (!r)
        r = emit_padding(w, size);
    return r;
}

static int walk(writer *w, const char *dir, const char *rel, const char *copy_dir);

/* One directory entry: path on disk, its tar name prefix (rel), the copy path (or NULL). */
static int put_entry(writer *w, const char *path, const char *rel, const char *name, const char *copy)
{
    struct stat st;
    if (lstat(path, &st) < 0)
        return fail(w, errno, path);
    if (!S_ISDIR(st.st_mode))
        w->res->content_size += (uint64_t)st.st_size;
    char tarname[4200];
    snprintf(tarname, sizeof tarname, "%s%s%s", rel, name, S_ISDIR(st.st_mode) ? "/" : "");
    char xl[4096];
    ssize_t xlen = S_ISLNK(st.st_mode) ? -1 : llistxattr(path, xl, sizeof xl);
    struct entry e = {
        .name = tarname, .mode = st.st_mode & 07777, .uid = st.st_uid, .gid = st.st_gid, .size = 0,
        .mtime = st.st_mtim.tv_sec, .linkname = "", .xattrs = xlen > 0 ? xl : NULL, .xattrs_len = xlen, .path = path,
    };
    if (S_ISCHR(st.st_mode) && st.st_rdev == 0) {
        /* an overlayfs whiteout: Docker's layer form is an empty .wh.<name> file */
        char wh[4200];
        snprintf(wh, sizeof wh, "%s.wh.%s", rel, name);
        struct entry we = { .name = wh, .type = '0', .mode = 0, .mtime = st.st_mtim.tv_sec, .linkname = "" };
        if (put_header(w, &we) < 0)
            return -1;
        if (copy && (mknod(copy, S_IFCHR | 0, 0) < 0 || copy_meta(w, copy, &st, 0) < 0))
            return fail(w, errno, copy);
        return 0;
    }
    if (S_ISDIR(st.st_mode)) {
        e.type = '5';
        if (put_header(w, &e) < 0)
            return -1;
        char v[8];
        ssize_t vl = lgetxattr(path, "trusted.overlay.opaque", v, sizeof v);
        int opaque = vl == 1 && v[0] == 'y';
        if (opaque) {
            char wh[4200];
            snprintf(wh, sizeof wh, "%s.wh..wh..opq", tarname);
            struct entry oe = { .name = wh, .type = '0', .mode = 0, .mtime = st.st_mtim.tv_sec, .linkname = "" };
            if (put_header(w, &oe) < 0)
                return -1;
        }
        if (copy) {
            if (mkdir(copy, 0700) < 0)
                return fail(w, errno, copy);
            if (opaque && lsetxattr(copy, "trusted.overlay.opaque", "y", 1, 0) < 0)
                return fail(w, errno, copy);
        }
        if (walk(w, path, tarname, copy) < 0)
            return -1;
        return copy ? copy_meta(w, copy, &st, 0) : 0;
    }
    if (S_ISLNK(st.st_mode)) {
        char target[4097];
        ssize_t n = readlink(path, target, sizeof target - 1);
        if (n < 0)
            return fail(w, errno, path);
        target[n] = 0;
        e.type = '2';
        e.linkname = target;
        if (put_header(w, &e) < 0)
            return -1;
        if (copy && (symlink(target, copy) < 0 || copy_meta(w, copy, &st, 1) < 0))
            return fail(w, errno, copy);
        return 0;
    }
    if (S_ISREG(st.st_mode)) {
        if (st.st_nlink > 1) {
            for (size_t i = 0; i < w->nlinks; i++) {
                if (w->links[i].dev != st.st_dev || w->links[i].ino != st.st_ino)
                    continue;
                e.type = '1';
                e.linkname = w->links[i].path;
                if (put_header(w, &e) < 0)
                    return -1;
                if (copy) {
                    char first[4200];
                    snprintf(first, sizeof first, "%s/%s", w->copy_to, w->links[i].path);
                    if (link(first, copy) < 0)
                        return fail(w, errno, copy);
                }
                return 0;
            }
            if (w->nlinks == w->caplinks) {
                size_t ncap = w->caplinks ? w->caplinks * 2 : 16;
                struct link_seen *nl = realloc(w->links, ncap * sizeof *nl);
                if (!nl)
                    return fail(w, ENOMEM, path);
                w->links = nl;
                w->caplinks = ncap;
            }
            char *first_name = strdup(tarname);
            if (!first_name)
                return fail(w, ENOMEM, path);
            w->links[w->nlinks++] = (struct link_seen){ st.st_dev, st.st_ino, first_name };
        }
        e.type = '0';
        e.size = (uint64_t)st.st_size;
        if (put_header(w, &e) < 0 || put_file_data(w, path, copy, e.size) < 0)
            return -1;
        return copy ? copy_meta(w, copy, &st, 0) : 0;
    }
    if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) || S_ISFIFO(st.st_mode)) {
        e.type = S_ISCHR(st.st_mode) ? '3' : S_ISBLK(st.st_mode) ? '4' : '6';
        e.devmajor = major(st.st_rdev);
        e.devminor = minor(st.st_rdev);
        if (put_header(w, &e) < 0)
            return -1;
        if (copy && (mknod(copy, (st.st_mode & S_IFMT) | 0600, st.st_rdev) < 0 || copy_meta(w, copy, &st, 0) < 0))
            return fail(w, errno, copy);
        return 0;
    }
    return 0; /* sockets have no tar form: Docker skips them too */
}

/* Entries of dir in byte order (so the same tree always gives the same tar and digests). */
static int walk(writer *w, const char *dir, const char *rel, const char *copy_dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return fail(w, errno, dir);
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    int r = 0;
    while ((de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            char **nn = realloc(names, cap * sizeof *nn);
            if (!nn) { r = fail(w, ENOMEM, dir); break; }
            names = nn;
        }
        if (!(names[n] = strdup(de->d_name))) { r = fail(w, ENOMEM, dir); break; }
        n++;
    }
    closedir(d);
    if (!r)
        qsort(names, n, sizeof *names, cmp_names);
    for (size_t i = 0; i < n && !r; i++) {
        char path[4200], copy[4200];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (copy_dir)
            snprintf(copy, sizeof copy, "%s/%s", copy_dir, names[i]);
        r = put_entry(w, path, rel, names[i], copy_dir ? copy : NULL);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return r;
}

int wb_layer_write(const char *dir, const char *out_path, int level, const char *copy_to, wb_layer_result *res)
{
    memset(res, 0, sizeof *res);
    writer *w = calloc(1, sizeof *w);
    if (!w)
        return -ENOMEM;
    w->res = res;
    w->copy_to = copy_to;
    wb_sha256_init(&w->tar_hash);
    wb_sha256_init(&w->gz_hash);
    int r = 0;
    w->out_fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (w->out_fd < 0)
        r = fail(w, errno, out_path);
    /* windowBits 16+15: a gzip wrapper (mtime 0, so the same tar gives the same blob) */
    if (!r && deflateInit2(&w->z, level, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        r = fail(w, ENOMEM, "deflateInit2");
    else if (!r)
        w->z_ready = 1;
    if (!r && copy_to) {
        struct stat st;
        if (lstat(dir, &st) < 0)
            r = fail(w, errno, dir);
        else if (mkdir(copy_to, 0700) < 0)
            r = fail(w, errno, copy_to);
        else if (chmod(copy_to, st.st_mode & 07777) < 0)
            r = fail(w, errno, copy_to);
    }
    if (!r)
        r = walk(w, dir, "", copy_to);
    static const uint8_t end[1024];
    if (!r)
        r = emit(w, end, sizeof end);
    if (!r) {
        w->z.next_in = NULL;
        w->z.avail_in = 0;
        r = drain(w, Z_FINISH);
    }
    if (w->z_ready)
        deflateEnd(&w->z);
    if (w->out_fd >= 0 && close(w->out_fd) < 0 && !r)
        r = fail(w, errno, out_path);
    for (size_t i = 0; i < w->nlinks; i++)
        free(w->links[i].path);
    free(w->links);
    if (!r) {
        wb_sha256_hex(&w->tar_hash, res->diff_id);
        wb_sha256_hex(&w->gz_hash, res->digest);
        res->size = w->gz_size;
        res->diff_size = w->tar_size;
    }
    free(w);
    return r < 0 ? -(res->err ? res->err : EIO) : 0;
}
