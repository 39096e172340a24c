/*
 * mp_finfo.h: _apache.mp_finfo, a copy of an apr_finfo_t.
 *
 * The object owns its copy (the file name strings are copied too), so it
 * has no lifetime tie to a request.  Read as attributes or as a 13-item
 * sequence indexed by the FINFO_* constants.  GIL required.
 */
#ifndef MP_FINFO_H
#define MP_FINFO_H

#include "mp_state.h"

typedef struct {
    PyObject_HEAD
    apr_finfo_t finfo;          /* fname and name point into the strings */
    PyObject *fname;            /* str or None */
    PyObject *name;             /* str or None */
} MpFinfoObject;

/* New finfo object copying fi.  New reference or NULL. */
PyObject *mp_finfo_new(MpModuleState *st, const apr_finfo_t *fi);

/* _apache.stat(fname, wanted) */
PyObject *mp_finfo_stat(PyObject *module, PyObject *args);

/* Create the type in module (exec slot of mp_module.c); 0, or -1 with an
 * exception set. */
int mp_finfo_init(PyObject *module, MpModuleState *st);

#endif /* MP_FINFO_H */
