/*
 * mp_hooks.c: one small hook per Apache phase, all funnelled through
 * dispatch_phase(), and the end of a request.  See mp_hooks.h.
 *
 * Hook kinds (what Apache does with the result):
 *   post_read_request, header_parser, access_checker, fixups,
 *   log_transaction      RUN_ALL: OK and DECLINED go on, others stop.
 *   translate_name, map_to_storage, check_user_id, auth_checker,
 *   type_checker, handler, process_connection
 *                        RUN_FIRST: DECLINED lets the next module try.
 */
#include "mp_hooks.h"
#include "mp_config.h"
#include "mp_dispatch.h"
#include "mp_filter.h"
#include "mp_include.h"
#include "mp_interp.h"
#include "mp_log.h"
#include "mp_metrics.h"
#include "mp_watchdog.h"
#include "mp_module.h"
#include "mp_mutex.h"
#include "mp_stop.h"
#include "mp_reqstate.h"
#include "mp_request.h"
#include "mp_request_conf.h"
#include "mp_server.h"
#include "mp_version.h"

#include "http_connection.h"
#include "mod_auth.h"

/* The phase's configured list (or its "| .ext" list) and the per-request
 * list; DECLINED without entering Python when both are empty. */
static int
dispatch_phase(request_rec *r, mp_phase phase)
{
    mp_dir_config *d = mp_config_dir(r->per_dir_config);
    mp_reqstate *rs = mp_reqstate_find(r);
    const char *ext = NULL;
    mp_handler *h = mp_config_handlers(d, phase, r->filename, &ext);

    if (h == NULL && (rs == NULL || rs->dynamic[phase] == NULL)) {
        return DECLINED;
    }
    return mp_dispatch_phase(r, phase, h, ext);
}

/* ------------------------------------------------------------------ */
/* the end of a request                                               */
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

/* Request pool cleanup: req.register_cleanup() callbacks, then
 * PythonCleanupHandler (result ignored), then the request objects expire
 * and are released, each in its interpreter: what they hold (uploads,
 * database connections) goes with the request. */
static apr_status_t
request_end(mp_reqstate *rs)
{
    request_rec *r = rs->r;
    mp_reqobj *o;

    if (mp_interp_switching()) {
        /* The pool goes from a signal handler (prefork's stop) that
         * interrupted this thread while it took or gave a GIL: entering
         * Python would wait for ourselves.  The process is exiting: cut
         * the objects loose without Python. */
        for (o = rs->objects; o != NULL; o = o->next) {
            mp_request_cut((MpRequestObject *)o->obj);
            o->obj = NULL;
        }
        rs->objects = NULL;
        return APR_SUCCESS;
    }
    for (o = rs->objects; o != NULL; o = o->next) {
        MpRequestObject *req = (MpRequestObject *)o->obj;

        if (req->cleanups != NULL && mp_interp_acquire(o->ip->name,
                                                       r->server)) {
            run_request_cleanups(r, req);
            mp_interp_release(o->ip);
        }
    }
    (void)dispatch_phase(r, MP_PHASE_CLEANUP);
    for (o = rs->objects; o != NULL; o = o->next) {
        MpRequestObject *req = (MpRequestObject *)o->obj;

        if (mp_interp_acquire(o->ip->name, r->server) != NULL) {
            mp_request_invalidate(req);
            Py_DECREF(req);
            mp_interp_release(o->ip);
        }
        else {
            /* Python is gone (child exit): only cut it loose. */
            mp_request_cut(req);
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
        rc = mp_dispatch_phase(r, MP_PHASE_INIT, d->handlers[MP_PHASE_INIT], NULL);
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

/* RUN_ALL.  The first phase that sees .htaccess files: a request whose
 * configuration took Python directives from one below PythonHtaccess Off
 * ends here with 500.  Then PythonInitHandler in directory context
 * (unless the same list already ran at post-read time), then the header
 * parser handlers. */
static int
mp_hook_header_parser(request_rec *r)
{
    mp_dir_config *d = mp_config_dir(r->per_dir_config);
    mp_handler *init = d->handlers[MP_PHASE_INIT];
    const char *refused = mp_config_refused(d);
    int rc;

    if (refused != NULL) {
        /* As Apache answers a directive an .htaccess may not hold. */
        ap_log_rerror(APLOG_MARK, APLOG_ALERT, 0, r, MP_APLOGNO(0130)
                      "%s: Python directives are not allowed here "
                      "(PythonHtaccess Off)", refused);
        return HTTP_INTERNAL_SERVER_ERROR;
    }

    if (init != NULL) {
        mp_reqstate *rs = mp_reqstate_get(r);

        if (rs->init_ran != init) {
            rs->init_ran = init;
            rc = mp_dispatch_phase(r, MP_PHASE_INIT, init, NULL);
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
    return mp_dispatch_connection(c);
}

/* Run one PythonImport entry with the main server's settings. */
static PyObject *
import_one(mp_interp *ip, const char *module, const mp_settings *set)
{
    PyObject *settings = mp_request_settings(ip->state, set);
    PyObject *res = NULL;

    if (settings != NULL) {
        res = PyObject_CallMethod(ip->dispatcher, "ImportDispatch", "sO",
                                  module, settings);
        Py_DECREF(settings);
    }
    return res;
}

/* What mp_interp.c needs from above it (see mp_interp_layers). */
static const mp_interp_layers layers = {
    mp_module_initfunc,
    mp_dispatch_set_up,
    mp_log_pyerr,
};

/* Start Python in this child, then run the main server's PythonImport
 * entries in configuration order. */
static void
mp_hook_child_init(apr_pool_t *pchild, server_rec *s)
{
    apr_array_header_t *imports = mp_config_srv(s)->imports;
    mp_interp *ip;
    apr_status_t rv;
    int i;

    mp_stop_child_init(pchild, s);
    mp_mutex_child_init(pchild, s);
    /* Before any worker thread: each server's private options table. */
    rv = mp_server_child_init(pchild, s);
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, MP_APLOGNO(0032)
                     "cannot create the child's server options tables");
        return;
    }
    if (mp_interp_child_init(pchild, s, &layers) != APR_SUCCESS) {
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
        res = import_one(ip, imp->module, &mp_config_srv(s)->settings);
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
    mp_reqstate_init(request_end);
    mp_filter_register_generic();
    mp_include_register_hooks(p);
    mp_metrics_register(p);
    mp_watchdog_register(p);
    mp_stop_register(p);
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
