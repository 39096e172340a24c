/*
 * mp_connection.c: the _apache.mp_conn type over a conn_rec.  See
 * mp_connection.h: the owner (a request object, or the connection-handler
 * dispatch) calls mp_connection_invalidate() before the connection pool
 * goes, after which everything raises RuntimeError("connection has
 * expired").
 *
 * read/readline/write go through the connection's filter stacks; they are
 * meant for connection handlers (PythonConnectionHandler), which own the
 * whole byte stream.  The brigade work runs between MP_BLOCKING_BEGIN and
 * MP_BLOCKING_END (mp_interp.h), GIL released, and only uses raw memory
 * (PyMem_Raw*), never Python objects.
 */
#include "mp_interp.h"
#include "mp_connection.h"
#include "mp_server.h"
#include "mp_stop.h"
#include "mp_table.h"
#include "mp_util.h"

#include "structmember.h"
#include "util_filter.h"

typedef enum {
    MP_C_STR,       /* char * */
    MP_C_UINT,      /* unsigned */
    MP_C_INT,       /* int */
    MP_C_LONG,      /* long */
    MP_C_ADDR       /* apr_sockaddr_t *, as (ip, port) */
} mp_ctype;

typedef struct {
    size_t off;     /* offset in conn_rec */
    mp_ctype type;
} mp_cfield;

/* Bytes gathered from the input filters without the GIL. */
typedef struct {
    char *buf;
    apr_size_t len;
    apr_size_t cap;
    int eos;
} mp_cbuf;

static conn_rec *
conn_live(MpConnectionObject *self)
{
    if (self->c == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "connection has expired");
    }
    return self->c;
}

/* ------------------------------------------------------------------ */
/* lifecycle                                                          */
/* ------------------------------------------------------------------ */

PyObject *
mp_connection_new(MpModuleState *st, conn_rec *c)
{
    PyTypeObject *tp = st->connection_type;
    MpConnectionObject *self = (MpConnectionObject *)tp->tp_alloc(tp, 0);

    if (self == NULL) {
        return NULL;
    }
    self->c = c;
    return (PyObject *)self;
}

void
mp_connection_invalidate(MpConnectionObject *self)
{
    self->c = NULL;
    if (self->notes != NULL) {
        mp_table_detach(self->notes);
        Py_CLEAR(self->notes);
    }
    Py_CLEAR(self->hlist);
}

static int
conn_traverse(MpConnectionObject *self, visitproc visit, void *arg)
{
    Py_VISIT(Py_TYPE(self));
    Py_VISIT(self->notes);
    Py_VISIT(self->base_server);
    Py_VISIT(self->hlist);
    Py_VISIT(self->dict);
    return 0;
}

static int
conn_clear(MpConnectionObject *self)
{
    Py_CLEAR(self->notes);
    Py_CLEAR(self->base_server);
    Py_CLEAR(self->hlist);
    Py_CLEAR(self->dict);
    return 0;
}

static void
conn_dealloc(MpConnectionObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);

    PyObject_GC_UnTrack(self);
    conn_clear(self);
    tp->tp_free((PyObject *)self);
    Py_DECREF(tp);
}

/* ------------------------------------------------------------------ */
/* I/O (no GIL in these helpers)                                      */
/* ------------------------------------------------------------------ */

/* Append the data buckets of bb to out; stops at EOS.  Empties bb. */
static apr_status_t
drain_brigade(apr_bucket_brigade *bb, mp_cbuf *out)
{
    apr_bucket *b;
    const char *data;
    apr_size_t n, ncap;
    apr_status_t rv = APR_SUCCESS;
    char *nbuf;

    for (b = APR_BRIGADE_FIRST(bb); b != APR_BRIGADE_SENTINEL(bb);
         b = APR_BUCKET_NEXT(b)) {
        if (APR_BUCKET_IS_EOS(b)) {
            out->eos = 1;
            break;
        }
        if (APR_BUCKET_IS_METADATA(b)) {
            continue;
        }
        if ((rv = apr_bucket_read(b, &data, &n, APR_BLOCK_READ))
            != APR_SUCCESS) {
            break;
        }
        if (out->len + n > out->cap) {
            for (ncap = out->cap ? out->cap : 1024; ncap < out->len + n;) {
                ncap *= 2;
            }
            if ((nbuf = PyMem_RawRealloc(out->buf, ncap)) == NULL) {
                rv = APR_ENOMEM;
                break;
            }
            out->buf = nbuf;
            out->cap = ncap;
        }
        memcpy(out->buf + out->len, data, n);
        out->len += n;
    }
    apr_brigade_cleanup(bb);
    return rv;
}

