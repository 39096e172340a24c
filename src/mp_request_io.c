/*
 * mp_request_io.c: the methods of _apache.mp_request that send or shape the
 * response (body, sendfile, redirects, metadata) or ask about the client
 * (remote host, authentication, TLS).  The request body is read in
 * mp_request_input.c.  The type itself is in mp_request.c, which adds
 * mp_request_io_methods from here to the type.
 *
 * Every method starts with mp_request_rec(), so an expired request raises
 * RuntimeError("request has expired").  GIL: every Apache call that can
 * block or run filters (writing the body, flushing, sendfile,
 * internal redirects, DNS lookups) runs between MP_BLOCKING_BEGIN and
 * MP_BLOCKING_END (mp_interp.h), touching only C buffers that no Python
 * code can reach meanwhile.  This includes req.write(data, 0): ap_rwrite
 * may flush the request's output buffer through the output filters, and a
 * Python output filter among them must be able to enter Python.
 */
#include "mp_request_io.h"
#include "mp_interp.h"
#include "mp_util.h"

#include "util_script.h"

#if AP_MODULE_MAGIC_AT_LEAST(20120211, 102)
/* httpd 2.4.47 has ap_ssl_conn_is_ssl / ap_ssl_var_lookup, which ask every
 * TLS module; older versions only have mod_ssl's optional functions. */
#include "http_ssl.h"
#define MP_HAVE_AP_SSL 1
#else
#include "mod_ssl.h"
#endif

/* ap_rwrite takes an int length. */
#define MP_WRITE_CHUNK (1 << 30)

/* ------------------------------------------------------------------ */
/* response body                                                      */
/* ------------------------------------------------------------------ */

PyDoc_STRVAR(write_doc,
"write(data, flush=1)\n--\n\n"
"Send data (str as UTF-8, or bytes-like) to the client, flushing unless\n"
"flush is 0.  OSError when the client has gone away.");

/* write(data, flush=1) arguments from a vectorcall.  0, or -1 with
 * TypeError. */
static int
write_args(PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames,
           PyObject **data, int *flush)
{
    PyObject *flush_arg = nargs > 1 ? args[1] : NULL;
    Py_ssize_t i, nkw = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;

    *data = nargs > 0 ? args[0] : NULL;
    if (nargs > 2) {
        PyErr_Format(PyExc_TypeError, "write() takes at most 2 arguments "
                     "(%zd given)", nargs + nkw);
        return -1;
    }
    for (i = 0; i < nkw; i++) {
        PyObject *name = PyTuple_GET_ITEM(kwnames, i);

        if (*data == NULL && PyUnicode_CompareWithASCIIString(name, "data")
                             == 0) {
            *data = args[nargs + i];
        }
        else if (flush_arg == NULL
                 && PyUnicode_CompareWithASCIIString(name, "flush") == 0) {
            flush_arg = args[nargs + i];
        }
        else {
            PyErr_Format(PyExc_TypeError, "write() got an unexpected or "
                         "repeated keyword argument '%U'", name);
            return -1;
        }
    }
    if (*data == NULL) {
        PyErr_SetString(PyExc_TypeError,
                        "write() missing required argument 'data'");
        return -1;
    }
    *flush = 1;
    if (flush_arg != NULL) {
        long v = PyLong_AsLong(flush_arg);

        if (v == -1 && PyErr_Occurred()) {
            return -1;
        }
        *flush = v != 0;
    }
    return 0;
}

static int
write_out(request_rec *r, const char *buf, Py_ssize_t len, int flush)
{
    Py_ssize_t off, n;
    int rc = 0;

    for (off = 0; off < len && rc >= 0; off += n) {
        n = len - off > MP_WRITE_CHUNK ? MP_WRITE_CHUNK : len - off;
        rc = ap_rwrite(buf + off, (int)n, r);
    }
    if (rc >= 0 && flush) {
        rc = ap_rflush(r);
    }
    return rc;
}

