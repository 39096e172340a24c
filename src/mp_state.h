/*
 * mp_state.h: MpModuleState, the per-interpreter state of the _apache
 * module.
 *
 * _apache uses multi-phase initialisation, so each interpreter gets its own
 * module object and its own MpModuleState.  Everything a type or function
 * of the module needs per interpreter lives in that state: the heap types,
 * the SERVER_RETURN exception, interned names and the dispatcher's entry
 * points.  There is no static PyObject * in the C code.  The state is
 * filled by the exec slot (mp_module.c) and the dispatcher's set-up
 * (mp_dispatch.c), cleared with the module; reading it needs the GIL of
 * its interpreter.
 *
 * Method code reaches the state with mp_state_from_type(Py_TYPE(self)) (or
 * the defining class); hook code reaches it through the interpreter record
 * (mp_interp.h), which keeps a reference to that interpreter's module.
 * This header is a leaf: every file that owns a type includes it, and
 * only mp_module.c includes the type files.
 */
#ifndef MP_STATE_H
#define MP_STATE_H

#include "mp_common.h"
#include "mp_config.h"

typedef struct {
    PyTypeObject *request_type;     /* _apache.mp_request */
    PyTypeObject *table_type;       /* _apache.table (mp_table) */
    PyTypeObject *table_iter_type;  /* iterator over a table */
    PyTypeObject *server_type;      /* _apache.mp_server */
    PyTypeObject *connection_type;  /* _apache.mp_conn */
    PyTypeObject *hlist_type;       /* _apache.mp_hlist */
    PyTypeObject *filter_type;      /* _apache.mp_filter (may be NULL) */
    PyTypeObject *finfo_type;       /* _apache.mp_finfo (may be NULL) */
    PyTypeObject *settings_type;    /* _apache.settings struct sequence */
    PyObject *server_return;        /* _apache.SERVER_RETURN */
    PyObject *phase_names[MP_KIND_COUNT];   /* interned directive names */
    /* The dispatcher (mp_dispatch.c), filled when the interpreter is set
     * up, before any request can reach it. */
    PyObject *resolve;              /* bound Dispatcher.resolve */
    PyObject *report;               /* bound Dispatcher.report */
    PyObject *resolve_kwnames;      /* tuple: resolve()'s keyword names */
    PyObject *handler_cache;        /* dict: mp_handler address -> tuple */
} MpModuleState;

/* The module definition (mp_module.c). */
extern PyModuleDef mp_module_def;

/* State of a module object created from mp_module_def. */
static inline MpModuleState *
mp_module_state(PyObject *module)
{
    return (MpModuleState *)PyModule_GetState(module);
}

/* State reached from one of the module's heap types (or a subclass).
 * Returns NULL with an exception set if the type is foreign. */
static inline MpModuleState *
mp_state_from_type(PyTypeObject *tp)
{
    PyObject *mod = PyType_GetModuleByDef(tp, &mp_module_def);

    return mod ? mp_module_state(mod) : NULL;
}

#endif /* MP_STATE_H */
