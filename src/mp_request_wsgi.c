/*
 * mp_request_wsgi.c: the request methods that serve mod_python.wsgi.
 *
 * mod_python 3.5's API: build_wsgi_env() and wsgi_start_response().  The
 * environ dicts are built by mp_wsgi_environ.c.
 *
 * The private fast path of mod_python.wsgi (one C call per step of a
 * request): _wsgi_options(), _wsgi_environ(base), _wsgi_start_response(),
 * _wsgi_write(data), _wsgi_send(result) and _wsgi_headers().  The status
 * and headers given to _wsgi_start_response() are checked and kept in a
 * wsgi_state in the request pool (apr_pool_userdata, one per request_rec)
 * until the first non-empty body data, as PEP 3333 wants; only then are
 * they applied to the request_rec.  Body data is bytes-like; a str item
 * (served by 3.5) is sent as req.write() sends text, with one MP0720
 * warning per application per interpreter (a set in the interpreter's
 * state dict), unless PythonOption mod_python.wsgi.strict_bytes is On
 * (TypeError, so 500): str_body_allowed() is the only place deciding.
 *
 * The type is in mp_request.c, which adds mp_request_wsgi_methods from
 * here to it.  Every method starts with mp_request_rec(), so an expired
 * request raises RuntimeError.  Body writes release the GIL around
 * ap_rwrite/ap_rflush; nothing else blocks.
 */
#include "mp_request_wsgi.h"
#include "mp_config.h"
#include "mp_hlist.h"
#include "mp_interp.h"
#include "mp_util.h"
#include "mp_wsgi_environ.h"

#include "util_script.h"

#include <strings.h>

#define WSGI_APPLICATION "mod_python.wsgi.application"
#define WSGI_BASE_URI "mod_python.wsgi.base_uri"
#define WSGI_STRICT_BYTES "mod_python.wsgi.strict_bytes"
/* Key of the set of applications warned about str body data (MP0720),
 * in the interpreter's state dict (PyInterpreterState_GetDict). */
#define WSGI_STR_WARNED "mod_python.wsgi.str_warned"

/* Largest single ap_rwrite (its length is an int). */
#define WSGI_WRITE_CHUNK (1 << 30)

#define FN(f) ((PyCFunction)(void (*)(void))(f))

/* ------------------------------------------------------------------ */
/* environment                                                        */
/* ------------------------------------------------------------------ */

/* SCRIPT_NAME prefix for r (spec 3.4), allocated from r->pool.  Returns
 * "" when there is none; sets *outside when a base_uri is configured and
 * the URI is not below it.  NULL with ValueError for a bad base_uri.
 * With empty_unset, an empty base_uri counts as not set (as
 * req.get_options() shows it); 3.5's build_wsgi_env takes it as "". */
static const char *
script_name_of(MpRequestObject *self, request_rec *r, int empty_unset,
               int *outside)
{
    mp_dir_config *d = mp_config_dir(r->per_dir_config);
    const char *base = NULL, *uri = r->uri ? r->uri : "";
    apr_size_t n;
    MpHlistObject *hl;

    *outside = 0;
    if (d != NULL) {
        base = apr_table_get(d->options, WSGI_BASE_URI);
    }
    if (base != NULL && *base != '\0') {
        n = strlen(base);
        if (base[n - 1] == '/') {
            PyErr_Format(PyExc_ValueError,
                         "PythonOption " WSGI_BASE_URI " must not "
                         "end with '/': %s", base);
            return NULL;
        }
        /* The prefix must end on a path segment: /app is below /app but
         * /application is not. */
        if (strncmp(uri, base, n) != 0
            || (uri[n] != '\0' && uri[n] != '/')) {
            *outside = 1;
        }
        return base;
    }
    if (base != NULL && !empty_unset) {
        return "";      /* an explicitly empty base_uri */
    }
    hl = (MpHlistObject *)self->hlist;
    if (hl != NULL && hl->cur != NULL && hl->cur->is_location
        && hl->cur->directory != NULL) {
        const char *loc = hl->cur->directory;

        n = strlen(loc);
        while (n > 0 && loc[n - 1] == '/') {
            n--;
        }
        /* A regex or wildcard Location is no usable prefix. */
        if (strncmp(uri, loc, n) == 0 && (uri[n] == '\0' || uri[n] == '/')) {
            return apr_pstrmemdup(r->pool, loc, n);
        }
    }
    return "";
}

