/*
 * mp_stop.c: a request in progress when the MPM stops the child.  See
 * mp_stop.h for the three hazards and the contract.
 */
#include "mp_stop.h"
#include "mp_interp.h"

#include "http_connection.h"
#include "mpm_common.h"

#include <errno.h>
#include <signal.h>
#include <unistd.h>

/* The MPM's handlers of the stop signals, as they were at child_init. */
static const int stop_signals[] = {SIGTERM, SIGHUP};
static struct sigaction mpm_action[2];
static server_rec *guard_server;
/* Whether this child's MPM is threaded (child_init). */
static int mpm_threaded;
/* Set by the child_stopping hook: the MPM's walk over the busy workers'
 * sockets is over.  Atomic. */
static int walk_over;
/* A connection pool's wait for that timed out once: do not wait again. */
static int wait_gave_up;

/* ------------------------------------------------------------------ */
/* prefork: the stop signal inside a Python handler                 */
/* ------------------------------------------------------------------ */

/* Run what the MPM had installed for sig. */
static void
chain(int i, int sig, siginfo_t *info, void *ctx)
{
    const struct sigaction *old = &mpm_action[i];

    if (old->sa_flags & SA_SIGINFO) {
        old->sa_sigaction(sig, info, ctx);
    }
    else if (old->sa_handler == SIG_DFL) {
        signal(sig, SIG_DFL);
        raise(sig);
    }
    else if (old->sa_handler != SIG_IGN) {
        old->sa_handler(sig);
    }
}

static void
stop_guard(int sig, siginfo_t *info, void *ctx)
{
    int i = sig == SIGHUP;

    if (mp_interp_switching() || mp_interp_thread_in_python()) {
        /* The pool cleanups and exit()'s handlers would run over whatever
         * this thread was in the middle of: a brigade, a GIL hand-over,
         * malloc's lock taken by Python: end here. */
        ap_log_error(APLOG_MARK, APLOG_INFO, 0, guard_server,
                     MP_APLOGNO(0146) "child %ld stopped (signal %d) inside "
                     "a Python handler: exiting without cleanups",
                     (long)getpid(), sig);
        _exit(0);
    }
    chain(i, sig, info, ctx);
}

void
mp_stop_child_init(apr_pool_t *pchild, server_rec *s)
{
    int threaded = 0;
    size_t i;

    (void)pchild;
    if (ap_mpm_query(AP_MPMQ_IS_THREADED, &threaded) == APR_SUCCESS
        && threaded != AP_MPMQ_NOT_SUPPORTED) {
        mpm_threaded = 1;       /* the stop runs on the main thread */
        return;
    }
    guard_server = s;
    for (i = 0; i < sizeof(stop_signals) / sizeof(stop_signals[0]); i++) {
        struct sigaction sa;

        if (sigaction(stop_signals[i], NULL, &mpm_action[i]) != 0
            || (!(mpm_action[i].sa_flags & SA_SIGINFO)
                && mpm_action[i].sa_handler == SIG_IGN)) {
            continue;
        }
        sa = mpm_action[i];
        sa.sa_flags |= SA_SIGINFO;
        sa.sa_sigaction = stop_guard;
        if (sigaction(stop_signals[i], &sa, NULL) != 0) {
            ap_log_error(APLOG_MARK, APLOG_DEBUG, errno, s,
                         "cannot guard signal %d", stop_signals[i]);
        }
    }
}

/* ------------------------------------------------------------------ */
/* worker, event: a read on a socket the MPM closed                   */
/* ------------------------------------------------------------------ */

apr_status_t
mp_stop_read_check(conn_rec *c)
{
    apr_socket_t *sock;
    apr_os_sock_t fd = -1;

    if (c->master != NULL || (sock = ap_get_conn_socket(c)) == NULL) {
        return APR_SUCCESS;     /* an HTTP/2 stream shares its master's */
    }
    if (apr_os_sock_get(&fd, sock) == APR_SUCCESS && fd < 0) {
        c->aborted = 1;
        return APR_ECONNABORTED;
    }
    apr_socket_opt_set(sock, APR_INCOMPLETE_READ, 0);
    return APR_SUCCESS;
}

/* ------------------------------------------------------------------ */
/* worker, event: the walk over busy workers' sockets at a stop        */
/* ------------------------------------------------------------------ */

/* Last cleanup of a connection pool (registered first). */
static apr_status_t
conn_pool_end(void *data)
{
    int state, i;

    (void)data;
    if (__atomic_load_n(&walk_over, __ATOMIC_ACQUIRE)
        || __atomic_load_n(&wait_gave_up, __ATOMIC_RELAXED)
        || ap_mpm_query(AP_MPMQ_MPM_STATE, &state) != APR_SUCCESS
        || state != AP_MPMQ_STOPPING) {
        return APR_SUCCESS;
    }
    for (i = 0; i < 100; i++) {
        apr_sleep(apr_time_from_msec(1));
        if (__atomic_load_n(&walk_over, __ATOMIC_ACQUIRE)) {
            return APR_SUCCESS;
        }
    }
    __atomic_store_n(&wait_gave_up, 1, __ATOMIC_RELAXED);
    return APR_SUCCESS;
}

static int
stop_pre_connection(conn_rec *c, void *csd)
{
    (void)csd;
    if (mpm_threaded && c->master == NULL) {
        apr_pool_cleanup_register(c->pool, NULL, conn_pool_end,
                                  apr_pool_cleanup_null);
    }
    return OK;
}

/* Runs right after the MPM's walk (and in prefork's signal handler: one
 * atomic store only). */
static void
stop_child_stopping(apr_pool_t *pchild, int graceful)
{
    (void)pchild;
    (void)graceful;
    __atomic_store_n(&walk_over, 1, __ATOMIC_RELEASE);
}

void
mp_stop_register(apr_pool_t *p)
{
    (void)p;
    /* First, so that its cleanup is registered first and runs last. */
    ap_hook_pre_connection(stop_pre_connection, NULL, NULL,
                           APR_HOOK_REALLY_FIRST);
    ap_hook_child_stopping(stop_child_stopping, NULL, NULL,
                           APR_HOOK_MIDDLE);
}
