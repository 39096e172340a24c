/*
 * mp_util.h: conversions between Apache's C strings and Python objects.
 *
 * The text rule.  Text crosses the C/Python border in exactly two helpers:
 * mp_str_from_c() on the way in, mp_text_bytes() (and mp_str_to_c(),
 * mp_data_buffer() built on it) on the way out.  In: the bytes are decoded
 * as UTF-8 with the "surrogateescape" error handler (PEP 383, Python's own
 * rule for file names and os.environ), so a byte that is not part of valid
 * UTF-8 becomes the lone surrogate U+DC00+byte and a read never fails.
 * Out: a str is encoded as UTF-8 with "surrogateescape"; bytes are taken
 * as they are.  Reading then writing back therefore reproduces the
 * original bytes exactly, for every header, table, notes, subprocess_env,
 * uri, filename, path_info, args, ... (docs/migrating.md, "text rule";
 * the Python side is mod_python._parse.text_from_bytes/text_to_bytes).
 * A str holding another surrogate cannot be written: UnicodeEncodeError.
 * All functions need the GIL.
 */
#ifndef MP_UTIL_H
#define MP_UTIL_H

#include "mp_common.h"

/* New str for s (n bytes, or strlen when n < 0); None when s is NULL. */
PyObject *mp_str_from_c(const char *s, Py_ssize_t n);

/* The bytes of a str (the text rule) or of a bytes object: *data and *len
 * point into o, or into *owner, a new bytes object the caller releases
 * with Py_XDECREF (set only when the str holds surrogate escapes).  No
 * NUL check.  0, or -1 with TypeError/UnicodeEncodeError set.  An ASCII
 * str (nearly every header, key and value) is its own bytes: inline. */
int mp_text_bytes_any(PyObject *o, PyObject **owner, const char **data,
                      Py_ssize_t *len);

static inline int
mp_text_bytes(PyObject *o, PyObject **owner, const char **data,
              Py_ssize_t *len)
{
    if (PyUnicode_CheckExact(o) && PyUnicode_IS_ASCII(o)) {
        *owner = NULL;
        *data = (const char *)PyUnicode_DATA(o);
        *len = PyUnicode_GET_LENGTH(o);
        return 0;
    }
    return mp_text_bytes_any(o, owner, data, len);
}

/* Copy of a str/bytes object into pool p as a NUL-terminated C string.
 * Returns NULL with TypeError set for other types or embedded NULs.  When
 * allow_none is true, None gives NULL with no exception set. */
const char *mp_str_to_c(apr_pool_t *p, PyObject *o, int allow_none);

/* The bytes to send for data: a str by the text rule (usually the str's
 * own cached UTF-8), or any bytes-like object.  Fills view; release it with PyBuffer_Release
 * (a no-op for str).  0, or -1 with TypeError set. */
int mp_data_buffer(PyObject *data, Py_buffer *view);

/* PyArg "O&" converter for a log message: *(PyObject **)out becomes a new
 * bytes object, the UTF-8 of a str with surrogate escapes written as
 * \udcXX (backslashreplace), or the bytes given.  1, or 0 with TypeError
 * set.  The caller releases the bytes with Py_DECREF. */
int mp_log_message(PyObject *o, void *out);

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
