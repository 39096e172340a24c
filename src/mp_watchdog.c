/*
 * mp_watchdog.c: the request watchdog thread of a child.  See
 * mp_watchdog.h for the contract.
 */
#include "mp_watchdog.h"
#include "mp_interp.h"

#include "apr_strings.h"
#include "apr_thread_proc.h"
#include "mpm_common.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

/* How often the thread looks at the slots, in milliseconds. */
#define MP_WD_TICK_MS 100

/* A phase still running this long after its exception was raised (at
 * least, or its own timeout if longer) is logged as stuck in C. */
#define MP_WD_FAR_SEC 5

/* On an ungraceful stop, how long phases may still run before they are
 * interrupted (httpd sends its second SIGTERM after 3 s). */
#define MP_WD_STOP_GRACE_MS 1000

typedef struct mp_wd_slot mp_wd_slot;

/* One thread's hold on a request phase.  The owner writes every field
 * before it sets `armed` (release); the watchdog reads them after
 * loading `armed` (acquire) and trusts them only under the interpreter's
 * GIL with `gen` unchanged. */
struct mp_wd_slot {
    mp_wd_slot *next;               /* registry, append-only */
    int depth;                      /* nesting; owner thread only */
    int armed;                      /* atomic */
    unsigned long gen;              /* atomic: bumped by each disarm */
    apr_time_t deadline;            /* 0: no timeout */
    apr_time_t fired_at;            /* exception raised at; 0: not */
    int far_logged;                 /* watchdog thread only */
    int timeout;                    /* seconds, for the log */
    mp_interp *ip;
    PyThreadState *ts;              /* the handler's, in ip */
    unsigned long thread_id;        /* for PyThreadState_SetAsyncExc */
    server_rec *s;
    char uri[256];
};

static struct {
    apr_thread_mutex_t *lock;       /* serialises appends to slots */
    mp_wd_slot *slots;              /* atomic head */
    int pipe[2];                    /* wakes the thread */
    apr_thread_t *thread;
    server_rec *s;
    int stop;                       /* atomic: end the thread */
    int stopping;                   /* atomic: ungraceful child stop */
    int exited;                     /* atomic */
} mp_wd = {.pipe = {-1, -1}};

static _Thread_local mp_wd_slot *my_slot;

/* ------------------------------------------------------------------ */
/* the handler's side                                                 */
/* ------------------------------------------------------------------ */

void
mp_watchdog_arm(request_rec *r, mp_interp *ip, const mp_settings *set)
{
    mp_wd_slot *sl = my_slot;
    int t = set->request_timeout > 0 ? set->request_timeout : 0;

    if (sl == NULL) {
        if (mp_wd.lock == NULL || (sl = calloc(1, sizeof(*sl))) == NULL) {
            return;                 /* no watchdog: nothing to arm */
        }
        apr_thread_mutex_lock(mp_wd.lock);
        sl->next = mp_wd.slots;
        __atomic_store_n(&mp_wd.slots, sl, __ATOMIC_RELEASE);
        apr_thread_mutex_unlock(mp_wd.lock);
        my_slot = sl;
    }
    if (sl->depth++ > 0) {
        return;
    }
    sl->ip = ip;
    sl->ts = PyThreadState_Get();
    sl->thread_id = PyThread_get_thread_ident();
    sl->s = r->server;
    sl->timeout = t;
    apr_cpystrn(sl->uri, r->uri ? r->uri : "", sizeof(sl->uri));
    sl->fired_at = 0;
    sl->far_logged = 0;
    sl->deadline = t ? apr_time_now() + apr_time_from_sec(t) : 0;
    __atomic_store_n(&sl->armed, 1, __ATOMIC_RELEASE);
}

int
mp_watchdog_disarm(request_rec *r, int result)
{
    mp_wd_slot *sl = my_slot;

    if (sl == NULL || sl->depth == 0 || --sl->depth > 0) {
        return result;
    }
    __atomic_store_n(&sl->armed, 0, __ATOMIC_RELEASE);
    __atomic_add_fetch(&sl->gen, 1, __ATOMIC_RELEASE);
    if (__atomic_load_n(&sl->fired_at, __ATOMIC_ACQUIRE) == 0) {
        return result;
    }
    /* Raised, maybe not delivered: it must not hit later code. */
    PyThreadState_SetAsyncExc(sl->thread_id, NULL);
    if (result == HTTP_GATEWAY_TIME_OUT && (r->sent_bodyct
                                            || r->bytes_sent > 0)) {
        /* Too late for a 504: end the response where it is. */
        r->connection->keepalive = AP_CONN_CLOSE;
        return DONE;
    }
    return result;
}

