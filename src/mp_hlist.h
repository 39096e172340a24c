/*
 * mp_hlist.h: _apache.mp_hlist, the handler list a phase is running.
 *
 * An hlist walks a configured mp_handler chain and then the per-request
 * chain added with req.add_handler() for the same phase, so handlers added
 * while the phase runs are reached too.  The chains belong to the config
 * and request pools; the dispatcher calls mp_hlist_finish() when the phase
 * ends, after which the object reads as exhausted (all fields None) and
 * never touches those pools again.  GIL required.
 */
#ifndef MP_HLIST_H
#define MP_HLIST_H

#include "mp_state.h"
#include "mp_config.h"

typedef struct {
    PyObject_HEAD
    mp_handler *cur;            /* current entry, NULL when exhausted */
    mp_handler **dynamic;       /* head of the add_handler chain, or NULL */
    int in_dynamic;             /* cur is on the add_handler chain */
    apr_pool_t *pool;           /* request/connection pool */
    const char *filename;       /* for regex/wildcard directories */
} MpHlistObject;

/* New hlist over head, then *dynamic.  New reference or NULL. */
PyObject *mp_hlist_new(MpModuleState *st, mp_handler *head,
                       mp_handler **dynamic, apr_pool_t *p,
                       const char *filename);

/* Move to the next entry (the add_handler chain after the configured
 * one); no-op once exhausted. */
void mp_hlist_advance(MpHlistObject *self);

/* Mark the list exhausted and forget the pools. */
void mp_hlist_finish(PyObject *hlist);

/* Create the type in module (exec slot of mp_module.c); 0, or -1 with an
 * exception set. */
int mp_hlist_init(PyObject *module, MpModuleState *st);

#endif /* MP_HLIST_H */
