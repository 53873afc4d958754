/* Layer commit (layer.c): an overlay upper dir to a gzip tar blob with its digests. */
#ifndef WB_LAYER_H
#define WB_LAYER_H
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint32_t h[8];
    uint8_t buf[64];
    size_t used;
    uint64_t total;
} wb_sha256;

void wb_sha256_init(wb_sha256 *s);
void wb_sha256_update(wb_sha256 *s, const uint8_t *p, size_t n);
/* Finishes the hash: 64 hex digits and a NUL. */
void wb_sha256_hex(wb_sha256 *s, char out[65]);

typedef struct {
    char digest[65];   /* sha256 of the compressed blob */
    char diff_id[65];  /* sha256 of the uncompressed tar */
    uint64_t size;     /* compressed bytes */
    uint64_t diff_size; /* tar bytes */
    uint64_t content_size; /* st_size of every non-directory, per name (as du -sb and Docker's layer size) */
    int err;           /* errno of the first failure */
    char err_path[4200]; /* where it failed */
} wb_layer_result;

/*
 * Writes the tree at dir as a gzip tar (zlib level 1-9) to out_path; when copy_to is not NULL,
 * also recreates the tree there (it must not exist). Returns 0 or -errno (res names the path).
 */
int wb_layer_write(const char *dir, const char *out_path, int level, const char *copy_to, wb_layer_result *res);
#endif