static int
mpm_flag(int code)
{
    int v = 0;

    if (ap_mpm_query(code, &v) != APR_SUCCESS) {
        return 0;
    }
    return v;
}

/* wsgi.multithread and wsgi.multiprocess: whether the MPM runs requests
 * in threads, and in more than one process. */
static void
process_flags(int *threaded, int *multiprocess)
{
    int daemons = 0;

    *threaded = mpm_flag(AP_MPMQ_IS_THREADED) != AP_MPMQ_NOT_SUPPORTED;
    if (ap_mpm_query(AP_MPMQ_MAX_DAEMONS, &daemons) != APR_SUCCESS) {
        daemons = 0;
    }
    *multiprocess = mpm_flag(AP_MPMQ_IS_FORKED) != AP_MPMQ_NOT_SUPPORTED
                    && daemons != 1;
}

PyDoc_STRVAR(wsgi_flags_doc,
"_wsgi_flags()\n--\n\n"
"(wsgi.multithread, wsgi.multiprocess) for this server's MPM.");

static PyObject *
req_wsgi_flags(MpRequestObject *self, PyObject *unused)
{
    int threaded, multiprocess;

    (void)self;
    (void)unused;
    process_flags(&threaded, &multiprocess);
    return Py_BuildValue("(NN)", PyBool_FromLong(threaded),
                         PyBool_FromLong(multiprocess));
}

PyDoc_STRVAR(build_wsgi_env_doc,
"build_wsgi_env()\n--\n\n"
"The PEP 3333 environ dict of this request, or None when the URI is not\n"
"below PythonOption mod_python.wsgi.base_uri.\n\n"
"SCRIPT_NAME is base_uri when set (ValueError if it ends with '/'),\n"
"else the enclosing <Location> path without its trailing '/', else ''.\n"
"PATH_INFO is the rest of req.uri, and req.path_info is set to it.  The\n"
"dict holds the CGI variables (add_cgi_vars() and all of subprocess_env),\n"
"HTTP_AUTHORIZATION, and the wsgi.* keys: wsgi.input is the request\n"
"object itself (it has read/readline/readlines), wsgi.errors is\n"
"sys.stderr (the error log), wsgi.version (1, 0), wsgi.multithread and\n"
"wsgi.multiprocess from the MPM, wsgi.run_once False, and\n"
"wsgi.url_scheme 'https' when the HTTPS variable is on.");

static PyObject *
req_build_wsgi_env(MpRequestObject *self, PyObject *unused)
{
    request_rec *r = mp_request_rec((PyObject *)self);
    const char *script;
    PyObject *env = NULL;
    int outside, threaded, multiprocess;

    (void)unused;
    if (r == NULL || (script = script_name_of(self, r, 0, &outside))
        == NULL) {
        return NULL;
    }
    if (outside) {
        Py_RETURN_NONE;
    }
    /* 3.5 rewrites path_info first, so add_cgi_vars() uses it too. */
    r->path_info = apr_pstrdup(r->pool, (r->uri ? r->uri : "")
                                        + strlen(script));
    if ((env = mp_wsgi_environ(r, script, NULL)) == NULL) {
        return NULL;
    }

    process_flags(&threaded, &multiprocess);
    if (mp_wsgi_env_steal(env, "wsgi.version", Py_BuildValue("(ii)", 1, 0)) < 0
        || PyDict_SetItemString(env, "wsgi.input", (PyObject *)self) < 0
        || mp_wsgi_env_steal(env, "wsgi.errors", Py_XNewRef(PySys_GetObject(
                                                     "stderr"))) < 0
        || mp_wsgi_env_steal(env, "wsgi.multithread", PyBool_FromLong(threaded)) < 0
        || mp_wsgi_env_steal(env, "wsgi.multiprocess",
                     PyBool_FromLong(multiprocess)) < 0
        || mp_wsgi_env_steal(env, "wsgi.run_once", PyBool_FromLong(0)) < 0) {
        if (!PyErr_Occurred()) {
            PyErr_SetString(PyExc_RuntimeError, "sys.stderr is not set");
        }
        goto error;
    }
    return env;
error:
    Py_XDECREF(env);
    return NULL;
}

/* ------------------------------------------------------------------ */
/* wsgi_start_response (mod_python 3.5)                               */
/* ------------------------------------------------------------------ */

