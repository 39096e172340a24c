/*
 * mp_hooks.h: the Apache hooks of mod_python and their registration.
 *
 * Each request phase has one small hook that finds the phase's handler
 * list in the merged configuration and hands it to the dispatcher
 * (mp_dispatch.h), which crosses into Python.  A hook returns DECLINED,
 * without touching Python, when no handler is configured for its phase,
 * and never calls exit().
 *
 * The end of a request that Python touched is also here: the request
 * pool cleanup (through mp_reqstate.h) runs the req.register_cleanup()
 * callbacks, then PythonCleanupHandler, then releases the request
 * objects, each under its own interpreter (mp_interp_acquire, which nests
 * when this thread is already inside Python).
 */
#ifndef MP_HOOKS_H
#define MP_HOOKS_H

#include "mp_common.h"

/* Hook registration, called from register_hooks in mod_python.c. */
void mp_hooks_register(apr_pool_t *p);

#endif /* MP_HOOKS_H */
