/*
 * mp_request.c: the _apache.mp_request type: lifecycle, attributes, and
 * the methods about configuration, handlers, logging and cleanups.  The
 * methods that talk to the client are in mp_request_io.c.  See
 * mp_request.h for ownership and lifetime.
 *
 * Most attributes map one request_rec field each; they are described by an
 * mp_field (offset, C type, whether None is accepted) passed as the getset
 * closure, so one getter and one setter serve them all.
 */
#include "mp_request.h"
#include "mp_config.h"
#include "mp_finfo.h"
#include "mp_interp.h"
#include "mp_reqstate.h"
#include "mp_connection.h"
#include "mp_server.h"
#include "mp_table.h"
#include "mp_util.h"

#include "structmember.h"

typedef enum {
    MP_F_STR,       /* const char * */
    MP_F_INT,       /* int */
    MP_F_UINT,      /* unsigned */
    MP_F_OFF,       /* apr_off_t */
    MP_F_I64,       /* apr_int64_t */
    MP_F_TIME       /* apr_time_t, as float seconds */
} mp_ftype;

typedef struct {
    size_t off;         /* offset in request_rec */
    mp_ftype type;
    int allow_none;     /* string setters: None stores NULL */
} mp_field;

/* A view cached in the object (obj_off) over a request_rec table (rec_off). */
typedef struct {
    size_t obj_off;
    size_t rec_off;
} mp_tfield;

/* The request_rec, or NULL with RuntimeError once the request has ended.
 * Every attribute and method goes through here (or mp_request_rec). */
static request_rec *
req_live(MpRequestObject *self)
{
    if (self->r == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "request has expired");
    }
    return self->r;
}

/* ------------------------------------------------------------------ */
/* lifecycle                                                          */
/* ------------------------------------------------------------------ */

PyObject *
mp_request_new(MpModuleState *st, request_rec *r, const char *interpreter)
{
    PyTypeObject *tp = st->request_type;
    MpRequestObject *self = (MpRequestObject *)tp->tp_alloc(tp, 0);

    if (self == NULL) {
        return NULL;
    }
    /* tp_alloc zeroes the object: no views, no buffer, nothing queued. */
    self->r = r;
    self->interpreter = interpreter;
    return (PyObject *)self;
}

void
mp_request_cut(MpRequestObject *self)
{
    PyObject *views[] = {
        self->headers_in, self->headers_out, self->err_headers_out,
        self->subprocess_env, self->notes, self->config, self->options,
    };
    size_t i;

    self->r = NULL;
    for (i = 0; i < sizeof(views) / sizeof(views[0]); i++) {
        if (views[i] != NULL) {
            mp_table_detach(views[i]);
        }
    }
    if (self->retired != NULL) {
        Py_ssize_t j;

        for (j = 0; j < PyList_GET_SIZE(self->retired); j++) {
            mp_table_detach(PyList_GET_ITEM(self->retired, j));
        }
    }
    if (self->connection != NULL) {
        MpConnectionObject *conn = (MpConnectionObject *)self->connection;

        conn->c = NULL;
        if (conn->notes != NULL) {
            mp_table_detach(conn->notes);
        }
    }
    self->read_setup = 0;
    self->rbuff = NULL;
    self->rbuff_len = 0;
    self->rbuff_pos = 0;
}

void
mp_request_invalidate(MpRequestObject *self)
{
    /* cut() has detached every view; what is left is dropping them. */
    mp_request_cut(self);
    Py_CLEAR(self->headers_in);
    Py_CLEAR(self->headers_out);
    Py_CLEAR(self->err_headers_out);
    Py_CLEAR(self->subprocess_env);
    Py_CLEAR(self->notes);
    Py_CLEAR(self->config);
    Py_CLEAR(self->options);
    Py_CLEAR(self->retired);
    self->config_of = NULL;
    if (self->connection != NULL) {
        /* Made for this request; it must not outlive the request's view
         * of the connection either. */
        mp_connection_invalidate((MpConnectionObject *)self->connection);
        Py_CLEAR(self->connection);
    }
    Py_CLEAR(self->server);
    Py_CLEAR(self->phase);
    Py_CLEAR(self->hlist);
    Py_CLEAR(self->extension);
}

