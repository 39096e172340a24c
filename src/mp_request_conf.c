/*
 * mp_request_conf.c: the request methods about configuration, handlers,
 * cleanups and logging (get_config, get_options, add_handler,
 * register_cleanup, log_error, construct_url, get_addhandler_exts).
 * mp_request_init() adds
 * mp_request_conf_methods to the type.  See mp_request.h for ownership and
 * lifetime.
 */
#include "mp_request_conf.h"
#include "mp_config.h"
#include "mp_reqstate.h"
#include "mp_table.h"
#include "mp_interp.h"
#include "mp_util.h"

/* ------------------------------------------------------------------ */
/* configuration, handlers, logging, cleanups                         */
/* ------------------------------------------------------------------ */

/* Keep an older view alive until the request ends, when it is detached:
 * a handler may still hold it, and its table lives in the request pool. */
static int
retire(MpRequestObject *self, PyObject **slot)
{
    if (*slot == NULL) {
        return 0;
    }
    if (self->retired == NULL && (self->retired = PyList_New(0)) == NULL) {
        return -1;
    }
    if (PyList_Append(self->retired, *slot) < 0) {
        return -1;
    }
    Py_CLEAR(*slot);
    return 0;
}

static PyObject *
config_view(MpRequestObject *self, request_rec *r, int options)
{
    MpModuleState *st = mp_state_from_type(Py_TYPE(self));
    mp_dir_config *d = mp_config_dir(r->per_dir_config);

    if (st == NULL) {
        return NULL;
    }
    if (d == NULL) {
        PyErr_SetString(PyExc_RuntimeError,
                        "no mod_python configuration for this request");
        return NULL;
    }
    /* The merged configuration changes between phases (server, then
     * directory sections); the copies are made again when it did. */
    if (self->config_of != r->per_dir_config) {
        if (retire(self, &self->config) < 0
            || retire(self, &self->options) < 0) {
            return NULL;
        }
        self->config_of = r->per_dir_config;
    }
    if (options && self->options == NULL) {
        self->options = mp_table_view(st, mp_config_live_options(r->pool, d),
                                      r->pool);
    }
    else if (!options && self->config == NULL) {
        self->config = mp_table_view(st, apr_table_copy(r->pool,
                                                        d->directives),
                                     r->pool);
    }
    return Py_XNewRef(options ? self->options : self->config);
}

PyDoc_STRVAR(get_config_doc,
"get_config()\n--\n\n"
"Table of the merged Python* directives (PythonDebug, PythonPath, ...).");

static PyObject *
req_get_config(MpRequestObject *self, PyObject *unused)
{
    request_rec *r = mp_request_rec((PyObject *)self);

    (void)unused;
    return r ? config_view(self, r, 0) : NULL;
}

PyDoc_STRVAR(get_options_doc,
"get_options()\n--\n\nTable of the merged PythonOption values.");

static PyObject *
req_get_options(MpRequestObject *self, PyObject *unused)
{
    request_rec *r = mp_request_rec((PyObject *)self);

    (void)unused;
    return r ? config_view(self, r, 1) : NULL;
}

static PyStructSequence_Field settings_fields[] = {
    {"python_path", "PythonPath expression, or None"},
    {"interpreter", "PythonInterpreter, or None"},
    {"debug", "PythonDebug is On"},
    {"pdb", "PythonEnablePdb is On"},
    {"autoreload", "PythonAutoReload is not Off"},
    {NULL, NULL}
};

static PyStructSequence_Desc settings_desc = {
    "_apache.settings",
    "The Python* directives in effect, as the dispatcher reads them.",
    settings_fields,
    5,
};

int
mp_request_conf_init(PyObject *module, MpModuleState *st)
{
    st->settings_type = PyStructSequence_NewType(&settings_desc);
    if (st->settings_type == NULL) {
        return -1;
    }
    return PyModule_AddType(module, st->settings_type);
}

PyObject *
mp_request_settings(MpModuleState *st, const mp_settings *set)
{
    PyObject *obj = PyStructSequence_New(st->settings_type);
    PyObject *path, *interp;

    if (obj == NULL) {
        return NULL;
    }
    path = set->python_path ? PyUnicode_FromString(set->python_path)
                            : Py_NewRef(Py_None);
    interp = set->interpreter ? PyUnicode_FromString(set->interpreter)
                              : Py_NewRef(Py_None);
    if (path == NULL || interp == NULL) {
        Py_XDECREF(path);
        Py_XDECREF(interp);
        Py_DECREF(obj);
        return NULL;
    }
    PyStructSequence_SET_ITEM(obj, 0, path);
    PyStructSequence_SET_ITEM(obj, 1, interp);
    PyStructSequence_SET_ITEM(obj, 2, PyBool_FromLong(set->debug == 1));
    PyStructSequence_SET_ITEM(obj, 3, PyBool_FromLong(set->enable_pdb == 1));
    PyStructSequence_SET_ITEM(obj, 4,
                              PyBool_FromLong(MP_FLAG(set->autoreload, 1)));
    return obj;
}

PyDoc_STRVAR(settings_doc,
"_settings()\n--\n\n"
"The Python* directives in effect for this request, as the dispatcher\n"
"reads them (an _apache.settings), without copying any table.");