static PyObject *
req_write(MpRequestObject *self, PyObject *const *args, Py_ssize_t nargs,
          PyObject *kwnames)
{
    PyObject *data;
    int flush, rc;
    Py_buffer view = {0};
    request_rec *r;

    if (write_args(args, nargs, kwnames, &data, &flush) < 0
        || (r = mp_request_rec((PyObject *)self)) == NULL
        || mp_data_buffer(data, &view) < 0) {
        return NULL;
    }
    if (view.len == 0) {
        /* As in 3.5, an empty write sends nothing, not even the headers:
         * the status and headers_out may still change, and
         * connection.keepalive keeps reading AP_CONN_UNKNOWN. */
        PyBuffer_Release(&view);
        Py_RETURN_NONE;
    }
    /* Even an unflushed write: when the request's output buffer is full,
     * ap_rwrite passes it through the output filters. */
    MP_BLOCKING_BEGIN
    rc = write_out(r, view.buf, view.len, flush);
    MP_BLOCKING_END
    self->bytes_queued += view.len;
    PyBuffer_Release(&view);
    if (rc < 0) {
        PyErr_SetString(PyExc_OSError,
                        "Write failed, client closed connection.");
        return NULL;
    }
    Py_RETURN_NONE;
}

PyDoc_STRVAR(flush_doc,
"flush()\n--\n\nSend buffered output to the client.");

static PyObject *
req_flush(MpRequestObject *self, PyObject *unused)
{
    request_rec *r = mp_request_rec((PyObject *)self);
    int rc;

    (void)unused;
    if (r == NULL) {
        return NULL;
    }
    MP_BLOCKING_BEGIN
    rc = ap_rflush(r);
    MP_BLOCKING_END
    if (rc < 0) {
        PyErr_SetString(PyExc_OSError,
                        "Flush failed, client closed connection.");
        return NULL;
    }
    Py_RETURN_NONE;
}

PyDoc_STRVAR(sendfile_doc,
"sendfile(path, offset=0, len=-1)\n--\n\n"
"Send len bytes (the rest when len < 0) of a file from offset; returns\n"
"the number of bytes sent.  Symbolic links are followed.");

static PyObject *
req_sendfile(MpRequestObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"path", "offset", "len", NULL};
    PyObject *path = NULL;
    long long offset = 0, len = -1;
    request_rec *r;
    const char *cpath, *what = "Could not stat file for reading";
    apr_finfo_t finfo;
    apr_file_t *fd = NULL;
    apr_size_t sent = 0;
    apr_status_t rv;

    if (!PyArg_ParseTupleAndKeywords(args, kw, "O&|LL:sendfile", kwlist,
                                     PyUnicode_FSConverter, &path, &offset,
                                     &len)) {
        return NULL;
    }
    if ((r = mp_request_rec((PyObject *)self)) == NULL) {
        Py_DECREF(path);
        return NULL;
    }
    /* Paths use the filesystem encoding (os.fsencode), not mp_str_to_c. */
    cpath = apr_pstrdup(r->pool, PyBytes_AS_STRING(path));
    Py_DECREF(path);
    if (offset < 0) {
        PyErr_SetString(PyExc_ValueError, "offset must not be negative");
        return NULL;
    }
    MP_BLOCKING_BEGIN
    rv = apr_stat(&finfo, cpath, APR_FINFO_SIZE, r->pool);
    if (rv == APR_SUCCESS) {
        what = "Could not open file for reading";
        rv = apr_file_open(&fd, cpath, APR_FOPEN_READ
                           | APR_FOPEN_SENDFILE_ENABLED, APR_OS_DEFAULT,
                           r->pool);
    }
    if (rv == APR_SUCCESS) {
        if (len < 0) {
            len = finfo.size > offset ? finfo.size - offset : 0;
        }
        what = "Write failed, client closed connection";
        /* The file stays open until the request pool goes: the output
         * filters may still hold its bucket. */
        rv = ap_send_fd(fd, r, (apr_off_t)offset, (apr_size_t)len, &sent);
    }
    MP_BLOCKING_END
    if (rv != APR_SUCCESS) {
        return mp_raise_apr(rv, what);
    }
    self->bytes_queued += (apr_off_t)sent;
    return PyLong_FromSize_t(sent);
}

PyDoc_STRVAR(internal_redirect_doc,
"internal_redirect(uri)\n--\n\n"
"Serve uri instead, as a new request whose prev is this one.");

static PyObject *
req_internal_redirect(MpRequestObject *self, PyObject *arg)
{
    request_rec *r = mp_request_rec((PyObject *)self);
    const char *uri;

    if (r == NULL || (uri = mp_str_to_c(r->pool, arg, 0)) == NULL) {
        return NULL;
    }
    MP_BLOCKING_BEGIN
    ap_internal_redirect(uri, r);
    MP_BLOCKING_END
    Py_RETURN_NONE;
}