/* Status code of a WSGI status line: three digits then a space or the end.
 * -1 with ValueError otherwise. */
static int
status_code(const char *line)
{
    int i, code = 0;

    for (i = 0; i < 3; i++) {
        if (line[i] < '0' || line[i] > '9') {
            goto bad;
        }
        code = code * 10 + (line[i] - '0');
    }
    if ((line[3] != ' ' && line[3] != '\0') || code < 100) {
        goto bad;
    }
    return code;
bad:
    PyErr_Format(PyExc_ValueError, "invalid WSGI status line: %.200s",
                 line);
    return -1;
}

/* Re-raise exc_info = (type, value, traceback). */
static PyObject *
reraise(PyObject *exc_info)
{
    PyObject *value;

    if (!PyTuple_Check(exc_info) || PyTuple_GET_SIZE(exc_info) != 3) {
        PyErr_SetString(PyExc_TypeError,
                        "exc_info must be a (type, value, traceback) tuple");
        return NULL;
    }
    value = PyTuple_GET_ITEM(exc_info, 1);
    if (!PyExceptionInstance_Check(value)) {
        PyErr_SetString(PyExc_TypeError,
                        "exc_info[1] must be an exception instance");
        return NULL;
    }
    if (PyTuple_GET_ITEM(exc_info, 2) != Py_None
        && PyException_SetTraceback(value,
                                    PyTuple_GET_ITEM(exc_info, 2)) < 0) {
        return NULL;
    }
    PyErr_SetObject((PyObject *)Py_TYPE(value), value);
    return NULL;
}

/* ------------------------------------------------------------------ */
/* the mod_python.wsgi fast path                                      */
/* ------------------------------------------------------------------ */

#define WSGI_STATE_KEY "mod_python.wsgi"

/* The response of one WSGI call, in r->pool.  Internal redirects share
 * the pool, so the states of all request_recs of a pool are chained. */
typedef struct wsgi_state wsgi_state;
struct wsgi_state {
    request_rec *r;
    wsgi_state *next;
    int started;                /* start_response() succeeded */
    int sent;                   /* applied to r: output has begun */
    int status;
    const char *status_line;
    const char *content_type;   /* NULL when not given */
    apr_off_t content_length;   /* -1 when not given */
    apr_array_header_t *headers;    /* other headers: name, value, ... */
    int str_ok;                 /* str body data accepted (and warned) */
};

/* The state of r, made on first use; NULL with an exception set. */
static wsgi_state *
state_of(request_rec *r)
{
    void *head = NULL;
    wsgi_state *s;
    apr_status_t rv;

    if (apr_pool_userdata_get(&head, WSGI_STATE_KEY, r->pool)
        != APR_SUCCESS) {
        head = NULL;
    }
    for (s = head; s != NULL; s = s->next) {
        if (s->r == r) {
            return s;
        }
    }
    s = apr_pcalloc(r->pool, sizeof(*s));
    s->r = r;
    s->next = head;
    s->content_length = -1;
    rv = apr_pool_userdata_setn(s, WSGI_STATE_KEY, NULL, r->pool);
    if (rv != APR_SUCCESS) {
        mp_raise_apr(rv, "apr_pool_userdata_setn");
        return NULL;
    }
    return s;
}

static void
state_reset(wsgi_state *s)
{
    s->started = 0;
    s->sent = 0;
    s->status = 0;
    s->status_line = NULL;
    s->content_type = NULL;
    s->content_length = -1;
    s->headers = NULL;
    s->str_ok = 0;
}

PyDoc_STRVAR(wsgi_options_doc,
"_wsgi_options()\n--\n\n"
"(application, autoreload, debug) for mod_python.wsgi: PythonOption\n"
"mod_python.wsgi.application (None when unset or empty), whether\n"
"PythonAutoReload is not 0 and whether PythonDebug is 1, read from the\n"
"merged configuration without copying it.");

static PyObject *
req_wsgi_options(MpRequestObject *self, PyObject *unused)
{
    request_rec *r = mp_request_rec((PyObject *)self);
    const char *app;
    mp_dir_config *d;
    PyObject *spec;

    (void)unused;
    if (r == NULL) {
        return NULL;
    }
    if ((d = mp_config_dir(r->per_dir_config)) == NULL) {
        PyErr_SetString(PyExc_RuntimeError,
                        "no mod_python configuration for this request");
        return NULL;
    }
    app = apr_table_get(d->options, WSGI_APPLICATION);
    if ((spec = mp_str_from_c(app != NULL && *app != '\0' ? app : NULL,
                              -1)) == NULL) {
        return NULL;
    }
    return Py_BuildValue("(NOO)", spec,
                         MP_FLAG(d->settings.autoreload, 1)
                         ? Py_True : Py_False,
                         d->settings.debug == 1 ? Py_True : Py_False);
}

