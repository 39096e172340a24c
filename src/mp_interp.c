/*
 * mp_interp.c: Python start-up in each child, the interpreter registry and
 * thread-state switching.  See mp_interp.h for the contract.
 *
 * Lock order: the registry mutex may be held while taking the GIL (only when
 * an interpreter is created); code holding the GIL never takes the registry
 * mutex (a switch to another interpreter drops the GIL before it looks the
 * interpreter up).  Lookups walk the append-only list without the mutex: a record is
 * published only once it is complete.
 */
#include "mp_interp.h"
#include "mp_config.h"
#include "mp_gil_conf.h"
#include "mp_startup.h"
#include "mp_version.h"

#include "unixd.h"

#include <unistd.h>

/* The process state, and the only one in the module. */
static struct {
    apr_pool_t *pool;               /* child pool */
    server_rec *main_server;
    apr_thread_mutex_t *lock;       /* guards creation in `interps` */
    mp_interp *interps;             /* append-only, published complete */
    const mp_interp_layers *layers;
    int ready;
    int unavailable_logged;         /* why Python is not there was logged */
    /* Read once at child_init: the main server's options table it comes
     * from is guarded by the main GIL, which an interpreter with its own
     * GIL does not hold while it is set up. */
    const char *package_dir;
    int main_site;                  /* site ran in the main interpreter */
} mp_proc;

/* Set on this thread while it takes or gives a GIL (inside
 * PyEval_RestoreThread / PyEval_SaveThread).  A signal handler that
 * interrupts it there (prefork's stop, on the same thread) must not enter
 * Python: the GIL is half taken or half given by the very thread that
 * would wait for it.  See mp_interp_switching(). */
static _Thread_local int mp_switching;

static void
gil_take(PyThreadState *ts)
{
    mp_switching = 1;
    PyEval_RestoreThread(ts);
    mp_switching = 0;
}

static PyThreadState *
gil_give(void)
{
    PyThreadState *ts;

    mp_switching = 1;
    ts = PyEval_SaveThread();
    mp_switching = 0;
    return ts;
}

int
mp_interp_ready(void)
{
    return mp_proc.ready;
}

server_rec *
mp_interp_main_server(void)
{
    return mp_proc.main_server;
}

apr_pool_t *
mp_interp_child_pool(void)
{
    return mp_proc.pool;
}

/* ------------------------------------------------------------------ */
/* thread states                                                      */
/* ------------------------------------------------------------------ */

/* This thread's thread state for ip, created on first use. */
static PyThreadState *
thread_state(mp_interp *ip)
{
    void *ts = NULL;

    apr_threadkey_private_get(&ts, ip->tkey);
    if (ts == NULL) {
        ts = PyThreadState_New(ip->istate);
        if (ts != NULL) {
            apr_threadkey_private_set(ts, ip->tkey);
        }
    }
    return ts;
}

mp_interp *
mp_interp_current(void)
{
    PyInterpreterState *is = PyInterpreterState_Get();
    mp_interp *ip;

    for (ip = __atomic_load_n(&mp_proc.interps, __ATOMIC_ACQUIRE); ip != NULL;
         ip = ip->next) {
        if (ip->istate == is) {
            return ip;
        }
    }
    return NULL;
}

/* ------------------------------------------------------------------ */
/* interpreter records                                                */
/* ------------------------------------------------------------------ */

static mp_interp *
find_interp(const char *name)
{
    mp_interp *ip;

    for (ip = __atomic_load_n(&mp_proc.interps, __ATOMIC_ACQUIRE); ip != NULL;
         ip = ip->next) {
        if (strcmp(ip->name, name) == 0) {
            return ip;
        }
    }
    return NULL;
}

/* Directory of our own package: the reserved server option, else where
 * `make install` put it. */
static const char *
package_dir(void)
{
    return mp_proc.package_dir;
}

