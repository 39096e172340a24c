/*
 * mp_request.h: _apache.mp_request, the Python face of a request_rec.
 *
 * Who owns it: the per-request state (mp_reqstate.h) keeps one request
 * object per (request_rec, interpreter) and holds the only long-lived
 * reference; mp_request_for() finds or creates it.  How long it lives:
 * until the request pool is cleaned up.  Then mp_request_invalidate() sets
 * r to NULL and detaches the cached table views, so a handler that kept
 * `req` gets RuntimeError("request has expired") rather than freed memory.
 * The object has an instance __dict__ and can be subclassed.  All functions
 * need the GIL; methods never hold it across an Apache call that can block
 * or run filters (MP_BLOCKING_BEGIN/END, see the rule in mp_interp.h).
 */
#ifndef MP_REQUEST_H
#define MP_REQUEST_H

#include "mp_state.h"

typedef struct {
    PyObject_HEAD
    request_rec *r;             /* NULL once the request has expired */
    PyObject *dict;             /* instance __dict__ */
    PyObject *weakreflist;
    /* cached live table views, rebound if httpd swaps the table */
    PyObject *headers_in;
    PyObject *headers_out;
    PyObject *err_headers_out;
    PyObject *subprocess_env;
    PyObject *notes;
    PyObject *config;           /* get_config() view of a per-request copy */
    PyObject *options;          /* get_options() view of a per-request copy */
    ap_conf_vector_t *config_of;    /* the per_dir_config both were made for */
    PyObject *retired;          /* list of older config views, or NULL */
    PyObject *connection;       /* cached mp_conn */
    PyObject *server;           /* cached mp_server */
    /* set by the dispatcher (mp_dispatch.c) around each phase */
    PyObject *phase;            /* str: "PythonHandler", ... or NULL */
    PyObject *hlist;            /* mp_hlist being run, or NULL */
    PyObject *extension;        /* str from "| .ext" selection, or NULL */
    const char *interpreter;    /* name, owned by the interpreter record */
    PyObject *cleanups;         /* list of (callable, data), or NULL */
    int content_type_set;
    apr_off_t bytes_queued;
    /* request body reading (read/readline share this buffer) */
    int read_setup;             /* ap_setup_client_block done */
    char *rbuff;                /* request-pool buffer for readline */
    apr_size_t rbuff_len;
    apr_size_t rbuff_pos;
} MpRequestObject;

/* The CGI/1.1 variables of req.add_cgi_vars() into r->subprocess_env (no
 * PATH_TRANSLATED, so no subrequest).  Shared with the WSGI environ. */
void mp_request_add_cgi_vars(request_rec *r);

/* The request object of r in the current interpreter, created on first
 * use and kept in r's mp_reqstate until the request ends.  New reference,
 * or NULL with an exception set.  GIL held. */
PyObject *mp_request_for(MpModuleState *st, request_rec *r);

/* New request object for r (does not keep it: see mp_request_for). */
PyObject *mp_request_new(MpModuleState *st, request_rec *r,
                         const char *interpreter);

/* End of request WITHOUT the GIL, for when the object's interpreter cannot
 * be entered: only pointer stores.  r, the table views and the cached
 * connection stop pointing into the request's memory.  The caller must
 * make sure no thread is running Python code with this object (true at
 * request-pool cleanup). */
void mp_request_cut(MpRequestObject *self);

/* End of request, with the GIL: mp_request_cut() plus dropping the cached
 * objects, except the __dict__ and cleanups. */
void mp_request_invalidate(MpRequestObject *self);

/* request_rec of a request object, or NULL with an exception set. */
request_rec *mp_request_rec(PyObject *obj);

/* Create the type in module (exec slot of mp_module.c) with the methods of
 * req_methods plus those of each NULL-terminated slice (mp_request_conf.h,
 * mp_request_io.h, ...); 0, or -1 with an exception set. */
int mp_request_init(PyObject *module, MpModuleState *st,
                    PyMethodDef **slices);

#endif /* MP_REQUEST_H */
