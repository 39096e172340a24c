/*
 * mp_stop.h: a request in progress when the MPM stops the child.
 *
 * Three hazards of httpd's own stop paths, which Python handlers make likely
 * because they spend long stretches inside Apache calls (req.write,
 * req.flush, req.read):
 *
 * - prefork ends the child from its SIGTERM/SIGHUP handler, on the only
 *   thread, by destroying the child pool: every cleanup of the connection
 *   and request runs over whatever the interrupted code was changing.  When
 *   that was an output brigade (a handler inside ap_rflush), the cleanup
 *   loops forever on its broken ring and the parent has to SIGKILL the
 *   child; and exit()'s own handlers (OpenSSL's cleanup freeing memory)
 *   wait forever for malloc's lock when the signal came while Python was
 *   inside malloc.  mp_stop_child_init() puts a guard in front of the MPM's
 *   handler in a child of a non-threaded MPM: when the signal interrupted
 *   a Python handler (Python code, a call into Apache made from Python
 *   (MP_BLOCKING) or a GIL hand-over), the process ends at once with
 *   _exit(0), running no cleanup (the request is cut by the stop anyway,
 *   and Python cannot be finalised under a live frame).  Otherwise (the
 *   child idle, or in a request no Python handler is running) the MPM's
 *   handler runs as before.
 * - worker and event close the sockets of busy workers from the main thread
 *   at an ungraceful stop.  APR then polls descriptor -1 on the next read
 *   of a socket whose last read came back short (it polls before reading),
 *   and poll() ignores a negative descriptor: the thread sleeps for the
 *   whole Timeout and the parent SIGKILLs the child.  mp_stop_read_check()
 *   runs before every blocking read of a body or a connection: it fails on
 *   a closed socket and makes APR read before it polls, so that a socket
 *   closed later answers EBADF at once.
 * - in that same walk over the busy workers' sockets the main thread reads
 *   each apr_socket_t, which lives in its connection's pool, without a
 *   lock: a worker ending its connection at that moment frees the pool
 *   under it, and the child segfaults (issue 10 fault 3, an httpd race
 *   that many workers inside long Python writes make likely).  A cleanup
 *   that runs last on every connection pool of a threaded MPM waits, when
 *   the child is stopping, until the child_stopping hook (which the MPM
 *   runs right after the walk) has run, at most 100 ms once per child.
 *   That closes the window except for a worker that passed the check just
 *   before the stop began (the rest of one pool clear), and for a child
 *   already draining after a graceful stop (MaxConnectionsPerChild, a
 *   graceful restart) when the hard stop comes: its hook ran already.
 *
 * Owner: the module (no Python).  The guard lives as long as the process;
 * the signal handler reads only thread-local flags (mp_interp.h).  The
 * connection-pool cleanup costs two atomic loads and an MPM state query
 * per connection, and sleeps only while the child is stopping.
 */
#ifndef MP_STOP_H
#define MP_STOP_H

#include "mp_common.h"

/* Register the hooks (pre_connection, child_stopping) at register_hooks
 * time. */
void mp_stop_register(apr_pool_t *p);

/* Install the prefork guard when the MPM is not threaded (child_init, after
 * the MPM has set its own handlers).  Never fails: without sigaction it
 * leaves the MPM's handlers alone. */
void mp_stop_child_init(apr_pool_t *pchild, server_rec *s);

/* Before a blocking read on c's socket: APR_SUCCESS, or APR_ECONNABORTED
 * (c->aborted set) when the MPM has closed it.  No GIL needed. */
apr_status_t mp_stop_read_check(conn_rec *c);

#endif /* MP_STOP_H */
