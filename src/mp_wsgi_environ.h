/*
 * mp_wsgi_environ.h: building WSGI environ dicts.  See mp_wsgi_environ.c
 * for the contract.
 */
#ifndef MP_WSGI_ENVIRON_H
#define MP_WSGI_ENVIRON_H

#include "mp_common.h"

/* A new environ for r with SCRIPT_NAME script.  With cache (a list, see
 * above): latin-1 native strings, cached keys and values, no
 * HTTP_CONTENT_TYPE/_LENGTH; without: values decoded as the request API
 * decodes them (3.5's build_wsgi_env).  Finish a cached one with
 * mp_wsgi_environ_finish() once the caller's own keys are in. */
PyObject *mp_wsgi_environ(request_rec *r, const char *script,
                          PyObject *cache);

/* Drop the template keys env did not get, and renew the template. */
int mp_wsgi_environ_finish(PyObject *env, PyObject *cache);

/* env[key] = v, stealing the new reference v (which may be NULL: then -1
 * with the exception of whoever failed to make it). */
int mp_wsgi_env_steal(PyObject *env, const char *key, PyObject *v);

/* The cached str of a known key (borrowed), or NULL. */
PyObject *mp_wsgi_cache_key(PyObject *cache, const char *key);

#endif /* MP_WSGI_ENVIRON_H */
