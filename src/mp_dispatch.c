/*
 * mp_dispatch.c: the handler loop and its cache of resolved handlers.  See
 * mp_dispatch.h.
 */
#include "mp_dispatch.h"
#include "mp_hlist.h"
#include "mp_interp.h"
#include "mp_log.h"
#include "mp_metrics.h"
#include "mp_owngil.h"
#include "mp_reqstate.h"
#include "mp_request.h"
#include "mp_connection.h"
#include "mp_server.h"
#include "mp_util.h"
#include "mp_watchdog.h"

#include <time.h>

/* Items of a cached resolution: the fields of a Resolved, kept as a tuple
 * that only this file reads. */
enum { RES_CALLABLE, RES_NAMESPACE, RES_NAME, RES_PATH, RES_DEADLINE,
       RES_SIZE };

/* Keyword names of Dispatcher.resolve(), in the order of resolve_args. */
static const char *const resolve_keywords[] = {
    "module", "obj", "directory", "is_location", "silent", "python_path",
    "autoreload", "debug", "pdb",
};
#define RESOLVE_NKW \
    ((Py_ssize_t)(sizeof(resolve_keywords) / sizeof(resolve_keywords[0])))

/* ------------------------------------------------------------------ */
/* set-up, once per interpreter                                       */
/* ------------------------------------------------------------------ */

/* Take resolve and report from the interpreter's CallBack object and make
 * the cache.  0, or -1 with an exception set. */
static int
take_entry_points(MpModuleState *st, PyObject *callback)
{
    PyObject *resolve = NULL, *report = NULL, *kwnames = NULL, *cache = NULL;
    Py_ssize_t i;

    if ((resolve = PyObject_GetAttrString(callback, "resolve")) == NULL
        || (report = PyObject_GetAttrString(callback, "report")) == NULL
        || (kwnames = PyTuple_New(RESOLVE_NKW)) == NULL
        || (cache = PyDict_New()) == NULL) {
        goto error;
    }
    for (i = 0; i < RESOLVE_NKW; i++) {
        PyObject *name = PyUnicode_InternFromString(resolve_keywords[i]);

        if (name == NULL) {
            goto error;
        }
        PyTuple_SET_ITEM(kwnames, i, name);
    }
    /* Published together, before any request can reach the interpreter. */
    st->resolve = resolve;
    st->report = report;
    st->resolve_kwnames = kwnames;
    st->handler_cache = cache;
    return 0;
error:
    Py_XDECREF(resolve);
    Py_XDECREF(report);
    Py_XDECREF(kwnames);
    Py_XDECREF(cache);
    return -1;
}

int
mp_dispatch_set_up(mp_interp *ip, server_rec *main_server)
{
    PyObject *apache, *server = NULL;
    int rc = -1;

    if ((apache = PyImport_ImportModule("mod_python.apache")) == NULL
        || (server = mp_server_new(ip->state, main_server)) == NULL) {
        goto done;
    }
    ip->dispatcher = PyObject_CallMethod(apache, "init", "sO", ip->name,
                                         server);
    if (ip->dispatcher == NULL
        || take_entry_points(ip->state, ip->dispatcher) < 0) {
        goto done;
    }
    rc = 0;
done:
    Py_XDECREF(server);
    Py_XDECREF(apache);
    return rc;
}

/* ------------------------------------------------------------------ */
/* exceptions                                                         */
/* ------------------------------------------------------------------ */

/* The pending exception as one object (traceback attached), or NULL. */
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

/* Raise exc again; steals the reference. */
static void
give_exception(PyObject *exc)
{
#if PY_VERSION_HEX >= 0x030C0000
    PyErr_SetRaisedException(exc);
#else
    PyErr_Restore(Py_NewRef((PyObject *)Py_TYPE(exc)), exc,
                  PyException_GetTraceback(exc));
#endif
}

/* Set TypeError for a handler that gave `value` where an int is due. */
static void
not_an_int(mp_run *run, const mp_handler *h, PyObject *value)
{
    PyErr_Format(PyExc_TypeError,
                 "%s '%s' returned %s %R; a handler must return an int",
                 mp_phase_directive[run->kind], h->handler,
                 Py_TYPE(value)->tp_name, value);
}

