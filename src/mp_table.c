/*
 * mp_table.c: _apache.table, a mapping over an apr_table_t, and its
 * iterator.  See mp_table.h for ownership and lifetime.
 *
 * Only the public APR table API is used (apr_table_elts, _get, _setn, _addn,
 * _unset, _clear).  Keys and values written are copied into the table's
 * pool with mp_str_to_c and stored with the "n" variants, so each string is
 * allocated once.  Lookups borrow the key's bytes from the Python object and
 * allocate nothing.
 */
#include "mp_table.h"
#include "mp_util.h"

#include <strings.h>

typedef enum {
    MP_ITER_KEYS = 0,
    MP_ITER_VALUES,
    MP_ITER_ITEMS
} mp_iter_kind;

typedef struct {
    PyObject_HEAD
    PyObject *table;            /* the MpTableObject iterated */
    int pos;
    int nelts;                  /* size when iteration started */
    mp_iter_kind kind;
} MpTableIterObject;

/* ------------------------------------------------------------------ */
/* helpers                                                            */
/* ------------------------------------------------------------------ */

/* The live apr table, or NULL with RuntimeError when expired. */
static apr_table_t *
table_live(MpTableObject *self)
{
    if (self->table == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "table has expired");
    }
    return self->table;
}

static const apr_table_entry_t *
table_entries(apr_table_t *t, int *n)
{
    const apr_array_header_t *arr = apr_table_elts(t);

    *n = arr->nelts;
    return (const apr_table_entry_t *)arr->elts;
}

/* NUL-terminated bytes of a str/bytes key by the text rule (mp_util.h),
 * borrowed from o, or from *owner when the str holds surrogate escapes
 * (the caller releases it with Py_XDECREF); valid while both live.  No
 * pool allocation.  NULL with TypeError for other types or embedded NULs,
 * UnicodeEncodeError for a str that cannot be encoded. */
static const char *
key_cstr(PyObject *o, PyObject **owner)
{
    const char *s;
    Py_ssize_t len;

    *owner = NULL;
    if (!PyUnicode_Check(o) && !PyBytes_Check(o)) {
        PyErr_Format(PyExc_TypeError,
                     "table keys must be str or bytes, not %.100s",
                     Py_TYPE(o)->tp_name);
        return NULL;
    }
    if (mp_text_bytes(o, owner, &s, &len) < 0) {
        return NULL;
    }
    if (memchr(s, '\0', (size_t)len) != NULL) {
        Py_CLEAR(*owner);
        PyErr_SetString(PyExc_TypeError, "embedded null character");
        return NULL;
    }
    return s;
}

/* Copy of o in the table's pool.  With lenient set, objects other than
 * str/bytes are converted with str() first (the constructor's rule). */
static const char *
table_cstr(MpTableObject *self, PyObject *o, int lenient)
{
    const char *res;
    PyObject *s;

    if (!lenient || PyUnicode_Check(o) || PyBytes_Check(o)) {
        return mp_str_to_c(self->pool, o, 0);
    }
    if ((s = PyObject_Str(o)) == NULL) {
        return NULL;
    }
    res = mp_str_to_c(self->pool, s, 0);
    Py_DECREF(s);
    return res;
}

/* Number of entries whose key matches k. */
static int
table_count(apr_table_t *t, const char *k)
{
    int i, n, count = 0;
    const apr_table_entry_t *e = table_entries(t, &n);

    for (i = 0; i < n; i++) {
        if (e[i].key != NULL && strcasecmp(e[i].key, k) == 0) {
            count++;
        }
    }
    return count;
}

/* t[k]: str for one value, list for several, NULL without an exception
 * when the key is absent. */
static PyObject *
table_lookup(apr_table_t *t, const char *k)
{
    int i, n, count = table_count(t, k), j = 0;
    const apr_table_entry_t *e = table_entries(t, &n);
    PyObject *list, *v;

    if (count == 0) {
        return NULL;
    }
    if (count == 1) {
        return mp_str_from_c(apr_table_get(t, k), -1);
    }
    if ((list = PyList_New(count)) == NULL) {
        return NULL;
    }
    for (i = 0; i < n && j < count; i++) {
        if (e[i].key != NULL && strcasecmp(e[i].key, k) == 0) {
            if ((v = mp_str_from_c(e[i].val, -1)) == NULL) {
                Py_DECREF(list);
                return NULL;
            }
            PyList_SET_ITEM(list, j++, v);
        }
    }
    return list;
}

