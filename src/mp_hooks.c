/*
 * mp_hooks.c: one small hook per Apache phase, all funnelled through
 * dispatch_phase(), plus the per-request state.  See mp_hooks.h.
 *
 * Hook kinds (what Apache does with the result):
 *   post_read_request, header_parser, access_checker, fixups,
 *   log_transaction      RUN_ALL: OK and DECLINED go on, others stop.
 *   translate_name, map_to_storage, check_user_id, auth_checker,
 *   type_checker, handler, process_connection
 *                        RUN_FIRST: DECLINED lets the next module try.
 */
#include "mp_hooks.h"
#include "mp_dispatch.h"
#include "mp_filter.h"
#include "mp_hlist.h"
#include "mp_include.h"
#include "mp_interp.h"
#include "mp_mutex.h"
#include "mp_request.h"
#include "mp_server.h"
#include "mp_util.h"
#include "mp_version.h"

#include "http_connection.h"
#include "mod_auth.h"

/* ------------------------------------------------------------------ */
/* per-request state                                                  */
/* ------------------------------------------------------------------ */

static apr_status_t request_cleanup(void *data);

mp_reqstate *
mp_reqstate_get(request_rec *r)
{
    mp_reqstate *rs = ap_get_module_config(r->request_config, &python_module);

    if (rs == NULL) {
        rs = apr_pcalloc(r->pool, sizeof(*rs));
        rs->r = r;
        ap_set_module_config(r->request_config, &python_module, rs);
        apr_pool_cleanup_register(r->pool, rs, request_cleanup,
                                  apr_pool_cleanup_null);
    }
    return rs;
}

PyObject *
mp_reqstate_request(MpModuleState *st, request_rec *r)
{
    mp_reqstate *rs = mp_reqstate_get(r);
    mp_interp *ip = mp_interp_current();
    mp_reqobj *o;
    PyObject *obj;

    for (o = rs->objects; o != NULL; o = o->next) {
        if (o->ip == ip) {
            return Py_NewRef(o->obj);
        }
    }
    obj = mp_request_new(st, r, ip ? ip->name : NULL);
    if (obj == NULL) {
        return NULL;
    }
    o = apr_palloc(r->pool, sizeof(*o));
    o->ip = ip;
    o->obj = obj;                   /* the state keeps this reference */
    o->next = rs->objects;
    rs->objects = o;
    return Py_NewRef(obj);
}

int
mp_hooks_add_handler(request_rec *r, const char *phase, const char *handler,
                     const char *dir)
{
    int i = mp_phase_lookup(phase);
    mp_reqstate *rs;
    mp_handler *h, **tail;

    if (i < 0 || i == MP_PHASE_CLEANUP) {
        PyErr_Format(PyExc_IndexError, "Invalid phase: %s", phase);
        return -1;
    }
    rs = mp_reqstate_get(r);
    h = apr_pcalloc(r->pool, sizeof(*h));
    h->handler = apr_pstrdup(r->pool, handler);
    h->directory = dir ? mp_config_canonical_dir(r->pool, dir) : NULL;
    for (tail = &rs->dynamic[i]; *tail != NULL; tail = &(*tail)->next) {
    }
    *tail = h;
    return 0;
}

/* ------------------------------------------------------------------ */
/* choosing the interpreter (spec 5.2)                                */
/* ------------------------------------------------------------------ */

static int
flag_on(apr_table_t *directives, const char *key)
{
    const char *v = apr_table_get(directives, key);

    return v != NULL && v[0] == '1';
}

const char *
mp_hooks_interpreter_name(request_rec *r, mp_dir_config *d,
                          const mp_handler *h)
{
    const char *name = apr_table_get(d->directives, "PythonInterpreter");

    if (name != NULL) {
        return name;
    }
    if (flag_on(d->directives, "PythonInterpPerDirectory")) {
        const char *slash;

        if (r->filename == NULL) {
            return MP_MAIN_INTERPRETER;
        }
        if (r->finfo.filetype == APR_DIR) {
            return mp_config_canonical_dir(r->pool, r->filename);
        }
        slash = strrchr(r->filename, '/');
        return slash ? apr_pstrmemdup(r->pool, r->filename,
                                      slash - r->filename + 1)
                     : MP_MAIN_INTERPRETER;
    }
    if (flag_on(d->directives, "PythonInterpPerDirective")) {
        const char *dir = mp_config_handler_dir(r->pool, h, r->filename);

        return (dir && *dir) ? dir : MP_MAIN_INTERPRETER;
    }
    return r->server->server_hostname;
}

/* ------------------------------------------------------------------ */
/* crossing into Python                                               */
/* ------------------------------------------------------------------ */