/* One ap_get_brigade call in mode, its data appended to out. */
static apr_status_t
get_data(conn_rec *c, apr_bucket_brigade *bb, ap_input_mode_t mode,
         apr_off_t want, mp_cbuf *out)
{
    apr_status_t rv;

    rv = mp_stop_read_check(c);
    if (rv != APR_SUCCESS) {
        return rv;
    }
    rv = ap_get_brigade(c->input_filters, bb, mode, APR_BLOCK_READ, want);
    if (rv == APR_EOF) {
        out->eos = 1;
        apr_brigade_cleanup(bb);
        return APR_SUCCESS;
    }
    if (rv != APR_SUCCESS) {
        apr_brigade_cleanup(bb);
        return rv;
    }
    return drain_brigade(bb, out);
}

/* read(): len > 0 reads len bytes (fewer at EOF), 0 what arrives first,
 * < 0 everything until the client closes. */
static apr_status_t
read_bytes(conn_rec *c, apr_bucket_brigade *bb, apr_off_t len, mp_cbuf *out)
{
    apr_status_t rv;
    apr_size_t before;
    ap_input_mode_t mode = len < 0 ? AP_MODE_EXHAUSTIVE : AP_MODE_READBYTES;

    do {
        before = out->len;
        rv = get_data(c, bb, mode, len > 0 ? len - (apr_off_t)out->len
                                           : HUGE_STRING_LEN, out);
    } while (rv == APR_SUCCESS && !out->eos && out->len > before
             && (len < 0 || (len > 0 && (apr_off_t)out->len < len)));
    return rv;
}

/* readline(): up to and including '\n', at most len bytes when len > 0.
 * With a limit, peek (AP_MODE_SPECULATIVE) and then consume exactly what
 * belongs to the line, so nothing past the limit is lost. */
static apr_status_t
read_line(conn_rec *c, apr_bucket_brigade *bb, apr_off_t len, mp_cbuf *out)
{
    apr_status_t rv = APR_SUCCESS;
    apr_size_t before, n;
    mp_cbuf peek = {NULL, 0, 0, 0};
    const char *nl;

    while (!out->eos && (len < 0 || (apr_off_t)out->len < len)) {
        before = out->len;
        if (len < 0) {
            rv = get_data(c, bb, AP_MODE_GETLINE, HUGE_STRING_LEN, out);
        }
        else {
            peek.len = 0;
            rv = get_data(c, bb, AP_MODE_SPECULATIVE,
                          len - (apr_off_t)out->len, &peek);
            if (rv != APR_SUCCESS || peek.len == 0) {
                out->eos = peek.eos;
                break;
            }
            nl = memchr(peek.buf, '\n', peek.len);
            n = nl ? (apr_size_t)(nl - peek.buf) + 1 : peek.len;
            if ((apr_off_t)n > len - (apr_off_t)out->len) {
                n = (apr_size_t)(len - (apr_off_t)out->len);
            }
            rv = get_data(c, bb, AP_MODE_READBYTES, (apr_off_t)n, out);
        }
        if (rv != APR_SUCCESS || out->len == before
            || out->buf[out->len - 1] == '\n') {
            break;
        }
    }
    PyMem_RawFree(peek.buf);
    return rv;
}

/* ------------------------------------------------------------------ */
/* methods                                                            */
/* ------------------------------------------------------------------ */

