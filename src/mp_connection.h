/*
 * mp_connection.h: _apache.mp_conn, the Python face of a conn_rec.
 *
 * A connection object wraps a conn_rec, which dies with the connection
 * pool.  Who owns it: a request object (req.connection, cached) or the
 * connection-handler dispatch (mp_dispatch_connection), which calls
 * mp_connection_invalidate() before the pool goes; later access raises
 * RuntimeError("connection has expired").  read/readline/write go through
 * the connection's filter stacks, with the GIL dropped around them
 * (mp_interp.h).  GIL required for everything else.
 */
#ifndef MP_CONNECTION_H
#define MP_CONNECTION_H

#include "mp_state.h"

typedef struct {
    PyObject_HEAD
    conn_rec *c;                /* NULL once expired */
    PyObject *notes;            /* cached table view */
    PyObject *base_server;      /* cached mp_server */
    PyObject *hlist;            /* mp_hlist for a connection handler */
    PyObject *dict;
} MpConnectionObject;

/* New connection object for c.  New reference, or NULL with an
 * exception set. */
PyObject *mp_connection_new(MpModuleState *st, conn_rec *c);

/* Detach from the conn_rec and drop the cached objects.  GIL held. */
void mp_connection_invalidate(MpConnectionObject *self);

/* Create the type in module (exec slot of mp_module.c); 0, or -1 with an
 * exception set. */
int mp_connection_init(PyObject *module, MpModuleState *st);

#endif /* MP_CONNECTION_H */
