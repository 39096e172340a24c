/*
 * mp_filter.h: Python input and output filters.
 *
 * PythonInputFilter/PythonOutputFilter register an Apache filter under the
 * given name (AP_FTYPE_RESOURCE, request level); req.register_*_filter()
 * binds a name to a handler for one request, served by the generic
 * MOD_PYTHON filters.  Each call of an Apache filter creates an mp_filter
 * object for the Python dispatcher and invalidates it when the call returns:
 * a filter object kept past its call raises RuntimeError("filter has
 * expired").  Filter objects need the GIL; their methods never hold it
 * across ap_get_brigade, ap_pass_brigade or the read of a bucket that is
 * not in memory (the rule in mp_interp.h).
 */
#ifndef MP_FILTER_H
#define MP_FILTER_H

#include "mp_state.h"
#include "mp_config.h"

/* Register the generic filters (register_hooks time).  A
 * PythonInputFilter/PythonOutputFilter directive registers its name with
 * their functions (mp_config.c). */
void mp_filter_register_generic(void);

/* req.add_input_filter / add_output_filter: a name registered for this
 * request with req.register_*_filter gets the generic filter bound to it;
 * any other name is added as an Apache filter.  0, or -1 with an exception
 * set.  GIL held. */
int mp_filter_add(request_rec *r, const char *name, int is_input);

/* req.register_input_filter / register_output_filter.  0 or -1. */
int mp_filter_register_request(request_rec *r, const char *name,
                               const char *handler, const char *dir,
                               int is_input);

/* Create the type in module (exec slot of mp_module.c); 0, or -1 with an
 * exception set. */
int mp_filter_init(PyObject *module, MpModuleState *st);

#endif /* MP_FILTER_H */