static PyObject *
conn_read_impl(MpConnectionObject *self, Py_ssize_t len, int line)
{
    conn_rec *c = conn_live(self);
    apr_bucket_brigade *bb;
    apr_status_t rv;
    mp_cbuf out = {NULL, 0, 0, 0};
    PyObject *res;

    if (c == NULL) {
        return NULL;
    }
    MP_BLOCKING_BEGIN
    bb = apr_brigade_create(c->pool, c->bucket_alloc);
    rv = line ? read_line(c, bb, (apr_off_t)len, &out)
              : read_bytes(c, bb, (apr_off_t)len, &out);
    apr_brigade_destroy(bb);
    MP_BLOCKING_END
    if (APR_STATUS_IS_ECONNRESET(rv) || APR_STATUS_IS_ECONNABORTED(rv)) {
        /* The client reset the connection (e.g. closed it with our reply
         * unread): for the handler that is the end of the stream, like an
         * orderly close, not an error to log. */
        c->aborted = 1;
        out.eos = 1;
        rv = APR_SUCCESS;
    }
    if (rv != APR_SUCCESS) {
        PyMem_RawFree(out.buf);
        c->keepalive = AP_CONN_CLOSE;
        return rv == APR_ENOMEM ? PyErr_NoMemory()
                                : mp_raise_apr(rv, "Connection read error");
    }
    if (out.eos) {
        c->keepalive = AP_CONN_CLOSE;
    }
    if (out.len == 0 && out.eos) {
        res = Py_NewRef(Py_None);
    }
    else {
        res = PyBytes_FromStringAndSize(out.buf, (Py_ssize_t)out.len);
    }
    PyMem_RawFree(out.buf);
    return res;
}

PyDoc_STRVAR(read_doc,
"read(len=0)\n--\n\n"
"Read from the client: len bytes, whatever arrives first (len=0), or all\n"
"until the client closes (len=-1).  None at end of stream, which includes\n"
"a connection reset by the client; OSError on other errors.");

static PyObject *
conn_read(MpConnectionObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"len", NULL};
    Py_ssize_t len = 0;

    if (!PyArg_ParseTupleAndKeywords(args, kw, "|n:read", kwlist, &len)) {
        return NULL;
    }
    return conn_read_impl(self, len, 0);
}

PyDoc_STRVAR(readline_doc,
"readline(len=-1)\n--\n\n"
"One line from the client, '\\n' included, of at most len bytes.  None\n"
"at end of stream.");

static PyObject *
conn_readline(MpConnectionObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"len", NULL};
    Py_ssize_t len = -1;

    if (!PyArg_ParseTupleAndKeywords(args, kw, "|n:readline", kwlist,
                                     &len)) {
        return NULL;
    }
    if (len == 0) {
        return PyBytes_FromStringAndSize(NULL, 0);
    }
    return conn_read_impl(self, len, 1);
}

PyDoc_STRVAR(write_doc,
"write(data)\n--\n\n"
"Send data (str as UTF-8, or bytes-like) to the client and flush.");

static PyObject *
conn_write(MpConnectionObject *self, PyObject *data)
{
    conn_rec *c = conn_live(self);
    Py_buffer view = {0};
    const char *buf;
    Py_ssize_t len;
    apr_bucket_brigade *bb;
    apr_status_t rv;

    if (c == NULL) {
        return NULL;
    }
    if (mp_data_buffer(data, &view) < 0) {
        return NULL;
    }
    buf = view.buf;
    len = view.len;
    MP_BLOCKING_BEGIN
    bb = apr_brigade_create(c->pool, c->bucket_alloc);
    /* Transient: a filter that keeps the data sets it aside (copies it)
     * before ap_pass_brigade returns. */
    APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_transient_create(
        buf, (apr_size_t)len, c->bucket_alloc));
    APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_flush_create(c->bucket_alloc));
    rv = ap_pass_brigade(c->output_filters, bb);
    apr_brigade_destroy(bb);
    MP_BLOCKING_END
    PyBuffer_Release(&view);
    if (rv != APR_SUCCESS) {
        c->keepalive = AP_CONN_CLOSE;
        PyErr_SetString(PyExc_OSError,
                        "Write failed, client closed connection.");
        return NULL;
    }
    Py_RETURN_NONE;
}

PyDoc_STRVAR(log_error_doc,
"log_error(message, level=APLOG_ERR)\n--\n\n"
"Write message to the error log, with this connection's context.");