static PyObject *
entry_item(const apr_table_entry_t *e, mp_iter_kind kind)
{
    PyObject *k, *v, *res;

    if (kind == MP_ITER_KEYS) {
        return mp_str_from_c(e->key, -1);
    }
    if (kind == MP_ITER_VALUES) {
        return mp_str_from_c(e->val, -1);
    }
    if ((k = mp_str_from_c(e->key, -1)) == NULL) {
        return NULL;
    }
    if ((v = mp_str_from_c(e->val, -1)) == NULL) {
        Py_DECREF(k);
        return NULL;
    }
    res = PyTuple_Pack(2, k, v);
    Py_DECREF(k);
    Py_DECREF(v);
    return res;
}

static PyObject *
table_list(MpTableObject *self, mp_iter_kind kind)
{
    apr_table_t *t = table_live(self);
    const apr_table_entry_t *e;
    PyObject *list, *item;
    int i, n;

    if (t == NULL) {
        return NULL;
    }
    e = table_entries(t, &n);
    if ((list = PyList_New(n)) == NULL) {
        return NULL;
    }
    for (i = 0; i < n; i++) {
        if ((item = entry_item(&e[i], kind)) == NULL) {
            Py_DECREF(list);
            return NULL;
        }
        PyList_SET_ITEM(list, i, item);
    }
    return list;
}

/* dict of the table as t[k] sees it (first spelling of each key). */
static PyObject *
table_to_dict(MpTableObject *self)
{
    apr_table_t *t = table_live(self);
    const apr_table_entry_t *e;
    PyObject *dict, *k = NULL, *v = NULL;
    int i, j, n;

    if (t == NULL || (dict = PyDict_New()) == NULL) {
        return NULL;
    }
    e = table_entries(t, &n);
    for (i = 0; i < n; i++) {
        for (j = 0; j < i; j++) {
            if (strcasecmp(e[j].key, e[i].key) == 0) {
                break;
            }
        }
        if (j < i) {
            continue;       /* already stored under its first spelling */
        }
        if ((k = mp_str_from_c(e[i].key, -1)) == NULL
            || (v = table_lookup(t, e[i].key)) == NULL
            || PyDict_SetItem(dict, k, v) < 0) {
            goto error;
        }
        Py_CLEAR(k);
        Py_CLEAR(v);
    }
    return dict;
error:
    Py_XDECREF(k);
    Py_XDECREF(v);
    Py_DECREF(dict);
    return NULL;
}

/* ------------------------------------------------------------------ */
/* contract functions                                                 */
/* ------------------------------------------------------------------ */

PyObject *
mp_table_view(MpModuleState *st, apr_table_t *t, apr_pool_t *p)
{
    PyTypeObject *tp = st->table_type;
    MpTableObject *self = (MpTableObject *)tp->tp_alloc(tp, 0);

    if (self == NULL) {
        return NULL;
    }
    self->table = t;
    self->pool = p;
    self->own_pool = NULL;
    return (PyObject *)self;
}

void
mp_table_rebind(PyObject *table, apr_table_t *t, apr_pool_t *p)
{
    MpTableObject *self = (MpTableObject *)table;

    self->table = t;
    self->pool = p;
}

void
mp_table_detach(PyObject *table)
{
    MpTableObject *self = (MpTableObject *)table;

    self->table = NULL;
    if (self->own_pool == NULL) {
        self->pool = NULL;
    }
}

apr_table_t *
mp_table_get(MpModuleState *st, PyObject *table)
{
    if (!PyObject_TypeCheck(table, st->table_type)) {
        PyErr_Format(PyExc_TypeError, "expected a table, not %.100s",
                     Py_TYPE(table)->tp_name);
        return NULL;
    }
    return table_live((MpTableObject *)table);
}

/* ------------------------------------------------------------------ */
/* construction, merging                                              */
/* ------------------------------------------------------------------ */

