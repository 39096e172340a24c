/*
 * mp_server.c: the _apache.mp_server type over a server_rec.  See
 * mp_server.h: a server_rec lives as long as the child's configuration, so
 * the object needs no invalidation.  All attributes are read-only; the
 * object has a __dict__ for handlers' own attributes.  get_options() is a
 * live view of the child's private copy of the server's options (see
 * mp_server_child_init).
 */
#include "mp_server.h"
#include "mp_config.h"
#include "mp_table.h"
#include "mp_interp.h"
#include "mp_owngil.h"
#include "mp_util.h"

#include "scoreboard.h"
#include "structmember.h"

typedef enum {
    MP_S_STR,       /* const char * */
    MP_S_INT,       /* int */
    MP_S_UINT,      /* unsigned */
    MP_S_CHAR,      /* char (is_virtual) */
    MP_S_PORT,      /* apr_port_t */
    MP_S_INTERVAL,  /* apr_interval_time_t, as float seconds */
    MP_S_ARRAY      /* apr_array_header_t * of char *, as a tuple */
} mp_stype;

typedef struct {
    size_t off;     /* offset in server_rec */
    mp_stype type;
} mp_sfield;

PyObject *
mp_server_new(MpModuleState *st, server_rec *s)
{
    PyTypeObject *tp = st->server_type;
    MpServerObject *self;

    if (s == NULL) {
        Py_RETURN_NONE;
    }
    if ((self = (MpServerObject *)tp->tp_alloc(tp, 0)) == NULL) {
        return NULL;
    }
    self->s = s;
    return (PyObject *)self;
}

static int
srv_traverse(MpServerObject *self, visitproc visit, void *arg)
{
    Py_VISIT(Py_TYPE(self));
    Py_VISIT(self->dict);
    return 0;
}

static int
srv_clear(MpServerObject *self)
{
    Py_CLEAR(self->dict);
    return 0;
}

static void
srv_dealloc(MpServerObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);

    PyObject_GC_UnTrack(self);
    srv_clear(self);
    tp->tp_free((PyObject *)self);
    Py_DECREF(tp);
}

/* ------------------------------------------------------------------ */
/* attributes                                                         */
/* ------------------------------------------------------------------ */

static PyObject *
srv_get_field(MpServerObject *self, void *closure)
{
    const mp_sfield *f = closure;
    char *p = (char *)self->s + f->off;

    switch (f->type) {
    case MP_S_STR:
        return mp_str_from_c(*(const char **)p, -1);
    case MP_S_INT:
        return PyLong_FromLong(*(int *)p);
    case MP_S_UINT:
        return PyLong_FromUnsignedLong(*(unsigned *)p);
    case MP_S_CHAR:
        return PyLong_FromLong(*(char *)p);
    case MP_S_PORT:
        return PyLong_FromLong(*(apr_port_t *)p);
    case MP_S_INTERVAL:
        return mp_time_to_float(*(apr_interval_time_t *)p);
    case MP_S_ARRAY:
        return mp_str_array_tuple(*(apr_array_header_t **)p);
    }
    Py_RETURN_NONE;
}

static PyObject *
srv_get_next(MpServerObject *self, void *closure)
{
    MpModuleState *st = mp_state_from_type(Py_TYPE(self));

    (void)closure;
    return st ? mp_server_new(st, self->s->next) : NULL;
}

static PyObject *
srv_get_loglevel(MpServerObject *self, void *closure)
{
    (void)closure;
    return PyLong_FromLong(self->s->log.level);
}

static PyObject *
srv_get_my_generation(MpServerObject *self, void *closure)
{
    int gen = 0;

    (void)self;
    (void)closure;
    if (ap_mpm_query(AP_MPMQ_GENERATION, &gen) != APR_SUCCESS) {
        gen = 0;
    }
    return PyLong_FromLong(gen);
}

static PyObject *
srv_get_restart_time(MpServerObject *self, void *closure)
{
    (void)self;
    (void)closure;
    if (ap_scoreboard_image == NULL || ap_scoreboard_image->global == NULL) {
        Py_RETURN_NONE;
    }
    return mp_time_to_float(ap_scoreboard_image->global->restart_time);
}

static PyObject *
srv_get_server_rec(MpServerObject *self, void *closure)
{
    (void)closure;
    return PyCapsule_New(self->s, "mod_python.server_rec", NULL);
}

#define SF(name, type, doc) \
    {#name, (getter)srv_get_field, NULL, doc, \
     (void *)&(const mp_sfield){offsetof(server_rec, name), type}}