static PyObject *
conn_log_error(MpConnectionObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"message", "level", NULL};
    PyObject *obj, *msg;
    int level = APLOG_ERR;
    conn_rec *c;

    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|i:log_error", kwlist, &obj,
                                     &level)
        || !mp_log_message(obj, &msg)) {
        return NULL;
    }
    if ((c = conn_live(self)) == NULL) {
        Py_DECREF(msg);
        return NULL;
    }
    MP_BLOCKING_BEGIN
    ap_log_cerror(APLOG_MARK, level, 0, c, "%s",
                  PyBytes_AS_STRING(msg));
    MP_BLOCKING_END
    Py_DECREF(msg);
    Py_RETURN_NONE;
}

/* ------------------------------------------------------------------ */
/* attributes                                                         */
/* ------------------------------------------------------------------ */

static PyObject *
conn_get_field(MpConnectionObject *self, void *closure)
{
    const mp_cfield *f = closure;
    conn_rec *c = conn_live(self);
    char *p;

    if (c == NULL) {
        return NULL;
    }
    p = (char *)c + f->off;
    switch (f->type) {
    case MP_C_STR:
        return mp_str_from_c(*(const char **)p, -1);
    case MP_C_UINT:
        return PyLong_FromUnsignedLong(*(unsigned *)p);
    case MP_C_INT:
        return PyLong_FromLong(*(int *)p);
    case MP_C_LONG:
        return PyLong_FromLong(*(long *)p);
    case MP_C_ADDR:
        return mp_sockaddr_to_tuple(*(apr_sockaddr_t **)p);
    }
    Py_RETURN_NONE;
}

static PyObject *
conn_get_keepalive(MpConnectionObject *self, void *closure)
{
    conn_rec *c = conn_live(self);

    (void)closure;
    return c ? PyLong_FromLong((long)c->keepalive) : NULL;
}

static int
conn_set_keepalive(MpConnectionObject *self, PyObject *value, void *closure)
{
    conn_rec *c = conn_live(self);
    long v;

    (void)closure;
    if (c == NULL) {
        return -1;
    }
    if (value == NULL || !PyLong_Check(value)) {
        PyErr_SetString(PyExc_TypeError, "keepalive must be an int");
        return -1;
    }
    v = PyLong_AsLong(value);
    if (v == -1 && PyErr_Occurred()) {
        return -1;
    }
    c->keepalive = (ap_conn_keepalive_e)v;
    return 0;
}

static PyObject *
conn_get_double_reverse(MpConnectionObject *self, void *closure)
{
    conn_rec *c = conn_live(self);

    (void)closure;
    return c ? PyLong_FromLong(c->double_reverse) : NULL;
}

static PyObject *
conn_get_notes(MpConnectionObject *self, void *closure)
{
    conn_rec *c = conn_live(self);
    MpModuleState *st;

    (void)closure;
    if (c == NULL) {
        return NULL;
    }
    if (self->notes == NULL) {
        if ((st = mp_state_from_type(Py_TYPE(self))) == NULL
            || (self->notes = mp_table_view(st, c->notes, c->pool)) == NULL) {
            return NULL;
        }
    }
    else if (((MpTableObject *)self->notes)->table != c->notes) {
        mp_table_rebind(self->notes, c->notes, c->pool);
    }
    return Py_NewRef(self->notes);
}

static PyObject *
conn_get_base_server(MpConnectionObject *self, void *closure)
{
    conn_rec *c = conn_live(self);
    MpModuleState *st;

    (void)closure;
    if (c == NULL) {
        return NULL;
    }
    if (self->base_server == NULL
        || ((MpServerObject *)self->base_server)->s != c->base_server) {
        if ((st = mp_state_from_type(Py_TYPE(self))) == NULL) {
            return NULL;
        }
        Py_XSETREF(self->base_server, mp_server_new(st, c->base_server));
        if (self->base_server == NULL) {
            return NULL;
        }
    }
    return Py_NewRef(self->base_server);
}

static PyObject *
conn_get_hlist(MpConnectionObject *self, void *closure)
{
    (void)closure;
    return Py_NewRef(self->hlist ? self->hlist : Py_None);
}

static PyObject *
conn_get_conn_rec(MpConnectionObject *self, void *closure)
{
    conn_rec *c = conn_live(self);

    (void)closure;
    return c ? PyCapsule_New(c, "mod_python.conn_rec", NULL) : NULL;
}

/* name reads conn_rec field `field` (remote_* are aliases of client_*;
 * unlike mod_python 3.5 they log no deprecation warning, defect 36). */
