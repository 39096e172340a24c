/*
 * mp_request_filter.h: the request methods req.add_input_filter,
 * add_output_filter, register_input_filter and register_output_filter.
 *
 * A slice of _apache.mp_request (mp_request.h owns the type, the object's
 * lifetime and its ownership): mp_request_init() adds this method table to
 * the type when each interpreter creates it.  A method of a request object
 * kept past its request raises RuntimeError("request has expired").  GIL
 * held; they only record names in the request (mp_filter.h), no I/O.
 */
#ifndef MP_REQUEST_FILTER_H
#define MP_REQUEST_FILTER_H

#include "mp_request.h"

extern PyMethodDef mp_request_filter_methods[];

#endif /* MP_REQUEST_FILTER_H */
