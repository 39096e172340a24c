/*
 * mp_dispatch.c: the request-phase loop and its handler cache.  See
 * mp_dispatch.h.
 */
#include "mp_dispatch.h"
#include "mp_interp.h"
#include "mp_module.h"

#include <time.h>

/* Bits of MpModuleState.continue_on[phase]. */
#define CONTINUE_ON_OK          0x1     /* OK lets the next handler run */
#define CONTINUE_ON_DECLINED    0x2     /* DECLINED does */
#define CONTINUE_RUN_ALL        0x4     /* every handler runs, results
                                         * ignored (cleanup phase) */

/* What every entry of one phase run shares. */
typedef struct {
    const char *path;           /* PythonPath of the request, or NULL */
    double now;                 /* time.monotonic(), read once, or -1 */
    int use_cache;              /* 0 under PythonEnablePdb */
} loop_ctx;

/* Items of a resolution tuple (Dispatcher.resolve_entry). */
enum { RES_CALLABLE, RES_NAMESPACE, RES_NAME, RES_PATH, RES_DEADLINE,
       RES_SIZE };

/* ------------------------------------------------------------------ */
/* set-up, once per interpreter                                       */
/* ------------------------------------------------------------------ */

/* continue_on bits for one CONTINUE_ON value (None or a set of codes). */
static int
continue_bits(PyObject *rule, const char *phase)
{
    PyObject *iter, *item;
    int bits = 0;

    if (rule == NULL || rule == Py_None) {
        return rule == NULL ? CONTINUE_ON_OK : CONTINUE_RUN_ALL;
    }
    if ((iter = PyObject_GetIter(rule)) == NULL) {
        return -1;
    }
    while ((item = PyIter_Next(iter)) != NULL) {
        long code = PyLong_AsLong(item);

        Py_DECREF(item);
        if (code == OK) {
            bits |= CONTINUE_ON_OK;
        }
        else if (code == DECLINED) {
            bits |= CONTINUE_ON_DECLINED;
        }
        else {
            if (!PyErr_Occurred()) {
                PyErr_Format(PyExc_ValueError, "CONTINUE_ON[%s]: only OK "
                             "and DECLINED can continue a phase", phase);
            }
            Py_DECREF(iter);
            return -1;
        }
    }
    Py_DECREF(iter);
    return PyErr_Occurred() ? -1 : bits;
}

/* Fetch the dispatcher's two halves, its cache and the stacking rules.
 * 0, or -1 with an exception set. */
static int
set_up(mp_interp *ip, MpModuleState *st)
{
    PyObject *dispatcher = NULL, *dmod = NULL, *rules = NULL;
    int i, rc = -1;

    dispatcher = PyObject_GetAttrString(ip->dispatcher, "dispatcher");
    if (dispatcher == NULL
        || (dmod = PyImport_ImportModule("mod_python._dispatch")) == NULL
        || (rules = PyObject_GetAttrString(dmod, "CONTINUE_ON")) == NULL) {
        goto done;
    }
    if (!PyDict_Check(rules)) {
        PyErr_SetString(PyExc_TypeError, "CONTINUE_ON must be a dict");
        goto done;
    }
    for (i = 0; i < MP_PHASE_COUNT; i++) {
        PyObject *rule = PyDict_GetItemWithError(rules, st->phase_names[i]);
        int bits;

        if (rule == NULL && PyErr_Occurred()) {
            goto done;
        }
        if ((bits = continue_bits(rule, mp_phase_directive[i])) < 0) {
            goto done;
        }
        st->continue_on[i] = (unsigned char)bits;
    }
    if ((st->resolve_entry = PyObject_GetAttrString(dispatcher,
                                                    "resolve_entry")) == NULL
        || (st->entry_failed = PyObject_GetAttrString(dispatcher,
                                                      "entry_failed")) == NULL
        || (st->handler_cache = PyDict_New()) == NULL) {
        Py_CLEAR(st->resolve_entry);
        Py_CLEAR(st->entry_failed);
        goto done;
    }
    rc = 0;
done:
    Py_XDECREF(rules);
    Py_XDECREF(dmod);
    Py_XDECREF(dispatcher);
    return rc;
}

/* ------------------------------------------------------------------ */
/* the cache                                                          */
/* ------------------------------------------------------------------ */