/* Int result of a dispatcher call, or 500 (logged) when it failed. */
static int
call_result(PyObject *res, server_rec *s, request_rec *r, const char *what)
{
    long v;

    if (res == NULL) {
        mp_log_pyerr(s, r, MP_APLOGNO(0103), what);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    v = PyLong_AsLong(res);
    Py_DECREF(res);
    if (v == -1 && PyErr_Occurred()) {
        mp_log_pyerr(s, r, MP_APLOGNO(0104), what);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    return (int)v;
}

/* Run handler list h (then the add_handler list) of a phase.  Returns
 * the phase result for Apache. */
static int
run_list(request_rec *r, mp_dir_config *d, mp_phase phase, mp_handler *h,
         const char *ext)
{
    mp_reqstate *rs = mp_reqstate_get(r);
    mp_handler *first = h ? h : rs->dynamic[phase];
    mp_interp *ip;
    MpRequestObject *req;
    PyObject *hlist, *phase_name, *extension = NULL;
    PyObject *saved_phase, *saved_hlist, *saved_ext;
    int result;

    ip = mp_interp_acquire(mp_hooks_interpreter_name(r, d, first), r->server);
    if (ip == NULL) {
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    req = (MpRequestObject *)mp_reqstate_request(ip->state, r);
    if (req == NULL) {
        mp_log_pyerr(r->server, r, MP_APLOGNO(0105),
                     "creating the request object");
        mp_interp_release(ip);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    hlist = mp_hlist_new(ip->state, h, &rs->dynamic[phase], r->pool,
                         r->filename);
    phase_name = Py_NewRef(ip->state->phase_names[phase]);
    if (ext != NULL) {
        extension = PyUnicode_FromString(ext);
    }
    if (hlist == NULL || phase_name == NULL
        || (ext != NULL && extension == NULL)) {
        mp_log_pyerr(r->server, r, MP_APLOGNO(0105),
                     "preparing the handler list");
        Py_XDECREF(hlist);
        Py_XDECREF(phase_name);
        Py_XDECREF(extension);
        Py_DECREF(req);
        mp_interp_release(ip);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    /* A phase may run inside another (a filter during the content
     * handler): put back what was there afterwards. */
    saved_phase = req->phase;
    saved_hlist = req->hlist;
    saved_ext = req->extension;
    req->phase = phase_name;
    req->hlist = Py_NewRef(hlist);
    req->extension = extension;

    result = mp_dispatch_run(ip, r, d, phase, (PyObject *)req,
                             (MpHlistObject *)hlist);

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

/* The phase's configured list (and extension) merged with the per-request
 * list; DECLINED without entering Python when both are empty. */
static int
dispatch_phase(request_rec *r, mp_phase phase)
{
    mp_dir_config *d = mp_config_dir(r->per_dir_config);
    mp_reqstate *rs = ap_get_module_config(r->request_config, &python_module);
    const char *ext = NULL;
    mp_handler *h = mp_config_handlers(d, phase, r->filename, &ext);

    if (h == NULL && (rs == NULL || rs->dynamic[phase] == NULL)) {
        return DECLINED;
    }
    return run_list(r, d, phase, h, ext);
}

/* ------------------------------------------------------------------ */
/* request cleanup                                                    */
/* ------------------------------------------------------------------ */

/* Call the req.register_cleanup() callbacks of one request object, last
 * registered first.  GIL held. */
static void
run_request_cleanups(request_rec *r, MpRequestObject *req)
{
    PyObject *list = req->cleanups;
    Py_ssize_t i;

    if (list == NULL) {
        return;
    }
    req->cleanups = NULL;
    for (i = PyList_GET_SIZE(list) - 1; i >= 0; i--) {
        PyObject *pair = PyList_GET_ITEM(list, i);
        PyObject *res = PyObject_CallOneArg(PyTuple_GET_ITEM(pair, 0),
                                            PyTuple_GET_ITEM(pair, 1));

        if (res == NULL) {
            mp_log_pyerr(r->server, r, MP_APLOGNO(0106),
                         "Error calling cleanup object");
        }
        Py_XDECREF(res);
    }
    Py_DECREF(list);
}

/* A request object's end, under its interpreter's GIL. */
static void
release_request(PyObject *obj)
{
    mp_request_invalidate((MpRequestObject *)obj);
    Py_DECREF(obj);
}

/* Request pool cleanup: req.register_cleanup() callbacks, then
 * PythonCleanupHandler (result ignored), then the objects expire. */
static apr_status_t
request_cleanup(void *data)
{
    mp_reqstate *rs = data;
    request_rec *r = rs->r;
    mp_reqobj *o;

    for (o = rs->objects; o != NULL; o = o->next) {
        MpRequestObject *req = (MpRequestObject *)o->obj;

        if (req->cleanups != NULL && mp_interp_acquire(o->ip->name,
                                                       r->server)) {
            run_request_cleanups(r, req);
            mp_interp_release(o->ip);
        }
    }
    (void)dispatch_phase(r, MP_PHASE_CLEANUP);
    /* The request's memory goes now: each object expires and is dropped
     * under its own interpreter, so what it holds (an upload, a database
     * connection) goes with the request.  When the interpreter cannot be
     * entered (mp_interp_acquire logs why) it is cut loose and leaked. */
    for (o = rs->objects; o != NULL; o = o->next) {
        if (o->ip != NULL && mp_interp_acquire(o->ip->name, r->server)) {
            release_request(o->obj);
            mp_interp_release(o->ip);
        }
        else {
            mp_request_cut((MpRequestObject *)o->obj);
        }
        o->obj = NULL;
    }
    rs->objects = NULL;
    return APR_SUCCESS;
}

/* ------------------------------------------------------------------ */
/* the hooks                                                          */
/* ------------------------------------------------------------------ */

/* RUN_ALL.  A server-level PythonInitHandler runs first, then the
 * post-read-request handlers. */
static int
mp_hook_post_read_request(request_rec *r)
{
    mp_dir_config *d = mp_config_dir(r->per_dir_config);
    int rc;

    if (d->handlers[MP_PHASE_INIT] != NULL) {
        mp_reqstate_get(r)->init_ran = d->handlers[MP_PHASE_INIT];
        rc = run_list(r, d, MP_PHASE_INIT, d->handlers[MP_PHASE_INIT], NULL);
        if (rc != OK && rc != DECLINED) {
            return rc;
        }
    }
    return dispatch_phase(r, MP_PHASE_POST_READ_REQUEST);
}

/* RUN_FIRST.  OK means the handler set req.filename itself. */
static int
mp_hook_translate_name(request_rec *r)
{
    return dispatch_phase(r, MP_PHASE_TRANS);
}

/* RUN_FIRST.  A Python handler written inside <Location> is not about a
 * file: OK skips the directory and file walk (spec 1.3). */
static int
mp_hook_map_to_storage(request_rec *r)
{
    mp_dir_config *d = mp_config_dir(r->per_dir_config);
    int i;

    for (i = MP_PHASE_HEADER_PARSER; i < MP_PHASE_COUNT; i++) {
        if (d->handlers[i] != NULL && d->handlers[i]->is_location) {
            return OK;
        }
    }
    return DECLINED;
}

/* RUN_ALL.  PythonInitHandler in directory context (unless the same list
 * already ran at post-read time), then the header parser handlers. */
static int
mp_hook_header_parser(request_rec *r)
{
    mp_dir_config *d = mp_config_dir(r->per_dir_config);
    mp_handler *init = d->handlers[MP_PHASE_INIT];
    int rc;

    if (init != NULL) {
        mp_reqstate *rs = mp_reqstate_get(r);

        if (rs->init_ran != init) {
            rs->init_ran = init;
            rc = run_list(r, d, MP_PHASE_INIT, init, NULL);
            if (rc != OK && rc != DECLINED) {
                return rc;
            }
        }
    }
    return dispatch_phase(r, MP_PHASE_HEADER_PARSER);
}

/* RUN_ALL (check_access). */
static int
mp_hook_access(request_rec *r)
{
    return dispatch_phase(r, MP_PHASE_ACCESS);
}

/* RUN_FIRST (check_authn).  OK must come with req.user set; 401 adds the
 * challenge of the configured AuthType. */
static int
mp_hook_authen(request_rec *r)
{
    int rc = dispatch_phase(r, MP_PHASE_AUTHEN);

    if (rc == OK && r->user == NULL) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, MP_APLOGNO(0107)
                      "PythonAuthenHandler returned OK but did not set "
                      "req.user");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    if (rc == HTTP_UNAUTHORIZED) {
        ap_note_auth_failure(r);
    }
    return rc;
}

/* RUN_FIRST (check_authz). */
static int
mp_hook_authz(request_rec *r)
{
    return dispatch_phase(r, MP_PHASE_AUTHZ);
}

/* RUN_FIRST. */
static int
mp_hook_type_checker(request_rec *r)
{
    return dispatch_phase(r, MP_PHASE_TYPE);
}

/* RUN_ALL. */
static int
mp_hook_fixups(request_rec *r)
{
    return dispatch_phase(r, MP_PHASE_FIXUP);
}

/* RUN_FIRST.  Only for the mod_python and python-program handler names. */
static int
mp_hook_handler(request_rec *r)
{
    if (r->handler == NULL
        || (strcmp(r->handler, "mod_python") != 0
            && strcmp(r->handler, "python-program") != 0)) {
        return DECLINED;
    }
    return dispatch_phase(r, MP_PHASE_HANDLER);
}

/* RUN_ALL.  Also makes sure a configured PythonCleanupHandler runs even
 * when nothing else in Python touched the request. */
static int
mp_hook_log_transaction(request_rec *r)
{
    mp_dir_config *d = mp_config_dir(r->per_dir_config);

    if (d->handlers[MP_PHASE_CLEANUP] != NULL) {
        mp_reqstate_get(r);
    }
    return dispatch_phase(r, MP_PHASE_LOG);
}

/* RUN_FIRST.  PythonConnectionHandler of the connection's base server. */
static int
mp_hook_process_connection(conn_rec *c)
{
    mp_srv_config *sc = mp_config_srv(c->base_server);
    const char *name;
    MpConnectionObject *conn;
    mp_interp *ip;
    int rc;

    if (sc->connection_handler == NULL) {
        return DECLINED;
    }
    name = apr_table_get(sc->directives, "PythonInterpreter");
    ip = mp_interp_acquire(name ? name : c->base_server->server_hostname,
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
    rc = call_result(PyObject_CallOneArg(ip->connection_dispatch,
                                         (PyObject *)conn),
                     c->base_server, NULL, "PythonConnectionHandler");
    mp_hlist_finish(conn->hlist);
    mp_connection_invalidate(conn);
    Py_DECREF(conn);
    mp_interp_release(ip);
    return rc;
}

/* Start Python in this child, then run the main server's PythonImport
 * entries in configuration order. */
static void
mp_hook_child_init(apr_pool_t *pchild, server_rec *s)
{
    apr_array_header_t *imports = mp_config_srv(s)->imports;
    mp_interp *ip;
    int i;

    mp_mutex_child_init(pchild, s);
    if (mp_interp_child_init(pchild, s) != APR_SUCCESS) {
        return;
    }
    /* The main server's default interpreter serves most requests: create
     * it now, so the first request of a new child does not pay for it. */
    if ((ip = mp_interp_acquire(s->server_hostname, s)) != NULL) {
        mp_interp_release(ip);
    }
    for (i = 0; i < imports->nelts; i++) {
        mp_import *imp = &((mp_import *)imports->elts)[i];
        PyObject *res;

        if ((ip = mp_interp_acquire(imp->interpreter, s)) == NULL) {
            continue;
        }
        res = PyObject_CallFunction(ip->import_dispatch, "s", imp->module);
        if (res == NULL) {
            mp_log_pyerr(s, NULL, MP_APLOGNO(0101),
                         apr_psprintf(pchild, "PythonImport %s",
                                      imp->module));
        }
        Py_XDECREF(res);
        mp_interp_release(ip);
    }
}

static int
mp_hook_post_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp,
                    server_rec *s)
{
    (void)plog;
    (void)ptemp;
    ap_add_version_component(pconf, "mod_python/" MP_VERSION_STRING);
    ap_add_version_component(pconf, "Python/" PY_VERSION);
    /* The first pass only checks the configuration. */
    if (ap_state_query(AP_SQ_MAIN_STATE) == AP_SQ_MS_CREATE_PRE_CONFIG) {
        return OK;
    }
    return mp_mutex_post_config(pconf, s);
}

void
mp_hooks_register(apr_pool_t *p)
{
    (void)p;
    mp_filter_register_generic();
    mp_include_register_hooks(p);
    ap_hook_post_config(mp_hook_post_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_child_init(mp_hook_child_init, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_process_connection(mp_hook_process_connection, NULL, NULL,
                               APR_HOOK_MIDDLE);
    ap_hook_post_read_request(mp_hook_post_read_request, NULL, NULL,
                              APR_HOOK_MIDDLE);
    ap_hook_translate_name(mp_hook_translate_name, NULL, NULL,
                           APR_HOOK_MIDDLE);
    ap_hook_map_to_storage(mp_hook_map_to_storage, NULL, NULL,
                           APR_HOOK_MIDDLE);
    ap_hook_header_parser(mp_hook_header_parser, NULL, NULL,
                          APR_HOOK_MIDDLE);
    ap_hook_check_access(mp_hook_access, NULL, NULL, APR_HOOK_MIDDLE,
                         AP_AUTH_INTERNAL_PER_CONF);
    ap_hook_check_authn(mp_hook_authen, NULL, NULL, APR_HOOK_FIRST,
                        AP_AUTH_INTERNAL_PER_CONF);
    ap_hook_check_authz(mp_hook_authz, NULL, NULL, APR_HOOK_MIDDLE,
                        AP_AUTH_INTERNAL_PER_CONF);
    /* Before mod_mime, which answers OK for any file it knows. */
    ap_hook_type_checker(mp_hook_type_checker, NULL, NULL, APR_HOOK_FIRST);
    ap_hook_fixups(mp_hook_fixups, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_handler(mp_hook_handler, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_log_transaction(mp_hook_log_transaction, NULL, NULL,
                            APR_HOOK_MIDDLE);
}
