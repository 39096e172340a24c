/*
 * mp_table.h: _apache.table, the mapping over an apr_table_t.
 *
 * A table is either standalone (table() from Python: it owns an APR pool,
 * freed with the object) or a live view of an Apache table owned by a
 * request, connection or configuration.  A view does not own its table: the
 * owner calls mp_table_detach() when the table's pool goes away, after which
 * every operation raises RuntimeError("table has expired") instead of
 * touching freed memory.  Keys are case-insensitive; a key may hold several
 * values (reads give a list then); insertion order is kept.  GIL required.
 */
#ifndef MP_TABLE_H
#define MP_TABLE_H

#include "mp_state.h"

typedef struct {
    PyObject_HEAD
    apr_table_t *table;     /* NULL once detached */
    apr_pool_t *pool;       /* pool to allocate keys/values from */
    apr_pool_t *own_pool;   /* non-NULL for a standalone table */
} MpTableObject;

/* New live view of t; keys and values written are copied into pool p
 * (normally the pool that owns t).  New reference or NULL. */
PyObject *mp_table_view(MpModuleState *st, apr_table_t *t, apr_pool_t *p);

/* Point an existing view at another table (httpd swapped r->headers_out). */
void mp_table_rebind(PyObject *table, apr_table_t *t, apr_pool_t *p);

/* Cut a view loose from its table; later operations raise RuntimeError. */
void mp_table_detach(PyObject *table);

/* The apr_table_t behind a table object, or NULL with an exception set
 * (wrong type or expired). */
apr_table_t *mp_table_get(MpModuleState *st, PyObject *table);

/* Create the type in module (exec slot of mp_module.c); 0, or -1 with an
 * exception set. */
int mp_table_init(PyObject *module, MpModuleState *st);

#endif /* MP_TABLE_H */