static int
check_version(server_rec *s)
{
    PyObject *mod = PyImport_ImportModule("mod_python.version");
    PyObject *ver = mod ? PyObject_GetAttrString(mod, "version") : NULL;
    const char *v = (ver && PyUnicode_Check(ver)) ? PyUnicode_AsUTF8(ver)
                                                  : NULL;
    PyObject *file = mod ? PyObject_GetAttrString(mod, "__file__") : NULL;

    if (v == NULL || strcmp(v, MP_VERSION_STRING) != 0) {
        PyErr_Clear();
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s, MP_APLOGNO(0004)
                     "mod_python version mismatch: the module is %s, the "
                     "Python package (%s) is %s", MP_VERSION_STRING,
                     file && PyUnicode_Check(file)
                         ? PyUnicode_AsUTF8(file) : "?",
                     v ? v : "unknown");
    }
    PyErr_Clear();
    Py_XDECREF(file);
    Py_XDECREF(ver);
    Py_XDECREF(mod);
    return 0;
}

/* Put our package first on sys.path.  0 or -1 with an exception set. */
static int
prepend_package_dir(void)
{
    PyObject *path = PySys_GetObject("path");     /* borrowed */
    PyObject *dir;
    int rc;

    if (path == NULL || !PyList_Check(path)) {
        PyErr_SetString(PyExc_RuntimeError, "sys.path is not a list");
        return -1;
    }
    dir = PyUnicode_DecodeFSDefault(package_dir());
    if (dir == NULL) {
        return -1;
    }
    rc = PySequence_Contains(path, dir);
    if (rc == 0) {
        rc = PyList_Insert(path, 0, dir);
    }
    Py_DECREF(dir);
    return rc < 0 ? -1 : 0;
}

/* Run site.main() in the interpreter now current.  Python starts with
 * site_import off (see mp_interp_child_init): the main interpreter, which
 * most servers never use, then does not pay for it, and every interpreter
 * runs it here, before anything of ours.  0, or -1 with an exception set. */
static int
run_site(void)
{
    PyObject *site = PyImport_ImportModule("site");
    PyObject *res = site ? PyObject_CallMethod(site, "main", NULL) : NULL;

    Py_XDECREF(site);
    if (res == NULL) {
        return -1;
    }
    Py_DECREF(res);
    return 0;
}

/* Fill ip in the interpreter now current: run site, import
 * mod_python.apache and call its init().  0, or -1 with an exception set. */
static int
setup_interp(mp_interp *ip)
{
    int rc = -1;

    if (ip->istate == PyInterpreterState_Main() && mp_proc.main_site) {
        /* site ran already, before an own-GIL interpreter was made */
    }
    else if (run_site() < 0) {
        goto done;
    }
    ip->module = PyImport_ImportModule("_apache");
    if (ip->module == NULL) {
        goto done;
    }
    ip->state = mp_module_state(ip->module);
    if (prepend_package_dir() < 0) {
        goto done;
    }
    if (mp_proc.layers->set_up(ip, mp_proc.main_server) < 0) {
        goto done;
    }
    ip->cleanups = PyList_New(0);
    if (ip->cleanups == NULL) {
        goto done;
    }
    check_version(mp_proc.main_server);
    rc = 0;
done:
    return rc;
}

static mp_interp *
new_record(const char *name, PyThreadState *ts)
{
    mp_interp *ip = apr_pcalloc(mp_proc.pool, sizeof(*ip));

    ip->name = apr_pstrdup(mp_proc.pool, name);
    ip->istate = ts->interp;
    if (apr_threadkey_private_create(&ip->tkey, NULL, mp_proc.pool)
        != APR_SUCCESS) {
        return NULL;
    }
    apr_threadkey_private_set(ts, ip->tkey);
    return ip;
}

/* Make a complete record visible to lock-free readers.  Writers are
 * serialised by the registry mutex (or run before any worker thread). */
static void
publish(mp_interp *ip)
{
    ip->next = mp_proc.interps;
    __atomic_store_n(&mp_proc.interps, ip, __ATOMIC_RELEASE);
}

#if MP_HAVE_OWN_GIL
/* A new interpreter with a GIL of its own (PEP 684, Python 3.12+), in
 * CPython's isolated configuration: its own object allocator; extension
 * modules must declare per-interpreter GIL support (multi-phase init with
 * Py_MOD_PER_INTERPRETER_GIL_SUPPORTED), others fail to import with
 * ImportError; no os.fork() and no exec (subprocess included), which the
 * runtime refuses in such an interpreter; threads but no daemon threads.
 * Called with main_ts current; returns the new thread state current with
 * the new GIL held and the main GIL released (Python releases it), or NULL
 * with main_ts current again and *why set. */
