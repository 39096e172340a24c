/*
 * mp_optional.h: APR optional functions that mod_python exports, so that
 * other Apache modules can run Python code in mod_python's interpreters
 * and hand it mod_python's objects (spec 1.11).
 *
 * This header is public: a module includes it (with Python.h and the
 * httpd headers on its include path) and looks the functions up at run
 * time, after mod_python registered them in its register_hooks:
 *
 *     static APR_OPTIONAL_FN_TYPE(mp_acquire_interpreter) *acquire;
 *     ...
 *     acquire = APR_RETRIEVE_OPTIONAL_FN(mp_acquire_interpreter);
 *     if (acquire != NULL && acquire("main_interpreter") != NULL) {
 *         PyObject *req = get_request(r);      (mp_get_request_object)
 *         ...  call into Python  ...
 *         Py_XDECREF(req);
 *         release();                           (mp_release_interpreter)
 *     }
 *
 * Rules:
 * - They work in child processes only (Python starts in child_init), and
 *   from any thread.
 * - mp_acquire_interpreter(name) finds or creates the named interpreter
 *   (NULL or "" means "main_interpreter"), takes the GIL and makes it
 *   current; it returns the interpreter, or NULL (logged) on failure.
 *   Every successful call is paired with mp_release_interpreter() on the
 *   same thread.  Do not nest them.
 * - The mp_get_*_object functions need an acquired interpreter and return
 *   a new reference to the object of that interpreter, or NULL with a
 *   Python exception set.  The request object is the one mod_python's own
 *   handlers see (same attributes); it expires with the request pool.
 *   The server object lives as long as the caller keeps it.  The
 *   connection object expires (raises RuntimeError) when the connection
 *   pool is cleaned up.
 */
#ifndef MP_OPTIONAL_H
#define MP_OPTIONAL_H

#include <Python.h>
#include "httpd.h"
#include "apr_optional.h"

APR_DECLARE_OPTIONAL_FN(PyInterpreterState *, mp_acquire_interpreter,
                        (const char *name));
APR_DECLARE_OPTIONAL_FN(void, mp_release_interpreter, (void));
APR_DECLARE_OPTIONAL_FN(PyObject *, mp_get_request_object,
                        (request_rec *r));
APR_DECLARE_OPTIONAL_FN(PyObject *, mp_get_server_object, (server_rec *s));
APR_DECLARE_OPTIONAL_FN(PyObject *, mp_get_connection_object,
                        (conn_rec *c));

#ifdef MP_DECLARING_OPTIONAL
/* mod_python itself: register the functions (register_hooks time). */
void mp_optional_register(void);
#endif

#endif /* MP_OPTIONAL_H */
