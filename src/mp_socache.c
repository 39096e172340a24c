/*
 * mp_socache.c: the _apache functions over the named socache instances.
 * See mp_socache.h for the contract.
 */
#include "mp_socache.h"
#include "mp_interp.h"
#include "mp_util.h"

/* ------------------------------------------------------------------ */
/* Python functions                                                   */
/* ------------------------------------------------------------------ */

/* The instance called name, or NULL with KeyError / RuntimeError set. */
static mp_socache *
socache_lookup(const char *name)
{
    mp_socache *c = mp_socache_find(name);

    if (c == NULL) {
        PyErr_Format(PyExc_KeyError, "no session cache named '%s' is "
                     "declared in the server configuration", name);
        return NULL;
    }
    if (!c->ready) {
        PyErr_Format(PyExc_RuntimeError, "session cache '%s' is not "
                     "initialised in this process", name);
        return NULL;
    }
    return c;
}

/* Longest key accepted (see the contract in mp_socache.h). */
#define MP_SOCACHE_KEY_MAX 200

/* Point call at key after checking its length; 0, or -1 with ValueError
 * naming the function fn. */
static int
take_key(mp_socache_call *call, const Py_buffer *key, const char *fn)
{
    if (key->len == 0 || key->len > MP_SOCACHE_KEY_MAX) {
        PyErr_Format(PyExc_ValueError, "%s: the key must have 1 to %d bytes",
                     fn, MP_SOCACHE_KEY_MAX);
        return -1;
    }
    call->key = key->buf;
    call->keylen = (unsigned int)key->len;
    return 0;
}

/* Run call on c with the GIL released; 0, or -1 with OSError set (misses
 * are the caller's business: *status tells). */
static int
socache_call(mp_socache *c, mp_socache_call *call, apr_status_t *status)
{
    apr_pool_t *p;
    apr_status_t rv;

    if ((rv = apr_pool_create(&p, NULL)) != APR_SUCCESS) {
        mp_raise_apr(rv, "socache: no memory");
        return -1;
    }
    MP_BLOCKING_BEGIN
    rv = mp_socache_run(c, call, p);
    MP_BLOCKING_END
    apr_pool_destroy(p);
    *status = rv;
    if (rv != APR_SUCCESS && rv != APR_NOTFOUND) {
        char what[256];

        apr_snprintf(what, sizeof(what), "session cache %s (%s) %s", c->name,
                     c->provider_name, call->failed);
        mp_raise_apr(rv, what);
        return -1;
    }
    return 0;
}

PyDoc_STRVAR(socache_store_doc,
"socache_store(name, key, data, expiry)\n--\n\n"
"Store bytes data at bytes key in session cache name until expiry\n"
"(seconds since the epoch, as time.time()).  OSError when the store fails.");

static PyObject *
mp_socache_store(PyObject *module, PyObject *args)
{
    const char *name;
    Py_buffer key = {0}, data = {0};
    double expiry;
    mp_socache_call call = {.op = OP_STORE};
    mp_socache *c;
    apr_status_t rv;
    PyObject *res = NULL;

    (void)module;
    if (!PyArg_ParseTuple(args, "sy*y*d:socache_store", &name, &key, &data,
                          &expiry)) {
        return NULL;
    }
    if ((c = socache_lookup(name)) == NULL) {
        goto done;
    }
    if (take_key(&call, &key, "socache_store") < 0) {
        goto done;
    }
    if (data.len > (Py_ssize_t)UINT_MAX) {
        PyErr_SetString(PyExc_ValueError, "socache_store: the data must "
                        "have at most 4 GiB");
        goto done;
    }
    call.data = data.buf;
    call.datalen = (unsigned int)data.len;
    call.expiry = (apr_time_t)(expiry * APR_USEC_PER_SEC);
    if (socache_call(c, &call, &rv) < 0) {
        goto done;
    }
    if (rv == APR_NOTFOUND) {       /* memcache/redis: no live server */
        char what[256];

        apr_snprintf(what, sizeof(what), "session cache %s (%s) store: no "
                     "server answered", c->name, c->provider_name);
        mp_raise_apr(APR_ECONNREFUSED, what);
        goto done;
    }
    res = Py_NewRef(Py_None);
done:
    PyBuffer_Release(&key);
    PyBuffer_Release(&data);
    return res;
}