static PyObject *
table_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    MpTableObject *self;
    apr_status_t rv;

    (void)args;
    (void)kw;
    if ((self = (MpTableObject *)type->tp_alloc(type, 0)) == NULL) {
        return NULL;
    }
    rv = apr_pool_create(&self->own_pool, NULL);
    if (rv != APR_SUCCESS) {
        self->own_pool = NULL;
        Py_DECREF(self);
        return mp_raise_apr(rv, "cannot create table pool");
    }
    apr_pool_tag(self->own_pool, "mod_python table");
    self->pool = self->own_pool;
    self->table = apr_table_make(self->pool, 8);
    return (PyObject *)self;
}

static void
table_dealloc(MpTableObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);

    if (self->own_pool != NULL) {
        apr_pool_destroy(self->own_pool);
    }
    tp->tp_free((PyObject *)self);
    Py_DECREF(tp);
}

/* Store k -> v; add keeps earlier values, set replaces them. */
static int
table_store(MpTableObject *self, PyObject *k, PyObject *v, int add,
            int lenient)
{
    const char *ck, *cv;

    if ((ck = table_cstr(self, k, lenient)) == NULL
        || (cv = table_cstr(self, v, lenient)) == NULL) {
        return -1;
    }
    if (add) {
        apr_table_addn(self->table, ck, cv);
    }
    else {
        apr_table_setn(self->table, ck, cv);
    }
    return 0;
}

/* Merge a table, a mapping (anything with keys()) or an iterable of pairs.
 * The constructor adds (keeping duplicates, converting with str()); update()
 * replaces, strictly typed. */
static int
table_merge(MpTableObject *self, PyObject *arg, int add)
{
    MpModuleState *st = mp_state_from_type(Py_TYPE(self));
    PyObject *keys = NULL, *it = NULL, *item = NULL, *pair = NULL;
    PyObject *v = NULL;
    Py_ssize_t i;
    int rc = -1;

    if (st == NULL || table_live(self) == NULL) {
        return -1;
    }
    if (PyObject_TypeCheck(arg, st->table_type)) {
        apr_table_t *src = table_live((MpTableObject *)arg);
        const apr_table_entry_t *e;
        int j, n;

        if (src == NULL) {
            return -1;
        }
        if (src == self->table) {
            return 0;
        }
        e = table_entries(src, &n);
        for (j = 0; !add && j < n; j++) {
            apr_table_unset(self->table, e[j].key);
        }
        for (j = 0; j < n; j++) {
            apr_table_add(self->table, e[j].key, e[j].val);
        }
        return 0;
    }
    if (PyDict_Check(arg) || PyObject_HasAttrString(arg, "keys")) {
        if ((keys = PyMapping_Keys(arg)) == NULL) {
            goto done;
        }
        for (i = 0; i < PyList_GET_SIZE(keys); i++) {
            PyObject *k = PyList_GET_ITEM(keys, i);

            if ((v = PyObject_GetItem(arg, k)) == NULL
                || table_store(self, k, v, add, add) < 0) {
                goto done;
            }
            Py_CLEAR(v);
        }
        rc = 0;
        goto done;
    }
    if ((it = PyObject_GetIter(arg)) == NULL) {
        goto done;
    }
    while ((item = PyIter_Next(it)) != NULL) {
        pair = PySequence_Fast(item, "table items must be (key, value) "
                                     "pairs");
        if (pair == NULL) {
            goto done;
        }
        if (PySequence_Fast_GET_SIZE(pair) != 2) {
            PyErr_SetString(PyExc_ValueError,
                            "table items must be (key, value) pairs");
            goto done;
        }
        if (table_store(self, PySequence_Fast_GET_ITEM(pair, 0),
                        PySequence_Fast_GET_ITEM(pair, 1), add, add) < 0) {
            goto done;
        }
        Py_CLEAR(pair);
        Py_CLEAR(item);
    }
    rc = PyErr_Occurred() ? -1 : 0;
done:
    Py_XDECREF(keys);
    Py_XDECREF(it);
    Py_XDECREF(item);
    Py_XDECREF(pair);
    Py_XDECREF(v);
    return rc;
}

