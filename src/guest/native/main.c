/*
 * Entry point of the whalebone binary (and, built with WB_RUNNER, of whalebone-run).
 *
 * whalebone:      runs the bytecode linked in (wb_bytecode, made by qjsc from the TypeScript bundle).
 * whalebone-run:  runs the .js module or bytecode file named by argv[1], so a changed runtime can
 *                 be tried in a running guest without relinking. Script arguments start at argv[1].
 * Both register QuickJS's std and os modules and the wbnative syscall module.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "quickjs.h"
#include "quickjs-libc.h"

JSModuleDef *wb_init_native(JSContext *ctx, const char *name);

static JSContext *new_context(JSRuntime *rt)
{
    JSContext *ctx = JS_NewContext(rt);
    if (!ctx)
        return NULL;
    js_init_module_std(ctx, "std");
    js_init_module_os(ctx, "os");
    wb_init_native(ctx, "wbnative");
    return ctx;
}

#ifdef WB_RUNNER
static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

static int run_file(JSContext *ctx, const char *path)
{
    size_t len;
    uint8_t *buf = js_load_file(ctx, &len, path);
    if (!buf) {
        fprintf(stderr, "whalebone-run: cannot read %s\n", path);
        return 1;
    }
    if (ends_with(path, ".js") || ends_with(path, ".mjs")) {
        JSValue v = JS_Eval(ctx, (const char *)buf, len, path, JS_EVAL_TYPE_MODULE | JS_EVAL_FLAG_COMPILE_ONLY);
        if (!JS_IsException(v)) {
            js_module_set_import_meta(ctx, v, 1, 1);
            v = JS_EvalFunction(ctx, v);
        }
        v = js_std_await(ctx, v);
        js_free(ctx, buf);
        if (JS_IsException(v)) {
            js_std_dump_error(ctx);
            return 1;
        }
        JS_FreeValue(ctx, v);
    } else {
        js_std_eval_binary(ctx, buf, len, 0); /* exits on error */
        js_free(ctx, buf);
    }
    return 0;
}
#else
extern const uint8_t wb_bytecode[];
extern const uint32_t wb_bytecode_size;
#endif

int main(int argc, char **argv)
{
    JSRuntime *rt = JS_NewRuntime();
    if (!rt)
        return 125;
    js_std_set_worker_new_context_func(new_context);
    js_std_init_handlers(rt);
    JS_SetModuleLoaderFunc(rt, NULL, js_module_loader, NULL);
    JS_SetHostPromiseRejectionTracker(rt, js_std_promise_rejection_tracker, NULL);
    JSContext *ctx = new_context(rt);
    if (!ctx)
        return 125;
#ifdef WB_RUNNER
    if (argc < 2) {
        fprintf(stderr, "usage: whalebone-run <file.js|file.qbc> [args...]\n");
        return 125;
    }
    js_std_add_helpers(ctx, argc - 1, argv + 1);
    if (run_file(ctx, argv[1]))
        return 125;
#else
    js_std_add_helpers(ctx, argc, argv);
    js_std_eval_binary(ctx, wb_bytecode, wb_bytecode_size, 0);
#endif
    js_std_loop(ctx);
    fflush(stdout);
    js_std_free_handlers(rt);
    JS_FreeContext(ctx);
    JS_FreeRuntime(rt);
    return 0;
}
