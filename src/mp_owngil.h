/*
 * mp_owngil.h: what interpreters with a GIL of their own need at run time
 * (PythonInterpreterGIL own, Python 3.12+; the configuration side is
 * mp_gil_conf.h, the creation mp_interp.c).
 *
 * Such an interpreter runs Python at the same time as the others of its
 * process, so nothing it touches may rely on "the" GIL.  Two things here:
 *
 * - The server options tables.  server.get_options() is live and shared by
 *   every interpreter that shares the main GIL (mp_server.h), which is what
 *   guards them.  An own-GIL interpreter gets a live copy of its own of each
 *   server's table as configured, made on first use in a pool of its
 *   record, and touched only with its GIL held.  Values stored there are
 *   seen by that interpreter's later requests, not by other interpreters.
 * - An extension module that does not declare per-interpreter GIL support
 *   fails to import with CPython's ImportError "module X does not support
 *   loading in subinterpreters"; mp_owngil_explain() adds one MP line
 *   naming the module and the interpreter to the handler's error report.
 *
 * Both are called with the GIL of the current interpreter held.
 */
#ifndef MP_OWNGIL_H
#define MP_OWNGIL_H

#include "mp_interp.h"

/* Live options table of server s for the current interpreter when it has
 * its own GIL, with *pool the pool to copy written values into; NULL when
 * it shares the main GIL (the caller then uses the process-wide table).
 * `configured` is s's table as configured (read-only in the child); its
 * copy is made on first use.  Never fails (NULL, the shared table, when
 * memory runs out). */
apr_table_t *mp_owngil_options(server_rec *s, const apr_table_t *configured,
                               apr_pool_t **pool);

/* When exc (the exception a handler raised, or NULL) or one it was raised
 * from is CPython's ImportError for an extension module that cannot load
 * in an interpreter of its own GIL, and ip has its own GIL, log one MP0175
 * line naming the module and the interpreter against r (or s); the write
 * drops the GIL.  exc is left as it was, and so is the error indicator. */
void mp_owngil_explain(mp_interp *ip, server_rec *s, request_rec *r,
                       PyObject *exc);

#endif /* MP_OWNGIL_H */