static int
table_init(MpTableObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"items", NULL};
    PyObject *arg = NULL;

    if (!PyArg_ParseTupleAndKeywords(args, kw, "|O:table", kwlist, &arg)) {
        return -1;
    }
    if (arg == NULL || arg == Py_None) {
        return table_live(self) ? 0 : -1;
    }
    return table_merge(self, arg, 1);
}

/* ------------------------------------------------------------------ */
/* mapping protocol                                                   */
/* ------------------------------------------------------------------ */

static Py_ssize_t
table_length(MpTableObject *self)
{
    apr_table_t *t = table_live(self);

    return t ? apr_table_elts(t)->nelts : -1;
}

static PyObject *
table_subscript(MpTableObject *self, PyObject *key)
{
    apr_table_t *t = table_live(self);
    const char *k;
    PyObject *res, *owner;

    if (t == NULL || (k = key_cstr(key, &owner)) == NULL) {
        return NULL;
    }
    res = table_lookup(t, k);
    Py_XDECREF(owner);
    if (res == NULL && !PyErr_Occurred()) {
        PyErr_SetObject(PyExc_KeyError, key);
    }
    return res;
}

static int
table_ass_subscript(MpTableObject *self, PyObject *key, PyObject *value)
{
    const char *k;
    PyObject *owner;

    if (table_live(self) == NULL) {
        return -1;
    }
    if (value == NULL) {
        /* Like mod_python 3.5: deleting an absent key is not an error. */
        if ((k = key_cstr(key, &owner)) == NULL) {
            return -1;
        }
        apr_table_unset(self->table, k);
        Py_XDECREF(owner);
        return 0;
    }
    return table_store(self, key, value, 0, 0);
}

static int
table_contains(MpTableObject *self, PyObject *key)
{
    apr_table_t *t = table_live(self);
    const char *k;
    PyObject *owner;
    int found;

    if (t == NULL || (k = key_cstr(key, &owner)) == NULL) {
        return -1;
    }
    found = apr_table_get(t, k) != NULL || table_count(t, k) > 0;
    Py_XDECREF(owner);
    return found;
}

static PyObject *
table_richcompare(MpTableObject *self, PyObject *other, int op)
{
    MpModuleState *st = mp_state_from_type(Py_TYPE(self));
    PyObject *a, *b, *res;

    if (st == NULL) {
        return NULL;
    }
    if ((op != Py_EQ && op != Py_NE)
        || !(PyObject_TypeCheck(other, st->table_type)
             || PyDict_Check(other))) {
        Py_RETURN_NOTIMPLEMENTED;
    }
    if ((a = table_to_dict(self)) == NULL) {
        return NULL;
    }
    b = PyDict_Check(other) ? Py_NewRef(other)
                            : table_to_dict((MpTableObject *)other);
    if (b == NULL) {
        Py_DECREF(a);
        return NULL;
    }
    res = PyObject_RichCompare(a, b, op);
    Py_DECREF(a);
    Py_DECREF(b);
    return res;
}

/* Shown as the dict the table compares equal to. */
static PyObject *
table_repr(MpTableObject *self)
{
    PyObject *dict, *res;

    if (self->table == NULL) {
        return PyUnicode_FromFormat("<%s (expired)>",
                                    Py_TYPE(self)->tp_name);
    }
    if ((dict = table_to_dict(self)) == NULL) {
        return NULL;
    }
    res = PyObject_Repr(dict);
    Py_DECREF(dict);
    return res;
}

/* ------------------------------------------------------------------ */
/* iteration                                                          */
/* ------------------------------------------------------------------ */

static PyObject *
table_iter_new(MpTableObject *self, mp_iter_kind kind)
{
    MpModuleState *st = mp_state_from_type(Py_TYPE(self));
    MpTableIterObject *it;
    apr_table_t *t = table_live(self);

    if (t == NULL || st == NULL) {
        return NULL;
    }
    it = PyObject_GC_New(MpTableIterObject, st->table_iter_type);
    if (it == NULL) {
        return NULL;
    }
    it->table = Py_NewRef(self);
    it->pos = 0;
    it->nelts = apr_table_elts(t)->nelts;
    it->kind = kind;
    PyObject_GC_Track(it);
    return (PyObject *)it;
}

static PyObject *
table_iter(MpTableObject *self)
{
    return table_iter_new(self, MP_ITER_KEYS);
}