request_rec *
mp_request_rec(PyObject *obj)
{
    MpModuleState *st = mp_state_from_type(Py_TYPE(obj));

    if (st == NULL || !PyObject_TypeCheck(obj, st->request_type)) {
        PyErr_Clear();
        PyErr_Format(PyExc_TypeError, "expected an mp_request, not %.100s",
                     Py_TYPE(obj)->tp_name);
        return NULL;
    }
    return req_live((MpRequestObject *)obj);
}

static int
req_traverse(MpRequestObject *self, visitproc visit, void *arg)
{
    Py_VISIT(Py_TYPE(self));
    Py_VISIT(self->dict);
    Py_VISIT(self->headers_in);
    Py_VISIT(self->headers_out);
    Py_VISIT(self->err_headers_out);
    Py_VISIT(self->subprocess_env);
    Py_VISIT(self->notes);
    Py_VISIT(self->config);
    Py_VISIT(self->options);
    Py_VISIT(self->retired);
    Py_VISIT(self->connection);
    Py_VISIT(self->server);
    Py_VISIT(self->phase);
    Py_VISIT(self->hlist);
    Py_VISIT(self->extension);
    Py_VISIT(self->cleanups);
    return 0;
}

static int
req_clear(MpRequestObject *self)
{
    Py_CLEAR(self->dict);
    Py_CLEAR(self->headers_in);
    Py_CLEAR(self->headers_out);
    Py_CLEAR(self->err_headers_out);
    Py_CLEAR(self->subprocess_env);
    Py_CLEAR(self->notes);
    Py_CLEAR(self->config);
    Py_CLEAR(self->options);
    Py_CLEAR(self->retired);
    Py_CLEAR(self->connection);
    Py_CLEAR(self->server);
    Py_CLEAR(self->phase);
    Py_CLEAR(self->hlist);
    Py_CLEAR(self->extension);
    Py_CLEAR(self->cleanups);
    return 0;
}

static void
req_dealloc(MpRequestObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);

    PyObject_GC_UnTrack(self);
    if (self->weakreflist != NULL) {
        PyObject_ClearWeakRefs((PyObject *)self);
    }
    req_clear(self);
    tp->tp_free((PyObject *)self);
    Py_DECREF(tp);
}

/* ------------------------------------------------------------------ */
/* plain fields                                                       */
/* ------------------------------------------------------------------ */

static PyObject *
req_get_field(MpRequestObject *self, void *closure)
{
    const mp_field *f = closure;
    request_rec *r = req_live(self);
    char *p;

    if (r == NULL) {
        return NULL;
    }
    p = (char *)r + f->off;
    switch (f->type) {
    case MP_F_STR:
        return mp_str_from_c(*(const char **)p, -1);
    case MP_F_INT:
        return PyLong_FromLong(*(int *)p);
    case MP_F_UINT:
        return PyLong_FromUnsignedLong(*(unsigned *)p);
    case MP_F_OFF:
        return PyLong_FromLongLong((long long)*(apr_off_t *)p);
    case MP_F_I64:
        return PyLong_FromLongLong((long long)*(apr_int64_t *)p);
    case MP_F_TIME:
        return mp_time_to_float(*(apr_time_t *)p);
    }
    Py_RETURN_NONE;
}

static int
no_delete(PyObject *value)
{
    if (value == NULL) {
        PyErr_SetString(PyExc_TypeError, "attribute cannot be deleted");
        return -1;
    }
    return 0;
}

