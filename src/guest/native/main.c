/*
 * Entry point of the whalebone binary (and, built with WB_RUNNER, of whalebone-run).
 *
 * whalebone:      runs the bytecode modules linked in (wb_modules, made by qjsc from the split
 *                 TypeScript bundle). Modules are read from the table only when first imported, so
 *                 a role pays for its own code alone (start-up in v86 grows with bytecode read).
 * whalebone-run:  runs the .js module or bytecode file named by argv[1], so a changed runtime can
 *                 be tried in a running guest without relinking. Script arguments start at argv[1].
 * Both register QuickJS's std and os modules and the wbnative syscall module.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include "quickjs.h"
#include "quickjs-libc.h"

JSModuleDef *wb_init_native(JSContext *ctx, const char *name);
JSRuntime *wb_new_runtime(void);

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

/*
 * QuickJS's stock tracker ends the process the moment a promise rejects with no handler yet. An
 * async function that throws before its first await rejects before its caller can attach one, so
 * a handler that arrives a microtask later still killed the process (dockerd with it). As Node
 * does, the check waits until the job queue has drained and reports only what is still unhandled.
 */
#define WB_MAX_UNHANDLED 256
static JSValue unhandled[WB_MAX_UNHANDLED][2]; /* promise, reason */
static int unhandled_count;
static int check_queued;

static void report_and_exit(JSContext *ctx, JSValueConst reason)
{
    fflush(stdout);
    fprintf(stderr, "whalebone: unhandled promise rejection: ");
    JS_Throw(ctx, JS_DupValue(ctx, reason));
    js_std_dump_error(ctx);
    exit(1);
}

static JSValue check_unhandled(JSContext *ctx, int argc, JSValueConst *argv)
{
    (void)argc;
    (void)argv;
    if (unhandled_count > 0 && JS_IsJobPending(JS_GetRuntime(ctx))) {
        /* more microtasks first: one of them may still attach the handler */
        JS_EnqueueJob(ctx, check_unhandled, 0, NULL);
        return JS_UNDEFINED;
    }
    check_queued = 0;
    if (unhandled_count > 0)
        report_and_exit(ctx, unhandled[0][1]);
    return JS_UNDEFINED;
}

static void track_rejection(JSContext *ctx, JSValueConst promise, JSValueConst reason, JS_BOOL is_handled, void *opaque)
{
    (void)opaque;
    if (is_handled) {
        for (int i = 0; i < unhandled_count; i++) {
            if (JS_VALUE_GET_PTR(unhandled[i][0]) != JS_VALUE_GET_PTR(promise))
                continue;
            JS_FreeValue(ctx, unhandled[i][0]);
            JS_FreeValue(ctx, unhandled[i][1]);
            unhandled_count--;
            unhandled[i][0] = unhandled[unhandled_count][0];
            unhandled[i][1] = unhandled[unhandled_count][1];
            return;
        }
        return;
    }
    if (unhandled_count == WB_MAX_UNHANDLED)
        report_and_exit(ctx, reason);
    unhandled[unhandled_count][0] = JS_DupValue(ctx, promise);
    unhandled[unhandled_count][1] = JS_DupValue(ctx, reason);
    unhandled_count++;
    if (!check_queued) {
        check_queued = 1;
        JS_EnqueueJob(ctx, check_unhandled, 0, NULL);
    }
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
#include "wbmodules.h"

static const WbModule *find_module(const char *name)
{
    for (uint32_t i = 0; i < wb_module_count; i++)
        if (strcmp(wb_modules[i].name, name) == 0)
            return &wb_modules[i];
    return NULL;
}

/* Module loader over the embedded table; QuickJS calls it once per module, at first import. */
static JSModuleDef *table_loader(JSContext *ctx, const char *name, void *opaque)
{
    const WbModule *m = find_module(name);
    if (!m) {
        JS_ThrowReferenceError(ctx, "could not load module '%s': not in the binary", name);
        return NULL;
    }
    JSValue v = JS_ReadObject(ctx, m->bytecode, m->size, JS_READ_OBJ_BYTECODE);
    if (JS_IsException(v))
        return NULL;
    if (JS_VALUE_GET_TAG(v) != JS_TAG_MODULE) {
        JS_FreeValue(ctx, v);
        JS_ThrowTypeError(ctx, "embedded '%s' is not a module", name);
        return NULL;
    }
    js_module_set_import_meta(ctx, v, 0, 0);
    JSModuleDef *def = JS_VALUE_GET_PTR(v);
    JS_FreeValue(ctx, v);
    return def;
}
#endif

#ifndef WB_RUNNER
/*
 * Stage 1 of the guest's boot, when the kernel runs us as /init. pivot_root(2) fails with EINVAL
 * while / is the initial rootfs mount (it has no parent), and container runtimes need pivot_root.
 * So bind the rootfs onto /newroot, move that mount over / and chroot into it, as switch_root
 * does, then hand over to busybox init (stage 2 is `whalebone boot`, its sysinit). Done in C,
 * before any JavaScript: a shell script and three commands cost a few hundred ms in the emulator.
 */
static int boot_stage1(void)
{
    if (mount("/", "/newroot", NULL, MS_BIND, NULL) != 0 || chdir("/newroot") != 0 ||
        mount(".", "/", NULL, MS_MOVE, NULL) != 0 || chroot(".") != 0 || chdir("/") != 0)
        perror("init: cannot move the root into a mount; pivot_root will not work");
    char *init_argv[] = { "/sbin/init", NULL };
    execv("/sbin/init", init_argv);
    perror("init: cannot run /sbin/init");
    return 1;
}
#endif

int main(int argc, char **argv)
{
#ifndef WB_RUNNER
    if (getpid() == 1 && argc > 0 && strcmp(argv[0], "/init") == 0)
        return boot_stage1();
#endif
    JSRuntime *rt = wb_new_runtime();
    if (!rt)
        return 125;
    js_std_set_worker_new_context_func(new_context);
    js_std_init_handlers(rt);
#ifdef WB_RUNNER
    JS_SetModuleLoaderFunc(rt, NULL, js_module_loader, NULL);
#else
    JS_SetModuleLoaderFunc(rt, NULL, table_loader, NULL);
#endif
    JS_SetHostPromiseRejectionTracker(rt, track_rejection, NULL);
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
    js_std_eval_binary(ctx, wb_modules[0].bytecode, wb_modules[0].size, 0);
#endif
    js_std_loop(ctx);
#ifndef WB_RUNNER
    /* main.ts ends every role with std.exit(): an event loop that runs dry first is our bug,
       and must not pass for success */
    fflush(stdout);
    fprintf(stderr, "whalebone: internal error: the event loop ended before the program finished\n");
    return 70;
#endif
    fflush(stdout);
    js_std_free_handlers(rt);
    JS_FreeContext(ctx);
    JS_FreeRuntime(rt);
    return 0;
}