/* ------------------------------------------------------------------ */
/* the watchdog's side                                                */
/* ------------------------------------------------------------------ */

/* _apache.RequestTimeout of interpreter ip (current), made on first use:
 * a SERVER_RETURN whose code is 504 when raised without arguments, as
 * PyThreadState_SetAsyncExc raises it.  New reference, or NULL with an
 * exception set. */
static PyObject *
timeout_class(mp_interp *ip)
{
    static const char fmt[] =
        "class RequestTimeout(SERVER_RETURN):\n"
        "    \"\"\"Raised in a Python handler that ran past\n"
        "    PythonRequestTimeout, or when its child stops.\"\"\"\n"
        "    def __init__(self, *args):\n"
        "        super().__init__(*(args or (%d,)))\n";
    char code[sizeof(fmt) + 16];
    PyObject *cls, *g, *name, *res;

    cls = PyObject_GetAttrString(ip->module, "RequestTimeout");
    if (cls != NULL) {
        return cls;
    }
    PyErr_Clear();
    apr_snprintf(code, sizeof(code), fmt, HTTP_GATEWAY_TIME_OUT);
    if ((g = PyDict_New()) == NULL) {
        return NULL;
    }
    name = PyModule_GetNameObject(ip->module);
    if (name == NULL
        || PyDict_SetItemString(g, "__name__", name) < 0
        || PyDict_SetItemString(g, "SERVER_RETURN",
                                ip->state->server_return) < 0
        || PyDict_SetItemString(g, "__builtins__",
                                PyEval_GetBuiltins()) < 0) {
        goto done;
    }
    res = PyRun_String(code, Py_file_input, g, g);
    if (res == NULL) {
        goto done;
    }
    Py_DECREF(res);
    cls = PyDict_GetItemString(g, "RequestTimeout");    /* borrowed */
    if (cls == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "RequestTimeout not defined");
        goto done;
    }
    Py_INCREF(cls);
    if (PyObject_SetAttrString(ip->module, "RequestTimeout", cls) < 0) {
        Py_CLEAR(cls);
    }
done:
    Py_XDECREF(name);
    Py_DECREF(g);
    return cls;
}

/* The Python stack of thread state ts (another thread's; GIL held) as
 * malloc'ed text, or NULL. */
static char *
format_stack(PyThreadState *ts)
{
    PyFrameObject *f = PyThreadState_GetFrame(ts);
    PyObject *tb = NULL, *lines = NULL, *text = NULL, *empty = NULL;
    const char *utf8;
    char *out = NULL;

    if (f == NULL) {
        return strdup("  (no Python frame)\n");
    }
    if ((tb = PyImport_ImportModule("traceback")) != NULL
        && (lines = PyObject_CallMethod(tb, "format_stack", "O", f)) != NULL
        && (empty = PyUnicode_FromString("")) != NULL
        && (text = PyUnicode_Join(empty, lines)) != NULL
        && (utf8 = PyUnicode_AsUTF8(text)) != NULL) {
        out = strdup(utf8);
    }
    PyErr_Clear();
    Py_XDECREF(text);
    Py_XDECREF(empty);
    Py_XDECREF(lines);
    Py_XDECREF(tb);
    Py_DECREF(f);
    return out;
}

/* Log the header line and each line of the stack with one code. */
static void
log_fired(server_rec *s, const char *uri, int timeout, const char *interp,
          char *stack)
{
    char *line, *last;

    ap_log_error(APLOG_MARK, APLOG_ERR, 0, s, MP_APLOGNO(0141)
                 "PythonRequestTimeout: the Python handler of %s ran past "
                 "%d s in interpreter '%s'; raising RequestTimeout (504 "
                 "when nothing was sent).  Its stack, innermost last:",
                 uri, timeout, interp);
    if (stack == NULL) {
        return;
    }
    for (line = apr_strtok(stack, "\n", &last); line != NULL;
         line = apr_strtok(NULL, "\n", &last)) {
        ap_log_error(APLOG_MARK, APLOG_ERR, 0, s, MP_APLOGNO(0141) "%s",
                     line);
    }
}

/* Raise RequestTimeout in the phase held by slot sl, armed as gen, unless
 * it ended meanwhile.  `stopping`: the child stops (no stack logged). */