/* An int attribute value; -1 with an exception set on error. */
static int
int_value(PyObject *value, int *out)
{
    long v;

    if (no_delete(value) < 0) {
        return -1;
    }
    if (!PyLong_Check(value)) {
        PyErr_Format(PyExc_TypeError, "attribute value must be an int, "
                     "not %.100s", Py_TYPE(value)->tp_name);
        return -1;
    }
    v = PyLong_AsLong(value);
    if (v == -1 && PyErr_Occurred()) {
        return -1;
    }
    if (v < INT_MIN || v > INT_MAX) {
        PyErr_SetString(PyExc_OverflowError, "attribute value out of range");
        return -1;
    }
    *out = (int)v;
    return 0;
}

/* Setter for MP_F_STR (copied into the request pool) and MP_F_INT. */
static int
req_set_field(MpRequestObject *self, PyObject *value, void *closure)
{
    const mp_field *f = closure;
    request_rec *r = req_live(self);
    const char *s;
    int v;

    if (r == NULL) {
        return -1;
    }
    if (f->type == MP_F_INT) {
        if (int_value(value, &v) < 0) {
            return -1;
        }
        *(int *)((char *)r + f->off) = v;
        return 0;
    }
    if (no_delete(value) < 0) {
        return -1;
    }
    s = mp_str_to_c(r->pool, value, f->allow_none);
    if (s == NULL && PyErr_Occurred()) {
        return -1;
    }
    *(const char **)((char *)r + f->off) = s;
    return 0;
}

static int
req_set_content_type(MpRequestObject *self, PyObject *value, void *closure)
{
    request_rec *r = req_live(self);
    const char *s;

    (void)closure;
    if (r == NULL || no_delete(value) < 0) {
        return -1;
    }
    s = mp_str_to_c(r->pool, value, 1);
    if (s == NULL && PyErr_Occurred()) {
        return -1;
    }
    ap_set_content_type(r, s);
    self->content_type_set = 1;
    return 0;
}

/* ------------------------------------------------------------------ */
/* derived attributes                                                 */
/* ------------------------------------------------------------------ */

static PyObject *
req_get_content_languages(MpRequestObject *self, void *closure)
{
    request_rec *r = req_live(self);

    (void)closure;
    return r ? mp_str_array_tuple(r->content_languages) : NULL;
}

static PyObject *
req_get_allowed_xmethods(MpRequestObject *self, void *closure)
{
    request_rec *r = req_live(self);

    (void)closure;
    return r ? mp_str_array_tuple(r->allowed_xmethods) : NULL;
}

/* The names of the methods in r->allowed_methods: the methods of the bit
 * mask (M_* and registered ones), then the unregistered ones of its list. */
static PyObject *
req_get_allowed_methods(MpRequestObject *self, void *closure)
{
    request_rec *r = req_live(self);
    ap_method_list_t *ml;
    PyObject *list, *s, *res;
    int i;

    (void)closure;
    if (r == NULL || (list = PyList_New(0)) == NULL) {
        return NULL;
    }
    ml = r->allowed_methods;
    for (i = 0; ml != NULL && i < 64; i++) {
        /* The M_INVALID bit only flags the names of method_list. */
        if (i == M_INVALID || !(ml->method_mask & (AP_METHOD_BIT << i))) {
            continue;
        }
        /* HEAD shares M_GET in httpd's registry: name it GET. */
        s = mp_str_from_c(i == M_GET ? "GET" : ap_method_name_of(r->pool, i),
                          -1);
        if (s == NULL || PyList_Append(list, s) < 0) {
            Py_XDECREF(s);
            Py_DECREF(list);
            return NULL;
        }
        Py_DECREF(s);
    }
    if (ml != NULL && ml->method_list != NULL) {
        const apr_array_header_t *arr = ml->method_list;

        for (i = 0; i < arr->nelts; i++) {
            s = mp_str_from_c(((const char **)arr->elts)[i], -1);
            if (s == NULL || PyList_Append(list, s) < 0) {
                Py_XDECREF(s);
                Py_DECREF(list);
                return NULL;
            }
            Py_DECREF(s);
        }
    }
    res = PyList_AsTuple(list);
    Py_DECREF(list);
    return res;
}

/* Py_BuildValue "O&" converter for a C string (None for NULL). */
static PyObject *
str_conv(void *s)
{
    return mp_str_from_c((const char *)s, -1);
}