static PyGetSetDef srv_getset[] = {
    SF(defn_name, MP_S_STR, "Config file where the server was defined."),
    SF(defn_line_number, MP_S_UINT, "Line where the server was defined."),
    SF(server_admin, MP_S_STR, "ServerAdmin."),
    SF(server_hostname, MP_S_STR, "ServerName."),
    SF(port, MP_S_PORT, "Port from ServerName (often 0)."),
    SF(error_fname, MP_S_STR, "ErrorLog file name."),
    {"loglevel", (getter)srv_get_loglevel, NULL, "LogLevel (APLOG_*).",
     NULL},
    SF(is_virtual, MP_S_CHAR, "1 for a virtual host."),
    SF(timeout, MP_S_INTERVAL, "Timeout (seconds)."),
    SF(keep_alive_timeout, MP_S_INTERVAL, "KeepAliveTimeout (seconds)."),
    SF(keep_alive_max, MP_S_INT, "MaxKeepAliveRequests."),
    SF(keep_alive, MP_S_INT, "KeepAlive on (1) or off (0)."),
    SF(path, MP_S_STR, "ServerPath."),
    SF(pathlen, MP_S_INT, "Length of path."),
    SF(names, MP_S_ARRAY, "ServerAlias names (tuple)."),
    SF(wild_names, MP_S_ARRAY, "ServerAlias names with wildcards (tuple)."),
    SF(limit_req_line, MP_S_INT, "LimitRequestLine."),
    SF(limit_req_fieldsize, MP_S_INT, "LimitRequestFieldSize."),
    SF(limit_req_fields, MP_S_INT, "LimitRequestFields."),
    {"next", (getter)srv_get_next, NULL, "Next server, or None.", NULL},
    {"my_generation", (getter)srv_get_my_generation, NULL,
     "Generation of this child (MPM).", NULL},
    {"restart_time", (getter)srv_get_restart_time, NULL,
     "Time of the last server restart (seconds).", NULL},
    {"_server_rec", (getter)srv_get_server_rec, NULL,
     "The server_rec (capsule).", NULL},
    {"__dict__", PyObject_GenericGetDict, PyObject_GenericSetDict, NULL,
     NULL},
    {NULL, NULL, NULL, NULL, NULL}
};

/* ------------------------------------------------------------------ */
/* the child's options tables                                         */
/* ------------------------------------------------------------------ */

/* Pool of the child's server options tables: created in child_init, before
 * any worker thread, with its own allocator, and afterwards used only with
 * the GIL held (one GIL for every interpreter of the process). */
static apr_pool_t *mp_options_pool;

/* Each server's options table as configured (pconf, read-only in the
 * child): what an interpreter with its own GIL copies for itself
 * (mp_owngil.h), since the live tables above are guarded by the main GIL
 * it does not hold.  Keyed by server_rec address; filled in child_init,
 * then read-only. */
static apr_hash_t *mp_configured_options;

apr_status_t
mp_server_child_init(apr_pool_t *pchild, server_rec *main_server)
{
    apr_allocator_t *alloc;
    apr_status_t rv;
    server_rec *s;

    rv = apr_allocator_create(&alloc);
    if (rv != APR_SUCCESS) {
        return rv;
    }
    rv = apr_pool_create_ex(&mp_options_pool, pchild, NULL, alloc);
    if (rv != APR_SUCCESS) {
        apr_allocator_destroy(alloc);
        return rv;
    }
    apr_allocator_owner_set(alloc, mp_options_pool);
    apr_pool_tag(mp_options_pool, "mp_server_options");
    /* Merging may share one table between servers (a vhost without
     * options of its own): each server gets its own copy, so a value
     * stored through one server's get_options() stays with that server. */
    mp_configured_options = apr_hash_make(mp_options_pool);
    for (s = main_server; s != NULL; s = s->next) {
        mp_srv_config *conf = mp_config_srv(s);

        if (conf != NULL) {
            server_rec **key = apr_pmemdup(mp_options_pool, &s, sizeof(s));

            apr_hash_set(mp_configured_options, key, sizeof(*key),
                         conf->options);
            conf->options = apr_table_copy(mp_options_pool, conf->options);
        }
    }
    return APR_SUCCESS;
}

/* ------------------------------------------------------------------ */
/* methods                                                            */
/* ------------------------------------------------------------------ */

/* Standalone copy of the server-level directives table. */
static PyObject *
srv_table(MpServerObject *self, int options)
{
    MpModuleState *st = mp_state_from_type(Py_TYPE(self));
    mp_srv_config *conf = mp_config_srv(self->s);
    PyObject *view, *res;

    if (st == NULL) {
        return NULL;
    }
    if (conf == NULL) {
        return PyObject_CallNoArgs((PyObject *)st->table_type);
    }
    view = mp_table_view(st, options ? conf->options : conf->directives,
                         self->s->process->pconf);
    if (view == NULL) {
        return NULL;
    }
    res = PyObject_CallOneArg((PyObject *)st->table_type, view);
    mp_table_detach(view);
    Py_DECREF(view);
    return res;
}

PyDoc_STRVAR(get_config_doc,
"get_config()\n--\n\n"
"Table of the Python* directives at this server's top level.");