/* time.monotonic() */
static double
monotonic(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Whether the cached resolution `res` still holds for this request. */
static int
still_valid(PyObject *res, loop_ctx *ctx)
{
    PyObject *cached_path = PyTuple_GET_ITEM(res, RES_PATH);
    const char *path = ctx->path;
    PyObject *bound;
    const char *s;

    if (ctx->now < 0) {
        ctx->now = monotonic();
    }
    if (ctx->now >= PyFloat_AS_DOUBLE(PyTuple_GET_ITEM(res, RES_DEADLINE))) {
        return 0;
    }
    if (cached_path == Py_None) {
        if (path != NULL) {
            return 0;
        }
    }
    else if (path == NULL || (s = PyUnicode_AsUTF8(cached_path)) == NULL
             || strcmp(s, path) != 0) {
        PyErr_Clear();
        return 0;
    }
    bound = PyDict_GetItemWithError(PyTuple_GET_ITEM(res, RES_NAMESPACE),
                                    PyTuple_GET_ITEM(res, RES_NAME));
    if (bound == NULL) {
        PyErr_Clear();
    }
    return bound == PyTuple_GET_ITEM(res, RES_CALLABLE);
}

/* Whether `res` came back from resolve_entry in the shape we cache. */
static int
cacheable_result(PyObject *res)
{
    return PyTuple_CheckExact(res) && PyTuple_GET_SIZE(res) == RES_SIZE
           && PyDict_Check(PyTuple_GET_ITEM(res, RES_NAMESPACE))
           && PyUnicode_Check(PyTuple_GET_ITEM(res, RES_NAME))
           && (PyTuple_GET_ITEM(res, RES_PATH) == Py_None
               || PyUnicode_Check(PyTuple_GET_ITEM(res, RES_PATH)))
           && PyFloat_CheckExact(PyTuple_GET_ITEM(res, RES_DEADLINE));
}

/* ------------------------------------------------------------------ */
/* one entry                                                          */
/* ------------------------------------------------------------------ */

/* The pending exception as one object (traceback attached).  GIL held. */
static PyObject *
take_exception(void)
{
#if PY_VERSION_HEX >= 0x030C0000
    return PyErr_GetRaisedException();
#else
    PyObject *type, *value, *tb;

    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    if (value != NULL && tb != NULL) {
        PyException_SetTraceback(value, tb);
    }
    Py_XDECREF(type);
    Py_XDECREF(tb);
    return value;
#endif
}

/* entry_failed(req, exc, result) -> (code, failed).  Returns the code and
 * sets *failed; 500 (logged) when even that went wrong. */
static int
finish_failed(MpModuleState *st, request_rec *r, PyObject *req,
              PyObject *exc, PyObject *result, int *failed)
{
    PyObject *out;
    long code;

    out = PyObject_CallFunctionObjArgs(st->entry_failed, req,
                                       exc ? exc : Py_None,
                                       result ? result : Py_None, NULL);
    *failed = 1;
    if (out == NULL || !PyTuple_Check(out) || PyTuple_GET_SIZE(out) != 2) {
        goto error;
    }
    code = PyLong_AsLong(PyTuple_GET_ITEM(out, 0));
    if (code == -1 && PyErr_Occurred()) {
        goto error;
    }
    *failed = PyObject_IsTrue(PyTuple_GET_ITEM(out, 1)) != 0;
    Py_DECREF(out);
    return (int)code;
error:
    if (!PyErr_Occurred()) {
        PyErr_SetString(PyExc_TypeError,
                        "entry_failed must return (code, failed)");
    }
    Py_XDECREF(out);
    mp_log_pyerr(r->server, r, MP_APLOGNO(0104), "finishing a handler");
    return HTTP_INTERNAL_SERVER_ERROR;
}

/* Resolve the current entry (cache first), call it, and return its value.
 * *skipped is set for a silently skipped entry, *failed for an error. */
static int
run_entry(MpModuleState *st, request_rec *r, PyObject *req,
          MpHlistObject *hlist, loop_ctx *ctx, int *skipped, int *failed)
{
    mp_handler *h = hlist->cur;
    int use_cache = ctx->use_cache && h->cacheable && !hlist->in_dynamic;
    PyObject *key = NULL, *res = NULL, *value;
    long code;

    *skipped = *failed = 0;
    if (use_cache) {
        if ((key = PyLong_FromVoidPtr(h)) == NULL) {
            goto error;
        }
        res = PyDict_GetItemWithError(st->handler_cache, key);
        if (res != NULL && still_valid(res, ctx)) {
            Py_INCREF(res);
        }
        else if (PyErr_Occurred()) {
            goto error;
        }
        else {
            res = NULL;
        }
    }
    if (res == NULL) {
        res = PyObject_CallOneArg(st->resolve_entry, req);
        if (res == NULL) {
            goto error;
        }
        if (res == Py_None) {
            *skipped = 1;
            goto done_res;
        }
        if (PyLong_Check(res)) {            /* already reported */
            *failed = 1;
            code = PyLong_AsLong(res);
            Py_DECREF(res);
            Py_XDECREF(key);
            return code == -1 && PyErr_Occurred() ? HTTP_INTERNAL_SERVER_ERROR
                                                  : (int)code;
        }
        if (!PyTuple_Check(res) || PyTuple_GET_SIZE(res) != RES_SIZE) {
            PyErr_SetString(PyExc_TypeError, "resolve_entry: bad result");
            goto error;
        }
        if (use_cache && cacheable_result(res)
            && PyDict_SetItem(st->handler_cache, key, res) < 0) {
            goto error;
        }
    }
    Py_XDECREF(key);
    key = NULL;

    value = PyObject_CallOneArg(PyTuple_GET_ITEM(res, RES_CALLABLE), req);
    Py_DECREF(res);
    if (value != NULL && PyLong_Check(value)) {
        code = PyLong_AsLong(value);
        Py_DECREF(value);
        if (code == -1 && PyErr_Occurred()) {
            *failed = 1;
            mp_log_pyerr(r->server, r, MP_APLOGNO(0104), "handler result");
            return HTTP_INTERNAL_SERVER_ERROR;
        }
        return (int)code;
    }
    if (value == NULL) {
        PyObject *exc = take_exception();
        int rc = finish_failed(st, r, req, exc, NULL, failed);

        Py_XDECREF(exc);
        return rc;
    }
    code = finish_failed(st, r, req, NULL, value, failed);
    Py_DECREF(value);
    return (int)code;

done_res:
    Py_DECREF(res);
    Py_XDECREF(key);
    return DECLINED;
error:
    Py_XDECREF(key);
    *failed = 1;
    mp_log_pyerr(r->server, r, MP_APLOGNO(0103), "dispatching a handler");
    return HTTP_INTERNAL_SERVER_ERROR;
}

/* ------------------------------------------------------------------ */
/* the loop                                                           */
/* ------------------------------------------------------------------ */

int
mp_dispatch_run(mp_interp *ip, request_rec *r, mp_dir_config *d,
                mp_phase phase, PyObject *req, MpHlistObject *hlist)
{
    MpModuleState *st = ip->state;
    const char *pdb;
    loop_ctx ctx;
    int rule, have_result = 0, result = DECLINED;

    if (st->resolve_entry == NULL && set_up(ip, st) < 0) {
        mp_log_pyerr(r->server, r, MP_APLOGNO(0103),
                     "setting up the handler loop");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    rule = st->continue_on[phase];
    pdb = apr_table_get(d->directives, "PythonEnablePdb");
    ctx.path = apr_table_get(d->directives, "PythonPath");
    ctx.now = -1.0;
    ctx.use_cache = pdb == NULL || strcmp(pdb, "1") != 0;
    while (hlist->cur != NULL) {
        int skipped, failed;
        int value = run_entry(st, r, req, hlist, &ctx, &skipped, &failed);

        mp_hlist_advance(hlist);
        if (skipped) {
            continue;
        }
        if (rule & CONTINUE_RUN_ALL) {
            if (!failed) {
                have_result = 1;
                result = OK;
            }
            continue;
        }
        if (failed) {
            return value;
        }
        have_result = 1;
        result = value;
        if (!((value == OK && (rule & CONTINUE_ON_OK))
              || (value == DECLINED && (rule & CONTINUE_ON_DECLINED)))) {
            return value;
        }
    }
    return have_result ? result : DECLINED;
}
