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

/* New server object for s.  New reference, or NULL with an exception. */
PyObject *mp_server_new(MpModuleState *st, server_rec *s);

/* Create the type in module (exec slot of mp_module.c); 0, or -1 with an
 * exception set. */
int mp_server_init(PyObject *module, MpModuleState *st);

#endif /* MP_SERVER_H */