/* The code of the pending SERVER_RETURN: SERVER_RETURN(code) or
 * SERVER_RETURN((code, status)); a true status is set on target first.
 * 0 with *code set, or -1 with an exception set (the SERVER_RETURN as its
 * context). */
static int
server_return_code(mp_run *run, const mp_handler *h, PyObject *target,
                   int *code)
{
    PyObject *exc = take_exception();
    PyObject *args = PyObject_GetAttrString(exc, "args");
    PyObject *value;
    long v;

    if (args == NULL || !PyTuple_Check(args)) {
        goto error;
    }
    if (PyTuple_GET_SIZE(args) == 1
        && PyTuple_Check(PyTuple_GET_ITEM(args, 0))) {
        Py_SETREF(args, Py_NewRef(PyTuple_GET_ITEM(args, 0)));
    }
    if (PyTuple_GET_SIZE(args) == 0) {
        PyErr_SetString(PyExc_TypeError,
                        "SERVER_RETURN raised without a return code");
        goto error;
    }
    if (PyTuple_GET_SIZE(args) > 1) {
        PyObject *status = PyTuple_GET_ITEM(args, 1);
        int truth = PyObject_IsTrue(status);

        if (truth < 0
            || (truth && PyObject_SetAttrString(target, "status",
                                                status) < 0)) {
            goto error;
        }
    }
    value = PyTuple_GET_ITEM(args, 0);
    if (!PyLong_Check(value)) {
        not_an_int(run, h, value);
        goto error;
    }
    v = PyLong_AsLong(value);
    if (v == -1 && PyErr_Occurred()) {
        goto error;
    }
    Py_DECREF(args);
    Py_DECREF(exc);
    *code = (int)v;
    return 0;
error:
    Py_XDECREF(args);
    if (PyErr_Occurred()) {
        PyObject *err = take_exception();

        PyException_SetContext(err, exc);       /* steals exc */
        give_exception(err);
    }
    else {
        give_exception(exc);
    }
    return -1;
}