static void
fire(mp_wd_slot *sl, unsigned long gen, int stopping)
{
    mp_interp *ip = sl->ip, *held;
    PyObject *cls;
    char *stack = NULL, uri[sizeof(sl->uri)];
    server_rec *s;
    int timeout;

    if (!mp_interp_ready()
        || (held = mp_interp_acquire(ip->name, mp_wd.s)) == NULL) {
        return;
    }
    if (!__atomic_load_n(&sl->armed, __ATOMIC_ACQUIRE)
        || __atomic_load_n(&sl->gen, __ATOMIC_ACQUIRE) != gen
        || sl->ip != held || sl->fired_at != 0) {
        mp_interp_release(held);
        return;                     /* the phase ended in the meantime */
    }
    if ((cls = timeout_class(held)) == NULL) {
        PyErr_Clear();
        __atomic_store_n(&sl->fired_at, apr_time_now(), __ATOMIC_RELEASE);
        apr_cpystrn(uri, sl->uri, sizeof(uri));
        mp_interp_release(held);
        ap_log_error(APLOG_MARK, APLOG_ERR, 0, mp_wd.s, MP_APLOGNO(0144)
                     "cannot make _apache.RequestTimeout in interpreter "
                     "'%s'; the Python handler of %s is not interrupted",
                     ip->name, uri);
        return;
    }
    if (!stopping) {
        stack = format_stack(sl->ts);
    }
    PyThreadState_SetAsyncExc(sl->thread_id, cls);
    Py_DECREF(cls);
    __atomic_store_n(&sl->fired_at, apr_time_now(), __ATOMIC_RELEASE);
    apr_cpystrn(uri, sl->uri, sizeof(uri));
    s = sl->s;
    timeout = sl->timeout;
    mp_interp_release(held);        /* log with the GIL dropped */
    if (stopping) {
        ap_log_error(APLOG_MARK, APLOG_INFO, 0, s, MP_APLOGNO(0143)
                     "child %ld stopping: raising RequestTimeout in the "
                     "Python handler of %s", (long)getpid(), uri);
    }
    else {
        log_fired(s, uri, timeout, ip->name, stack);
    }
    free(stack);
}

/* Log, once, a phase still running long after its exception. */
static void
check_far(mp_wd_slot *sl, apr_time_t now)
{
    apr_time_t fired = __atomic_load_n(&sl->fired_at, __ATOMIC_ACQUIRE);
    int far = sl->timeout > MP_WD_FAR_SEC ? sl->timeout : MP_WD_FAR_SEC;

    if (sl->far_logged || now - fired < apr_time_from_sec(far)) {
        return;
    }
    sl->far_logged = 1;
    ap_log_error(APLOG_MARK, APLOG_WARNING, 0, sl->s, MP_APLOGNO(0142)
                 "the Python handler of %s is still running %ld s after "
                 "RequestTimeout was raised in it: it is inside C code that "
                 "does not return to the Python interpreter (a blocking "
                 "call or an extension), which cannot be interrupted",
                 sl->uri, (long)apr_time_sec(now - fired));
}

static void *APR_THREAD_FUNC
watch(apr_thread_t *thread, void *data)
{
    apr_time_t stop_deadline = 0;

    (void)data;
    while (!__atomic_load_n(&mp_wd.stop, __ATOMIC_ACQUIRE)) {
        struct pollfd pfd = {mp_wd.pipe[0], POLLIN, 0};
        mp_wd_slot *sl;
        apr_time_t now;
        int stopping;

        if (poll(&pfd, 1, MP_WD_TICK_MS) > 0) {
            char buf[64];

            while (read(mp_wd.pipe[0], buf, sizeof(buf)) > 0) {
            }
        }
        if (__atomic_load_n(&mp_wd.stop, __ATOMIC_ACQUIRE)) {
            break;
        }
        now = apr_time_now();
        /* On a stop, phases get MP_WD_STOP_GRACE_MS to end by themselves
         * (a writer whose connection the MPM closed fails its next
         * write): an exception raised at once could land in the middle
         * of their error reporting. */
        if (stop_deadline == 0
            && __atomic_load_n(&mp_wd.stopping, __ATOMIC_ACQUIRE)) {
            stop_deadline = now + apr_time_from_msec(MP_WD_STOP_GRACE_MS);
        }
        stopping = stop_deadline != 0 && now >= stop_deadline;
        for (sl = __atomic_load_n(&mp_wd.slots, __ATOMIC_ACQUIRE);
             sl != NULL; sl = sl->next) {
            unsigned long gen = __atomic_load_n(&sl->gen, __ATOMIC_ACQUIRE);

            if (!__atomic_load_n(&sl->armed, __ATOMIC_ACQUIRE)) {
                continue;
            }
            if (__atomic_load_n(&sl->fired_at, __ATOMIC_ACQUIRE) != 0) {
                check_far(sl, now);
            }
            else if (stopping || (sl->deadline != 0
                                  && now >= sl->deadline)) {
                fire(sl, gen, stopping);
            }
        }
    }
    /* No apr_thread_exit(): it destroys the thread's pool, a sub-pool of
     * the child pool, which may be gone if the cleanup stopped waiting. */
    (void)thread;
    __atomic_store_n(&mp_wd.exited, 1, __ATOMIC_RELEASE);
    return NULL;
}

