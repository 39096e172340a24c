/*
 * mp_module.h: the _apache extension module and its per-interpreter state.
 *
 * _apache is registered as a built-in module (PyImport_AppendInittab) before
 * Python starts, and uses multi-phase initialisation, so each interpreter
 * gets its own module object and its own MpModuleState.  Everything a type or
 * function of the module needs per interpreter lives in that state: the heap
 * types and the SERVER_RETURN exception.  There is no static PyObject * in
 * the C code.
 *
 * Each file that owns a type exports mp_<type>_init(module, state), called
 * from the exec slot; it creates the type with PyType_FromModuleAndSpec,
 * stores it in the state and adds it to the module.  It returns 0, or -1 with
 * an exception set.
 *
 * Method code reaches the state with mp_state_from_type(Py_TYPE(self)) (or
 * the defining class); hook code reaches it through the interpreter record
 * (mp_interp.h), which keeps a reference to that interpreter's module.
 */
#ifndef MP_MODULE_H
#define MP_MODULE_H

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

extern PyModuleDef mp_module_def;

/* The init function registered with PyImport_AppendInittab("_apache"). */
PyMODINIT_FUNC mp_module_initfunc(void);

/* State of a module object created from mp_module_def. */
static inline MpModuleState *
mp_module_state(PyObject *module)
{
    return (MpModuleState *)PyModule_GetState(module);
}

/* State reached from one of the module's heap types (or a subclass).
 * Returns NULL with an exception set if the type is foreign. */
MpModuleState *mp_state_from_type(PyTypeObject *tp);

/* The compiled settings of a scope as an _apache.settings (what
 * req._settings() and PythonImport see).  New reference or NULL. */
PyObject *mp_module_settings(MpModuleState *st, const mp_settings *set);

/* Type initialisers, one per type-owning file; 0 on success, -1 on error. */
int mp_table_init(PyObject *module, MpModuleState *st);
int mp_request_init(PyObject *module, MpModuleState *st);
int mp_server_init(PyObject *module, MpModuleState *st);
int mp_connection_init(PyObject *module, MpModuleState *st);
int mp_hlist_init(PyObject *module, MpModuleState *st);
int mp_finfo_init(PyObject *module, MpModuleState *st);
int mp_filter_init(PyObject *module, MpModuleState *st);

#endif /* MP_MODULE_H */
