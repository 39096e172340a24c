/*
 * mp_reqstate.h: what mod_python keeps about one request.
 *
 * An mp_reqstate is allocated from the request pool the first time Python
 * is involved in a request, and lives as long as that pool.  It holds the
 * request objects (one per interpreter, each a strong reference), the
 * handlers added with req.add_handler(), the filters registered with
 * req.register_*_filter() and which PythonInitHandler list already ran.
 *
 * It is plain data: creating it registers one pool cleanup, which calls
 * the end-of-request function given to mp_reqstate_init() (mp_hooks.c: the
 * cleanup callbacks, PythonCleanupHandler, then the release of the request
 * objects).  Nothing here needs the GIL.
 */
#ifndef MP_REQSTATE_H
#define MP_REQSTATE_H

#include "mp_config.h"

struct mp_interp;

/* One request object, in one interpreter. */
typedef struct mp_reqobj {
    struct mp_interp *ip;
    PyObject *obj;                  /* strong reference */
    struct mp_reqobj *next;
} mp_reqobj;

typedef struct mp_reqstate {
    request_rec *r;
    mp_reqobj *objects;
    mp_handler *dynamic[MP_PHASE_COUNT];    /* req.add_handler() lists */
    apr_hash_t *in_filters;         /* name -> mp_filter_conf *, or NULL */
    apr_hash_t *out_filters;
    mp_handler *init_ran;           /* PythonInitHandler list already run
                                     * at post-read time, or NULL */
    int metrics;                    /* private to mp_metrics.c */
} mp_reqstate;

/* Set the function run when a request with state ends (register_hooks
 * time, once). */
void mp_reqstate_init(apr_status_t (*at_end)(mp_reqstate *rs));

/* State of r, created (with its cleanup) on first use.  Never NULL. */
mp_reqstate *mp_reqstate_get(request_rec *r);

/* State of r, or NULL when Python has not touched the request. */
mp_reqstate *mp_reqstate_find(request_rec *r);

/* req.add_handler(phase, handler[, dir]): append to the request's list of
 * that phase.  0, or -1 for an unknown phase or the cleanup phase (no
 * exception is set: the caller reports it). */
int mp_reqstate_add_handler(request_rec *r, const char *phase,
                            const char *handler, const char *dir);

#endif /* MP_REQSTATE_H */