PyDoc_STRVAR(wsgi_environ_doc,
"_wsgi_environ(base, cache, script=None)\n--\n\n"
"The environ of mod_python.wsgi, or None when the URI is outside\n"
"PythonOption mod_python.wsgi.base_uri: the CGI variables (as\n"
"add_cgi_vars() sets them in subprocess_env, then every entry of it),\n"
"SCRIPT_NAME (script, or as build_wsgi_env() finds it; an empty base_uri\n"
"counts as unset), PATH_INFO, HTTP_AUTHORIZATION, wsgi.url_scheme and\n"
"mod_python.request, then the items of the dict base.  Values are\n"
"native strings (the bytes as latin-1).  cache is a list kept by the\n"
"caller for the interpreter, empty at first: it holds the str objects of\n"
"common keys and their last values, reused while they do not change.\n"
"req.path_info is left alone.\n"
"Starts a new response for _wsgi_start_response().");

static PyObject *
req_wsgi_environ(MpRequestObject *self, PyObject *args)
{
    PyObject *base, *cache, *script_obj = Py_None, *env;
    request_rec *r;
    const char *script;
    wsgi_state *s;
    int outside = 0;

    if (!PyArg_ParseTuple(args, "O!O|O:_wsgi_environ", &PyDict_Type, &base,
                          &cache, &script_obj)) {
        return NULL;
    }
    if ((r = mp_request_rec((PyObject *)self)) == NULL) {
        return NULL;
    }
    if (script_obj != Py_None) {
        if ((script = mp_str_to_c(r->pool, script_obj, 0)) == NULL) {
            return NULL;
        }
        if (strlen(script) > strlen(r->uri ? r->uri : "")) {
            PyErr_SetString(PyExc_ValueError,
                            "script is longer than the URI");
            return NULL;
        }
    }
    else if ((script = script_name_of(self, r, 1, &outside)) == NULL) {
        return NULL;
    }
    if (outside) {
        Py_RETURN_NONE;
    }
    if ((s = state_of(r)) == NULL) {
        return NULL;
    }
    state_reset(s);
    if ((env = mp_wsgi_environ(r, script, cache)) == NULL) {
        return NULL;
    }
    if (PyDict_SetItem(env, mp_wsgi_cache_key(cache, "mod_python.request"), (PyObject *)self) < 0
        || PyDict_Merge(env, base, 1) < 0 || mp_wsgi_environ_finish(env, cache) < 0) {
        Py_DECREF(env);
        return NULL;
    }
    return env;
}

/* The bytes of the str o (latin-1, or UTF-8 above U+00FF) for a status
 * line or a header, copied to p.  TypeError when o is not a str,
 * ValueError when it holds CR, LF or NUL. */
static const char *
header_text(apr_pool_t *p, PyObject *o, const char *what)
{
    const char *data;
    Py_ssize_t len, i;

    if (!PyUnicode_Check(o)) {
        PyErr_Format(PyExc_TypeError, "%s must be str, not %.100s", what,
                     Py_TYPE(o)->tp_name);
        return NULL;
    }
    if (PyUnicode_KIND(o) == PyUnicode_1BYTE_KIND) {
        data = (const char *)PyUnicode_1BYTE_DATA(o);
        len = PyUnicode_GET_LENGTH(o);
    }
    else if ((data = PyUnicode_AsUTF8AndSize(o, &len)) == NULL) {
        return NULL;
    }
    for (i = 0; i < len; i++) {
        if (data[i] == '\r' || data[i] == '\n' || data[i] == '\0') {
            PyErr_Format(PyExc_ValueError, "control character in %s %R",
                         what, o);
            return NULL;
        }
    }
    return apr_pstrmemdup(p, data, (apr_size_t)len);
}

/* A Content-Length value: digits, spaces around them allowed.  -1 with
 * ValueError otherwise. */