static PyThreadState *
new_own_gil_interpreter(const char **why)
{
    PyInterpreterConfig config = {
        .use_main_obmalloc = 0,
        .allow_fork = 0,
        .allow_exec = 0,
        .allow_threads = 1,
        .allow_daemon_threads = 0,
        .check_multi_interp_extensions = 1,
        .gil = PyInterpreterConfig_OWN_GIL,
    };
    PyThreadState *ts = NULL;
    PyStatus st = Py_NewInterpreterFromConfig(&ts, &config);

    if (PyStatus_Exception(st) || ts == NULL) {
        *why = apr_psprintf(mp_proc.pool, "%s%s%s",
                            st.func ? st.func : "",
                            st.func ? ": " : "",
                            st.err_msg ? st.err_msg : "unknown error");
        return NULL;
    }
    return ts;
}
#endif

/* Create sub-interpreter `name`; called with the registry mutex held and
 * the GIL free.  Logs and returns NULL on failure.  With
 * PythonInterpreterGIL own (mp_gil_conf.h) the interpreter gets a GIL of
 * its own; the main GIL is then held only until Python has made it. */
static mp_interp *
create_interp(const char *name, server_rec *s)
{
    mp_interp *main_ip = find_interp(MP_MAIN_INTERPRETER);
    PyThreadState *main_ts = thread_state(main_ip);
    PyThreadState *ts;
    mp_interp *ip = NULL, *failed = NULL;
    const char *why = NULL;
    int own = mp_gil_conf_own(name);

    if (main_ts == NULL) {
        return NULL;
    }
    gil_take(main_ts);
#if MP_HAVE_OWN_GIL
    if (own && !__atomic_load_n(&main_ip->set_up, __ATOMIC_ACQUIRE)
        && !mp_proc.main_site) {
        /* CPython 3.13 runs the init function of a single-phase extension
         * module imported in an own-GIL interpreter in the main one.  When
         * that init imports its own package (markupsafe's _speedups does)
         * and the main interpreter cannot find it, 3.13.5 aborts the
         * process ("double free or corruption").  The main interpreter
         * runs site only on first use: give it its sys.path now.
         * Serialised by the registry mutex, as set_up_main is. */
        if (run_site() < 0) {
            mp_proc.layers->log_pyerr(s, NULL, MP_APLOGNO(0176),
                                      "running site in the main "
                                      "interpreter");
        }
        mp_proc.main_site = 1;
    }
    ts = own ? new_own_gil_interpreter(&why) : Py_NewInterpreter();
#else
    ts = Py_NewInterpreter();
#endif
    if (ts == NULL) {
        /* Python made main_ts current again, with the main GIL. */
        PyThreadState_Swap(main_ts);
        gil_give();
        if (why != NULL) {
            ap_log_error(APLOG_MARK, APLOG_ERR, 0, s, MP_APLOGNO(0174)
                         "cannot create Python interpreter '%s' with its own "
                         "GIL (PythonInterpreterGIL own): %s", name, why);
        }
        else {
            ap_log_error(APLOG_MARK, APLOG_ERR, 0, s, MP_APLOGNO(0005)
                         "cannot create Python interpreter '%s'", name);
        }
        return NULL;
    }
    ip = new_record(name, ts);
    if (ip != NULL) {
        ip->set_up = 1;
        ip->own_gil = own;
    }
    if (ip == NULL || setup_interp(ip) < 0) {
        mp_proc.layers->log_pyerr(s, NULL, MP_APLOGNO(0006),
                     apr_psprintf(mp_proc.pool,
                                  "initialising interpreter '%s'", name));
        /* Keep the interpreter, and its record marked as failed: ending it
         * while modules are half-imported is riskier than keeping it, and
         * a retry on the next request would fail alike while leaking a
         * whole interpreter each time (issue 10, fault 4). */
        if (ip != NULL) {
            ip->failed = 1;         /* the next request logs MP0140 */
        }
        failed = ip;
        ip = NULL;
    }
    if (own) {
        /* Its own GIL: the main GIL is free already.  Give this one up;
         * PyThreadState_Swap would not before 3.13. */
        gil_give();
    }
    else {
        PyThreadState_Swap(main_ts);
        gil_give();
    }
    if (ip != NULL && own) {
        ap_log_error(APLOG_MARK, APLOG_DEBUG, 0, s,
                     "Python interpreter '%s' created with its own GIL", name);
    }
    if (ip != NULL || failed != NULL) {
        publish(ip != NULL ? ip : failed);
    }
    return ip;
}

