/*
 * mp_stop.h: a request in progress when the MPM stops the child.
 *
 * Two hazards of httpd's own stop paths, which Python handlers make likely
 * because they spend long stretches inside Apache calls (req.write,
 * req.flush, req.read):
 *
 * - prefork ends the child from its SIGTERM/SIGHUP handler, on the only
 *   thread, by destroying the child pool: every cleanup of the connection
 *   and request runs over whatever the interrupted code was changing.  When
 *   that was an output brigade (a handler inside ap_rflush), the cleanup
 *   loops forever on its broken ring and the parent has to SIGKILL the
 *   child.  mp_stop_child_init() puts a guard in front of the MPM's handler
 *   in a child of a non-threaded MPM: when the signal interrupted a call
 *   into Apache made from Python (MP_BLOCKING) or a GIL hand-over, the
 *   process ends at once with _exit(0), running no cleanup (the request is
 *   cut by the stop anyway, and Python cannot be finalised under a live
 *   frame).  Otherwise the MPM's handler runs as before.
 * - worker and event close the sockets of busy workers from the main thread
 *   at an ungraceful stop.  APR then polls descriptor -1 on the next read
 *   of a socket whose last read came back short (it polls before reading),
 *   and poll() ignores a negative descriptor: the thread sleeps for the
 *   whole Timeout and the parent SIGKILLs the child.  mp_stop_read_check()
 *   runs before every blocking read of a body or a connection: it fails on
 *   a closed socket and makes APR read before it polls, so that a socket
 *   closed later answers EBADF at once.
 *
 * Owner: the module (no Python).  The guard lives as long as the process;
 * the signal handler reads only thread-local flags (mp_interp.h).
 */
#ifndef MP_STOP_H
#define MP_STOP_H

#include "mp_common.h"

/* Install the prefork guard when the MPM is not threaded (child_init, after
 * the MPM has set its own handlers).  Never fails: without sigaction it
 * leaves the MPM's handlers alone. */
void mp_stop_child_init(apr_pool_t *pchild, server_rec *s);

/* Before a blocking read on c's socket: APR_SUCCESS, or APR_ECONNABORTED
 * (c->aborted set) when the MPM has closed it.  No GIL needed. */
apr_status_t mp_stop_read_check(conn_rec *c);

#endif /* MP_STOP_H */
