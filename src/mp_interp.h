/*
 * mp_interp.h: Python start-up and the named interpreters of a child.
 *
 * Python is started in each child process (child_init), never in the root
 * parent.  The process state (interpreter registry, main thread state, main
 * server_rec) lives only in mp_interp.c behind one APR mutex.
 *
 * An mp_interp record is created on first use of a name and lives until the
 * child exits.  It keeps that interpreter's _apache module (for its
 * MpModuleState) and the dispatcher object returned by
 * mod_python.apache.init().  Each thread gets its own PyThreadState per
 * interpreter, cached in a thread-local key, so switching is
 * PyEval_RestoreThread / PyEval_SaveThread without allocation.
 *
 * mp_interp_acquire() returns with the GIL held and that interpreter current;
 * mp_interp_release() gives it back.  Calls must pair on the same thread.
 */
#ifndef MP_INTERP_H
#define MP_INTERP_H

#include "mp_module.h"

typedef struct mp_interp mp_interp;

struct mp_interp {
    const char *name;               /* process lifetime */
    PyInterpreterState *istate;
    PyObject *module;               /* this interpreter's _apache */
    MpModuleState *state;
    PyObject *dispatcher;           /* mod_python.apache CallBack object */
    int set_up;                     /* mod_python imported and init()ed */
    PyObject *cleanups;             /* process-exit cleanups: list of
                                     * (callable, data) */
    struct mp_deferred *deferred;   /* objects to release under the GIL */
    apr_threadkey_t *tkey;          /* this thread's PyThreadState */
    mp_interp *next;
};

/* Register the parent-side hook that lets the old generation exit on a
 * graceful restart before the MPM looks for it (see restart_wait). */
void mp_interp_register_hooks(apr_pool_t *p);

/* Start Python in this child; logs and returns non-OK on failure. */
apr_status_t mp_interp_child_init(apr_pool_t *pchild, server_rec *s);

/* Whether Python started in this process. */
int mp_interp_ready(void);

/* Find or create interpreter `name` (NULL or "" means the main one), take
 * the GIL and make it current.  NULL on failure, logged against s. */
mp_interp *mp_interp_acquire(const char *name, server_rec *s);
void mp_interp_release(mp_interp *ip);

/* Have obj finished with release(obj) (which must drop the reference
 * passed in) the next time a thread holds ip's GIL, through
 * mp_interp_acquire or at child exit.  Needs no GIL: it saves a GIL
 * hand-over at the end of each request.  Never fails (release runs now,
 * under the GIL, if memory is short). */
void mp_interp_defer(mp_interp *ip, PyObject *obj,
                     void (*release)(PyObject *obj));

/* The interpreter record whose state is current (GIL held), or NULL. */
mp_interp *mp_interp_current(void);

/* Main server of the process (set at child init). */
server_rec *mp_interp_main_server(void);

/* Child pool, for process-lifetime cleanups. */
apr_pool_t *mp_interp_child_pool(void);

/* Log the pending Python exception against r (or s when r is NULL): one
 * header line "<code>: <context>: <type>: <value>" then the traceback
 * lines.  Clears the exception.  GIL held. */
void mp_log_pyerr(server_rec *s, request_rec *r, const char *code,
                  const char *context);

#endif /* MP_INTERP_H */
