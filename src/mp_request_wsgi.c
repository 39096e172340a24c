/*
 * mp_request_wsgi.c: the request methods that serve mod_python.wsgi and
 * the publisher: build_wsgi_env(), wsgi_start_response() and
 * get_addhandler_exts().  The type is in mp_request.c, which adds
 * mp_request_wsgi_methods from here to it.
 *
 * All three start with mp_request_rec(), so an expired request raises
 * RuntimeError.  None of them blocks, so none releases the GIL.
 */
#include "mp_request.h"
#include "mp_config.h"
#include "mp_hlist.h"
#include "mp_util.h"

#include <strings.h>

/* ------------------------------------------------------------------ */
/* build_wsgi_env                                                     */
/* ------------------------------------------------------------------ */

/* SCRIPT_NAME prefix for r (spec 3.4), allocated from r->pool.  Returns
 * "" when there is none; sets *outside when a base_uri is configured and
 * the URI is not below it.  NULL with ValueError for a bad base_uri. */
static const char *
script_name_of(MpRequestObject *self, request_rec *r, int *outside)
{
    mp_dir_config *d = mp_config_dir(r->per_dir_config);
    const char *base = NULL, *uri = r->uri ? r->uri : "";
    apr_size_t n;
    MpHlistObject *hl;

    *outside = 0;
    if (d != NULL) {
        base = apr_table_get(d->options, "mod_python.wsgi.base_uri");
    }
    if (base != NULL && *base != '\0') {
        n = strlen(base);
        if (base[n - 1] == '/') {
            PyErr_Format(PyExc_ValueError,
                         "PythonOption mod_python.wsgi.base_uri must not "
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
    if (base != NULL) {
        return "";      /* an explicitly empty base_uri */
    }
    hl = (MpHlistObject *)self->hlist;
    if (hl != NULL && hl->cur != NULL && hl->cur->is_location
        && hl->cur->directory != NULL) {
        char *loc = apr_pstrdup(r->pool, hl->cur->directory);

        n = strlen(loc);
        while (n > 0 && loc[n - 1] == '/') {
            loc[--n] = '\0';
        }
        /* A regex or wildcard Location is no usable prefix. */
        if (strncmp(uri, loc, n) == 0 && (uri[n] == '\0' || uri[n] == '/')) {
            return loc;
        }
    }
    return "";
}

/* dict[key] = str(value); 0 or -1. */
static int
env_set(PyObject *env, const char *key, const char *value)
{
    PyObject *v = mp_str_from_c(value, -1);
    int rc;

    if (v == NULL) {
        return -1;
    }
    rc = PyDict_SetItemString(env, key, v);
    Py_DECREF(v);
    return rc;
}

/* dict[key] = new reference v (stolen); 0 or -1. */
static int
env_steal(PyObject *env, const char *key, PyObject *v)
{
    int rc;

    if (v == NULL) {
        return -1;
    }
    rc = PyDict_SetItemString(env, key, v);
    Py_DECREF(v);
    return rc;
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
    const char *script, *uri, *https, *auth;
    const apr_array_header_t *arr;
    const apr_table_entry_t *e;
    PyObject *env = NULL, *cgi = NULL;
    int outside, i, threaded, forked, daemons = 0;

    (void)unused;
    if (r == NULL || (script = script_name_of(self, r, &outside)) == NULL) {
        return NULL;
    }
    if (outside) {
        Py_RETURN_NONE;
    }
    uri = r->uri ? r->uri : "";
    r->path_info = apr_pstrdup(r->pool, uri + strlen(script));

    /* add_cgi_vars() lives in mp_request_io.c: call it as Python does. */
    if ((cgi = PyObject_CallMethod((PyObject *)self, "add_cgi_vars", NULL))
        == NULL) {
        return NULL;
    }
    Py_DECREF(cgi);
    if ((env = PyDict_New()) == NULL) {
        return NULL;
    }
    arr = apr_table_elts(r->subprocess_env);
    e = (const apr_table_entry_t *)arr->elts;
    for (i = 0; i < arr->nelts; i++) {
        if (e[i].key != NULL && env_set(env, e[i].key, e[i].val) < 0) {
            goto error;
        }
    }
    if (env_set(env, "SCRIPT_NAME", script) < 0
        || env_set(env, "PATH_INFO", r->path_info) < 0) {
        goto error;
    }
    auth = apr_table_get(r->headers_in, "Authorization");
    if (auth != NULL && env_set(env, "HTTP_AUTHORIZATION", auth) < 0) {
        goto error;
    }

    threaded = mpm_flag(AP_MPMQ_IS_THREADED) != AP_MPMQ_NOT_SUPPORTED;
    forked = mpm_flag(AP_MPMQ_IS_FORKED) != AP_MPMQ_NOT_SUPPORTED;
    if (ap_mpm_query(AP_MPMQ_MAX_DAEMONS, &daemons) != APR_SUCCESS) {
        daemons = 0;
    }
    https = apr_table_get(r->subprocess_env, "HTTPS");
    if (env_steal(env, "wsgi.version", Py_BuildValue("(ii)", 1, 0)) < 0
        || PyDict_SetItemString(env, "wsgi.input", (PyObject *)self) < 0
        || env_steal(env, "wsgi.errors", Py_XNewRef(PySys_GetObject(
                                                     "stderr"))) < 0
        || env_steal(env, "wsgi.multithread", PyBool_FromLong(threaded)) < 0
        || env_steal(env, "wsgi.multiprocess",
                     PyBool_FromLong(forked && daemons != 1)) < 0
        || env_steal(env, "wsgi.run_once", PyBool_FromLong(0)) < 0
        || env_set(env, "wsgi.url_scheme",
                   https != NULL && strcasecmp(https, "off") != 0
                   ? "https" : "http") < 0) {
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
/* wsgi_start_response                                                */
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

PyDoc_STRVAR(wsgi_start_response_doc,
"wsgi_start_response(status, headers, exc_info=None)\n--\n\n"
"WSGI start_response: sets req.status from the number of the status\n"
"line (and status_line to it), adds the (name, value) str pairs of\n"
"headers to headers_out (Content-Type sets content_type), and returns\n"
"req.write.  Unlike mod_python 3.5, a non-None exc_info is re-raised\n"
"only once output has started (PEP 3333); before that it replaces the\n"
"status and headers set earlier.  ValueError for a bad status line,\n"
"TypeError for headers that are not a list of (str, str) tuples.");

static PyObject *
req_wsgi_start_response(MpRequestObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"status", "headers", "exc_info", NULL};
    PyObject *status, *headers, *exc_info = Py_None, *item;
    const char *line, *name, *value;
    apr_table_t *out;
    request_rec *r;
    Py_ssize_t i, n;
    int code;

    if (!PyArg_ParseTupleAndKeywords(args, kw, "UO|O:wsgi_start_response",
                                     kwlist, &status, &headers, &exc_info)) {
        return NULL;
    }
    if ((r = mp_request_rec((PyObject *)self)) == NULL) {
        return NULL;
    }
    if (exc_info != Py_None) {
        if (!PyTuple_Check(exc_info) || PyTuple_GET_SIZE(exc_info) != 3) {
            PyErr_SetString(PyExc_TypeError, "exc_info must be None or a "
                            "(type, value, traceback) tuple");
            return NULL;
        }
        if (r->sent_bodyct || self->bytes_queued > 0) {
            return reraise(exc_info);
        }
    }
    if (!PyList_Check(headers)) {
        PyErr_Format(PyExc_TypeError, "headers must be a list, not %.100s",
                     Py_TYPE(headers)->tp_name);
        return NULL;
    }
    if ((line = mp_str_to_c(r->pool, status, 0)) == NULL
        || (code = status_code(line)) < 0) {
        return NULL;
    }
    /* Check every header before changing anything. */
    n = PyList_GET_SIZE(headers);
    for (i = 0; i < n; i++) {
        item = PyList_GET_ITEM(headers, i);
        if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 2
            || !PyUnicode_Check(PyTuple_GET_ITEM(item, 0))
            || !PyUnicode_Check(PyTuple_GET_ITEM(item, 1))) {
            PyErr_Format(PyExc_TypeError, "headers[%zd] must be a (str, str)"
                         " tuple, not %.100R", i, item);
            return NULL;
        }
    }
    out = apr_table_make(r->pool, (int)n + 1);
    for (i = 0; i < n; i++) {
        item = PyList_GET_ITEM(headers, i);
        if ((name = mp_str_to_c(r->pool, PyTuple_GET_ITEM(item, 0), 0))
            == NULL
            || (value = mp_str_to_c(r->pool, PyTuple_GET_ITEM(item, 1), 0))
            == NULL) {
            return NULL;
        }
        apr_table_addn(out, name, value);
    }
    if (exc_info != Py_None) {
        /* Error page before any output: start the response over. */
        apr_table_clear(r->headers_out);
    }
    /* Defect 3: httpd 2.4 ignores a status_line whose number differs from
     * r->status, so set both. */
    r->status = code;
    r->status_line = line;
    {
        const apr_array_header_t *arr = apr_table_elts(out);
        const apr_table_entry_t *e = (const apr_table_entry_t *)arr->elts;

        for (i = 0; i < arr->nelts; i++) {
            if (strcasecmp(e[i].key, "Content-Type") == 0) {
                /* httpd takes the type from r->content_type only. */
                ap_set_content_type(r, e[i].val);
                self->content_type_set = 1;
            }
            else {
                apr_table_addn(r->headers_out, e[i].key, e[i].val);
            }
        }
    }
    return PyObject_GetAttrString((PyObject *)self, "write");
}

/* ------------------------------------------------------------------ */
/* get_addhandler_exts                                                */
/* ------------------------------------------------------------------ */

/* Whether the <Directory "path"> sections around d could apply to a
 * request for filename: plain paths must be a prefix of it; regex and
 * wildcard sections, and all other kinds, are assumed to apply. */
static int
sections_apply(apr_pool_t *pool, const ap_directive_t *d,
               const char *filename)
{
    const ap_directive_t *p;

    if (filename == NULL) {
        return 1;
    }
    for (p = d->parent; p != NULL; p = p->parent) {
        const char *w = p->args;
        char *path;
        apr_size_t n;

        if (strcasecmp(p->directive, "<Directory") != 0 || w == NULL) {
            continue;
        }
        path = ap_getword_conf(pool, &w);
        n = strlen(path);
        if (n > 0 && path[n - 1] == '>') {
            path[--n] = '\0';
        }
        if (*path == '~' || strpbrk(path, "*?[") != NULL) {
            continue;
        }
        while (n > 1 && path[n - 1] == '/') {
            path[--n] = '\0';
        }
        if (strncmp(filename, path, n) != 0
            || (filename[n] != '\0' && filename[n] != '/'
                && !(n == 1 && path[0] == '/'))) {
            return 0;
        }
    }
    return 1;
}

/* Append the extensions of every "AddHandler mod_python|python-program
 * .ext..." below d (depth first) to buf. */
static void
collect_exts(request_rec *r, const ap_directive_t *d, char **buf)
{
    for (; d != NULL; d = d->next) {
        if (strcasecmp(d->directive, "AddHandler") == 0 && d->args != NULL) {
            const char *w = d->args;
            char *handler = ap_getword_conf(r->pool, &w), *ext;

            if ((strcasecmp(handler, "mod_python") == 0
                 || strcasecmp(handler, "python-program") == 0)
                && sections_apply(r->pool, d, r->filename)) {
                while (*(ext = ap_getword_conf(r->pool, &w)) != '\0') {
                    /* mod_mime's keys: no leading dot, lower case */
                    if (*ext == '.') {
                        ext++;
                    }
                    ap_str_tolower(ext);
                    *buf = **buf ? apr_pstrcat(r->pool, *buf, " ", ext, NULL)
                                 : ext;
                }
            }
        }
        if (d->first_child != NULL) {
            collect_exts(r, d->first_child, buf);
        }
    }
}

PyDoc_STRVAR(get_addhandler_exts_doc,
"get_addhandler_exts()\n--\n\n"
"Space-separated extensions (without the dot, lower case, as mod_mime\n"
"keeps them) that AddHandler maps to mod_python or python-program; ''\n"
"if none.  mod_mime's per-directory tables are private to it, so this\n"
"reads the parsed configuration instead: it finds the AddHandler lines\n"
"of the main config files (not .htaccess), skipping those inside a\n"
"<Directory path> that filename is not under; other sections are not\n"
"checked, so an extension may be listed for a request it does not\n"
"apply to.");

static PyObject *
req_get_addhandler_exts(MpRequestObject *self, PyObject *unused)
{
    request_rec *r = mp_request_rec((PyObject *)self);
    char *buf = "";

    (void)unused;
    if (r == NULL) {
        return NULL;
    }
    collect_exts(r, ap_conftree, &buf);
    return mp_str_from_c(buf, -1);
}

#define FN(f) ((PyCFunction)(void (*)(void))(f))

PyMethodDef mp_request_wsgi_methods[] = {
    {"build_wsgi_env", FN(req_build_wsgi_env), METH_NOARGS,
     build_wsgi_env_doc},
    {"wsgi_start_response", FN(req_wsgi_start_response),
     METH_VARARGS | METH_KEYWORDS, wsgi_start_response_doc},
    {"get_addhandler_exts", FN(req_get_addhandler_exts), METH_NOARGS,
     get_addhandler_exts_doc},
    {NULL, NULL, 0, NULL}
};