/* The main interpreter imports mod_python only when it is first used: most
 * servers never use it, and a child answers sooner without it.  0, or -1
 * (logged). */
static int
set_up_main(mp_interp *ip, PyThreadState *ts, server_rec *s)
{
    int rc = 0;

    apr_thread_mutex_lock(mp_proc.lock);
    if (ip->failed) {
        rc = -1;                    /* another thread's attempt failed */
    }
    else if (!ip->set_up) {
        gil_take(ts);
        if (setup_interp(ip) < 0) {
            mp_proc.layers->log_pyerr(s, NULL, MP_APLOGNO(0006),
                         "initialising interpreter 'main_interpreter'");
            /* Not retried: see create_interp. */
            __atomic_store_n(&ip->failed, 1, __ATOMIC_RELEASE);
            rc = -1;
        }
        else {
            __atomic_store_n(&ip->set_up, 1, __ATOMIC_RELEASE);
        }
        gil_give();
    }
    apr_thread_mutex_unlock(mp_proc.lock);
    return rc;
}

/* ------------------------------------------------------------------ */
/* the one way into Python                                            */
/* ------------------------------------------------------------------ */

/* Most interpreter switches one thread can nest (a filter of interpreter
 * B run while a handler of interpreter A holds the GIL, ...). */
#define MP_SWITCH_MAX 16

/* A hold saved by a switch, and the thread state that was current then
 * (NULL when the GIL was not held: code outside mp_interp.c dropped it). */
typedef struct {
    mp_hold hold;
    PyThreadState *now;
} mp_saved_hold;

/* This thread's record (see mp_interp.h) and the holds its switches
 * saved, innermost last. */
static _Thread_local mp_hold mp_held;
static _Thread_local mp_saved_hold mp_saved[MP_SWITCH_MAX];
static _Thread_local int mp_nsaved;
/* MP_BLOCKING sections open on this thread (a frame waits in each). */
static _Thread_local int mp_blocked;

/* The thread state current on this thread (GIL held), or NULL. */
static inline PyThreadState *
current_ts(void)
{
#if PY_VERSION_HEX >= 0x030D0000
    return PyThreadState_GetUnchecked();     /* public since 3.13 */
#else
    return _PyThreadState_UncheckedGet();
#endif
}

/* Undo the save of a switch: the GIL is free; take back what was held. */
static void
restore_saved(void)
{
    mp_saved_hold *sv = &mp_saved[--mp_nsaved];

    if (sv->now != NULL) {
        gil_take(sv->now);
    }
    mp_held = sv->hold;
}

/* Seconds between two MP0140 lines about one failed interpreter. */
#define MP_FAILED_LOG_INTERVAL 60

/* A request for interpreter ip, whose set-up failed: one MP0140 line per
 * interpreter per MP_FAILED_LOG_INTERVAL (the first at the first request
 * after the failure), whatever the number of threads; the failure itself
 * was logged with its traceback (MP0006). */
static void
failed_interp(mp_interp *ip, server_rec *s)
{
    apr_time_t now = apr_time_now();
    apr_time_t last = __atomic_load_n(&ip->failed_logged, __ATOMIC_RELAXED);

    if ((last != 0 && now - last < apr_time_from_sec(MP_FAILED_LOG_INTERVAL))
        || !__atomic_compare_exchange_n(&ip->failed_logged, &last, now, 0,
                                        __ATOMIC_RELAXED,
                                        __ATOMIC_RELAXED)) {
        return;
    }
    ap_log_error(APLOG_MARK, APLOG_ERR, 0, s, MP_APLOGNO(0140)
                 "Python interpreter '%s' failed to set up in this child "
                 "(the traceback was logged with MP0006); its requests "
                 "answer 500 (this line at most every %d s)", ip->name,
                 MP_FAILED_LOG_INTERVAL);
}

/* The GIL is free on this thread: find or create ip for name, take the
 * GIL with ip current.  NULL (logged, GIL still free) on failure. */