static apr_off_t
content_length_of(const char *value)
{
    const char *c = value;
    apr_off_t n = 0;
    int digits = 0;

    while (*c == ' ' || *c == '\t') {
        c++;
    }
    for (; *c >= '0' && *c <= '9'; c++, digits++) {
        if (n > (APR_INT64_MAX - 9) / 10) {
            goto bad;
        }
        n = n * 10 + (*c - '0');
    }
    while (*c == ' ' || *c == '\t') {
        c++;
    }
    if (digits > 0 && *c == '\0') {
        return n;
    }
bad:
    PyErr_Format(PyExc_ValueError, "bad Content-Length '%.100s'", value);
    return -1;
}

/* Apply the kept status and headers to r; 0, or -1 with RuntimeError
 * when start_response() was not called. */
static int
apply_response(MpRequestObject *self, request_rec *r, wsgi_state *s)
{
    const char **h;
    int i;

    if (!s->started) {
        PyErr_SetString(PyExc_RuntimeError,
                        "the application did not call start_response()");
        return -1;
    }
    /* Defect 3 of 3.5: httpd 2.4 ignores a status_line whose number
     * differs from r->status, so set both. */
    r->status = s->status;
    r->status_line = s->status_line;
    if (s->content_type != NULL) {
        ap_set_content_type(r, s->content_type);
        self->content_type_set = 1;
    }
    if (s->content_length >= 0) {
        ap_set_content_length(r, s->content_length);
    }
    h = (const char **)s->headers->elts;
    for (i = 0; i + 1 < s->headers->nelts; i += 2) {
        apr_table_addn(r->headers_out, h[i], h[i + 1]);
    }
    s->sent = 1;
    return 0;
}

/* True for an option value that means on: On, 1, true, yes. */
static int
option_on(const char *v)
{
    return v != NULL && (strcasecmp(v, "on") == 0 || strcmp(v, "1") == 0
                         || strcasecmp(v, "true") == 0
                         || strcasecmp(v, "yes") == 0);
}

/* str body data, which PEP 3333 forbids and mod_python 3.5 served.  0 to
 * send it encoded as req.write() encodes text (mp_data_buffer), after
 * logging MP0720 once per application (PythonOption
 * mod_python.wsgi.application) per interpreter; -1 with TypeError (a 500,
 * as for any other non-bytes data) under PythonOption
 * mod_python.wsgi.strict_bytes On.  This is the only place that decides. */
static int
str_body_allowed(request_rec *r, wsgi_state *s)
{
    mp_dir_config *d;
    const char *app;
    PyObject *idict, *warned, *key;
    int seen = 0;

    if (s->str_ok) {
        return 0;
    }
    d = mp_config_dir(r->per_dir_config);
    if (d != NULL && option_on(apr_table_get(d->options, WSGI_STRICT_BYTES))) {
        PyErr_SetString(PyExc_TypeError, "WSGI body data must be bytes, "
                        "not str (PythonOption " WSGI_STRICT_BYTES " is On)");
        return -1;
    }
    app = d != NULL ? apr_table_get(d->options, WSGI_APPLICATION) : NULL;
    if (app == NULL) {
        app = "";
    }
    /* the interpreter's own dict: its lifetime is the interpreter's */
    idict = PyInterpreterState_GetDict(PyInterpreterState_Get());
    if (idict != NULL) {
        warned = PyDict_GetItemString(idict, WSGI_STR_WARNED);
        if (warned == NULL) {
            if ((warned = PySet_New(NULL)) == NULL) {
                return -1;
            }
            if (PyDict_SetItemString(idict, WSGI_STR_WARNED, warned) < 0) {
                Py_DECREF(warned);
                return -1;
            }
            Py_DECREF(warned);     /* the dict holds it */
        }
        if ((key = mp_str_from_c(app, -1)) == NULL) {
            return -1;
        }
        seen = PySet_Contains(warned, key);
        if (seen == 0 && PySet_Add(warned, key) < 0) {
            seen = -1;
        }
        Py_DECREF(key);
        if (seen < 0) {
            return -1;
        }
    }
    if (!seen) {
        MP_BLOCKING_BEGIN
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, MP_APLOGNO(0720)
                      "mod_python.wsgi: application %s yields str body "
                      "data; it is sent encoded as req.write() encodes "
                      "text (UTF-8). PEP 3333 wants bytes: PythonOption "
                      WSGI_STRICT_BYTES " On refuses str (500). Logged "
                      "once per application and process.", app);
        MP_BLOCKING_END
    }
    s->str_ok = 1;
    return 0;
}

