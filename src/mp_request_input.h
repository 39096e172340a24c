/*
 * mp_request_input.h: the request methods that read the request body (read,
 * readline, readlines, discard_request_body).
 *
 * A slice of _apache.mp_request (mp_request.h owns the type, the object's
 * lifetime and its ownership): mp_request_init() adds this method table to
 * the type when each interpreter creates it.  A method of a request object
 * kept past its request raises RuntimeError("request has expired").  The
 * methods need the GIL and drop it around every read from the client; a
 * client error or timeout raises OSError, a closed connection OSError
 * "Read failed, client closed connection." (logged at info, MP0108).
 */
#ifndef MP_REQUEST_INPUT_H
#define MP_REQUEST_INPUT_H

#include "mp_request.h"

extern PyMethodDef mp_request_input_methods[];

#endif /* MP_REQUEST_INPUT_H */