/* ------------------------------------------------------------------ */
/* child start and stop                                               */
/* ------------------------------------------------------------------ */

/* Child pool pre-cleanup (it runs before the sub-pools, among them the
 * thread's, are destroyed and before Python's child-exit cleanup): end
 * the thread before Python is finalised.  When this thread is inside
 * Python (prefork's signal handler interrupting a handler), the watchdog
 * may be waiting for the GIL this thread holds: do not wait for it. */
static apr_status_t
watchdog_cleanup(void *data)
{
    apr_status_t rv;
    int i;

    (void)data;
    __atomic_store_n(&mp_wd.stop, 1, __ATOMIC_RELEASE);
    if (write(mp_wd.pipe[1], "x", 1) < 0) {
        /* a full pipe wakes it anyway */
    }
    if (mp_interp_thread_in_python()) {
        return APR_SUCCESS;
    }
    for (i = 0; i < 200 && !__atomic_load_n(&mp_wd.exited, __ATOMIC_ACQUIRE);
         i++) {
        apr_sleep(apr_time_from_msec(10));
    }
    if (__atomic_load_n(&mp_wd.exited, __ATOMIC_ACQUIRE)) {
        apr_thread_join(&rv, mp_wd.thread);
    }
    return APR_SUCCESS;
}

static void
watchdog_child_init(apr_pool_t *pchild, server_rec *s)
{
    apr_threadattr_t *attr;
    sigset_t all, old;
    apr_status_t rv;

    mp_wd.s = s;
    if (pipe2(mp_wd.pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
        rv = APR_FROM_OS_ERROR(errno);
        mp_wd.pipe[0] = mp_wd.pipe[1] = -1;
        goto error;
    }
    if ((rv = apr_thread_mutex_create(&mp_wd.lock, APR_THREAD_MUTEX_DEFAULT,
                                      pchild)) != APR_SUCCESS
        || (rv = apr_threadattr_create(&attr, pchild)) != APR_SUCCESS) {
        goto error;
    }
    apr_threadattr_stacksize_set(attr, 256 * 1024);
    /* The thread must never take a signal meant for the MPM (prefork
     * runs its stop from a signal handler on whichever thread gets it):
     * it starts with every signal blocked. */
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    rv = apr_thread_create(&mp_wd.thread, attr, watch, NULL, pchild);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rv != APR_SUCCESS) {
        goto error;
    }
    apr_pool_pre_cleanup_register(pchild, NULL, watchdog_cleanup);
    return;
error:
    mp_wd.lock = NULL;              /* arm() does nothing */
    ap_log_error(APLOG_MARK, APLOG_ERR, rv, s, MP_APLOGNO(0145)
                 "cannot start the request watchdog thread: "
                 "PythonRequestTimeout has no effect in this child");
}

/* An ungraceful stop of the child: interrupt every Python phase.  May run
 * in a signal handler (prefork): a write to the pipe only. */
static void
watchdog_child_stopping(apr_pool_t *pchild, int graceful)
{
    (void)pchild;
    if (graceful || mp_wd.pipe[1] < 0) {
        return;
    }
    __atomic_store_n(&mp_wd.stopping, 1, __ATOMIC_RELEASE);
    if (write(mp_wd.pipe[1], "s", 1) < 0) {
        /* a full pipe wakes it anyway */
    }
}

void
mp_watchdog_register(apr_pool_t *p)
{
    (void)p;
    /* After mp_hooks' child_init: Python is there when the thread is. */
    ap_hook_child_init(watchdog_child_init, NULL, NULL, APR_HOOK_LAST);
    ap_hook_child_stopping(watchdog_child_stopping, NULL, NULL,
                           APR_HOOK_MIDDLE);
}
