/*
 * mp_server.h: _apache.mp_server and _apache.mp_conn.
 *
 * A server object wraps a server_rec, which lives as long as the process
 * (configuration pool), so it needs no invalidation; it has a __dict__.  A
 * connection object wraps a conn_rec, which dies with the connection pool:
 * its owner calls mp_connection_invalidate() then, and later access raises
 * RuntimeError("connection has expired").  GIL required.
 */
#ifndef MP_SERVER_H
#define MP_SERVER_H

#include "mp_module.h"

typedef struct {
    PyObject_HEAD
    server_rec *s;
    PyObject *dict;
} MpServerObject;

typedef struct {
    PyObject_HEAD
    conn_rec *c;                /* NULL once expired */
    PyObject *notes;            /* cached table view */
    PyObject *base_server;      /* cached mp_server */
    PyObject *hlist;            /* mp_hlist for a connection handler */
    PyObject *dict;
} MpConnectionObject;

/* Give every server of this child a private options table, which
 * server.get_options() then returns live (3.5's semantics).  Called once
 * in child_init before Python starts and before any worker thread; no
 * GIL.  Afterwards those tables are read and written only with the GIL
 * held (the one GIL that all interpreters of the process share, as
 * Py_NewInterpreter makes them; interpreters with a GIL of their own would
 * need a mutex around these tables), so C code must not read
 * mp_srv_config.options in a child without it.  Writes
 * allocate for the child's lifetime: store values once (at start-up), not
 * per request.  APR_SUCCESS or the APR error. */
apr_status_t mp_server_child_init(apr_pool_t *pchild, server_rec *main_server);

PyObject *mp_server_new(MpModuleState *st, server_rec *s);
PyObject *mp_connection_new(MpModuleState *st, conn_rec *c);
void mp_connection_invalidate(MpConnectionObject *self);

#endif /* MP_SERVER_H */