#define CF(name, field, type, doc) \
    {name, (getter)conn_get_field, NULL, doc, \
     (void *)&(const mp_cfield){offsetof(conn_rec, field), type}}

static PyGetSetDef conn_getset[] = {
    {"base_server", (getter)conn_get_base_server, NULL,
     "The server the connection came in on (mp_server).", NULL},
    CF("local_addr", local_addr, MP_C_ADDR, "(ip, port) of our end."),
    CF("client_addr", client_addr, MP_C_ADDR, "(ip, port) of the client."),
    CF("client_ip", client_ip, MP_C_STR, "IP address of the client."),
    CF("remote_addr", client_addr, MP_C_ADDR, "Alias of client_addr."),
    CF("remote_ip", client_ip, MP_C_STR, "Alias of client_ip."),
    CF("remote_host", remote_host, MP_C_STR,
       "Client host name, or None if DNS was not checked."),
    CF("remote_logname", remote_logname, MP_C_STR, "Identd user name."),
    CF("aborted", aborted, MP_C_UINT, "1 once the connection broke."),
    {"keepalive", (getter)conn_get_keepalive, (setter)conn_set_keepalive,
     "An AP_CONN_* keep-alive state.", NULL},
    {"double_reverse", (getter)conn_get_double_reverse, NULL,
     "1 if double reverse DNS passed, -1 if it failed, 0 if unchecked.",
     NULL},
    CF("keepalives", keepalives, MP_C_INT, "Requests served so far."),
    CF("local_ip", local_ip, MP_C_STR, "Our IP address."),
    CF("local_host", local_host, MP_C_STR, "Our host name."),
    CF("id", id, MP_C_LONG, "Connection id, unique in the scoreboard."),
    {"notes", (getter)conn_get_notes, NULL,
     "Notes of the connection (live table).", NULL},
    {"hlist", (getter)conn_get_hlist, NULL,
     "Handler list of the connection handler, or None.", NULL},
    {"_conn_rec", (getter)conn_get_conn_rec, NULL,
     "The conn_rec (capsule).", NULL},
    {"__dict__", PyObject_GenericGetDict, PyObject_GenericSetDict, NULL,
     NULL},
    {NULL, NULL, NULL, NULL, NULL}
};

static PyMethodDef conn_methods[] = {
    {"read", (PyCFunction)(void (*)(void))conn_read,
     METH_VARARGS | METH_KEYWORDS, read_doc},
    {"readline", (PyCFunction)(void (*)(void))conn_readline,
     METH_VARARGS | METH_KEYWORDS, readline_doc},
    {"write", (PyCFunction)conn_write, METH_O, write_doc},
    {"log_error", (PyCFunction)(void (*)(void))conn_log_error,
     METH_VARARGS | METH_KEYWORDS, log_error_doc},
    {NULL, NULL, 0, NULL}
};

static PyMemberDef conn_members[] = {
    {"__dictoffset__", T_PYSSIZET, offsetof(MpConnectionObject, dict),
     READONLY, NULL},
    {NULL, 0, 0, 0, NULL}
};

PyDoc_STRVAR(conn_doc,
"A client connection (wraps conn_rec).  It raises RuntimeError once the\n"
"connection has ended.");

static PyType_Slot conn_slots[] = {
    {Py_tp_dealloc, conn_dealloc},
    {Py_tp_traverse, conn_traverse},
    {Py_tp_clear, conn_clear},
    {Py_tp_methods, conn_methods},
    {Py_tp_getset, conn_getset},
    {Py_tp_members, conn_members},
    {Py_tp_doc, (void *)conn_doc},
    {0, NULL}
};

static PyType_Spec conn_spec = {
    .name = "_apache.mp_conn",
    .basicsize = sizeof(MpConnectionObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC
             | Py_TPFLAGS_IMMUTABLETYPE | Py_TPFLAGS_DISALLOW_INSTANTIATION,
    .slots = conn_slots,
};

int
mp_connection_init(PyObject *module, MpModuleState *st)
{
    st->connection_type = (PyTypeObject *)PyType_FromModuleAndSpec(
        module, &conn_spec, NULL);
    if (st->connection_type == NULL) {
        return -1;
    }
    return PyModule_AddType(module, st->connection_type);
}
