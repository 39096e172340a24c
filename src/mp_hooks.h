/*
 * mp_hooks.h: Apache hooks and the per-request state behind them.
 *
 * Each request phase has one small hook that picks the handler list from the
 * merged configuration, chooses the interpreter, and crosses into Python once
 * (mod_python.apache dispatcher).  A hook returns DECLINED when no Python
 * handler is configured for its phase, and never calls exit().
 *
 * mp_reqstate is allocated from the request pool the first time Python is
 * involved in a request.  It holds the request objects (one per interpreter),
 * the handlers added with req.add_handler(), and the per-request filter
 * registrations.  One pool cleanup, registered with it, runs in order: the
 * req.register_cleanup() callbacks, PythonCleanupHandler, then invalidates
 * and releases each request object under its own interpreter (entered with
 * mp_interp_acquire, which nests when this thread is inside Python).
 */
#ifndef MP_HOOKS_H
#define MP_HOOKS_H

#include "mp_module.h"
#include "mp_config.h"

struct mp_interp;

typedef struct mp_reqobj {
    struct mp_interp *ip;           /* interpreter the object belongs to */
    PyObject *obj;                  /* strong reference */
    struct mp_reqobj *next;
} mp_reqobj;

typedef struct {
    request_rec *r;
    mp_reqobj *objects;
    mp_handler *dynamic[MP_PHASE_COUNT];    /* req.add_handler() lists */
    apr_hash_t *in_filters;         /* name -> mp_filter_conf * */
    apr_hash_t *out_filters;
    mp_handler *init_ran;           /* PythonInitHandler list already run
                                     * at post-read time, or NULL */
} mp_reqstate;

/* State of r, created (with its cleanup) on first use.  Never NULL. */
mp_reqstate *mp_reqstate_get(request_rec *r);

/* The request object of r in the current interpreter, created on first use.
 * New reference, or NULL with an exception set.  GIL held. */
PyObject *mp_reqstate_request(MpModuleState *st, request_rec *r);

/* req.add_handler(phase, handler[, dir]).  0, or -1 with IndexError
 * ("Invalid phase") or another exception set.  GIL held. */
int mp_hooks_add_handler(request_rec *r, const char *phase,
                         const char *handler, const char *dir);

/* Interpreter for handler h of request r (spec 5.2): PythonInterpreter,
 * then PythonInterpPerDirectory, PythonInterpPerDirective, else the
 * virtual host's ServerName.  Allocated from r->pool or static. */
const char *mp_hooks_interpreter_name(request_rec *r, mp_dir_config *d,
                                      const mp_handler *h);

/* Hook registration, called from register_hooks in mod_python.c. */
void mp_hooks_register(apr_pool_t *p);

#endif /* MP_HOOKS_H */