PyDoc_STRVAR(send_http_header_doc,
"send_http_header()\n--\n\nDoes nothing (headers go out with the body).");

static PyObject *
req_send_http_header(MpRequestObject *self, PyObject *unused)
{
    (void)unused;
    if (mp_request_rec((PyObject *)self) == NULL) {
        return NULL;
    }
    Py_RETURN_NONE;
}

/* ------------------------------------------------------------------ */
/* response metadata                                                  */
/* ------------------------------------------------------------------ */

PyDoc_STRVAR(set_content_length_doc,
"set_content_length(n)\n--\n\nSet clength and the Content-Length header.");

static PyObject *
req_set_content_length(MpRequestObject *self, PyObject *arg)
{
    request_rec *r = mp_request_rec((PyObject *)self);
    long long n;

    if (r == NULL) {
        return NULL;
    }
    if (!PyLong_Check(arg)) {
        PyErr_Format(PyExc_TypeError, "set_content_length() takes an int, "
                     "not %.100s", Py_TYPE(arg)->tp_name);
        return NULL;
    }
    n = PyLong_AsLongLong(arg);
    if (n == -1 && PyErr_Occurred()) {
        return NULL;
    }
    if (n < 0) {
        PyErr_SetString(PyExc_ValueError, "content length must not be "
                        "negative");
        return NULL;
    }
    ap_set_content_length(r, (apr_off_t)n);
    Py_RETURN_NONE;
}

PyDoc_STRVAR(update_mtime_doc,
"update_mtime(t)\n--\n\nRaise mtime to t (seconds) if t is later.");

static PyObject *
req_update_mtime(MpRequestObject *self, PyObject *arg)
{
    request_rec *r = mp_request_rec((PyObject *)self);
    double t;

    if (r == NULL) {
        return NULL;
    }
    t = PyFloat_AsDouble(arg);
    if (t == -1.0 && PyErr_Occurred()) {
        return NULL;
    }
    ap_update_mtime(r, (apr_time_t)(t * APR_USEC_PER_SEC));
    Py_RETURN_NONE;
}

PyDoc_STRVAR(allow_methods_doc,
"allow_methods(methods, reset=0)\n--\n\n"
"Add method names to the allowed set; reset replaces it first.");

static PyObject *
req_allow_methods(MpRequestObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"methods", "reset", NULL};
    PyObject *seq, *fast;
    int reset = 0;
    Py_ssize_t i;
    request_rec *r;
    const char *name;

    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|i:allow_methods", kwlist,
                                     &seq, &reset)) {
        return NULL;
    }
    if ((r = mp_request_rec((PyObject *)self)) == NULL) {
        return NULL;
    }
    fast = PySequence_Fast(seq, "allow_methods() takes a sequence of names");
    if (fast == NULL) {
        return NULL;
    }
    for (i = 0; i < PySequence_Fast_GET_SIZE(fast); i++) {
        name = mp_str_to_c(r->pool, PySequence_Fast_GET_ITEM(fast, i), 0);
        if (name == NULL) {
            Py_DECREF(fast);
            return NULL;
        }
        ap_allow_methods(r, (i == 0 && reset) ? REPLACE_ALLOW : MERGE_ALLOW,
                         name, NULL);
        /* httpd lists unregistered methods (kept in method_list) in the
         * Allow header only when the M_INVALID bit is set too. */
        if (ap_method_number_of(name) == M_INVALID) {
            r->allowed_methods->method_mask |= AP_METHOD_BIT << M_INVALID;
        }
    }
    Py_DECREF(fast);
    Py_RETURN_NONE;
}

