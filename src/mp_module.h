/*
 * mp_module.h: the _apache extension module.
 *
 * _apache is registered as a built-in module (PyImport_AppendInittab,
 * through mp_interp_child_init) before Python starts in a child.  Its exec
 * slot creates the module's per-interpreter state (mp_state.h): each file
 * that owns a type exports mp_<type>_init(module, state), declared in its
 * own header, which creates the type with PyType_FromModuleAndSpec, stores
 * it in the state and adds it to the module (0, or -1 with an exception
 * set); the request type's method slices (mp_request_conf.h,
 * mp_request_io.h, mp_request_wsgi.h, mp_filter.h) are added to it there
 * too.  This file is the top of the type files: it includes them all, and
 * none of them includes it.
 */
#ifndef MP_MODULE_H
#define MP_MODULE_H

#include "mp_state.h"

/* The init function registered with PyImport_AppendInittab("_apache"). */
PyMODINIT_FUNC mp_module_initfunc(void);

#endif /* MP_MODULE_H */