static PyObject *
req_settings(MpRequestObject *self, PyObject *unused)
{
    MpModuleState *st = mp_state_from_type(Py_TYPE(self));
    request_rec *r = mp_request_rec((PyObject *)self);
    mp_dir_config *d;

    (void)unused;
    if (st == NULL || r == NULL) {
        return NULL;
    }
    if ((d = mp_config_dir(r->per_dir_config)) == NULL) {
        PyErr_SetString(PyExc_RuntimeError,
                        "no mod_python configuration for this request");
        return NULL;
    }
    return mp_request_settings(st, &d->settings);
}

PyDoc_STRVAR(add_handler_doc,
"add_handler(phase, handler, dir=None)\n--\n\n"
"Run handler ('module[::object]') in phase for this request.");

static PyObject *
req_add_handler(MpRequestObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"phase", "handler", "dir", NULL};
    PyObject *phase, *handler, *dir = Py_None;
    const char *cphase, *chandler, *cdir;
    request_rec *r;

    if (!PyArg_ParseTupleAndKeywords(args, kw, "OO|O:add_handler", kwlist,
                                     &phase, &handler, &dir)) {
        return NULL;
    }
    if ((r = mp_request_rec((PyObject *)self)) == NULL
        || (cphase = mp_str_to_c(r->pool, phase, 0)) == NULL
        || (chandler = mp_str_to_c(r->pool, handler, 0)) == NULL) {
        return NULL;
    }
    cdir = mp_str_to_c(r->pool, dir, 1);
    if (cdir == NULL && PyErr_Occurred()) {
        return NULL;
    }
    if (mp_reqstate_add_handler(r, cphase, chandler, cdir) < 0) {
        PyErr_Format(PyExc_IndexError, "Invalid phase: %s", cphase);
        return NULL;
    }
    Py_RETURN_NONE;
}

PyDoc_STRVAR(register_cleanup_doc,
"register_cleanup(callable, data=None)\n--\n\n"
"Call callable(data) when the request ends, in this interpreter.");

static PyObject *
req_register_cleanup(MpRequestObject *self, PyObject *args)
{
    PyObject *callable, *data = Py_None, *pair;
    int rc;

    if (!PyArg_ParseTuple(args, "O|O:register_cleanup", &callable, &data)) {
        return NULL;
    }
    if (mp_request_rec((PyObject *)self) == NULL) {
        return NULL;
    }
    if (!PyCallable_Check(callable)) {
        PyErr_SetString(PyExc_ValueError,
                        "first argument must be a callable object");
        return NULL;
    }
    if (self->cleanups == NULL && (self->cleanups = PyList_New(0)) == NULL) {
        return NULL;
    }
    if ((pair = PyTuple_Pack(2, callable, data)) == NULL) {
        return NULL;
    }
    rc = PyList_Append(self->cleanups, pair);
    Py_DECREF(pair);
    if (rc < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

PyDoc_STRVAR(log_error_doc,
"log_error(message, level=APLOG_ERR)\n--\n\n"
"Write message to the error log, with this request's context.");

static PyObject *
req_log_error(MpRequestObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"message", "level", NULL};
    PyObject *obj, *msg;
    int level = APLOG_ERR;
    request_rec *r;

    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|i:log_error", kwlist, &obj,
                                     &level)
        || !mp_log_message(obj, &msg)) {
        return NULL;
    }
    if ((r = mp_request_rec((PyObject *)self)) == NULL) {
        Py_DECREF(msg);
        return NULL;
    }
    MP_BLOCKING_BEGIN
    ap_log_rerror(APLOG_MARK, level, 0, r, "%s",
                  PyBytes_AS_STRING(msg));
    MP_BLOCKING_END
    Py_DECREF(msg);
    Py_RETURN_NONE;
}

PyDoc_STRVAR(construct_url_doc,
"construct_url(uri)\n--\n\n"
"scheme://host[:port]uri for this server (default port left out).");

static PyObject *
req_construct_url(MpRequestObject *self, PyObject *arg)
{
    request_rec *r = mp_request_rec((PyObject *)self);
    const char *uri;

    if (r == NULL || (uri = mp_str_to_c(r->pool, arg, 0)) == NULL) {
        return NULL;
    }
    return mp_str_from_c(ap_construct_url(r->pool, uri, r), -1);
}

#define KW (METH_VARARGS | METH_KEYWORDS)
#define FN(f) ((PyCFunction)(void (*)(void))(f))

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

PyMethodDef mp_request_conf_methods[] = {
    {"get_addhandler_exts", FN(req_get_addhandler_exts), METH_NOARGS,
     get_addhandler_exts_doc},
    {"construct_url", FN(req_construct_url), METH_O, construct_url_doc},
    {"get_config", FN(req_get_config), METH_NOARGS, get_config_doc},
    {"get_options", FN(req_get_options), METH_NOARGS, get_options_doc},
    {"_settings", FN(req_settings), METH_NOARGS, settings_doc},
    {"add_handler", FN(req_add_handler), KW, add_handler_doc},
    {"register_cleanup", FN(req_register_cleanup), METH_VARARGS,
     register_cleanup_doc},
    {"log_error", FN(req_log_error), KW, log_error_doc},
    {NULL, NULL, 0, NULL}
};
