/*
 * mp_module.c: the _apache built-in module: state, exec slot, functions and
 * constants.  See mp_module.h for the contract.
 */
#include "mp_module.h"
#include "mp_filter.h"
#include "mp_finfo.h"
#include "mp_hlist.h"
#include "mp_interp.h"
#include "mp_mutex.h"
#include "mp_request.h"
#include "mp_request_conf.h"
#include "mp_request_filter.h"
#include "mp_request_input.h"
#include "mp_request_io.h"
#include "mp_request_wsgi.h"
#include "mp_connection.h"
#include "mp_server.h"
#include "mp_socache.h"
#include "mp_table.h"
#include "mp_util.h"
#include "mp_version.h"

#include "http_main.h"


/* ------------------------------------------------------------------ */
/* functions                                                          */
/* ------------------------------------------------------------------ */

/* server_rec behind an mp_server object, or the main server for None. */
static server_rec *
server_arg(PyObject *module, PyObject *obj)
{
    MpModuleState *st = mp_module_state(module);

    if (obj == NULL || obj == Py_None) {
        return mp_interp_main_server();
    }
    if (!PyObject_TypeCheck(obj, st->server_type)) {
        PyErr_SetString(PyExc_TypeError, "server must be an mp_server");
        return NULL;
    }
    return ((MpServerObject *)obj)->s;
}

PyDoc_STRVAR(log_error_doc,
"log_error(message, level=APLOG_ERR, server=None)\n--\n\n"
"Write message to the error log of server (the main server by default).");

static PyObject *
mp_log_error(PyObject *module, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"message", "level", "server", NULL};
    PyObject *msg, *srv = NULL, *bytes;
    int level = APLOG_ERR;
    server_rec *s;

    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|iO:log_error", kwlist,
                                     &msg, &level, &srv)) {
        return NULL;
    }
    if (msg == Py_None) {
        Py_RETURN_NONE;
    }
    if ((s = server_arg(module, srv)) == NULL) {
        return NULL;
    }
    if (!PyUnicode_Check(msg) && !PyBytes_Check(msg)) {
        bytes = PyObject_Bytes(msg);
    }
    else if (!mp_log_message(msg, &bytes)) {
        bytes = NULL;
    }
    if (bytes == NULL) {
        return NULL;
    }
    MP_BLOCKING_BEGIN
    ap_log_error(APLOG_MARK, level, 0, s, "%s", PyBytes_AS_STRING(bytes));
    MP_BLOCKING_END
    Py_DECREF(bytes);
    Py_RETURN_NONE;
}

PyDoc_STRVAR(server_root_doc,
"server_root()\n--\n\nThe ServerRoot directory.");

static PyObject *
mp_server_root(PyObject *module, PyObject *unused)
{
    (void)module;
    (void)unused;
    return mp_str_from_c(ap_server_root, -1);
}

PyDoc_STRVAR(mpm_query_doc,
"mpm_query(code)\n--\n\nAsk the MPM: one of the AP_MPMQ_* codes.");

static PyObject *
mp_mpm_query(PyObject *module, PyObject *arg)
{
    int code, result = 0;

    (void)module;
    if (!PyLong_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "mpm_query() takes an int");
        return NULL;
    }
    code = PyLong_AsLong(arg);
    if (code == -1 && PyErr_Occurred()) {
        return NULL;
    }
    if (ap_mpm_query(code, &result) != APR_SUCCESS) {
        result = 0;
    }
    return PyLong_FromLong(result);
}

PyDoc_STRVAR(exists_config_define_doc,
"exists_config_define(name)\n--\n\nWhether httpd was started with -Dname.");

static PyObject *
mp_exists_config_define(PyObject *module, PyObject *arg)
{
    const char *name;

    (void)module;
    if (!PyUnicode_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "name must be a str");
        return NULL;
    }
    if ((name = PyUnicode_AsUTF8(arg)) == NULL) {
        return NULL;
    }
    return PyBool_FromLong(ap_exists_config_define(name));
}

/* List of (directive, args) tuples, each followed by a list of children. */
static PyObject *
config_list(const ap_directive_t *d)
{
    PyObject *list = PyList_New(0);

    if (list == NULL) {
        return NULL;
    }
    for (; d != NULL; d = d->next) {
        PyObject *item = Py_BuildValue("(ss)", d->directive, d->args);

        if (item == NULL || PyList_Append(list, item) < 0) {
            Py_XDECREF(item);
            goto error;
        }
        Py_DECREF(item);
        if (d->first_child != NULL) {
            PyObject *sub = config_list(d->first_child);

            if (sub == NULL || PyList_Append(list, sub) < 0) {
                Py_XDECREF(sub);
                goto error;
            }
            Py_DECREF(sub);
        }
    }
    return list;
error:
    Py_DECREF(list);
    return NULL;
}

