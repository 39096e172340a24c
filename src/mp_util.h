/*
 * mp_util.h: conversions between Apache's C strings and Python objects.
 *
 * Text crosses the C/Python border in exactly these helpers.  Reading: bytes
 * from Apache are decoded as UTF-8, and as Latin-1 when they are not valid
 * UTF-8, so a header read never raises.  Writing: a str is encoded as
 * Latin-1 when it can be (the wire bytes of mod_python 3.5), else as UTF-8;
 * bytes are taken as they are.  All functions need the GIL.
 */
#ifndef MP_UTIL_H
#define MP_UTIL_H

#include "mp_common.h"

/* New str for s (n bytes, or strlen when n < 0); None when s is NULL. */
PyObject *mp_str_from_c(const char *s, Py_ssize_t n);

/* Copy of a str/bytes object into pool p as a NUL-terminated C string.
 * Returns NULL with TypeError set for other types or embedded NULs.  When
 * allow_none is true, None gives NULL with no exception set. */
const char *mp_str_to_c(apr_pool_t *p, PyObject *o, int allow_none);

/* The bytes to send for data: a str as UTF-8 (the str's own cached copy),
 * or any bytes-like object.  Fills view; release it with PyBuffer_Release
 * (a no-op for str).  0, or -1 with TypeError set. */
int mp_data_buffer(PyObject *data, Py_buffer *view);

/* Tuple of the strings of an APR array of char *; () for NULL. */
PyObject *mp_str_array_tuple(const apr_array_header_t *arr);

/* Raise OSError for an APR status; always returns NULL. */
PyObject *mp_raise_apr(apr_status_t rv, const char *what);

/* Tuple (ip, port) for an APR socket address, or None. */
PyObject *mp_sockaddr_to_tuple(apr_sockaddr_t *sa);

/* Float seconds for an apr_time_t. */
static inline PyObject *
mp_time_to_float(apr_time_t t)
{
    return PyFloat_FromDouble((double)t / APR_USEC_PER_SEC);
}

#endif /* MP_UTIL_H */