/* Write the bytes-like data (or str, see str_body_allowed), applying the
 * response before the first non-empty data; flush after it when flush.
 * 0, or -1 with TypeError (not bytes), RuntimeError or OSError (client
 * gone). */
static int
send_data(MpRequestObject *self, request_rec *r, wsgi_state *s,
          PyObject *data, int flush)
{
    Py_buffer view;
    const char *buf;
    Py_ssize_t len, off, n;
    int rc = 0, release = 0;

    if (PyBytes_Check(data)) {
        buf = PyBytes_AS_STRING(data);
        len = PyBytes_GET_SIZE(data);
    }
    else if (PyByteArray_Check(data) || PyMemoryView_Check(data)) {
        if (PyObject_GetBuffer(data, &view, PyBUF_SIMPLE) < 0) {
            return -1;
        }
        release = 1;
        buf = view.buf;
        len = view.len;
    }
    else if (PyUnicode_Check(data)) {
        if (str_body_allowed(r, s) < 0 || mp_data_buffer(data, &view) < 0) {
            return -1;
        }
        release = 1;
        buf = view.buf;
        len = view.len;
    }
    else {
        PyErr_Format(PyExc_TypeError, "WSGI body data must be bytes, not "
                     "%.100s", Py_TYPE(data)->tp_name);
        return -1;
    }
    if (len == 0) {
        goto done;
    }
    if (!s->sent && apply_response(self, r, s) < 0) {
        rc = -1;
        goto done;
    }
    MP_BLOCKING_BEGIN
    for (off = 0; off < len && rc >= 0; off += n) {
        n = len - off > WSGI_WRITE_CHUNK ? WSGI_WRITE_CHUNK : len - off;
        rc = ap_rwrite(buf + off, (int)n, r);
    }
    if (rc >= 0 && flush) {
        rc = ap_rflush(r);
    }
    MP_BLOCKING_END
    if (rc < 0) {
        PyErr_SetString(PyExc_OSError,
                        "Write failed, client closed connection.");
        rc = -1;
        goto done;
    }
    rc = 0;
    self->bytes_queued += len;
done:
    if (release) {
        PyBuffer_Release(&view);
    }
    return rc;
}

PyDoc_STRVAR(wsgi_write_doc,
"_wsgi_write(data)\n--\n\n"
"The write callable of mod_python.wsgi's start_response: applies the\n"
"response first, then writes bytes data and flushes.");