static mp_interp *
enter(const char *name, server_rec *s, PyThreadState **tsp)
{
    mp_interp *ip = find_interp(name);
    PyThreadState *ts;

    if (ip == NULL) {
        apr_thread_mutex_lock(mp_proc.lock);
        ip = find_interp(name);
        if (ip == NULL) {
            ip = create_interp(name, s);
        }
        apr_thread_mutex_unlock(mp_proc.lock);
        if (ip == NULL) {
            return NULL;
        }
    }
    if (__atomic_load_n(&ip->failed, __ATOMIC_ACQUIRE)) {
        failed_interp(ip, s);
        return NULL;
    }
    ts = thread_state(ip);
    if (ts == NULL) {
        ap_log_error(APLOG_MARK, APLOG_ERR, 0, s, MP_APLOGNO(0008)
                     "cannot create a Python thread state");
        return NULL;
    }
    if (!__atomic_load_n(&ip->set_up, __ATOMIC_ACQUIRE)
        && set_up_main(ip, ts, s) < 0) {
        return NULL;
    }
    gil_take(ts);
    *tsp = ts;
    return ip;
}

mp_interp *
mp_interp_acquire(const char *name, server_rec *s)
{
    mp_interp *ip;
    PyThreadState *ts = NULL;
    int pushed = 0;

    if (!mp_proc.ready) {
        /* Once per child, and not at all when start-up said why. */
        if (!__atomic_exchange_n(&mp_proc.unavailable_logged, 1,
                                 __ATOMIC_RELAXED)) {
            ap_log_error(APLOG_MARK, APLOG_ERR, 0, s, MP_APLOGNO(0007)
                         "Python is not available in this process (see the "
                         "start-up errors above); Python handlers answer "
                         "500 without further messages");
        }
        return NULL;
    }
    if (name == NULL || *name == '\0') {
        name = MP_MAIN_INTERPRETER;
    }
    if (mp_held.ip != NULL) {
        /* Already inside Python on this thread (a filter or cleanup run
         * from a handler's Apache call).  Py_BEGIN_ALLOW_THREADS in code
         * outside this file may have dropped the GIL: look. */
        PyThreadState *now = current_ts();

        if (now == mp_held.ts && (mp_held.ip->name == name
                                  || strcmp(mp_held.ip->name, name) == 0)) {
            mp_held.depth++;
            return mp_held.ip;
        }
        if (mp_nsaved == MP_SWITCH_MAX) {
            ap_log_error(APLOG_MARK, APLOG_ERR, 0, s, MP_APLOGNO(0120)
                         "cannot enter Python interpreter '%s': %d "
                         "interpreter switches are nested on this thread "
                         "already", name, MP_SWITCH_MAX);
            return NULL;
        }
        mp_saved[mp_nsaved].hold = mp_held;
        mp_saved[mp_nsaved].now = now;
        mp_nsaved++;
        pushed = 1;
        if (now != NULL) {
            gil_give();
        }
        mp_held.ip = NULL;
    }
    ip = enter(name, s, &ts);
    if (ip == NULL) {
        if (pushed) {
            restore_saved();
        }
        return NULL;
    }
    mp_held.ip = ip;
    mp_held.ts = ts;
    mp_held.depth = 1;
    mp_held.pushed = pushed;
    return ip;
}

void
mp_interp_release(mp_interp *ip)
{
    (void)ip;                       /* pairs with the acquire: mp_held */
    if (mp_held.depth > 1) {
        mp_held.depth--;
        return;
    }
    gil_give();
    if (mp_held.pushed) {
        restore_saved();
    }
    else {
        mp_held.ip = NULL;
        mp_held.ts = NULL;
        mp_held.depth = 0;
    }
}

void
mp_interp_unblock(mp_unblocked *sv)
{
    sv->hold = mp_held;
    mp_held.ip = NULL;
    mp_held.ts = NULL;
    mp_held.depth = 0;
    mp_held.pushed = 0;
    mp_blocked++;
    sv->ts = gil_give();
}

void
mp_interp_reblock(mp_unblocked *sv)
{
    gil_take(sv->ts);
    mp_held = sv->hold;
    mp_blocked--;
}

/* Whether this thread holds the GIL: the current thread state is one of
 * this thread's own (before 3.12 "current" is process-wide). */
