/*
 * mp_request_io.h: the request methods that send or shape the response
 * (body, sendfile, redirects, metadata) or ask about the client (remote
 * host, authentication, TLS).  Reading the request body is
 * mp_request_input.h.
 *
 * A slice of _apache.mp_request (mp_request.h owns the type, the object's
 * lifetime and its ownership): mp_request_init() adds this method table to
 * the type when each interpreter creates it.  Every method starts with
 * mp_request_rec(), so a request object kept past its request raises
 * RuntimeError("request has expired").  The methods need the GIL and drop
 * it around every Apache call that can block or run filters.
 */
#ifndef MP_REQUEST_IO_H
#define MP_REQUEST_IO_H

#include "mp_request.h"

extern PyMethodDef mp_request_io_methods[];

#endif /* MP_REQUEST_IO_H */