static PyObject *
iter_next(MpTableIterObject *it)
{
    apr_table_t *t;
    const apr_table_entry_t *e;
    int n;

    if (it->table == NULL) {
        return NULL;
    }
    if ((t = table_live((MpTableObject *)it->table)) == NULL) {
        return NULL;
    }
    e = table_entries(t, &n);
    if (n != it->nelts) {
        PyErr_SetString(PyExc_RuntimeError,
                        "table changed size during iteration");
        return NULL;
    }
    if (it->pos >= n) {
        Py_CLEAR(it->table);
        return NULL;
    }
    return entry_item(&e[it->pos++], it->kind);
}

static int
iter_traverse(MpTableIterObject *it, visitproc visit, void *arg)
{
    Py_VISIT(Py_TYPE(it));
    Py_VISIT(it->table);
    return 0;
}

static int
iter_clear(MpTableIterObject *it)
{
    Py_CLEAR(it->table);
    return 0;
}

static void
iter_dealloc(MpTableIterObject *it)
{
    PyTypeObject *tp = Py_TYPE(it);

    PyObject_GC_UnTrack(it);
    Py_CLEAR(it->table);
    tp->tp_free((PyObject *)it);
    Py_DECREF(tp);
}

/* ------------------------------------------------------------------ */
/* methods                                                            */
/* ------------------------------------------------------------------ */

/* keys(), values(), items() and their iter* forms differ only in what they
 * return; one definition each keeps them in step. */