/* Methods that call one request_rec function with no arguments. */
#define MP_REQ_CALL(name, expr, doc)                                    \
    PyDoc_STRVAR(name##_doc, doc);                                      \
    static PyObject *                                                   \
    req_##name(MpRequestObject *self, PyObject *unused)                 \
    {                                                                   \
        request_rec *r = mp_request_rec((PyObject *)self);              \
                                                                        \
        (void)unused;                                                   \
        if (r == NULL) {                                                \
            return NULL;                                                \
        }                                                               \
        expr;                                                           \
    }

MP_REQ_CALL(meets_conditions, return PyLong_FromLong(ap_meets_conditions(r)),
    "meets_conditions()\n--\n\nEvaluate the conditional-request headers;\n"
    "returns OK or a status such as HTTP_NOT_MODIFIED.")
MP_REQ_CALL(set_etag, ap_set_etag(r); Py_RETURN_NONE,
    "set_etag()\n--\n\nSet the ETag header from mtime and finfo.")
MP_REQ_CALL(set_last_modified, ap_set_last_modified(r); Py_RETURN_NONE,
    "set_last_modified()\n--\n\nSet Last-Modified from mtime.")
MP_REQ_CALL(add_common_vars, ap_add_common_vars(r); Py_RETURN_NONE,
    "add_common_vars()\n--\n\nAdd Apache's common CGI variables to "
    "subprocess_env.")
MP_REQ_CALL(document_root, return mp_str_from_c(ap_document_root(r), -1),
    "document_root()\n--\n\nThe DocumentRoot for this request.")
MP_REQ_CALL(auth_name, return mp_str_from_c(ap_auth_name(r), -1),
    "auth_name()\n--\n\nThe AuthName in effect, or None.")
MP_REQ_CALL(auth_type, return mp_str_from_c(ap_auth_type(r), -1),
    "auth_type()\n--\n\nThe AuthType in effect, or None.")

PyDoc_STRVAR(add_cgi_vars_doc,
"add_cgi_vars()\n--\n\n"
"Add the CGI/1.1 variables to subprocess_env (no PATH_TRANSLATED, so no\n"
"subrequest is made).");

/* ap_add_common_vars() first: it writes straight into an empty
 * subprocess_env, but into a second table that it then merges (a sort)
 * into one that has entries already; its keys and the seven set here are
 * disjoint, so the table ends up with the same entries either way. */
void
mp_request_add_cgi_vars(request_rec *r)
{
    apr_table_t *e = r->subprocess_env;
    const char *uri = r->uri ? r->uri : "";

    ap_add_common_vars(r);
    apr_table_setn(e, "GATEWAY_INTERFACE", "CGI/1.1");
    apr_table_setn(e, "SERVER_PROTOCOL", r->protocol ? r->protocol : "");
    apr_table_setn(e, "REQUEST_METHOD", r->method ? r->method : "");
    apr_table_setn(e, "QUERY_STRING", r->args ? r->args : "");
    apr_table_setn(e, "REQUEST_URI", uri);
    if (r->path_info != NULL && *r->path_info != '\0') {
        int n = ap_find_path_info(uri, r->path_info);

        apr_table_setn(e, "SCRIPT_NAME", apr_pstrndup(r->pool, uri, n));
        apr_table_setn(e, "PATH_INFO", r->path_info);
    }
    else {
        apr_table_setn(e, "SCRIPT_NAME", uri);
    }
}

static PyObject *
req_add_cgi_vars(MpRequestObject *self, PyObject *unused)
{
    request_rec *r = mp_request_rec((PyObject *)self);

    (void)unused;
    if (r == NULL) {
        return NULL;
    }
    mp_request_add_cgi_vars(r);
    Py_RETURN_NONE;
}

/* ------------------------------------------------------------------ */
/* client and authentication                                          */
/* ------------------------------------------------------------------ */

PyDoc_STRVAR(get_remote_host_doc,
"get_remote_host(type=REMOTE_NAME, str_is_ip=None)\n--\n\n"
"The client's host name or address; (host, str_is_ip) when str_is_ip is\n"
"not None.");

static PyObject *
req_get_remote_host(MpRequestObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"type", "str_is_ip", NULL};
    int type = REMOTE_NAME, is_ip = 0;
    PyObject *want_ip = Py_None, *host;
    const char *h;
    request_rec *r;

    if (!PyArg_ParseTupleAndKeywords(args, kw, "|iO:get_remote_host", kwlist,
                                     &type, &want_ip)) {
        return NULL;
    }
    if ((r = mp_request_rec((PyObject *)self)) == NULL) {
        return NULL;
    }
    MP_BLOCKING_BEGIN      /* may do a DNS lookup */
    h = ap_get_remote_host(r->connection, r->per_dir_config, type, &is_ip);
    MP_BLOCKING_END
    if ((host = mp_str_from_c(h, -1)) == NULL || want_ip == Py_None) {
        return host;
    }
    return Py_BuildValue("(Ni)", host, is_ip);
}

PyDoc_STRVAR(get_basic_auth_pw_doc,
"get_basic_auth_pw()\n--\n\n"
"The Basic authentication password (sets user), or None.");