int
mp_dispatch_report(mp_run *run, const mp_handler *h, PyObject *target)
{
    MpModuleState *st = run->ip->state;
    PyObject *exc = take_exception(), *handler, *res = NULL;
    int page, kind = run->kind;
    long code;

    if (exc == NULL) {
        PyErr_SetString(PyExc_SystemError, "handler failed without an "
                        "exception");
        exc = take_exception();
    }
    /* Own-GIL interpreters: name the extension module that refused them. */
    mp_owngil_explain(run->ip, run->s, run->r, exc);
    /* The debug page needs PythonDebug On and a response not yet sent. */
    page = run->settings->debug == 1 && kind != MP_PHASE_LOG
           && kind != MP_PHASE_CLEANUP && kind != MP_KIND_CONNECTION;
    handler = mp_str_from_c(h->handler, -1);
    if (handler != NULL) {
        PyObject *args[] = {target, exc, st->phase_names[kind], handler,
                            page ? Py_True : Py_False};

        res = PyObject_Vectorcall(st->report, args, 5, NULL);
        Py_DECREF(handler);
    }
    Py_DECREF(exc);
    if (res == NULL) {
        mp_log_pyerr(run->s, run->r, MP_APLOGNO(0103),
                     "reporting a handler's error");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    code = PyLong_AsLong(res);
    Py_DECREF(res);
    if (code == -1 && PyErr_Occurred()) {
        mp_log_pyerr(run->s, run->r, MP_APLOGNO(0104),
                     "reporting a handler's error");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    return (int)code;
}

/* ------------------------------------------------------------------ */
/* resolving, and the cache                                           */
/* ------------------------------------------------------------------ */

/* time.monotonic() */
static double
monotonic(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Whether the cached resolution `res` still holds for this run. */
static int
still_valid(PyObject *res, mp_run *run)
{
    PyObject *cached_path = PyTuple_GET_ITEM(res, RES_PATH);
    const char *path = run->settings->python_path;
    PyObject *bound;
    const char *s;

    if (run->now < 0) {
        run->now = monotonic();
    }
    if (run->now >= PyFloat_AS_DOUBLE(PyTuple_GET_ITEM(res, RES_DEADLINE))) {
        return 0;
    }
    if (cached_path == Py_None) {
        if (path != NULL) {
            return 0;
        }
    }
    else if (path == NULL) {
        return 0;
    }
    else if ((s = PyUnicode_AsUTF8(cached_path)) == NULL) {
        PyErr_Clear();
        return 0;
    }
    else if (strcmp(s, path) != 0) {
        return 0;
    }
    bound = PyDict_GetItemWithError(PyTuple_GET_ITEM(res, RES_NAMESPACE),
                                    PyTuple_GET_ITEM(res, RES_NAME));
    if (bound == NULL) {
        PyErr_Clear();
    }
    return bound == PyTuple_GET_ITEM(res, RES_CALLABLE);
}

/* One attribute of a Resolved, checked; new reference or NULL. */
static PyObject *
resolved_field(PyObject *found, const char *name, PyTypeObject *type,
               int none_ok)
{
    PyObject *v = PyObject_GetAttrString(found, name);

    if (v == NULL || (none_ok && v == Py_None)
        || (type == NULL ? PyCallable_Check(v)
                         : PyObject_TypeCheck(v, type))) {
        return v;
    }
    PyErr_Format(PyExc_TypeError, "Dispatcher.resolve: Resolved.%s has "
                 "type %s", name, Py_TYPE(v)->tp_name);
    Py_DECREF(v);
    return NULL;
}

/* Ask Dispatcher.resolve() for entry h.  The Resolved comes back as the
 * RES_* tuple, new reference; Py_None (new reference) for a skipped silent
 * entry; NULL with an exception set when it failed. */
static PyObject *
resolve(mp_run *run, const mp_handler *h, PyObject *target)
{
    MpModuleState *st = run->ip->state;
    const mp_settings *set = run->settings;
    const char *obj = h->object ? h->object : mp_phase_callable[run->kind];
    PyObject *args[2 + RESOLVE_NKW] = {NULL};
    PyObject *found = NULL, *res = NULL;
    Py_ssize_t i;

    args[1] = target;
    args[2] = mp_str_from_c(h->module, -1);
    args[3] = mp_str_from_c(obj, -1);
    args[4] = mp_str_from_c(mp_config_handler_dir(
                  run->r ? run->r->pool : run->s->process->pconf, h,
                  run->r ? run->r->filename : NULL), -1);
    args[5] = Py_NewRef(h->is_location ? Py_True : Py_False);
    args[6] = Py_NewRef(h->silent ? Py_True : Py_False);
    args[7] = mp_str_from_c(set->python_path, -1);
    args[8] = Py_NewRef(MP_FLAG(set->autoreload, 1) ? Py_True : Py_False);
    args[9] = Py_NewRef(set->debug == 1 ? Py_True : Py_False);
    args[10] = Py_NewRef(set->enable_pdb == 1 ? Py_True : Py_False);
    for (i = 2; i < 2 + RESOLVE_NKW; i++) {
        if (args[i] == NULL) {
            goto done;
        }
    }
    found = PyObject_Vectorcall(st->resolve, args + 1,
                                1 | PY_VECTORCALL_ARGUMENTS_OFFSET,
                                st->resolve_kwnames);
    if (found == NULL || found == Py_None) {
        res = found;
        found = NULL;
        goto done;
    }
    if ((res = PyTuple_New(RES_SIZE)) == NULL) {
        goto done;
    }
    PyTuple_SET_ITEM(res, RES_CALLABLE,
                     resolved_field(found, "callable", NULL, 0));
    PyTuple_SET_ITEM(res, RES_NAMESPACE,
                     resolved_field(found, "namespace", &PyDict_Type, 1));
    PyTuple_SET_ITEM(res, RES_NAME,
                     resolved_field(found, "name", &PyUnicode_Type, 0));
    PyTuple_SET_ITEM(res, RES_PATH,
                     resolved_field(found, "python_path", &PyUnicode_Type,
                                    1));
    PyTuple_SET_ITEM(res, RES_DEADLINE,
                     resolved_field(found, "deadline", &PyFloat_Type, 0));
    for (i = 0; i < RES_SIZE; i++) {
        if (PyTuple_GET_ITEM(res, i) == NULL) {
            Py_CLEAR(res);
            break;
        }
    }
done:
    for (i = 2; i < 2 + RESOLVE_NKW; i++) {
        Py_XDECREF(args[i]);
    }
    Py_XDECREF(found);
    return res;
}

/* ------------------------------------------------------------------ */
/* one entry                                                          */
/* ------------------------------------------------------------------ */

/* Finish a call of entry h that returned `value` (new reference) or
 * raised (NULL). */
static int
finish(mp_run *run, const mp_handler *h, PyObject *target, PyObject *value,
       int *outcome)
{
    MpModuleState *st = run->ip->state;
    int is_filter = run->kind == MP_KIND_INPUT_FILTER
                    || run->kind == MP_KIND_OUTPUT_FILTER;
    int code;

    *outcome = MP_ENTRY_RAN;
    if (value != NULL) {
        if (PyLong_Check(value)) {
            long v = PyLong_AsLong(value);

            Py_DECREF(value);
            if (v == -1 && PyErr_Occurred()) {
                goto failed;
            }
            return (int)v;
        }
        if (is_filter) {            /* a filter's result is not used */
            Py_DECREF(value);
            return OK;
        }
        not_an_int(run, h, value);
        Py_DECREF(value);
        goto failed;
    }
    if (PyErr_ExceptionMatches(st->server_return)
        && server_return_code(run, h, target, &code) == 0) {
        return is_filter ? OK : code;
    }
failed:
    *outcome = MP_ENTRY_FAILED;
    return mp_dispatch_report(run, h, target);
}

int
mp_dispatch_entry(mp_run *run, const mp_handler *h, PyObject *target,
                  int *outcome)
{
    MpModuleState *st = run->ip->state;
    int use_cache = h->cacheable && run->settings->enable_pdb != 1;
    PyObject *key = NULL, *res = NULL, *value;
    uint64_t t0 = mp_metrics_entry_begin(run->r, run->kind);

    if (use_cache) {
        if ((key = PyLong_FromVoidPtr((void *)h)) == NULL) {
            goto error;
        }
        res = Py_XNewRef(PyDict_GetItemWithError(st->handler_cache, key));
        if (res != NULL && !still_valid(res, run)) {
            Py_CLEAR(res);
        }
        if (res == NULL && PyErr_Occurred()) {
            goto error;
        }
    }
    if (res == NULL) {
        if ((res = resolve(run, h, target)) == NULL) {
            goto error;
        }
        if (res == Py_None) {
            Py_DECREF(res);
            Py_XDECREF(key);
            *outcome = MP_ENTRY_SKIPPED;
            return DECLINED;
        }
        if (use_cache && PyTuple_GET_ITEM(res, RES_NAMESPACE) != Py_None
            && PyDict_SetItem(st->handler_cache, key, res) < 0) {
            goto error;
        }
    }
    Py_CLEAR(key);
    value = PyObject_CallOneArg(PyTuple_GET_ITEM(res, RES_CALLABLE), target);
    Py_DECREF(res);
    return mp_metrics_entry_end(run->r, run->kind, h, t0, outcome,
                                finish(run, h, target, value, outcome));
error:
    Py_XDECREF(key);
    Py_XDECREF(res);
    *outcome = MP_ENTRY_FAILED;
    return mp_metrics_entry_end(run->r, run->kind, h, t0, outcome,
                                mp_dispatch_report(run, h, target));
}

/* ------------------------------------------------------------------ */
/* the loop                                                           */
/* ------------------------------------------------------------------ */

/* Run the entries of hlist with target, applying the phase's stacking
 * rule: the result is the value that stopped the list, or the last value;
 * skipped entries do not count, and a list of nothing else gives
 * DECLINED.  The cleanup phase runs every entry and gives OK. */
static int
run_list(mp_run *run, PyObject *target, MpHlistObject *hlist)
{
    int rule = mp_phase_continue[run->kind];
    int have_result = 0, result = DECLINED;

    while (hlist->cur != NULL) {
        int outcome;
        int value = mp_dispatch_entry(run, hlist->cur, target, &outcome);

        mp_hlist_advance(hlist);
        if (outcome == MP_ENTRY_SKIPPED) {
            continue;
        }
        if (rule & MP_GO_ALL) {
            if (outcome == MP_ENTRY_RAN) {
                have_result = 1;
                result = OK;
            }
            continue;
        }
        if (outcome == MP_ENTRY_FAILED) {
            return value;
        }
        have_result = 1;
        result = value;
        if (!((value == OK && (rule & MP_GO_OK))
              || (value == DECLINED && (rule & MP_GO_DECLINED)))) {
            return value;
        }
    }
    return have_result ? result : DECLINED;
}

int
mp_dispatch_phase(request_rec *r, mp_phase phase, mp_handler *h,
                  const char *ext)
{
    mp_dir_config *d = mp_config_dir(r->per_dir_config);
    mp_reqstate *rs = mp_reqstate_get(r);
    mp_handler *first = h ? h : rs->dynamic[phase];
    PyObject *hlist, *extension = NULL;
    PyObject *saved_phase, *saved_hlist, *saved_ext;
    MpRequestObject *req;
    mp_interp *ip;
    mp_run run;
    int result;

    ip = mp_metrics_acquire(mp_config_interpreter(r, d, first), r->server);
    if (ip == NULL) {
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    req = (MpRequestObject *)mp_request_for(ip->state, r);
    if (req == NULL) {
        mp_log_pyerr(r->server, r, MP_APLOGNO(0105),
                     "creating the request object");
        mp_interp_release(ip);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    hlist = mp_hlist_new(ip->state, h, &rs->dynamic[phase], r->pool,
                         r->filename);
    if (hlist == NULL
        || (ext != NULL && (extension = PyUnicode_FromString(ext)) == NULL)) {
        mp_log_pyerr(r->server, r, MP_APLOGNO(0105),
                     "preparing the handler list");
        Py_XDECREF(hlist);
        Py_DECREF(req);
        mp_interp_release(ip);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    /* A phase may run inside another (a filter during the content
     * handler): put back what was there afterwards. */
    saved_phase = req->phase;
    saved_hlist = req->hlist;
    saved_ext = req->extension;
    req->phase = Py_NewRef(ip->state->phase_names[phase]);
    req->hlist = Py_NewRef(hlist);
    req->extension = extension;

    run = mp_run_make(ip, r->server, r, &d->settings, phase);
    mp_watchdog_arm(r, ip, run.settings);
    result = mp_watchdog_disarm(r, run_list(&run, (PyObject *)req,
                                            (MpHlistObject *)hlist));

    mp_hlist_finish(hlist);
    Py_XDECREF(req->phase);
    Py_XDECREF(req->hlist);
    Py_XDECREF(req->extension);
    req->phase = saved_phase;
    req->hlist = saved_hlist;
    req->extension = saved_ext;
    Py_DECREF(hlist);
    Py_DECREF(req);
    mp_interp_release(ip);
    return result;
}

int
mp_dispatch_connection(conn_rec *c)
{
    mp_srv_config *sc = mp_config_srv(c->base_server);
    MpConnectionObject *conn;
    mp_interp *ip;
    mp_run run;
    int rc, outcome;

    if (sc->connection_handler == NULL) {
        return DECLINED;
    }
    ip = mp_metrics_acquire(sc->settings.interpreter
                            ? sc->settings.interpreter
                            : c->base_server->server_hostname,
                            c->base_server);
    if (ip == NULL) {
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    conn = (MpConnectionObject *)mp_connection_new(ip->state, c);
    if (conn == NULL
        || (conn->hlist = mp_hlist_new(ip->state, sc->connection_handler,
                                       NULL, c->pool, NULL)) == NULL) {
        mp_log_pyerr(c->base_server, NULL, MP_APLOGNO(0105),
                     "creating the connection object");
        Py_XDECREF(conn);
        mp_interp_release(ip);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    run = mp_run_make(ip, c->base_server, NULL, &sc->settings,
                      MP_KIND_CONNECTION);
    rc = mp_dispatch_entry(&run, sc->connection_handler, (PyObject *)conn,
                           &outcome);
    mp_hlist_finish(conn->hlist);
    mp_connection_invalidate(conn);
    Py_DECREF(conn);
    mp_interp_release(ip);
    return rc;
}