static PyObject *
req_get_parsed_uri(MpRequestObject *self, void *closure)
{
    request_rec *r = req_live(self);
    const apr_uri_t *u;
    PyObject *port;

    (void)closure;
    if (r == NULL) {
        return NULL;
    }
    u = &r->parsed_uri;
    if (u->port_str != NULL) {
        port = PyLong_FromLong((long)u->port);
    }
    else {
        port = Py_NewRef(Py_None);
    }
    if (port == NULL) {
        return NULL;
    }
    /* (scheme, hostinfo, user, password, hostname, port, path, query,
     * fragment), indexed by apache.URI_*. */
    return Py_BuildValue("(O&O&O&O&O&NO&O&O&)",
                         str_conv, u->scheme, str_conv, u->hostinfo,
                         str_conv, u->user, str_conv, u->password,
                         str_conv, u->hostname, port,
                         str_conv, u->path, str_conv, u->query,
                         str_conv, u->fragment);
}

static PyObject *
req_get_useragent_addr(MpRequestObject *self, void *closure)
{
    request_rec *r = req_live(self);

    (void)closure;
    return r ? mp_sockaddr_to_tuple(r->useragent_addr) : NULL;
}

/* headers_in, notes...: one cached view each, re-bound when httpd has
 * swapped the table since the last access. */
static PyObject *
req_get_table(MpRequestObject *self, void *closure)
{
    const mp_tfield *f = closure;
    request_rec *r = req_live(self);
    PyObject **slot = (PyObject **)((char *)self + f->obj_off);
    apr_table_t *t;
    MpModuleState *st;

    if (r == NULL) {
        return NULL;
    }
    t = *(apr_table_t **)((char *)r + f->rec_off);
    if (*slot == NULL) {
        if ((st = mp_state_from_type(Py_TYPE(self))) == NULL) {
            return NULL;
        }
        if ((*slot = mp_table_view(st, t, r->pool)) == NULL) {
            return NULL;
        }
    }
    else if (((MpTableObject *)*slot)->table != t) {
        mp_table_rebind(*slot, t, r->pool);
    }
    return Py_NewRef(*slot);
}

static PyObject *
req_get_connection(MpRequestObject *self, void *closure)
{
    request_rec *r = req_live(self);
    MpModuleState *st;

    (void)closure;
    if (r == NULL) {
        return NULL;
    }
    if (self->connection == NULL) {
        if ((st = mp_state_from_type(Py_TYPE(self))) == NULL) {
            return NULL;
        }
        self->connection = mp_connection_new(st, r->connection);
        if (self->connection == NULL) {
            return NULL;
        }
    }
    return Py_NewRef(self->connection);
}

static PyObject *
req_get_finfo(MpRequestObject *self, void *closure)
{
    request_rec *r = req_live(self);
    MpModuleState *st;

    (void)closure;
    if (r == NULL || (st = mp_state_from_type(Py_TYPE(self))) == NULL) {
        return NULL;
    }
    return mp_finfo_new(st, &r->finfo);
}

/* Only an mp_finfo (from apache.stat) can be stored; its names are copied
 * into the request pool. */
static int
req_set_finfo(MpRequestObject *self, PyObject *value, void *closure)
{
    request_rec *r = req_live(self);
    MpModuleState *st;
    MpFinfoObject *fi;

    (void)closure;
    if (r == NULL || (st = mp_state_from_type(Py_TYPE(self))) == NULL) {
        return -1;
    }
    if (value == NULL || !PyObject_TypeCheck(value, st->finfo_type)) {
        PyErr_SetString(PyExc_TypeError,
                        "finfo must be an mp_finfo from apache.stat()");
        return -1;
    }
    fi = (MpFinfoObject *)value;
    r->finfo = fi->finfo;
    r->finfo.pool = r->pool;
    r->finfo.fname = mp_str_to_c(r->pool, fi->fname, 1);
    r->finfo.name = mp_str_to_c(r->pool, fi->name, 1);
    if (PyErr_Occurred()) {
        return -1;
    }
    return 0;
}

