/*
 * The QuickJS runtime's allocator: size classes with free lists in front of musl's malloc.
 *
 * QuickJS allocates and frees small blocks all the time (objects, shapes, strings, atoms), and
 * musl's malloc spends a quarter of the runtime's user time on them in v86, locking and looking
 * up slot metadata on every call. Small blocks here are carved from 64 KiB chunks and recycled
 * through one free list per class; they are never handed back to musl, which suits short-lived
 * CLI and shim processes and a daemon whose heap stays small. Large blocks go to musl directly.
 *
 * Every block has an 8-byte header holding its class and usable size, so free() and
 * usable_size() need no lookup. The accounting in JSMallocState mirrors QuickJS's default
 * allocator, so the GC threshold and memory limit behave as before.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "quickjs.h"

#define HEADER 8
#define OVERHEAD 8
#define SMALL_MAX 512
#define LARGE_CLASS 0xffffffffu
#define CHUNK_SIZE (64 * 1024)

typedef struct {
    uint32_t cls;
    uint32_t size;
} block_header;

typedef struct free_block {
    struct free_block *next;
} free_block;

/* usable sizes, multiples of 8 so that every block stays 8-aligned */
static const uint32_t class_size[] = {
    8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384, 448, 512,
};
#define NCLASSES (sizeof(class_size) / sizeof(class_size[0]))

static uint8_t class_of_units[SMALL_MAX / 8 + 1]; /* (size + 7) / 8 -> class index */
static free_block *free_lists[NCLASSES];
static uint8_t *bump, *bump_end;

static void init_classes(void)
{
    unsigned c = 0;
    for (unsigned u = 0; u <= SMALL_MAX / 8; u++) {
        while (class_size[c] < u * 8)
            c++;
        class_of_units[u] = (uint8_t)c;
    }
}

static block_header *header_of(const void *ptr)
{
    return (block_header *)((uint8_t *)ptr - HEADER);
}

static void *small_alloc(unsigned c)
{
    free_block *b = free_lists[c];
    if (b) {
        free_lists[c] = b->next;
        return b;
    }
    size_t need = HEADER + class_size[c];
    if ((size_t)(bump_end - bump) < need) {
        /* the tail of the old chunk is left unused: at most 519 bytes per 64 KiB */
        bump = malloc(CHUNK_SIZE);
        if (!bump) {
            bump_end = NULL;
            return NULL;
        }
        bump_end = bump + CHUNK_SIZE;
    }
    block_header *h = (block_header *)bump;
    bump += need;
    h->cls = c;
    h->size = class_size[c];
    return (uint8_t *)h + HEADER;
}

static void *raw_alloc(size_t size)
{
    if (size <= SMALL_MAX)
        return small_alloc(class_of_units[(size + 7) / 8]);
    if (size > UINT32_MAX - HEADER - 7)
        return NULL;
    size = (size + 7) & ~(size_t)7;
    block_header *h = malloc(HEADER + size);
    if (!h)
        return NULL;
    h->cls = LARGE_CLASS;
    h->size = (uint32_t)size;
    return (uint8_t *)h + HEADER;
}

static void raw_free(void *ptr)
{
    block_header *h = header_of(ptr);
    if (h->cls == LARGE_CLASS) {
        free(h);
        return;
    }
    free_block *b = ptr;
    b->next = free_lists[h->cls];
    free_lists[h->cls] = b;
}

static size_t wb_usable_size(const void *ptr)
{
    return ptr ? header_of(ptr)->size : 0;
}

static void *wb_malloc(JSMallocState *s, size_t size)
{
    if (s->malloc_size + size > s->malloc_limit)
        return NULL;
    void *ptr = raw_alloc(size ? size : 1);
    if (!ptr)
        return NULL;
    s->malloc_count++;
    s->malloc_size += header_of(ptr)->size + OVERHEAD;
    return ptr;
}

static void wb_free(JSMallocState *s, void *ptr)
{
    if (!ptr)
        return;
    s->malloc_count--;
    s->malloc_size -= header_of(ptr)->size + OVERHEAD;
    raw_free(ptr);
}

static void *wb_realloc(JSMallocState *s, void *ptr, size_t size)
{
    if (!ptr)
        return size ? wb_malloc(s, size) : NULL;
    if (size == 0) {
        wb_free(s, ptr);
        return NULL;
    }
    block_header *h = header_of(ptr);
    size_t old = h->size;
    if (size <= old && (h->cls == LARGE_CLASS ? size > SMALL_MAX : 1))
        return ptr; /* still fits (a large block shrinking to small size is moved below) */
    if (s->malloc_size - old + size > s->malloc_limit)
        return NULL;
    if (h->cls == LARGE_CLASS && size > SMALL_MAX) {
        if (size > UINT32_MAX - HEADER - 7)
            return NULL;
        size_t rounded = (size + 7) & ~(size_t)7;
        block_header *n = realloc(h, HEADER + rounded);
        if (!n)
            return NULL;
        n->size = (uint32_t)rounded;
        s->malloc_size += rounded - old;
        return (uint8_t *)n + HEADER;
    }
    void *n = raw_alloc(size);
    if (!n)
        return NULL;
    memcpy(n, ptr, old < size ? old : size);
    s->malloc_size += header_of(n)->size - old;
    raw_free(ptr);
    return n;
}

static const JSMallocFunctions wb_malloc_funcs = {
    wb_malloc,
    wb_free,
    wb_realloc,
    wb_usable_size,
};

/*
 * QuickJS runs its first cycle collection at 256 KiB allocated and the next at 1.5x what is then
 * live, so a process loading its modules ran several, each walking everything loaded so far: in
 * v86 a tenth of the shim's and the CLI's CPU (measured by sampling the guest). Refcounting frees
 * all but cycles, so the short-lived roles now end before their first collection, and long-lived
 * ones collect once here and adapt from then on (the daemon also collects once it serves).
 */
#define FIRST_GC_BYTES (4u << 20)

JSRuntime *wb_new_runtime(void)
{
    init_classes();
    JSRuntime *rt = JS_NewRuntime2(&wb_malloc_funcs, NULL);
    if (rt)
        JS_SetGCThreshold(rt, FIRST_GC_BYTES);
    return rt;
}
