/*
 * mp_request_wsgi.h: the request methods behind WSGI: mod_python 3.5's
 * build_wsgi_env and wsgi_start_response, and the private one-call-per-step
 * path of mod_python.wsgi (_wsgi_environ, _wsgi_start_response,
 * _wsgi_send...).
 *
 * A slice of _apache.mp_request (mp_request.h owns the type, the object's
 * lifetime and its ownership): mp_request_init() adds this method table to
 * the type when each interpreter creates it.  Every method starts with
 * mp_request_rec(), so a request object kept past its request raises
 * RuntimeError("request has expired").  The methods need the GIL and drop
 * it around every Apache call that can block or run filters.
 */
#ifndef MP_REQUEST_WSGI_H
#define MP_REQUEST_WSGI_H

#include "mp_request.h"

extern PyMethodDef mp_request_wsgi_methods[];

#endif /* MP_REQUEST_WSGI_H */
