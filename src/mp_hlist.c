/*
 * mp_hlist.c: the mp_hlist type.  See mp_hlist.h.
 */
#include "mp_hlist.h"
#include "mp_util.h"

#include "structmember.h"

PyObject *
mp_hlist_new(MpModuleState *st, mp_handler *head, mp_handler **dynamic,
             apr_pool_t *p, const char *filename)
{
    MpHlistObject *self = PyObject_New(MpHlistObject, st->hlist_type);

    if (self == NULL) {
        return NULL;
    }
    self->cur = head;
    self->dynamic = dynamic;
    self->in_dynamic = 0;
    self->pool = p;
    self->filename = filename;
    if (head == NULL && dynamic != NULL) {
        self->cur = *dynamic;
        self->in_dynamic = 1;
    }
    return (PyObject *)self;
}

void
mp_hlist_advance(MpHlistObject *self)
{
    if (self->cur != NULL) {
        self->cur = self->cur->next;
        if (self->cur == NULL && !self->in_dynamic
            && self->dynamic != NULL) {
            self->cur = *self->dynamic;
            self->in_dynamic = 1;
        }
    }
}

void
mp_hlist_finish(PyObject *hlist)
{
    MpHlistObject *self = (MpHlistObject *)hlist;

    self->cur = NULL;
    self->dynamic = NULL;
    self->pool = NULL;
    self->filename = NULL;
}

static void
hlist_dealloc(MpHlistObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);

    PyObject_Free(self);
    Py_DECREF(tp);
}

PyDoc_STRVAR(hlist_next_doc,
"next()\n--\n\nAdvance to the next handler of the list.");

static PyObject *
hlist_next(MpHlistObject *self, PyObject *unused)
{
    (void)unused;
    mp_hlist_advance(self);
    Py_RETURN_NONE;
}

static PyObject *
hlist_get_handler(MpHlistObject *self, void *closure)
{
    (void)closure;
    return mp_str_from_c(self->cur ? self->cur->handler : NULL, -1);
}

static PyObject *
hlist_get_directory(MpHlistObject *self, void *closure)
{
    (void)closure;
    if (self->cur == NULL) {
        Py_RETURN_NONE;
    }
    return mp_str_from_c(mp_config_handler_dir(self->pool, self->cur,
                                               self->filename), -1);
}

static PyObject *
hlist_get_flag(MpHlistObject *self, void *closure)
{
    if (self->cur == NULL) {
        Py_RETURN_NONE;
    }
    return PyLong_FromLong(closure ? self->cur->silent
                                   : self->cur->is_location);
}

static PyObject *
hlist_repr(MpHlistObject *self)
{
    PyObject *dir, *res;

    if (self->cur == NULL) {
        return PyUnicode_FromString("{'handler': None}");
    }
    dir = hlist_get_directory(self, NULL);
    if (dir == NULL) {
        return NULL;
    }
    res = PyUnicode_FromFormat("{'handler': '%s', 'directory': %R, "
                               "'is_location': %d, 'silent': %d}",
                               self->cur->handler, dir,
                               self->cur->is_location, self->cur->silent);
    Py_DECREF(dir);
    return res;
}

static PyMethodDef hlist_methods[] = {
    {"next", (PyCFunction)hlist_next, METH_NOARGS, hlist_next_doc},
    {NULL, NULL, 0, NULL}
};

static PyGetSetDef hlist_getset[] = {
    {"handler", (getter)hlist_get_handler, NULL,
     "The handler string, module[::object].", NULL},
    {"directory", (getter)hlist_get_directory, NULL,
     "Directory the handler was configured for, or None.", NULL},
    {"is_location", (getter)hlist_get_flag, NULL,
     "1 when written inside <Location>.", NULL},
    {"silent", (getter)hlist_get_flag, NULL,
     "1 for PythonHandlerModule entries.", (void *)1},
    {NULL, NULL, NULL, NULL, NULL}
};

static PyType_Slot hlist_slots[] = {
    {Py_tp_dealloc, hlist_dealloc},
    {Py_tp_repr, hlist_repr},
    {Py_tp_methods, hlist_methods},
    {Py_tp_getset, hlist_getset},
    {Py_tp_doc, "The list of handlers a phase runs."},
    {0, NULL}
};

static PyType_Spec hlist_spec = {
    .name = "_apache.mp_hlist",
    .basicsize = sizeof(MpHlistObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_IMMUTABLETYPE
             | Py_TPFLAGS_DISALLOW_INSTANTIATION,
    .slots = hlist_slots,
};

int
mp_hlist_init(PyObject *module, MpModuleState *st)
{
    st->hlist_type = (PyTypeObject *)PyType_FromModuleAndSpec(
        module, &hlist_spec, NULL);
    if (st->hlist_type == NULL) {
        return -1;
    }
    return PyModule_AddType(module, st->hlist_type);
}
