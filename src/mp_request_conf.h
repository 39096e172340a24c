/*
 * mp_request_conf.h: the request methods about configuration, handlers,
 * cleanups and logging: get_config, get_options, _settings, add_handler,
 * register_cleanup, log_error, construct_url, get_addhandler_exts.
 *
 * A slice of _apache.mp_request (mp_request.h owns the type, the object's
 * lifetime and its ownership): mp_request_init() adds this method table to
 * the type when each interpreter creates it.  Every method starts with
 * mp_request_rec(), so a request object kept past its request raises
 * RuntimeError("request has expired").  The methods need the GIL and drop
 * it around every Apache call that can block or run filters.
 */
#ifndef MP_REQUEST_CONF_H
#define MP_REQUEST_CONF_H

#include "mp_request.h"

extern PyMethodDef mp_request_conf_methods[];

/* Create _apache.settings (exec slot of mp_module.c); 0, or -1 with an
 * exception set. */
int mp_request_conf_init(PyObject *module, MpModuleState *st);

/* The compiled settings of a scope as an _apache.settings (what
 * req._settings() and PythonImport see).  New reference or NULL.  GIL
 * held. */
PyObject *mp_request_settings(MpModuleState *st, const mp_settings *set);

#endif /* MP_REQUEST_CONF_H */
