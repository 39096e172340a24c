/*
 * mp_finfo.c: the mp_finfo type and _apache.stat().  See mp_finfo.h.
 */
#include "mp_finfo.h"
#include "mp_interp.h"
#include "mp_util.h"

#define MP_FINFO_FIELDS 13

PyObject *
mp_finfo_new(MpModuleState *st, const apr_finfo_t *fi)
{
    MpFinfoObject *self = PyObject_New(MpFinfoObject, st->finfo_type);

    if (self == NULL) {
        return NULL;
    }
    self->finfo = *fi;
    self->finfo.pool = NULL;
    self->fname = mp_str_from_c(fi->fname, -1);
    self->name = mp_str_from_c(fi->name, -1);
    if (self->fname == NULL || self->name == NULL) {
        Py_DECREF(self);
        return NULL;
    }
    return (PyObject *)self;
}

static void
finfo_dealloc(MpFinfoObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);

    Py_XDECREF(self->fname);
    Py_XDECREF(self->name);
    PyObject_Free(self);
    Py_DECREF(tp);
}

/* Field i in FINFO_* order; None when not valid. */
static PyObject *
finfo_field(MpFinfoObject *self, Py_ssize_t i)
{
    const apr_finfo_t *fi = &self->finfo;
    int nofile = fi->filetype == APR_NOFILE;

    switch (i) {
    case 10:
        return Py_NewRef(self->fname);
    case 12:
        return PyLong_FromLong(fi->filetype);
    }
    if (nofile) {
        Py_RETURN_NONE;
    }
    switch (i) {
    case 0:
        if (fi->valid & APR_FINFO_PROT) {
            return PyLong_FromLong(fi->protection);
        }
        break;
    case 1:
        if (fi->valid & APR_FINFO_INODE) {
            return PyLong_FromUnsignedLongLong(fi->inode);
        }
        break;
    case 2:
        if (fi->valid & APR_FINFO_DEV) {
            return PyLong_FromUnsignedLongLong(fi->device);
        }
        break;
    case 3:
        if (fi->valid & APR_FINFO_NLINK) {
            return PyLong_FromLong(fi->nlink);
        }
        break;
    case 4:
        if (fi->valid & APR_FINFO_USER) {
            return PyLong_FromLong(fi->user);
        }
        break;
    case 5:
        if (fi->valid & APR_FINFO_GROUP) {
            return PyLong_FromLong(fi->group);
        }
        break;
    case 6:
        if (fi->valid & APR_FINFO_SIZE) {
            return PyLong_FromLongLong(fi->size);
        }
        break;
    case 7:
        if (fi->valid & APR_FINFO_ATIME) {
            return PyLong_FromLongLong(apr_time_sec(fi->atime));
        }
        break;
    case 8:
        if (fi->valid & APR_FINFO_MTIME) {
            return PyLong_FromLongLong(apr_time_sec(fi->mtime));
        }
        break;
    case 9:
        if (fi->valid & APR_FINFO_CTIME) {
            return PyLong_FromLongLong(apr_time_sec(fi->ctime));
        }
        break;
    case 11:
        return Py_NewRef(self->name);
    }
    Py_RETURN_NONE;
}

static Py_ssize_t
finfo_length(PyObject *self)
{
    (void)self;
    return MP_FINFO_FIELDS;
}

static PyObject *
finfo_item(PyObject *self, Py_ssize_t i)
{
    if (i < 0 || i >= MP_FINFO_FIELDS) {
        PyErr_SetString(PyExc_IndexError, "finfo index out of range");
        return NULL;
    }
    return finfo_field((MpFinfoObject *)self, i);
}

static const char *const finfo_names[MP_FINFO_FIELDS] = {
    "protection", "inode", "device", "nlink", "user", "group", "size",
    "atime", "mtime", "ctime", "fname", "name", "filetype",
};

static PyObject *
finfo_get(MpFinfoObject *self, void *closure)
{
    return finfo_field(self, (Py_ssize_t)(apr_uintptr_t)closure);
}

static PyObject *
finfo_get_valid(MpFinfoObject *self, void *closure)
{
    (void)closure;
    return PyLong_FromLong(self->finfo.valid);
}