static PyObject *
req_get_server(MpRequestObject *self, void *closure)
{
    request_rec *r = req_live(self);
    MpModuleState *st;

    (void)closure;
    if (r == NULL) {
        return NULL;
    }
    /* r->server changes once the virtual host is known. */
    if (self->server == NULL
        || ((MpServerObject *)self->server)->s != r->server) {
        if ((st = mp_state_from_type(Py_TYPE(self))) == NULL) {
            return NULL;
        }
        Py_XSETREF(self->server, mp_server_new(st, r->server));
        if (self->server == NULL) {
            return NULL;
        }
    }
    return Py_NewRef(self->server);
}

/* main, prev, next: the one request object of that request_rec. */
static PyObject *
req_get_related(MpRequestObject *self, void *closure)
{
    request_rec *r = req_live(self), *other;
    MpModuleState *st;

    if (r == NULL) {
        return NULL;
    }
    other = *(request_rec **)((char *)r + (size_t)closure);
    if (other == NULL) {
        Py_RETURN_NONE;
    }
    if ((st = mp_state_from_type(Py_TYPE(self))) == NULL) {
        return NULL;
    }
    return mp_request_for(st, other);
}

/* phase, hlist, extension: set by the dispatcher; None when unset.  They do
 * not need the request_rec. */
static PyObject *
req_get_member(MpRequestObject *self, void *closure)
{
    PyObject *v = *(PyObject **)((char *)self + (size_t)closure);

    return Py_NewRef(v ? v : Py_None);
}

static PyObject *
req_get_interpreter(MpRequestObject *self, void *closure)
{
    (void)closure;
    return mp_str_from_c(self->interpreter, -1);
}

static PyObject *
req_get_content_type_set(MpRequestObject *self, void *closure)
{
    (void)closure;
    return PyLong_FromLong(self->content_type_set);
}

static PyObject *
req_get_bytes_queued(MpRequestObject *self, void *closure)
{
    (void)closure;
    return PyLong_FromLongLong((long long)self->bytes_queued);
}

static PyObject *
req_get_request_rec(MpRequestObject *self, void *closure)
{
    request_rec *r = req_live(self);

    (void)closure;
    return r ? PyCapsule_New(r, "mod_python.request_rec", NULL) : NULL;
}

/* ------------------------------------------------------------------ */
/* type                                                               */
/* ------------------------------------------------------------------ */

#define RF(name) offsetof(request_rec, name)
#define FIELD(name, type, none) \
    ((void *)&(const mp_field){RF(name), type, none})