static int
self_holds_gil(void)
{
    PyThreadState *now = current_ts();
    mp_interp *ip;

    if (now == NULL) {
        return 0;
    }
    if (now == mp_held.ts) {
        return 1;
    }
    for (ip = __atomic_load_n(&mp_proc.interps, __ATOMIC_ACQUIRE); ip != NULL;
         ip = ip->next) {
        void *ts = NULL;

        apr_threadkey_private_get(&ts, ip->tkey);
        if (ts == now) {
            return 1;
        }
    }
    return 0;
}

int
mp_interp_switching(void)
{
    return mp_switching;
}

int
mp_interp_thread_in_python(void)
{
    return mp_held.ip != NULL || mp_nsaved > 0 || mp_blocked > 0
           || self_holds_gil();
}

/* ------------------------------------------------------------------ */
/* child start and exit                                               */
/* ------------------------------------------------------------------ */

/* Run the process-exit cleanups registered in interpreter ip (current). */
static void
run_cleanups(mp_interp *ip)
{
    Py_ssize_t i;

    if (ip->cleanups == NULL) {
        return;
    }
    for (i = PyList_GET_SIZE(ip->cleanups) - 1; i >= 0; i--) {
        PyObject *pair = PyList_GET_ITEM(ip->cleanups, i);
        PyObject *res = PyObject_CallOneArg(PyTuple_GET_ITEM(pair, 0),
                                            PyTuple_GET_ITEM(pair, 1));

        if (res == NULL) {
            mp_proc.layers->log_pyerr(mp_proc.main_server, NULL, MP_APLOGNO(0009),
                         "Error calling cleanup object");
        }
        Py_XDECREF(res);
    }
    Py_CLEAR(ip->cleanups);
}

/* Whether some thread of the interpreter, the current one included, has
 * a live frame: ending the interpreter would pull it from under that frame
 * ("Py_EndInterpreter: thread still has a frame", issue 10 fault 1). */
static int
interp_busy(PyInterpreterState *is)
{
    PyThreadState *t;

    for (t = PyInterpreterState_ThreadHead(is); t != NULL;
         t = PyThreadState_Next(t)) {
        PyFrameObject *f = PyThreadState_GetFrame(t);

        if (f != NULL) {
            Py_DECREF(f);
            return 1;
        }
    }
    return 0;
}

/* Delete every thread state of the interpreter but the current one. */
static void
drop_other_threads(PyInterpreterState *is, PyThreadState *self)
{
    PyThreadState *t = PyInterpreterState_ThreadHead(is);

    while (t != NULL) {
        PyThreadState *next = PyThreadState_Next(t);

        if (t != self) {
            PyThreadState_Clear(t);
            PyThreadState_Delete(t);
        }
        t = next;
    }
}

/* Child exit: the child pool's cleanup.  It runs on whatever thread the
 * MPM destroys the pool from: the main thread after the workers were
 * joined (worker, event), or prefork's SIGTERM/SIGHUP handler, which may
 * interrupt this very thread inside a handler.  The prefork stop guard
 * (mp_stop.h) ends the process before this runs in the two cases below
 * where this thread is inside Python; they stay handled here for a child
 * whose guard could not be installed.  Then:
 *
 * - this thread holds the GIL (a handler spinning in Python, or stopped
 *   between two bytecodes): taking it again would wait for ourselves
 *   forever (fault 2), and Python code must not run from a signal handler
 *   in the middle of other Python code.  Nothing is done; the process
 *   exits without finalising.
 * - a frame of this thread waits in a blocking call (req.write in
 *   MP_BLOCKING, fault 1): the GIL is free, the process-exit cleanups run,
 *   but no interpreter is ended.
 * - otherwise cleanups run and Python is finalised, unless a thread has a
 *   live frame in some interpreter. */