static PyObject *
req_get_basic_auth_pw(MpRequestObject *self, PyObject *unused)
{
    request_rec *r = mp_request_rec((PyObject *)self);
    const char *pw = NULL;

    (void)unused;
    if (r == NULL) {
        return NULL;
    }
    if (ap_get_basic_auth_pw(r, &pw) != OK) {
        Py_RETURN_NONE;
    }
    return mp_str_from_c(pw, -1);
}

PyDoc_STRVAR(is_https_doc,
"is_https()\n--\n\n1 when the connection uses TLS, else 0.");

static PyObject *
req_is_https(MpRequestObject *self, PyObject *unused)
{
    request_rec *r = mp_request_rec((PyObject *)self);

    (void)unused;
    if (r == NULL) {
        return NULL;
    }
#ifdef MP_HAVE_AP_SSL
    return PyLong_FromLong(ap_ssl_conn_is_ssl(r->connection) ? 1 : 0);
#else
    {
        APR_OPTIONAL_FN_TYPE(ssl_is_https) *fn =
            APR_RETRIEVE_OPTIONAL_FN(ssl_is_https);

        return PyLong_FromLong(fn && fn(r->connection) ? 1 : 0);
    }
#endif
}

PyDoc_STRVAR(ssl_var_lookup_doc,
"ssl_var_lookup(name)\n--\n\n"
"A TLS variable such as 'SSL_PROTOCOL', or None.");

static PyObject *
req_ssl_var_lookup(MpRequestObject *self, PyObject *arg)
{
    request_rec *r = mp_request_rec((PyObject *)self);
    const char *name, *v;

    if (r == NULL || (name = mp_str_to_c(r->pool, arg, 0)) == NULL) {
        return NULL;
    }
#ifdef MP_HAVE_AP_SSL
    v = ap_ssl_var_lookup(r->pool, r->server, r->connection, r, name);
#else
    {
        APR_OPTIONAL_FN_TYPE(ssl_var_lookup) *fn =
            APR_RETRIEVE_OPTIONAL_FN(ssl_var_lookup);

        v = fn ? fn(r->pool, r->server, r->connection, r, (char *)name)
               : NULL;
    }
#endif
    /* mod_ssl answers "" for variables it does not know. */
    if (v == NULL || *v == '\0') {
        Py_RETURN_NONE;
    }
    return mp_str_from_c(v, -1);
}

#define KW (METH_VARARGS | METH_KEYWORDS)
#define FN(f) ((PyCFunction)(void (*)(void))(f))

PyMethodDef mp_request_io_methods[] = {
    {"write", FN(req_write), METH_FASTCALL | METH_KEYWORDS, write_doc},
    {"flush", FN(req_flush), METH_NOARGS, flush_doc},
    {"sendfile", FN(req_sendfile), KW, sendfile_doc},
    {"internal_redirect", FN(req_internal_redirect), METH_O,
     internal_redirect_doc},
    {"send_http_header", FN(req_send_http_header), METH_NOARGS,
     send_http_header_doc},
    {"set_content_length", FN(req_set_content_length), METH_O,
     set_content_length_doc},
    {"update_mtime", FN(req_update_mtime), METH_O, update_mtime_doc},
    {"allow_methods", FN(req_allow_methods), KW, allow_methods_doc},
    {"meets_conditions", FN(req_meets_conditions), METH_NOARGS,
     meets_conditions_doc},
    {"set_etag", FN(req_set_etag), METH_NOARGS, set_etag_doc},
    {"set_last_modified", FN(req_set_last_modified), METH_NOARGS,
     set_last_modified_doc},
    {"add_common_vars", FN(req_add_common_vars), METH_NOARGS,
     add_common_vars_doc},
    {"add_cgi_vars", FN(req_add_cgi_vars), METH_NOARGS, add_cgi_vars_doc},
    {"document_root", FN(req_document_root), METH_NOARGS,
     document_root_doc},
    {"get_remote_host", FN(req_get_remote_host), KW, get_remote_host_doc},
    {"auth_name", FN(req_auth_name), METH_NOARGS, auth_name_doc},
    {"auth_type", FN(req_auth_type), METH_NOARGS, auth_type_doc},
    {"get_basic_auth_pw", FN(req_get_basic_auth_pw), METH_NOARGS,
     get_basic_auth_pw_doc},
    {"is_https", FN(req_is_https), METH_NOARGS, is_https_doc},
    {"ssl_var_lookup", FN(req_ssl_var_lookup), METH_O, ssl_var_lookup_doc},
    {NULL, NULL, 0, NULL}
};