#define RO(name, type, doc) \
    {#name, (getter)req_get_field, NULL, doc, FIELD(name, type, 0)}
#define RW(name, type, none, doc) \
    {#name, (getter)req_get_field, (setter)req_set_field, doc, \
     FIELD(name, type, none)}
#define TABLE(name, doc) \
    {#name, (getter)req_get_table, NULL, doc, \
     (void *)&(const mp_tfield){offsetof(MpRequestObject, name), RF(name)}}
#define RELATED(name, doc) \
    {#name, (getter)req_get_related, NULL, doc, (void *)RF(name)}
#define GET(name, fn, doc) {#name, (getter)fn, NULL, doc, NULL}
#define MEMBER(name, doc) \
    {#name, (getter)req_get_member, NULL, doc, \
     (void *)offsetof(MpRequestObject, name)}

static PyGetSetDef req_getset[] = {
    RO(the_request, MP_F_STR, "First line of the request."),
    RW(assbackwards, MP_F_INT, 0, "1 for an HTTP/0.9 simple response."),
    RW(proxyreq, MP_F_INT, 0, "A PROXYREQ_* value."),
    RO(header_only, MP_F_INT, "1 for a HEAD request."),
    RO(protocol, MP_F_STR, "Protocol, e.g. 'HTTP/1.1'."),
    RO(proto_num, MP_F_INT, "Protocol number, e.g. 1001 for 1.1."),
    RO(hostname, MP_F_STR, "Host, from the Host header or the URI."),
    RO(request_time, MP_F_TIME, "Time the request started (seconds)."),
    RW(status_line, MP_F_STR, 1, "Status line; must match status."),
    RW(status, MP_F_INT, 0, "Response status code."),
    RO(method, MP_F_STR, "Request method."),
    RO(method_number, MP_F_INT, "Request method as an M_* value."),
    RO(allowed, MP_F_I64, "Bit mask of allowed methods."),
    GET(allowed_xmethods, req_get_allowed_xmethods,
        "Allowed extension methods."),
    GET(allowed_methods, req_get_allowed_methods,
        "Names of the allowed methods."),
    RO(sent_bodyct, MP_F_OFF, "Non-zero once the body has started."),
    RO(bytes_sent, MP_F_OFF, "Body bytes sent so far."),
    RO(mtime, MP_F_TIME, "Last-modified time (seconds)."),
    RW(chunked, MP_F_INT, 0, "1 when the response is sent chunked."),
    RO(range, MP_F_STR, "The Range header."),
    RO(clength, MP_F_OFF, "Content length of the response."),
    RO(remaining, MP_F_OFF, "Request body bytes still to read."),
    RO(read_length, MP_F_OFF, "Request body bytes read."),
    RO(read_body, MP_F_INT, "A REQUEST_* body policy value."),
    RO(read_chunked, MP_F_INT, "1 for a chunked request body."),
    RO(expecting_100, MP_F_UINT, "1 when the client expects 100-continue."),
    {"content_type", (getter)req_get_field, (setter)req_set_content_type,
     "Content-Type of the response.", FIELD(content_type, MP_F_STR, 1)},
    RO(content_encoding, MP_F_STR, "Content-Encoding of the response."),
    GET(content_languages, req_get_content_languages,
        "Content languages of the response."),
    RW(handler, MP_F_STR, 1, "Name of the content handler."),
    RO(vlist_validator, MP_F_STR, "Variant list validator."),
    RW(user, MP_F_STR, 1, "Authenticated user."),
    RW(ap_auth_type, MP_F_STR, 1, "Authentication type used."),
    RO(unparsed_uri, MP_F_STR, "URI as sent, with the query string."),
    RW(uri, MP_F_STR, 0, "Path part of the URI."),
    RW(filename, MP_F_STR, 1, "File the URI maps to."),
    RW(canonical_filename, MP_F_STR, 1, "Canonical form of filename."),
    RW(path_info, MP_F_STR, 1, "Path after the file name."),
    RW(args, MP_F_STR, 1, "Query string, or None."),
    GET(parsed_uri, req_get_parsed_uri, "The URI as a 9-tuple (URI_*)."),
    RW(used_path_info, MP_F_INT, 0, "AcceptPathInfo setting (AP_REQ_*)."),
    RO(eos_sent, MP_F_INT, "1 once the end of the body was sent."),
    RW(no_cache, MP_F_INT, 0, "1 to make the response uncacheable."),
    RW(no_local_copy, MP_F_INT, 0, "1 to ignore If-Modified-Since."),
    RO(useragent_ip, MP_F_STR, "IP address of the user agent."),
    GET(useragent_addr, req_get_useragent_addr,
        "(ip, port) of the user agent."),
    TABLE(headers_in, "Request headers (live table)."),
    TABLE(headers_out, "Response headers (live table)."),
    TABLE(err_headers_out, "Headers sent with errors too (live table)."),
    TABLE(subprocess_env, "Environment for subprocesses (live table)."),
    TABLE(notes, "Notes shared between modules (live table)."),
    {"finfo", (getter)req_get_finfo, (setter)req_set_finfo,
     "File information of filename (mp_finfo).", NULL},
    GET(connection, req_get_connection, "The connection (mp_conn)."),
    GET(server, req_get_server, "The server (mp_server)."),
    RELATED(main, "Main request of a subrequest, or None."),
    RELATED(prev, "Request redirected from, or None."),
    RELATED(next, "Request redirected to, or None."),
    GET(interpreter, req_get_interpreter, "Name of the interpreter."),
    MEMBER(phase, "Phase being run, e.g. 'PythonHandler'."),
    MEMBER(hlist, "Handler list being run (mp_hlist)."),
    MEMBER(extension, "Extension of a '| .ext' handler list."),
    GET(_content_type_set, req_get_content_type_set,
        "1 once content_type was set from Python."),
    GET(_bytes_queued, req_get_bytes_queued,
        "Bytes passed to write() and sendfile()."),
    GET(_request_rec, req_get_request_rec, "The request_rec (capsule)."),
    {"__dict__", PyObject_GenericGetDict, PyObject_GenericSetDict, NULL,
     NULL},
    {NULL, NULL, NULL, NULL, NULL}
};

static PyMemberDef req_members[] = {
    {"__dictoffset__", T_PYSSIZET, offsetof(MpRequestObject, dict),
     READONLY, NULL},
    {"__weaklistoffset__", T_PYSSIZET,
     offsetof(MpRequestObject, weakreflist), READONLY, NULL},
    {NULL, 0, 0, 0, NULL}
};

PyDoc_STRVAR(req_doc,
"The request being served (wraps request_rec).\n\n"
"It has an instance __dict__ that lives as long as the request, and\n"
"raises RuntimeError once the request has ended.");

static PyType_Slot req_slots[] = {
    {Py_tp_dealloc, req_dealloc},
    {Py_tp_traverse, req_traverse},
    {Py_tp_clear, req_clear},
    {Py_tp_getset, req_getset},
    {Py_tp_members, req_members},
    {Py_tp_doc, (void *)req_doc},
    {0, NULL}
};

static PyType_Spec req_spec = {
    .name = "_apache.mp_request",
    .basicsize = sizeof(MpRequestObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_BASETYPE
             | Py_TPFLAGS_DISALLOW_INSTANTIATION,
    .slots = req_slots,
};

/* A type spec takes one method table; the methods of the other files
 * become method descriptors of the new type here, exactly as
 * PyType_FromModuleAndSpec makes those of req_methods. */
static int
add_methods(PyTypeObject *tp, PyMethodDef *m)
{
    PyObject *descr;
    int rc;

    for (; m->ml_name != NULL; m++) {
        if ((descr = PyDescr_NewMethod(tp, m)) == NULL) {
            return -1;
        }
        rc = PyDict_SetItemString(tp->tp_dict, m->ml_name, descr);
        Py_DECREF(descr);
        if (rc < 0) {
            return -1;
        }
    }
    PyType_Modified(tp);
    return 0;
}

int
mp_request_init(PyObject *module, MpModuleState *st, PyMethodDef **slices)
{
    st->request_type = (PyTypeObject *)PyType_FromModuleAndSpec(
        module, &req_spec, NULL);
    if (st->request_type == NULL) {
        return -1;
    }
    for (; *slices != NULL; slices++) {
        if (add_methods(st->request_type, *slices) < 0) {
            return -1;
        }
    }
    return PyModule_AddType(module, st->request_type);
}

PyObject *
mp_request_for(MpModuleState *st, request_rec *r)
{
    mp_reqstate *rs = mp_reqstate_get(r);
    mp_interp *ip = mp_interp_current();
    mp_reqobj *o;
    PyObject *obj;

    for (o = rs->objects; o != NULL; o = o->next) {
        if (o->ip == ip) {
            return Py_NewRef(o->obj);
        }
    }
    if (ip == NULL) {
        PyErr_SetString(PyExc_RuntimeError,
                        "no mod_python interpreter is current");
        return NULL;
    }
    obj = mp_request_new(st, r, ip->name);
    if (obj == NULL) {
        return NULL;
    }
    o = apr_palloc(r->pool, sizeof(*o));
    o->ip = ip;
    o->obj = obj;                   /* the state keeps this reference */
    o->next = rs->objects;
    rs->objects = o;
    return Py_NewRef(obj);
}