static PyObject *
finfo_repr(MpFinfoObject *self)
{
    PyObject *parts = PyList_New(0), *sep = NULL, *res = NULL;
    Py_ssize_t i;

    if (parts == NULL) {
        return NULL;
    }
    for (i = 0; i < MP_FINFO_FIELDS; i++) {
        PyObject *v = finfo_field(self, i), *s;

        if (v == NULL) {
            goto done;
        }
        s = PyUnicode_FromFormat("'%s': %R", finfo_names[i], v);
        Py_DECREF(v);
        if (s == NULL || PyList_Append(parts, s) < 0) {
            Py_XDECREF(s);
            goto done;
        }
        Py_DECREF(s);
    }
    if ((sep = PyUnicode_FromString(", ")) != NULL) {
        PyObject *body = PyUnicode_Join(sep, parts);

        if (body != NULL) {
            res = PyUnicode_FromFormat("{%U}", body);
            Py_DECREF(body);
        }
    }
done:
    Py_XDECREF(sep);
    Py_DECREF(parts);
    return res;
}

#define FIELD(n, i) \
    {n, (getter)finfo_get, NULL, NULL, (void *)(apr_uintptr_t)(i)}

static PyGetSetDef finfo_getset[] = {
    FIELD("protection", 0), FIELD("inode", 1), FIELD("device", 2),
    FIELD("nlink", 3), FIELD("user", 4), FIELD("group", 5),
    FIELD("size", 6), FIELD("atime", 7), FIELD("mtime", 8),
    FIELD("ctime", 9), FIELD("fname", 10), FIELD("name", 11),
    FIELD("filetype", 12),
    {"valid", (getter)finfo_get_valid, NULL,
     "Bitmask of the APR_FINFO_* fields that are filled in.", NULL},
    {NULL, NULL, NULL, NULL, NULL}
};

static PyType_Slot finfo_slots[] = {
    {Py_tp_dealloc, finfo_dealloc},
    {Py_tp_repr, finfo_repr},
    {Py_tp_getset, finfo_getset},
    {Py_sq_length, finfo_length},
    {Py_sq_item, finfo_item},
    {Py_tp_doc, "File information, as returned by apache.stat()."},
    {0, NULL}
};

static PyType_Spec finfo_spec = {
    .name = "_apache.mp_finfo",
    .basicsize = sizeof(MpFinfoObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_IMMUTABLETYPE
             | Py_TPFLAGS_DISALLOW_INSTANTIATION,
    .slots = finfo_slots,
};

int
mp_finfo_init(PyObject *module, MpModuleState *st)
{
    st->finfo_type = (PyTypeObject *)PyType_FromModuleAndSpec(
        module, &finfo_spec, NULL);
    if (st->finfo_type == NULL) {
        return -1;
    }
    return PyModule_AddType(module, st->finfo_type);
}

PyObject *
mp_finfo_stat(PyObject *module, PyObject *args)
{
    MpModuleState *st = mp_module_state(module);
    const char *fname;
    apr_int32_t wanted;
    apr_finfo_t fi;
    apr_pool_t *p;
    apr_status_t rv;
    PyObject *res, *name, *owner;
    Py_ssize_t len;

    if (!PyArg_ParseTuple(args, "Ui:stat", &name, &wanted)) {
        return NULL;
    }
    /* The text rule (mp_util.h): req.filename of any file names it again. */
    if (mp_text_bytes(name, &owner, &fname, &len) < 0) {
        return NULL;
    }
    if (memchr(fname, '\0', (size_t)len) != NULL) {
        Py_XDECREF(owner);
        PyErr_SetString(PyExc_ValueError, "embedded null character");
        return NULL;
    }
    if (apr_pool_create(&p, NULL) != APR_SUCCESS) {
        Py_XDECREF(owner);
        return PyErr_NoMemory();
    }
    fname = apr_pstrmemdup(p, fname, (apr_size_t)len);
    Py_XDECREF(owner);
    memset(&fi, 0, sizeof(fi));
    MP_BLOCKING_BEGIN
    rv = apr_stat(&fi, fname, wanted, p);
    MP_BLOCKING_END
    if (rv == APR_SUCCESS || rv == APR_INCOMPLETE) {
        res = mp_finfo_new(st, &fi);
    }
    else if (APR_STATUS_IS_ENOENT(rv) || APR_STATUS_IS_ENOTDIR(rv)) {
        memset(&fi, 0, sizeof(fi));
        fi.filetype = APR_NOFILE;
        fi.fname = fname;
        res = mp_finfo_new(st, &fi);
    }
    else {
        res = mp_raise_apr(rv, fname);
    }
    apr_pool_destroy(p);
    return res;
}