PyDoc_STRVAR(socache_retrieve_doc,
"socache_retrieve(name, key, maxlen)\n--\n\n"
"The bytes stored at key in session cache name (at most maxlen bytes),\n"
"or None if there are none.  OSError when the store fails or the object\n"
"is larger than maxlen.");

static PyObject *
mp_socache_retrieve(PyObject *module, PyObject *args)
{
    const char *name;
    Py_buffer key = {0};
    Py_ssize_t maxlen;
    mp_socache_call call = {.op = OP_RETRIEVE};
    mp_socache *c;
    PyObject *buf = NULL, *res = NULL;
    apr_status_t rv;

    (void)module;
    if (!PyArg_ParseTuple(args, "sy*n:socache_retrieve", &name, &key,
                          &maxlen)) {
        return NULL;
    }
    if ((c = socache_lookup(name)) == NULL) {
        goto done;
    }
    if (take_key(&call, &key, "socache_retrieve") < 0) {
        goto done;
    }
    if (maxlen < 1 || maxlen > (Py_ssize_t)UINT_MAX) {
        PyErr_SetString(PyExc_ValueError, "socache_retrieve: maxlen must be "
                        "positive and below 4 GiB");
        goto done;
    }
    if ((buf = PyBytes_FromStringAndSize(NULL, maxlen)) == NULL) {
        goto done;
    }
    call.data = (unsigned char *)PyBytes_AS_STRING(buf);
    call.datalen = (unsigned int)maxlen;
    if (socache_call(c, &call, &rv) < 0) {
        goto done;
    }
    if (rv == APR_NOTFOUND) {
        res = Py_NewRef(Py_None);
    }
    else if (call.datalen == (unsigned int)maxlen) {
        res = Py_NewRef(buf);
    }
    else {
        res = PyBytes_FromStringAndSize(PyBytes_AS_STRING(buf),
                                        call.datalen);
    }
done:
    Py_XDECREF(buf);
    PyBuffer_Release(&key);
    return res;
}

PyDoc_STRVAR(socache_remove_doc,
"socache_remove(name, key)\n--\n\n"
"Remove key from session cache name; True if it was there (as far as the\n"
"provider tells).  OSError when the store fails.");

static PyObject *
mp_socache_remove(PyObject *module, PyObject *args)
{
    const char *name;
    Py_buffer key = {0};
    mp_socache_call call = {.op = OP_REMOVE};
    mp_socache *c;
    PyObject *res = NULL;
    apr_status_t rv;

    (void)module;
    if (!PyArg_ParseTuple(args, "sy*:socache_remove", &name, &key)) {
        return NULL;
    }
    if ((c = socache_lookup(name)) == NULL) {
        goto done;
    }
    if (take_key(&call, &key, "socache_remove") < 0) {
        goto done;
    }
    if (socache_call(c, &call, &rv) == 0) {
        res = PyBool_FromLong(rv == APR_SUCCESS);
    }
done:
    PyBuffer_Release(&key);
    return res;
}

PyDoc_STRVAR(socache_info_doc,
"socache_info(name)\n--\n\n"
"(provider, args, shared) of session cache name: shared is True for a\n"
"store other servers can reach (a provider safe across processes).");

static PyObject *
mp_socache_info(PyObject *module, PyObject *arg)
{
    const char *name;
    mp_socache *c;

    (void)module;
    if (!PyUnicode_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "socache_info() takes a str");
        return NULL;
    }
    if ((name = PyUnicode_AsUTF8(arg)) == NULL) {
        return NULL;
    }
    if ((c = socache_lookup(name)) == NULL) {
        return NULL;
    }
    return Py_BuildValue("(ssO)", c->provider_name, c->args,
                         c->provider->flags & AP_SOCACHE_FLAG_NOTMPSAFE
                         ? Py_False : Py_True);
}

static PyMethodDef mp_socache_methods[] = {
    {"socache_store", mp_socache_store, METH_VARARGS, socache_store_doc},
    {"socache_retrieve", mp_socache_retrieve, METH_VARARGS,
     socache_retrieve_doc},
    {"socache_remove", mp_socache_remove, METH_VARARGS, socache_remove_doc},
    {"socache_info", mp_socache_info, METH_O, socache_info_doc},
    {NULL, NULL, 0, NULL}
};

int
mp_socache_init(PyObject *module)
{
    return PyModule_AddFunctions(module, mp_socache_methods);
}