static PyObject *
req_wsgi_write(MpRequestObject *self, PyObject *data)
{
    request_rec *r = mp_request_rec((PyObject *)self);
    wsgi_state *s;

    if (r == NULL || (s = state_of(r)) == NULL
        || send_data(self, r, s, data, 1) < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

/* start_response() returns this bound to the request. */
static PyMethodDef wsgi_write_def = {
    "write", FN(req_wsgi_write), METH_O, wsgi_write_doc
};

PyDoc_STRVAR(wsgi_fast_start_response_doc,
"_wsgi_start_response(status, headers, exc_info=None)\n--\n\n"
"The start_response of mod_python.wsgi (PEP 3333): checks status (str,\n"
"three digits then a space or the end) and headers (a list of\n"
"(str, str) tuples; Content-Length an integer), keeps them, and returns\n"
"the write callable.  They are applied when the first body data is\n"
"written: status and status_line, Content-Type as content_type,\n"
"Content-Length with set_content_length(), the others added to\n"
"headers_out.  Before that, a call with exc_info replaces them; after\n"
"it, exc_info is re-raised.  A second call without exc_info raises\n"
"RuntimeError.  TypeError/ValueError for bad arguments (CR, LF or NUL\n"
"in the status or a header is a ValueError); nothing is kept then.");

/* The one start_response (PEP 3333): check status (str, three digits then
 * a space or the end; no CR, LF or NUL) and headers (a list of (str,
 * str) tuples; Content-Length an integer) and keep them in s.  With
 * exc_info, once output has begun the exception is re-raised; before, the
 * new response replaces the old.  A second call without exc_info is a
 * RuntimeError when `once`.  0, or -1 with an exception set (nothing is
 * kept then). */
static int
take_response(request_rec *r, wsgi_state *s, PyObject *status,
              PyObject *headers, PyObject *exc_info, int once)
{
    const char *line, *name, *value, *ctype = NULL;
    apr_array_header_t *pairs;
    apr_off_t clen = -1;
    PyObject *seq, *item;
    Py_ssize_t i, n;
    int code;

    if (exc_info != Py_None) {
        if (!PyTuple_Check(exc_info) || PyTuple_GET_SIZE(exc_info) != 3) {
            PyErr_SetString(PyExc_TypeError, "exc_info must be None or a "
                            "(type, value, traceback) tuple");
            return -1;
        }
        if (s->sent) {
            (void)reraise(exc_info);
            return -1;
        }
    }
    else if (once && s->started) {
        PyErr_SetString(PyExc_RuntimeError,
                        "start_response() called twice without exc_info");
        return -1;
    }
    if ((line = header_text(r->pool, status, "status")) == NULL
        || (code = status_code(line)) < 0) {
        return -1;
    }
    if (!PyList_Check(headers)) {
        PyErr_Format(PyExc_TypeError, "headers must be a list of (str, str)"
                     " tuples, not %.100s", Py_TYPE(headers)->tp_name);
        return -1;
    }
    seq = Py_NewRef(headers);
    n = PySequence_Fast_GET_SIZE(seq);
    pairs = apr_array_make(r->pool, n > 0 ? (int)n * 2 : 1,
                           sizeof(const char *));
    for (i = 0; i < n; i++) {
        item = PySequence_Fast_GET_ITEM(seq, i);
        if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 2) {
            PyErr_Format(PyExc_TypeError, "headers must be (str, str) "
                         "tuples: %.100R", item);
            goto error;
        }
        if ((name = header_text(r->pool, PyTuple_GET_ITEM(item, 0),
                                "header name")) == NULL
            || (value = header_text(r->pool, PyTuple_GET_ITEM(item, 1),
                                    "header value")) == NULL) {
            if (PyErr_ExceptionMatches(PyExc_TypeError)) {
                PyErr_Clear();
                PyErr_Format(PyExc_TypeError, "headers must be (str, str) "
                             "tuples: %.100R", item);
            }
            goto error;
        }
        if (strcasecmp(name, "Content-Type") == 0) {
            ctype = value;
        }
        else if (strcasecmp(name, "Content-Length") == 0) {
            if ((clen = content_length_of(value)) < 0) {
                goto error;
            }
        }
        else {
            *(const char **)apr_array_push(pairs) = name;
            *(const char **)apr_array_push(pairs) = value;
        }
    }
    Py_DECREF(seq);
    s->status = code;
    s->status_line = line;
    s->content_type = ctype;
    s->content_length = clen;
    s->headers = pairs;
    s->started = 1;
    return 0;
error:
    Py_DECREF(seq);
    return -1;
}

static PyObject *
req_wsgi_fast_start_response(MpRequestObject *self, PyObject *args,
                             PyObject *kw)
{
    static char *kwlist[] = {"status", "headers", "exc_info", NULL};
    PyObject *status, *headers, *exc_info = Py_None;
    request_rec *r;
    wsgi_state *s;

    if (!PyArg_ParseTupleAndKeywords(args, kw, "OO|O:start_response",
                                     kwlist, &status, &headers,
                                     &exc_info)) {
        return NULL;
    }
    if ((r = mp_request_rec((PyObject *)self)) == NULL
        || (s = state_of(r)) == NULL
        || take_response(r, s, status, headers, exc_info, 1) < 0) {
        return NULL;
    }
    return PyCFunction_NewEx(&wsgi_write_def, (PyObject *)self, NULL);
}

PyDoc_STRVAR(wsgi_start_response_doc,
"wsgi_start_response(status, headers, exc_info=None)\n--\n\n"
"WSGI start_response of mod_python 3.5: the same checks as\n"
"mod_python.wsgi's (one implementation), but the status and headers are\n"
"applied at once (Content-Type sets content_type) and req.write is\n"
"returned.  Unlike 3.5, a non-None exc_info is re-raised only once\n"
"output has started (PEP 3333); before that it replaces the status and\n"
"headers set earlier.");

static PyObject *
req_wsgi_start_response(MpRequestObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"status", "headers", "exc_info", NULL};
    PyObject *status, *headers, *exc_info = Py_None;
    request_rec *r;
    wsgi_state *s;
    int begun;

    if (!PyArg_ParseTupleAndKeywords(args, kw, "OO|O:wsgi_start_response",
                                     kwlist, &status, &headers, &exc_info)) {
        return NULL;
    }
    if ((r = mp_request_rec((PyObject *)self)) == NULL
        || (s = state_of(r)) == NULL) {
        return NULL;
    }
    /* Output written with req.write counts as begun, as in 3.5. */
    begun = r->sent_bodyct || self->bytes_queued > 0;
    s->sent = begun;
    if (take_response(r, s, status, headers, exc_info, 0) < 0) {
        return NULL;
    }
    if (exc_info != Py_None) {
        /* Error page before any output: start the response over. */
        apr_table_clear(r->headers_out);
    }
    if (apply_response(self, r, s) < 0) {
        return NULL;
    }
    s->sent = begun;        /* applied, but no body may be out yet */
    return PyObject_GetAttrString((PyObject *)self, "write");
}

