/*
 * mp_interp.h: Python start-up, the named interpreters of a child, and the
 * one way into Python.
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
 * GIL rules.  The GIL is taken and dropped only through the functions
 * below (mp_interp.c itself aside):
 *
 * - mp_interp_acquire() returns with the GIL held and that interpreter
 *   current; mp_interp_release() undoes it.  Calls pair on one thread.  The
 *   pair is re-entrant: a thread-local record knows whether this thread
 *   holds the GIL and for which interpreter.  Acquiring the interpreter
 *   already held only nests (no hand-over); acquiring another one switches
 *   thread states, and the matching release switches back.
 * - "The GIL" is the GIL of the interpreter held.  Interpreters declared
 *   PythonInterpreterGIL own (Python 3.12+) each have one of their own;
 *   the others share the main interpreter's.  A switch therefore always
 *   gives up the GIL held (PyEval_SaveThread) before it takes the other
 *   (PyEval_RestoreThread), never PyThreadState_Swap, which moves no GIL
 *   before 3.13; a thread never holds two GILs.  State shared by all
 *   interpreters of the process is not protected by any GIL: C code keeps
 *   it behind its own mutex, read-only after child_init, or per
 *   interpreter (MpModuleState, the mp_interp record).
 * - Never call an Apache or APR function that can block or run filters
 *   (ap_rwrite, ap_rflush, ap_pass_brigade, ap_get_brigade,
 *   ap_get_client_block, ap_should_client_block, ap_discard_request_body,
 *   ap_send_fd, ap_internal_redirect, apr_bucket_read on a bucket that is not
 *   in memory, DNS lookups, ap_log_* from code Python called) while holding
 *   the GIL: wrap it in MP_BLOCKING_BEGIN / MP_BLOCKING_END (or the
 *   mp_interp_unblock / mp_interp_reblock pair behind them).  A Python
 *   filter run inside that call then enters Python normally.  Code between
 *   the two touches no Python object: only C memory that Python cannot
 *   reach meanwhile (a bytes object not yet shared, a Py_buffer held).
 * - The module's C code never uses Py_BEGIN_ALLOW_THREADS.  Code outside
 *   it (an extension module a handler calls) may: an acquire inside such a
 *   block finds this thread's record saying "held" while no thread state
 *   is current, takes the GIL, and on release leaves it to
 *   Py_END_ALLOW_THREADS to take it back.
 */
#ifndef MP_INTERP_H
#define MP_INTERP_H

#include "mp_state.h"

typedef struct mp_interp mp_interp;

struct mp_interp {
    const char *name;               /* process lifetime */
    PyInterpreterState *istate;
    PyObject *module;               /* this interpreter's _apache */
    MpModuleState *state;
    PyObject *dispatcher;           /* mod_python.apache CallBack object */
    int set_up;                     /* mod_python imported and init()ed */
    int failed;                     /* set-up failed: kept, never retried;
                                     * requests for it answer 500 */
    apr_time_t failed_logged;       /* last MP0140 line (rate limit) */
    PyObject *cleanups;             /* process-exit cleanups: list of
                                     * (callable, data) */
    apr_threadkey_t *tkey;          /* this thread's PyThreadState */
    mp_interp *next;
    /* PythonInterpreterGIL own (Python 3.12+, mp_gil_conf.h): created with
     * a GIL of its own, so it runs at the same time as the others.  Then
     * also its own copies of the server options tables (mp_owngil.h),
     * touched only with its GIL held. */
    int own_gil;
    apr_pool_t *own_pool;
    apr_hash_t *own_options;
};

/* What this file needs from the layers above it, given at child start so
 * that it includes none of them: the init function of the _apache module
 * (registered with PyImport_AppendInittab); the set-up of a new
 * interpreter once _apache is imported, which fills ip->dispatcher
 * (mp_dispatch_set_up: mod_python.apache.init() and the dispatcher's entry
 * points), returning 0, or -1 with an exception set; and the logger of a
 * pending Python exception (mp_log_pyerr, which itself drops the GIL
 * around its writes). */
typedef struct {
    PyObject *(*module_init)(void);
    int (*set_up)(mp_interp *ip, server_rec *main_server);
    void (*log_pyerr)(server_rec *s, request_rec *r, const char *code,
                      const char *context);
} mp_interp_layers;

/* Start Python in this child; logs and returns non-OK on failure.
 * `layers` must live as long as the process. */
apr_status_t mp_interp_child_init(apr_pool_t *pchild, server_rec *s,
                                  const mp_interp_layers *layers);

/* Whether Python started in this process. */
int mp_interp_ready(void);

/* Find or create interpreter `name` (NULL or "" means the main one), take
 * the GIL and make it current; nests when this thread holds it already (see
 * above).  NULL on failure, logged against s, with the thread's previous
 * state (GIL held or not, interpreter) unchanged. */
mp_interp *mp_interp_acquire(const char *name, server_rec *s);

/* Undo the matching mp_interp_acquire(): the outermost release gives the
 * GIL back, or switches back to the interpreter held before. */
void mp_interp_release(mp_interp *ip);

/* A thread's hold on Python, as the thread-local record keeps it. */
typedef struct {
    mp_interp *ip;                  /* held through acquire, or NULL */
    PyThreadState *ts;              /* ip's thread state of this thread */
    int depth;                      /* acquire nesting for ip */
    int pushed;                     /* the outermost acquire saved the
                                     * hold before it (a switch) */
} mp_hold;

/* What mp_interp_unblock() saved; lives on the caller's stack. */
typedef struct {
    PyThreadState *ts;              /* thread state to take back */
    mp_hold hold;                   /* the record to put back */
} mp_unblocked;

/* Drop the GIL (held, by acquire or by a thread Python started) around a
 * blocking Apache call, and mark this thread as holding none, so that a
 * Python filter run inside the call acquires normally.  Must be followed
 * on the same thread by mp_interp_reblock(sv), which takes the GIL back
 * and restores the record.  No Python object may be touched between. */
void mp_interp_unblock(mp_unblocked *sv);
void mp_interp_reblock(mp_unblocked *sv);

#define MP_BLOCKING_BEGIN                                               \
    {                                                                   \
        mp_unblocked mp_unblocked_;                                     \
        mp_interp_unblock(&mp_unblocked_);
#define MP_BLOCKING_END                                                 \
        mp_interp_reblock(&mp_unblocked_);                              \
    }

/* Whether this thread is inside Python: it holds the GIL, or a frame of
 * one of its thread states waits in an MP_BLOCKING call, behind an
 * interpreter switch or behind Py_BEGIN_ALLOW_THREADS.  Async-signal
 * tolerant (thread-local reads only); for the child-exit path, the
 * watchdog and prefork's stop guard (mp_stop.h). */
int mp_interp_thread_in_python(void);

/* Whether this thread is inside taking or giving a GIL: a signal handler
 * that interrupted it there (prefork's stop) must not enter Python, which
 * would wait for this very thread.  Async-signal tolerant (one
 * thread-local read); for the child-exit and end-of-request paths and
 * prefork's stop guard. */
int mp_interp_switching(void);

/* The interpreter record whose state is current (GIL held), or NULL. */
mp_interp *mp_interp_current(void);

/* Main server of the process (set at child init). */
server_rec *mp_interp_main_server(void);

/* Child pool, for process-lifetime cleanups. */
apr_pool_t *mp_interp_child_pool(void);


#endif /* MP_INTERP_H */