static apr_status_t
child_exit(void *data)
{
    mp_interp *ip, *main_ip = find_interp(MP_MAIN_INTERPRETER);
    PyThreadState *main_ts;
    int busy = 0, in_python;

    (void)data;
    if (!mp_proc.ready || main_ip == NULL) {
        return APR_SUCCESS;
    }
    mp_proc.ready = 0;
    if (self_holds_gil() || mp_switching) {
        ap_log_error(APLOG_MARK, APLOG_DEBUG, 0, mp_proc.main_server,
                     "child %ld exiting from inside a running Python "
                     "handler: cleanups and finalisation skipped",
                     (long)getpid());
        return APR_SUCCESS;
    }
    in_python = mp_interp_thread_in_python();
    ap_log_error(APLOG_MARK, APLOG_DEBUG, 0, mp_proc.main_server,
                 "child %ld exiting: running Python cleanups",
                 (long)getpid());
    for (ip = __atomic_load_n(&mp_proc.interps, __ATOMIC_ACQUIRE); ip != NULL;
         ip = ip->next) {
        PyThreadState *ts = thread_state(ip);

        if (ts == NULL) {
            busy = 1;               /* cannot look: do not finalise */
            continue;
        }
        PyEval_RestoreThread(ts);
        run_cleanups(ip);
        busy |= interp_busy(ip->istate);
        PyEval_SaveThread();
    }
    if (in_python) {
        /* Finalising would pull an interpreter from under this thread's
         * own frame.  The process is exiting anyway. */
        ap_log_error(APLOG_MARK, APLOG_DEBUG, 0, mp_proc.main_server,
                     "child %ld exiting from inside a Python handler's "
                     "blocking call: finalisation skipped", (long)getpid());
        return APR_SUCCESS;
    }
    if (busy) {
        ap_log_error(APLOG_MARK, APLOG_INFO, 0, mp_proc.main_server,
                     MP_APLOGNO(0010) "Python still busy in another thread "
                     "at child exit; skipping finalisation");
        return APR_SUCCESS;
    }
    main_ts = thread_state(main_ip);
    PyEval_RestoreThread(main_ts);
    for (ip = __atomic_load_n(&mp_proc.interps, __ATOMIC_ACQUIRE); ip != NULL;
         ip = ip->next) {
        PyThreadState *ts;

        if (ip == main_ip) {
            continue;
        }
        ts = thread_state(ip);
        if (ip->own_gil) {
            /* A GIL of its own (mp_gil_conf.h): give up the main one and
             * take this one; PyThreadState_Swap moves no GIL before 3.13.
             * Py_EndInterpreter leaves no thread state current. */
            PyEval_SaveThread();
            PyEval_RestoreThread(ts);
            drop_other_threads(ip->istate, ts);
            Py_EndInterpreter(ts);
            PyEval_RestoreThread(main_ts);
            continue;
        }
        PyThreadState_Swap(ts);
        drop_other_threads(ip->istate, ts);
        Py_EndInterpreter(ts);
        PyThreadState_Swap(main_ts);
    }
    drop_other_threads(main_ip->istate, main_ts);
    Py_FinalizeEx();
    ap_log_error(APLOG_MARK, APLOG_DEBUG, 0, mp_proc.main_server,
                 "Python finalised in child %ld", (long)getpid());
    return APR_SUCCESS;
}

apr_status_t
mp_interp_child_init(apr_pool_t *pchild, server_rec *s,
                     const mp_interp_layers *layers)
{
    PyThreadState *ts;
    mp_interp *ip;
    apr_status_t rv;

    mp_proc.pool = pchild;
    mp_proc.main_server = s;
    rv = apr_thread_mutex_create(&mp_proc.lock, APR_THREAD_MUTEX_DEFAULT,
                                 pchild);
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, MP_APLOGNO(0001)
                     "cannot create the interpreter registry mutex");
        return rv;
    }
    mp_proc.layers = layers;
    mp_proc.package_dir = mp_startup_package_dir(s);
    rv = mp_startup_python(pchild, s, layers->module_init);
    if (rv != APR_SUCCESS) {
        mp_proc.unavailable_logged = 1;     /* it logged why */
        return rv;
    }

    ts = PyThreadState_Get();
    /* Its mod_python set-up waits for its first use (set_up_main). */
    ip = new_record(MP_MAIN_INTERPRETER, ts);
    if (ip == NULL) {
        PyEval_SaveThread();
        return APR_EGENERAL;
    }
    publish(ip);
    PyEval_SaveThread();
    mp_proc.ready = 1;
    apr_pool_cleanup_register(pchild, NULL, child_exit,
                              apr_pool_cleanup_null);
    ap_log_error(APLOG_MARK, APLOG_DEBUG, 0, s,
                 "Python %s started in child %ld", Py_GetVersion(),
                 (long)getpid());
    return APR_SUCCESS;
}
