/*
 * mp_util.c: text conversions at the C/Python border, APR errors, socket
 * addresses.  See mp_util.h for the contract.
 */
#include "mp_util.h"

PyObject *
mp_str_from_c(const char *s, Py_ssize_t n)
{
    PyObject *res;

    if (s == NULL) {
        Py_RETURN_NONE;
    }
    if (n < 0) {
        n = (Py_ssize_t)strlen(s);
    }
    if (n <= 256) {
        /* Header names, values, URIs: nearly always short ASCII, copied
         * straight into a compact str without the UTF-8 decoder. */
        unsigned char high = 0;
        Py_ssize_t i;

        for (i = 0; i < n; i++) {
            high |= (unsigned char)s[i];
        }
        if (high < 0x80) {
            if ((res = PyUnicode_New(n, 127)) != NULL) {
                memcpy(PyUnicode_1BYTE_DATA(res), s, (size_t)n);
            }
            return res;
        }
    }
    /* The text rule (mp_util.h): UTF-8, each byte that is not part of
     * valid UTF-8 as a lone surrogate U+DC80..U+DCFF, so the read never
     * fails and mp_text_bytes() gives the same bytes back. */
    return PyUnicode_DecodeUTF8(s, n, "surrogateescape");
}

int
mp_text_bytes_any(PyObject *o, PyObject **owner, const char **data,
                  Py_ssize_t *len)
{
    PyObject *b;

    *owner = NULL;
    if (PyBytes_Check(o)) {
        *data = PyBytes_AS_STRING(o);
        *len = PyBytes_GET_SIZE(o);
        return 0;
    }
    if (!PyUnicode_Check(o)) {
        PyErr_Format(PyExc_TypeError, "expected str or bytes, not %.100s",
                     Py_TYPE(o)->tp_name);
        return -1;
    }
    /* Fast path: the str's own cached UTF-8 (the ASCII data itself for
     * an ASCII str).  It fails only for surrogates. */
    if ((*data = PyUnicode_AsUTF8AndSize(o, len)) != NULL) {
        return 0;
    }
    if (!PyErr_ExceptionMatches(PyExc_UnicodeEncodeError)) {
        return -1;
    }
    PyErr_Clear();
    /* Lone surrogates U+DC80..U+DCFF are the bytes that were not UTF-8
     * when the str was read; any other surrogate raises
     * UnicodeEncodeError. */
    if ((b = PyUnicode_AsEncodedString(o, "utf-8", "surrogateescape"))
        == NULL) {
        return -1;
    }
    *owner = b;
    *data = PyBytes_AS_STRING(b);
    *len = PyBytes_GET_SIZE(b);
    return 0;
}

const char *
mp_str_to_c(apr_pool_t *p, PyObject *o, int allow_none)
{
    PyObject *owner;
    const char *data, *res = NULL;
    Py_ssize_t len;

    if (o == Py_None && allow_none) {
        return NULL;
    }
    if (!PyUnicode_Check(o) && !PyBytes_Check(o)) {
        PyErr_Format(PyExc_TypeError, "expected str or bytes%s, not %.100s",
                     allow_none ? " or None" : "", Py_TYPE(o)->tp_name);
        return NULL;
    }
    if (mp_text_bytes(o, &owner, &data, &len) < 0) {
        return NULL;
    }
    if (memchr(data, '\0', (size_t)len) != NULL) {
        PyErr_SetString(PyExc_TypeError, "embedded null character");
    }
    else {
        res = apr_pstrmemdup(p, data, (apr_size_t)len);
    }
    Py_XDECREF(owner);
    return res;
}

int
mp_log_message(PyObject *o, void *out)
{
    PyObject **res = out;

    if (PyUnicode_Check(o)) {
        /* Surrogate escapes (bytes a client sent that were not UTF-8)
         * appear as \udcXX: the log stays UTF-8 and a hostile byte
         * cannot make log_error() raise. */
        *res = PyUnicode_AsEncodedString(o, "utf-8", "backslashreplace");
    }
    else if (PyBytes_Check(o)) {
        *res = Py_NewRef(o);
    }
    else {
        PyErr_Format(PyExc_TypeError, "message must be str or bytes, "
                     "not %.100s", Py_TYPE(o)->tp_name);
        *res = NULL;
    }
    return *res != NULL;
}

PyObject *
mp_raise_apr(apr_status_t rv, const char *what)
{
    char buf[256];
    PyObject *msg, *args;

    apr_strerror(rv, buf, sizeof(buf));
    if ((msg = PyUnicode_FromFormat("%s: %s", what, buf)) == NULL) {
        return NULL;
    }
    if (rv > 0 && rv < APR_OS_START_ERROR) {
        /* A plain errno: OSError(errno, msg) becomes FileNotFoundError and
         * the like when the exception is normalised. */
        args = Py_BuildValue("(iO)", (int)rv, msg);
        if (args != NULL) {
            PyErr_SetObject(PyExc_OSError, args);
            Py_DECREF(args);
        }
    }
    else {
        PyErr_SetObject(PyExc_OSError, msg);
    }
    Py_DECREF(msg);
    return NULL;
}

PyObject *
mp_sockaddr_to_tuple(apr_sockaddr_t *sa)
{
    char *ip = NULL;
    PyObject *host, *port, *res;

    if (sa == NULL || apr_sockaddr_ip_get(&ip, sa) != APR_SUCCESS
        || ip == NULL) {
        Py_RETURN_NONE;
    }
    if ((host = mp_str_from_c(ip, -1)) == NULL) {
        return NULL;
    }
    if ((port = PyLong_FromLong((long)sa->port)) == NULL) {
        Py_DECREF(host);
        return NULL;
    }
    res = PyTuple_Pack(2, host, port);
    Py_DECREF(host);
    Py_DECREF(port);
    return res;
}

int
mp_data_buffer(PyObject *data, Py_buffer *view)
{
    memset(view, 0, sizeof(*view));
    if (PyUnicode_Check(data)) {
        PyObject *owner;
        const char *buf;
        Py_ssize_t len;
        int rc;

        if (mp_text_bytes(data, &owner, &buf, &len) < 0) {
            return -1;
        }
        if (owner != NULL) {
            /* Encoded with surrogateescape: the view keeps the bytes. */
            rc = PyObject_GetBuffer(owner, view, PyBUF_SIMPLE);
            Py_DECREF(owner);
            return rc;
        }
        view->buf = (void *)buf;
        view->len = len;
        return 0;
    }
    if (PyObject_CheckBuffer(data)) {
        return PyObject_GetBuffer(data, view, PyBUF_SIMPLE);
    }
    PyErr_Format(PyExc_TypeError, "write() argument must be str or bytes, "
                 "not %.100s", Py_TYPE(data)->tp_name);
    return -1;
}

PyObject *
mp_str_array_tuple(const apr_array_header_t *arr)
{
    PyObject *tuple, *s;
    int i;

    if (arr == NULL) {
        return PyTuple_New(0);
    }
    if ((tuple = PyTuple_New(arr->nelts)) == NULL) {
        return NULL;
    }
    for (i = 0; i < arr->nelts; i++) {
        if ((s = mp_str_from_c(((const char **)arr->elts)[i], -1)) == NULL) {
            Py_DECREF(tuple);
            return NULL;
        }
        PyTuple_SET_ITEM(tuple, i, s);
    }
    return tuple;
}