PyDoc_STRVAR(wsgi_send_doc,
"_wsgi_send(result)\n--\n\n"
"Write the iterable result of a WSGI application: the items of a list\n"
"or tuple without flushing, those of other iterables each flushed.  The\n"
"response is applied before the first non-empty item, or at the end;\n"
"RuntimeError if start_response() was never called.  Does not call\n"
"result.close().");

static PyObject *
req_wsgi_send(MpRequestObject *self, PyObject *result)
{
    request_rec *r = mp_request_rec((PyObject *)self);
    PyObject *it, *item;
    wsgi_state *s;
    Py_ssize_t i;
    int rc;

    if (r == NULL || (s = state_of(r)) == NULL) {
        return NULL;
    }
    if (PyList_CheckExact(result) || PyTuple_CheckExact(result)) {
        for (i = 0; i < PySequence_Fast_GET_SIZE(result); i++) {
            item = Py_NewRef(PySequence_Fast_GET_ITEM(result, i));
            rc = send_data(self, r, s, item, 0);
            Py_DECREF(item);
            if (rc < 0) {
                return NULL;
            }
        }
    }
    else {
        int flush = !(PyList_Check(result) || PyTuple_Check(result));

        if ((it = PyObject_GetIter(result)) == NULL) {
            return NULL;
        }
        while ((item = PyIter_Next(it)) != NULL) {
            rc = send_data(self, r, s, item, flush);
            Py_DECREF(item);
            if (rc < 0) {
                break;
            }
        }
        Py_DECREF(it);
        if (PyErr_Occurred()) {
            return NULL;
        }
    }
    if (!s->sent && apply_response(self, r, s) < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

PyDoc_STRVAR(wsgi_headers_doc,
"_wsgi_headers()\n--\n\n"
"Apply the response of _wsgi_start_response() now (if not yet done) and\n"
"return its Content-Length, or -1 when none was given.");

static PyObject *
req_wsgi_headers(MpRequestObject *self, PyObject *unused)
{
    request_rec *r = mp_request_rec((PyObject *)self);
    wsgi_state *s;

    (void)unused;
    if (r == NULL || (s = state_of(r)) == NULL) {
        return NULL;
    }
    if (!s->sent && apply_response(self, r, s) < 0) {
        return NULL;
    }
    return PyLong_FromLongLong((long long)s->content_length);
}

PyMethodDef mp_request_wsgi_methods[] = {
    {"build_wsgi_env", FN(req_build_wsgi_env), METH_NOARGS,
     build_wsgi_env_doc},
    {"wsgi_start_response", FN(req_wsgi_start_response),
     METH_VARARGS | METH_KEYWORDS, wsgi_start_response_doc},
    {"_wsgi_options", FN(req_wsgi_options), METH_NOARGS, wsgi_options_doc},
    {"_wsgi_flags", FN(req_wsgi_flags), METH_NOARGS, wsgi_flags_doc},
    {"_wsgi_environ", FN(req_wsgi_environ), METH_VARARGS, wsgi_environ_doc},
    {"_wsgi_start_response", FN(req_wsgi_fast_start_response),
     METH_VARARGS | METH_KEYWORDS, wsgi_fast_start_response_doc},
    {"_wsgi_write", FN(req_wsgi_write), METH_O, wsgi_write_doc},
    {"_wsgi_send", FN(req_wsgi_send), METH_O, wsgi_send_doc},
    {"_wsgi_headers", FN(req_wsgi_headers), METH_NOARGS, wsgi_headers_doc},
    {NULL, NULL, 0, NULL}
};
