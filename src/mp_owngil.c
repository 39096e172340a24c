/*
 * mp_owngil.c: run-time support of interpreters with a GIL of their own.
 * See mp_owngil.h.
 */
#include "mp_owngil.h"
#include "mp_gil_conf.h"

/* The text of CPython's ImportError (Python/import.c,
 * _PyImport_CheckSubinterpIncompatibleExtensionAllowed, 3.12 and 3.13):
 * "module %s does not support loading in subinterpreters". */
#define MP_REFUSAL_HEAD "module "
#define MP_REFUSAL_TAIL " does not support loading in subinterpreters"

/* Exceptions followed through __cause__ / __context__ at most. */
#define MP_CHAIN_MAX 8

apr_table_t *
mp_owngil_options(server_rec *s, const apr_table_t *configured,
                  apr_pool_t **pool)
{
    mp_interp *ip = mp_interp_current();
    apr_table_t *t;

    if (ip == NULL || !ip->own_gil || configured == NULL) {
        return NULL;
    }
    /* Only threads holding ip's GIL get here: the pool and the hash are
     * this interpreter's alone. */
    if (ip->own_pool == NULL) {
        if (apr_pool_create(&ip->own_pool, NULL) != APR_SUCCESS) {
            ip->own_pool = NULL;
            return NULL;
        }
        apr_pool_tag(ip->own_pool, "mp_owngil_options");
        ip->own_options = apr_hash_make(ip->own_pool);
    }
    t = apr_hash_get(ip->own_options, &s, sizeof(s));
    if (t == NULL) {
        server_rec **key = apr_pmemdup(ip->own_pool, &s, sizeof(s));

        t = apr_table_copy(ip->own_pool, configured);
        apr_hash_set(ip->own_options, key, sizeof(*key), t);
    }
    *pool = ip->own_pool;
    return t;
}

#if MP_HAVE_OWN_GIL
/* The module named by a refusal message, copied into buf, or NULL. */
static const char *
refused_module(PyObject *exc, char *buf, apr_size_t size)
{
    PyObject *str;
    const char *msg, *end;
    apr_size_t head = sizeof(MP_REFUSAL_HEAD) - 1;
    apr_size_t tail = sizeof(MP_REFUSAL_TAIL) - 1;
    apr_size_t len;

    if (!PyErr_GivenExceptionMatches(exc, PyExc_ImportError)) {
        return NULL;
    }
    str = PyObject_Str(exc);
    msg = str ? PyUnicode_AsUTF8(str) : NULL;
    if (msg == NULL) {
        PyErr_Clear();
        Py_XDECREF(str);
        return NULL;
    }
    len = strlen(msg);
    end = msg + len - tail;
    if (len <= head + tail || strncmp(msg, MP_REFUSAL_HEAD, head) != 0
        || strcmp(end, MP_REFUSAL_TAIL) != 0) {
        Py_DECREF(str);
        return NULL;
    }
    len = (apr_size_t)(end - (msg + head));
    if (len >= size) {
        len = size - 1;
    }
    memcpy(buf, msg + head, len);
    buf[len] = '\0';
    Py_DECREF(str);
    return buf;
}

#endif

void
mp_owngil_explain(mp_interp *ip, server_rec *s, request_rec *r,
                  PyObject *exc)
{
#if MP_HAVE_OWN_GIL
    PyObject *e = exc, *saved;
    char buf[256];
    const char *module = NULL;
    int depth;

    if (ip == NULL || !ip->own_gil || exc == NULL) {
        return;
    }
    saved = PyErr_GetRaisedException();
    for (depth = 0; e != NULL && e != Py_None && depth < MP_CHAIN_MAX;
         depth++) {
        PyObject *next;

        if ((module = refused_module(e, buf, sizeof(buf))) != NULL) {
            break;
        }
        next = PyException_GetCause(e);
        if (next == NULL) {
            next = PyException_GetContext(e);
        }
        Py_XDECREF(next);           /* e's chain keeps it alive */
        e = next;
    }
    PyErr_SetRaisedException(saved);
    if (module == NULL) {
        return;
    }
#define MP_REFUSED_FMT MP_APLOGNO(0175)                                 \
    "extension module '%s' cannot be imported in Python interpreter "   \
    "'%s', which has its own GIL (PythonInterpreterGIL own): the module " \
    "does not declare per-interpreter GIL support; run it in an "       \
    "interpreter that shares the main GIL"
    MP_BLOCKING_BEGIN
    if (r != NULL) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, MP_REFUSED_FMT, module,
                      ip->name);
    }
    else {
        ap_log_error(APLOG_MARK, APLOG_ERR, 0, s, MP_REFUSED_FMT, module,
                     ip->name);
    }
    MP_BLOCKING_END
#undef MP_REFUSED_FMT
#else
    /* Python 3.11: no interpreter has a GIL of its own. */
    (void)ip;
    (void)s;
    (void)r;
    (void)exc;
#endif
}
