/*
 * mp_server.h: _apache.mp_server, the Python face of a server_rec.
 *
 * A server object wraps a server_rec, which lives as long as the process
 * (configuration pool), so it needs no invalidation; it has a __dict__.
 * Who owns it: whoever asked for it (mp_server_new gives a new reference;
 * request and connection objects cache theirs).  GIL required.
 */
#ifndef MP_SERVER_H
#define MP_SERVER_H

#include "mp_state.h"

typedef struct {
    PyObject_HEAD
    server_rec *s;
    PyObject *dict;
} MpServerObject;

/* Give every server of this child a private options table, which
 * server.get_options() then returns live (3.5's semantics).  Called once
 * in child_init before Python starts and before any worker thread; no
 * GIL.  Afterwards those tables are read and written only with the main
 * GIL held (the one GIL that all interpreters of the process share, as
 * Py_NewInterpreter makes them; an interpreter with a GIL of its own,
 * PythonInterpreterGIL own, gets copies of its own instead: mp_owngil.h),
 * so C code must not read mp_srv_config.options in a child without it.  Writes allocate for the
 * child's lifetime: store values once (at start-up), not per request.
 * APR_SUCCESS or the APR error. */
apr_status_t mp_server_child_init(apr_pool_t *pchild, server_rec *main_server);

/* New server object for s.  New reference, or NULL with an exception. */
PyObject *mp_server_new(MpModuleState *st, server_rec *s);

/* Create the type in module (exec slot of mp_module.c); 0, or -1 with an
 * exception set. */
int mp_server_init(PyObject *module, MpModuleState *st);

#endif /* MP_SERVER_H */
