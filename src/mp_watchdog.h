/*
 * mp_watchdog.h: PythonRequestTimeout, and the interruption of Python
 * handlers when a child stops.
 *
 * What.  One watchdog thread per child process (started by the child_init
 * hook, ended by a child-pool cleanup that runs before Python's own
 * child-exit cleanup).  The dispatcher arms a per-thread slot when a
 * request phase enters Python (mp_watchdog_arm) and disarms it when the
 * phase is done (mp_watchdog_disarm).  When an armed phase runs past its
 * PythonRequestTimeout, the watchdog takes that interpreter's GIL, logs
 * the handler's Python stack once (MP0141), and raises
 * _apache.RequestTimeout in the handler's thread
 * (PyThreadState_SetAsyncExc).  RequestTimeout is a SERVER_RETURN whose
 * code is HTTP_GATEWAY_TIME_OUT, so the phase ends with 504 without a
 * second traceback; mp_watchdog_disarm() turns it into DONE on a closed
 * connection when the response had started already.  On an ungraceful
 * stop (child_stopping hook, not graceful) every armed phase is
 * interrupted the same way (MP0143), so that a handler spinning in Python
 * does not hold the child until the parent's SIGKILL.
 *
 * Limits.  The exception is delivered when the handler's thread next runs
 * Python bytecode.  C code that never returns to the eval loop (a long
 * blocking call with the GIL released, an extension looping with the GIL
 * held) cannot be interrupted; when a phase is still running well after
 * the exception was raised the watchdog logs it once (MP0142).  A
 * handler that catches the exception and goes on is not raised at again.
 *
 * Owner: rel-core.  Lifetime: slots are malloc'ed once per thread that
 * ever runs a phase and live until the process exits; the registry is
 * append-only.  The thread lives as long as the child pool.
 *
 * GIL.  mp_watchdog_arm and mp_watchdog_disarm run on the handler's
 * thread with the interpreter's GIL held (between mp_interp_acquire and
 * mp_interp_release).  The watchdog thread takes the GIL only through
 * mp_interp_acquire of the slot's interpreter, and checks under it that
 * the slot is still armed with the same generation before it raises: the
 * GIL orders an arm/disarm against a raise.  Disarm clears an exception
 * raised but not yet delivered.  The child_stopping hook only writes to a
 * pipe (it may run in prefork's signal handler).
 */
#ifndef MP_WATCHDOG_H
#define MP_WATCHDOG_H

#include "mp_config.h"

struct mp_interp;

/* Hooks of the watchdog (child_init, child_stopping); called from the
 * module's hook registration. */
void mp_watchdog_register(apr_pool_t *p);

/* Arm this thread's slot for request r running in interpreter ip under
 * settings set (its request_timeout, 0/unset: no deadline, but still
 * interrupted by an ungraceful stop).  Nested phases (a filter run inside
 * a handler) only count.  GIL held.  Never fails. */
void mp_watchdog_arm(request_rec *r, struct mp_interp *ip,
                     const mp_settings *set);

/* Disarm the slot armed by the matching mp_watchdog_arm(), clearing an
 * exception raised and not delivered.  Returns the phase result to give
 * Apache: `result`, except that a phase the watchdog interrupted and that
 * ended with its 504 gives 504 when nothing was sent, DONE (and a closed
 * connection) when the response had started.  GIL held. */
int mp_watchdog_disarm(request_rec *r, int result);

#endif /* MP_WATCHDOG_H */