static PyObject *
srv_get_config(MpServerObject *self, PyObject *unused)
{
    (void)unused;
    return srv_table(self, 0);
}

PyDoc_STRVAR(get_options_doc,
"get_options()\n--\n\n"
"Live table of the PythonOption values at this server's top level.\n\n"
"The table belongs to this child process and is shared by its threads\n"
"and interpreters: a value stored in it (e.g. by a PythonImport\n"
"function) is seen by later requests in this child.");

static PyObject *
srv_get_options(MpServerObject *self, PyObject *unused)
{
    MpModuleState *st = mp_state_from_type(Py_TYPE(self));
    mp_srv_config *conf = mp_config_srv(self->s);
    apr_table_t *own;
    apr_pool_t *pool = NULL;

    (void)unused;
    if (st == NULL) {
        return NULL;
    }
    if (conf == NULL || mp_options_pool == NULL) {
        /* Not in a child that ran child_init: a copy, as before. */
        return srv_table(self, 1);
    }
    /* An interpreter with its own GIL runs beside the others: it gets a
     * live table of its own (mp_owngil.h), not the shared one. */
    own = mp_owngil_options(self->s,
                            apr_hash_get(mp_configured_options, &self->s,
                                         sizeof(self->s)), &pool);
    if (own != NULL) {
        return mp_table_view(st, own, pool);
    }
    return mp_table_view(st, conf->options, mp_options_pool);
}

PyDoc_STRVAR(log_error_doc,
"log_error(message, level=APLOG_ERR)\n--\n\n"
"Write message to this server's error log.");

static PyObject *
srv_log_error(MpServerObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"message", "level", NULL};
    PyObject *obj, *msg;
    int level = APLOG_ERR;

    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|i:log_error", kwlist, &obj,
                                     &level)
        || !mp_log_message(obj, &msg)) {
        return NULL;
    }
    MP_BLOCKING_BEGIN
    ap_log_error(APLOG_MARK, level, 0, self->s, "%s",
                  PyBytes_AS_STRING(msg));
    MP_BLOCKING_END
    Py_DECREF(msg);
    Py_RETURN_NONE;
}

PyDoc_STRVAR(register_cleanup_doc,
"register_cleanup(req, callable, data=None)\n--\n\n"
"Call callable(data) when the child exits, in the current interpreter\n"
"(req is accepted for compatibility and not used).");

static PyObject *
srv_register_cleanup(MpServerObject *self, PyObject *args)
{
    PyObject *req, *callable, *data = Py_None, *apache, *res;

    (void)self;
    if (!PyArg_ParseTuple(args, "OO|O:register_cleanup", &req, &callable,
                          &data)) {
        return NULL;
    }
    if ((apache = PyImport_ImportModule("mod_python.apache")) == NULL) {
        return NULL;
    }
    res = PyObject_CallMethod(apache, "register_cleanup", "OO", callable,
                              data);
    Py_DECREF(apache);
    return res;
}

static PyMethodDef srv_methods[] = {
    {"get_config", (PyCFunction)srv_get_config, METH_NOARGS,
     get_config_doc},
    {"get_options", (PyCFunction)srv_get_options, METH_NOARGS,
     get_options_doc},
    {"log_error", (PyCFunction)(void (*)(void))srv_log_error,
     METH_VARARGS | METH_KEYWORDS, log_error_doc},
    {"register_cleanup", (PyCFunction)srv_register_cleanup, METH_VARARGS,
     register_cleanup_doc},
    {NULL, NULL, 0, NULL}
};

static PyMemberDef srv_members[] = {
    {"__dictoffset__", T_PYSSIZET, offsetof(MpServerObject, dict),
     READONLY, NULL},
    {NULL, 0, 0, 0, NULL}
};

PyDoc_STRVAR(srv_doc,
"A server or virtual host (wraps server_rec); attributes are read-only.");

static PyType_Slot srv_slots[] = {
    {Py_tp_dealloc, srv_dealloc},
    {Py_tp_traverse, srv_traverse},
    {Py_tp_clear, srv_clear},
    {Py_tp_methods, srv_methods},
    {Py_tp_getset, srv_getset},
    {Py_tp_members, srv_members},
    {Py_tp_doc, (void *)srv_doc},
    {0, NULL}
};

static PyType_Spec srv_spec = {
    .name = "_apache.mp_server",
    .basicsize = sizeof(MpServerObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC
             | Py_TPFLAGS_IMMUTABLETYPE | Py_TPFLAGS_DISALLOW_INSTANTIATION,
    .slots = srv_slots,
};

int
mp_server_init(PyObject *module, MpModuleState *st)
{
    st->server_type = (PyTypeObject *)PyType_FromModuleAndSpec(
        module, &srv_spec, NULL);
    if (st->server_type == NULL) {
        return -1;
    }
    return PyModule_AddType(module, st->server_type);
}