#define MP_TABLE_NOARGS(name, call, kind, doc)                          \
    PyDoc_STRVAR(name##_doc, doc);                                      \
    static PyObject *                                                   \
    table_##name(MpTableObject *self, PyObject *unused)                 \
    {                                                                   \
        (void)unused;                                                   \
        return call(self, kind);                                        \
    }

MP_TABLE_NOARGS(keys, table_list, MP_ITER_KEYS,
    "keys()\n--\n\nList of the keys, duplicates included, in order.")
MP_TABLE_NOARGS(values, table_list, MP_ITER_VALUES,
    "values()\n--\n\nList of the values, in order.")
MP_TABLE_NOARGS(items, table_list, MP_ITER_ITEMS,
    "items()\n--\n\nList of (key, value) pairs, duplicates included.")
MP_TABLE_NOARGS(iterkeys, table_iter_new, MP_ITER_KEYS,
    "iterkeys()\n--\n\nIterator over the keys.")
MP_TABLE_NOARGS(itervalues, table_iter_new, MP_ITER_VALUES,
    "itervalues()\n--\n\nIterator over the values.")
MP_TABLE_NOARGS(iteritems, table_iter_new, MP_ITER_ITEMS,
    "iteritems()\n--\n\nIterator over (key, value) pairs.")

PyDoc_STRVAR(has_key_doc,
"has_key(key)\n--\n\n1 if the table has key (any case), else 0.");

static PyObject *
table_has_key(MpTableObject *self, PyObject *key)
{
    int rc = table_contains(self, key);

    return rc < 0 ? NULL : PyLong_FromLong(rc);
}

PyDoc_STRVAR(get_doc,
"get(key, default=None)\n--\n\nFirst value of key, or default.");

static PyObject *
table_get(MpTableObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *dflt = nargs > 1 ? args[1] : Py_None, *owner;
    apr_table_t *t;
    const char *k, *v;

    /* METH_FASTCALL: headers_in.get() is the request API's hottest call */
    if (nargs < 1 || nargs > 2) {
        PyErr_Format(PyExc_TypeError, "get expected 1 or 2 arguments, "
                     "got %zd", nargs);
        return NULL;
    }
    if ((t = table_live(self)) == NULL
        || (k = key_cstr(args[0], &owner)) == NULL) {
        return NULL;
    }
    v = apr_table_get(t, k);
    Py_XDECREF(owner);
    if (v == NULL) {
        return Py_NewRef(dflt);
    }
    return mp_str_from_c(v, -1);
}

PyDoc_STRVAR(setdefault_doc,
"setdefault(key, default='')\n--\n\n"
"First value of key; stores default first when key is absent.");

static PyObject *
table_setdefault(MpTableObject *self, PyObject *args)
{
    PyObject *key, *dflt = NULL, *res = NULL, *owner;
    apr_table_t *t;
    const char *k, *v;

    if (!PyArg_ParseTuple(args, "O|O:setdefault", &key, &dflt)) {
        return NULL;
    }
    if ((t = table_live(self)) == NULL || (k = key_cstr(key, &owner)) == NULL) {
        return NULL;
    }
    if ((v = apr_table_get(t, k)) != NULL) {
        res = mp_str_from_c(v, -1);
        goto done;
    }
    if (dflt == NULL) {
        if ((dflt = PyUnicode_FromStringAndSize(NULL, 0)) == NULL) {
            goto done;
        }
    }
    else {
        Py_INCREF(dflt);
    }
    res = table_store(self, key, dflt, 0, 0) < 0 ? NULL
          : mp_str_from_c(apr_table_get(t, k), -1);
    Py_DECREF(dflt);
done:
    Py_XDECREF(owner);
    return res;
}

PyDoc_STRVAR(add_doc,
"add(key, value)\n--\n\nAppend a value to key, keeping earlier ones.");

static PyObject *
table_add(MpTableObject *self, PyObject *args)
{
    PyObject *key, *value;

    if (!PyArg_ParseTuple(args, "OO:add", &key, &value)) {
        return NULL;
    }
    if (table_live(self) == NULL || table_store(self, key, value, 1, 0) < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

PyDoc_STRVAR(update_doc,
"update(other=(), /, **kw)\n--\n\n"
"Replace keys with those of a table, mapping or iterable of pairs.");

static PyObject *
table_update(MpTableObject *self, PyObject *args, PyObject *kw)
{
    PyObject *arg = NULL;

    if (!PyArg_UnpackTuple(args, "update", 0, 1, &arg)) {
        return NULL;
    }
    if (arg != NULL && table_merge(self, arg, 0) < 0) {
        return NULL;
    }
    if (kw != NULL && table_merge(self, kw, 0) < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

PyDoc_STRVAR(copy_doc,
"copy()\n--\n\nA standalone table with the same entries.");

static PyObject *
table_copy(MpTableObject *self, PyObject *unused)
{
    MpModuleState *st = mp_state_from_type(Py_TYPE(self));
    PyObject *res;

    (void)unused;
    if (st == NULL || table_live(self) == NULL) {
        return NULL;
    }
    res = table_new(st->table_type, NULL, NULL);
    if (res != NULL && table_merge((MpTableObject *)res, (PyObject *)self,
                                   1) < 0) {
        Py_CLEAR(res);
    }
    return res;
}

PyDoc_STRVAR(clear_doc, "clear()\n--\n\nRemove every entry.");

static PyObject *
table_clear(MpTableObject *self, PyObject *unused)
{
    apr_table_t *t = table_live(self);

    (void)unused;
    if (t == NULL) {
        return NULL;
    }
    apr_table_clear(t);
    Py_RETURN_NONE;
}

PyDoc_STRVAR(popitem_doc,
"popitem()\n--\n\nRemove the last entry and return it as (key, value).");

static PyObject *
table_popitem(MpTableObject *self, PyObject *unused)
{
    apr_table_t *t = table_live(self);
    const apr_table_entry_t *e;
    const char **saved;
    PyObject *res;
    int i, n;

    (void)unused;
    if (t == NULL) {
        return NULL;
    }
    e = table_entries(t, &n);
    if (n == 0) {
        PyErr_SetString(PyExc_KeyError, "popitem(): table is empty");
        return NULL;
    }
    /* Fixes defect 13: the entry returned is the entry removed. */
    if ((res = entry_item(&e[n - 1], MP_ITER_ITEMS)) == NULL) {
        return NULL;
    }
    if (table_count(t, e[n - 1].key) == 1) {
        apr_table_unset(t, e[n - 1].key);
        return res;
    }
    /* The key has earlier values that must stay where they are: APR can
     * only unset all of them, so rebuild the table without the last entry.
     * The strings stay valid (pool memory), apr_table_add copies them. */
    saved = PyMem_New(const char *, 2 * (size_t)(n - 1));
    if (saved == NULL) {
        Py_DECREF(res);
        return PyErr_NoMemory();
    }
    for (i = 0; i < n - 1; i++) {
        saved[2 * i] = e[i].key;
        saved[2 * i + 1] = e[i].val;
    }
    apr_table_clear(t);
    for (i = 0; i < n - 1; i++) {
        apr_table_add(t, saved[2 * i], saved[2 * i + 1]);
    }
    PyMem_Free(saved);
    return res;
}

static PyMethodDef table_methods[] = {
    {"keys", (PyCFunction)table_keys, METH_NOARGS, keys_doc},
    {"values", (PyCFunction)table_values, METH_NOARGS, values_doc},
    {"items", (PyCFunction)table_items, METH_NOARGS, items_doc},
    {"iterkeys", (PyCFunction)table_iterkeys, METH_NOARGS, iterkeys_doc},
    {"itervalues", (PyCFunction)table_itervalues, METH_NOARGS,
     itervalues_doc},
    {"iteritems", (PyCFunction)table_iteritems, METH_NOARGS, iteritems_doc},
    {"has_key", (PyCFunction)table_has_key, METH_O, has_key_doc},
    {"get", _PyCFunction_CAST(table_get), METH_FASTCALL, get_doc},
    {"setdefault", (PyCFunction)table_setdefault, METH_VARARGS,
     setdefault_doc},
    {"add", (PyCFunction)table_add, METH_VARARGS, add_doc},
    {"update", (PyCFunction)(void (*)(void))table_update,
     METH_VARARGS | METH_KEYWORDS, update_doc},
    {"copy", (PyCFunction)table_copy, METH_NOARGS, copy_doc},
    {"clear", (PyCFunction)table_clear, METH_NOARGS, clear_doc},
    {"popitem", (PyCFunction)table_popitem, METH_NOARGS, popitem_doc},
    {NULL, NULL, 0, NULL}
};

PyDoc_STRVAR(table_doc,
"table(items=None)\n--\n\n"
"Case-insensitive multi-valued mapping over an APR table.  items may be a\n"
"table, a mapping or an iterable of (key, value) pairs; keys and values\n"
"that are not str or bytes are converted with str().");

static PyType_Slot table_slots[] = {
    {Py_tp_new, table_new},
    {Py_tp_init, table_init},
    {Py_tp_dealloc, table_dealloc},
    {Py_tp_repr, table_repr},
    {Py_tp_hash, PyObject_HashNotImplemented},
    {Py_tp_richcompare, table_richcompare},
    {Py_tp_iter, table_iter},
    {Py_tp_methods, table_methods},
    {Py_tp_doc, (void *)table_doc},
    {Py_mp_length, table_length},
    {Py_mp_subscript, table_subscript},
    {Py_mp_ass_subscript, table_ass_subscript},
    {Py_sq_contains, table_contains},
    {0, NULL}
};

static PyType_Spec table_spec = {
    .name = "_apache.table",
    .basicsize = sizeof(MpTableObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .slots = table_slots,
};

static PyType_Slot iter_slots[] = {
    {Py_tp_dealloc, iter_dealloc},
    {Py_tp_traverse, iter_traverse},
    {Py_tp_clear, iter_clear},
    {Py_tp_iter, PyObject_SelfIter},
    {Py_tp_iternext, iter_next},
    {0, NULL}
};

static PyType_Spec iter_spec = {
    .name = "_apache.table_iterator",
    .basicsize = sizeof(MpTableIterObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC
             | Py_TPFLAGS_IMMUTABLETYPE | Py_TPFLAGS_DISALLOW_INSTANTIATION,
    .slots = iter_slots,
};

int
mp_table_init(PyObject *module, MpModuleState *st)
{
    st->table_type = (PyTypeObject *)PyType_FromModuleAndSpec(
        module, &table_spec, NULL);
    if (st->table_type == NULL) {
        return -1;
    }
    st->table_iter_type = (PyTypeObject *)PyType_FromModuleAndSpec(
        module, &iter_spec, NULL);
    if (st->table_iter_type == NULL) {
        return -1;
    }
    if (PyModule_AddType(module, st->table_type) < 0
        || PyModule_AddObjectRef(module, "make_table",
                                 (PyObject *)st->table_type) < 0) {
        return -1;
    }
    return 0;
}