PyDoc_STRVAR(config_tree_doc,
"config_tree()\n--\n\nThe parsed server configuration as nested lists.");

static PyObject *
mp_config_tree(PyObject *module, PyObject *unused)
{
    (void)module;
    (void)unused;
    return config_list(ap_conftree);
}

PyDoc_STRVAR(register_cleanup_doc,
"register_cleanup(interpreter, server, callable, data=None)\n--\n\n"
"Call callable(data) when the child process exits.  It runs in the\n"
"interpreter that registered it, the only one its objects belong to.");

static PyObject *
mp_register_cleanup(PyObject *module, PyObject *args)
{
    PyObject *name, *server, *callable, *data = Py_None, *pair;
    mp_interp *ip;
    int rc;

    (void)module;
    if (!PyArg_ParseTuple(args, "OOO|O:register_cleanup", &name, &server,
                          &callable, &data)) {
        return NULL;
    }
    if (!PyCallable_Check(callable)) {
        PyErr_SetString(PyExc_ValueError, "cleanup object is not callable");
        return NULL;
    }
    ip = mp_interp_current();
    if (ip == NULL || ip->cleanups == NULL) {
        PyErr_SetString(PyExc_RuntimeError,
                        "no mod_python interpreter is current");
        return NULL;
    }
    if ((pair = PyTuple_Pack(2, callable, data)) == NULL) {
        return NULL;
    }
    rc = PyList_Append(ip->cleanups, pair);
    Py_DECREF(pair);
    if (rc < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyMethodDef mp_module_methods[] = {
    {"log_error", (PyCFunction)(void (*)(void))mp_log_error,
     METH_VARARGS | METH_KEYWORDS, log_error_doc},
    {"server_root", mp_server_root, METH_NOARGS, server_root_doc},
    {"mpm_query", mp_mpm_query, METH_O, mpm_query_doc},
    {"exists_config_define", mp_exists_config_define, METH_O,
     exists_config_define_doc},
    {"config_tree", mp_config_tree, METH_NOARGS, config_tree_doc},
    {"register_cleanup", mp_register_cleanup, METH_VARARGS,
     register_cleanup_doc},
    {"_global_lock", mp_mutex_lock, METH_VARARGS,
     "_global_lock(server, key, index=-1)\n--\n\nTake a global mutex."},
    {"_global_trylock", mp_mutex_trylock, METH_VARARGS,
     "_global_trylock(server, key, index=-1)\n--\n\n"
     "Take a global mutex if it is free; True on success."},
    {"_global_unlock", mp_mutex_unlock, METH_VARARGS,
     "_global_unlock(server, key, index=-1)\n--\n\nRelease a global mutex."},
    {"stat", mp_finfo_stat, METH_VARARGS,
     "stat(fname, wanted)\n--\n\nFile information as an mp_finfo."},
    {NULL, NULL, 0, NULL}
};

/* ------------------------------------------------------------------ */
/* exec slot                                                          */
/* ------------------------------------------------------------------ */

static const struct {
    const char *name;
    long value;
} mp_int_constants[] = {
    {"AP_CONN_UNKNOWN", AP_CONN_UNKNOWN},
    {"AP_CONN_CLOSE", AP_CONN_CLOSE},
    {"AP_CONN_KEEPALIVE", AP_CONN_KEEPALIVE},
    {"APR_NOFILE", APR_NOFILE},
    {"APR_REG", APR_REG},
    {"APR_DIR", APR_DIR},
    {"APR_CHR", APR_CHR},
    {"APR_BLK", APR_BLK},
    {"APR_PIPE", APR_PIPE},
    {"APR_LNK", APR_LNK},
    {"APR_SOCK", APR_SOCK},
    {"APR_UNKFILE", APR_UNKFILE},
    {"MODULE_MAGIC_NUMBER_MAJOR", MODULE_MAGIC_NUMBER_MAJOR},
    {"MODULE_MAGIC_NUMBER_MINOR", MODULE_MAGIC_NUMBER_MINOR},
    {NULL, 0}
};

/* The request type's methods defined beside their subject. */
static PyMethodDef *request_slices[] = {
    mp_request_conf_methods,
    mp_request_input_methods,
    mp_request_io_methods,
    mp_request_wsgi_methods,
    mp_request_filter_methods,
    NULL
};

static int
mp_module_exec(PyObject *module)
{
    MpModuleState *st = mp_module_state(module);
    int i;

    st->server_return = PyErr_NewExceptionWithDoc(
        "_apache.SERVER_RETURN",
        "Raise with a status code, or (code, status), to end a handler.",
        NULL, NULL);
    if (st->server_return == NULL
        || PyModule_AddObjectRef(module, "SERVER_RETURN",
                                 st->server_return) < 0) {
        return -1;
    }
    if (mp_table_init(module, st) < 0
        || mp_request_conf_init(module, st) < 0
        || mp_request_init(module, st, request_slices) < 0
        || mp_server_init(module, st) < 0
        || mp_connection_init(module, st) < 0
        || mp_hlist_init(module, st) < 0
        || mp_filter_init(module, st) < 0
        || mp_finfo_init(module, st) < 0
        || mp_socache_init(module) < 0) {
        return -1;
    }
    for (i = 0; i < MP_KIND_COUNT; i++) {
        st->phase_names[i] = PyUnicode_InternFromString(
            mp_phase_directive[i]);
        if (st->phase_names[i] == NULL) {
            return -1;
        }
    }
    for (i = 0; mp_int_constants[i].name != NULL; i++) {
        if (PyModule_AddIntConstant(module, mp_int_constants[i].name,
                                    mp_int_constants[i].value) < 0) {
            return -1;
        }
    }
    if (PyModule_AddStringConstant(module, "version", MP_VERSION_STRING) < 0) {
        return -1;
    }
    return 0;
}

static int
mp_module_traverse(PyObject *module, visitproc visit, void *arg)
{
    MpModuleState *st = mp_module_state(module);
    int i;

    Py_VISIT(st->request_type);
    Py_VISIT(st->table_type);
    Py_VISIT(st->table_iter_type);
    Py_VISIT(st->server_type);
    Py_VISIT(st->connection_type);
    Py_VISIT(st->hlist_type);
    Py_VISIT(st->filter_type);
    Py_VISIT(st->finfo_type);
    Py_VISIT(st->settings_type);
    Py_VISIT(st->server_return);
    Py_VISIT(st->resolve);
    Py_VISIT(st->report);
    Py_VISIT(st->resolve_kwnames);
    Py_VISIT(st->handler_cache);
    for (i = 0; i < MP_KIND_COUNT; i++) {
        Py_VISIT(st->phase_names[i]);
    }
    return 0;
}

static int
mp_module_clear(PyObject *module)
{
    MpModuleState *st = mp_module_state(module);
    int i;

    Py_CLEAR(st->request_type);
    Py_CLEAR(st->table_type);
    Py_CLEAR(st->table_iter_type);
    Py_CLEAR(st->server_type);
    Py_CLEAR(st->connection_type);
    Py_CLEAR(st->hlist_type);
    Py_CLEAR(st->filter_type);
    Py_CLEAR(st->finfo_type);
    Py_CLEAR(st->settings_type);
    Py_CLEAR(st->server_return);
    Py_CLEAR(st->resolve);
    Py_CLEAR(st->report);
    Py_CLEAR(st->resolve_kwnames);
    Py_CLEAR(st->handler_cache);
    for (i = 0; i < MP_KIND_COUNT; i++) {
        Py_CLEAR(st->phase_names[i]);
    }
    return 0;
}

static void
mp_module_free(void *module)
{
    mp_module_clear((PyObject *)module);
}

static PyModuleDef_Slot mp_module_slots[] = {
    {Py_mod_exec, mp_module_exec},
#if PY_VERSION_HEX >= 0x030C0000
    /* 3.12+: safe in sub-interpreters; all state is per module object. */
    {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
#endif
    {0, NULL}
};

PyDoc_STRVAR(mp_module_doc,
"Low-level interface between Apache httpd and mod_python.");

PyModuleDef mp_module_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_apache",
    .m_doc = mp_module_doc,
    .m_size = sizeof(MpModuleState),
    .m_methods = mp_module_methods,
    .m_slots = mp_module_slots,
    .m_traverse = mp_module_traverse,
    .m_clear = mp_module_clear,
    .m_free = mp_module_free,
};

PyMODINIT_FUNC
mp_module_initfunc(void)
{
    return PyModuleDef_Init(&mp_module_def);
}
