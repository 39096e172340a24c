/*
 * mp_wsgi_environ.c: the WSGI environ dict of a request, for
 * req.build_wsgi_env() (3.5) and mod_python.wsgi's req._wsgi_environ().
 *
 * The environ holds the CGI variables (req.add_cgi_vars(), then every entry
 * of subprocess_env), SCRIPT_NAME/PATH_INFO, HTTP_AUTHORIZATION,
 * wsgi.url_scheme and wsgi.input_terminated.  mod_python.wsgi passes a
 * cache: a list owned by the calling interpreter (the wsgi module keeps it
 * for the process's life), empty at first, holding the str objects of
 * common keys (found by a perfect hash) and their last values, and a
 * template dict of recent keys that each environ starts as a copy of.
 * Everything returned is a new reference owned by the caller.  GIL held;
 * NULL or -1 with an exception set on failure.  Items of the cache are
 * only used through strong references across calls that may allocate: an
 * allocation may collect garbage, and a finalizer may run Python code that
 * changes the cache.
 */
#include "mp_wsgi_environ.h"
#include "mp_request.h"
#include "mp_util.h"

#include <strings.h>

/* A PEP 3333 native string: the bytes of s as latin-1 characters. */
static PyObject *
native_str(const char *s)
{
    if (s == NULL) {
        s = "";
    }
    return PyUnicode_DecodeLatin1(s, (Py_ssize_t)strlen(s), NULL);
}

/* The keys most environs have.  A cache list (see
 * cache_check) holds an interned str for each and the last value seen
 * for it, which is used again while the bytes stay the same (the server
 * name, software, signature, document root, method, protocol, ...). */
static const char *const known_keys[] = {
    "AUTH_TYPE", "CONTENT_LENGTH", "CONTENT_TYPE", "CONTEXT_DOCUMENT_ROOT",
    "CONTEXT_PREFIX", "DOCUMENT_ROOT", "GATEWAY_INTERFACE", "HTTPS",
    "HTTP_ACCEPT", "HTTP_ACCEPT_ENCODING", "HTTP_ACCEPT_LANGUAGE",
    "HTTP_AUTHORIZATION", "HTTP_CACHE_CONTROL", "HTTP_CONNECTION",
    "HTTP_COOKIE", "HTTP_HOST", "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_NONE_MATCH", "HTTP_ORIGIN", "HTTP_PRAGMA", "HTTP_REFERER",
    "HTTP_SEC_FETCH_DEST", "HTTP_SEC_FETCH_MODE", "HTTP_SEC_FETCH_SITE",
    "HTTP_UPGRADE_INSECURE_REQUESTS", "HTTP_USER_AGENT",
    "HTTP_X_FORWARDED_FOR", "HTTP_X_REQUESTED_WITH", "PATH", "PATH_INFO",
    "QUERY_STRING", "REDIRECT_QUERY_STRING", "REDIRECT_REMOTE_USER",
    "REDIRECT_URL", "REMOTE_ADDR", "REMOTE_HOST", "REMOTE_IDENT",
    "REMOTE_PORT", "REMOTE_USER", "REQUEST_METHOD", "REQUEST_SCHEME",
    "REQUEST_URI", "SCRIPT_FILENAME", "SCRIPT_NAME", "SERVER_ADDR",
    "SERVER_ADMIN", "SERVER_NAME", "SERVER_PORT", "SERVER_PROTOCOL",
    "SERVER_SIGNATURE", "SERVER_SOFTWARE", "UNIQUE_ID", "mod_python.request",
    "wsgi.url_scheme",
};

#define N_KNOWN ((Py_ssize_t)(sizeof(known_keys) / sizeof(known_keys[0])))

/* A perfect hash of known_keys: slot[key_hash(key)] is the index of key
 * in known_keys, -1 for no known key.  Made with
 *     for m in range(3, 200000, 2): h = 0; for c in key: h = h * m + c
 *     (32 bits), slot h >> 24, until the keys take distinct slots.
 * A stale table only costs cache hits: known_key() compares the key. */
#define KEY_HASH_MULT 417u

static const signed char key_slots[256] = {
    -1, 6, -1, -1, -1, 31, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 36, -1,
    -1, -1, -1, 12, -1, -1, -1, -1, 14, -1, 27, -1, -1, 11, -1, -1, -1, -1,
    -1, -1, -1, -1, 33, -1, -1, -1, -1, -1, 52, -1, 21, -1, -1, -1, -1, -1,
    42, -1, -1, -1, -1, 18, -1, 48, -1, -1, -1, -1, 44, -1, -1, -1, -1, -1,
    -1, 13, -1, 16, -1, -1, -1, 7, -1, -1, -1, -1, -1, -1, -1, 22, -1, 28, -1,
    -1, -1, -1, 4, -1, 34, -1, -1, -1, 30, 26, -1, -1, -1, -1, 2, 17, -1, 29,
    43, -1, -1, 23, -1, -1, -1, -1, -1, -1, -1, -1, 46, -1, -1, -1, 35, -1,
    -1, -1, -1, 47, -1, -1, -1, -1, -1, -1, -1, 39, 5, -1, -1, -1, -1, -1, -1,
    -1, 49, -1, -1, -1, 0, -1, -1, -1, -1, -1, -1, -1, -1, 37, -1, 20, -1, -1,
    -1, -1, 1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 38, -1,
    -1, 25, -1, -1, 53, -1, -1, -1, -1, 3, -1, -1, -1, -1, -1, -1, 10, 41, -1,
    24, -1, -1, -1, -1, 40, 32, -1, -1, -1, -1, -1, -1, -1, 19, -1, -1, 45,
    50, -1, -1, -1, -1, -1, -1, -1, 8, -1, -1, -1, -1, -1, 51, 15, -1, -1, -1,
    -1, -1, 9, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
};

static unsigned int
key_hash(const char *key)
{
    uint32_t h = 0;

    for (; *key != '\0'; key++) {
        h = h * KEY_HASH_MULT + (unsigned char)*key;
    }
    return h >> 24;
}

/* Index of key in known_keys, or -1. */
static int
known_key(const char *key)
{
    int i = key_slots[key_hash(key)];

    return i >= 0 && strcmp(key, known_keys[i]) == 0 ? i : -1;
}

/* The cache list: [key0, last value0, key1, last value1, ...,
 * template].  The template is None or a dict whose keys are those of
 * recent environs, all with the value None: an environ starts as a copy
 * of it, so its keys are in place already and setting them neither
 * allocates a str nor grows the table. */
#define CACHE_TEMPLATE (2 * N_KNOWN)
#define CACHE_SIZE (2 * N_KNOWN + 1)

/* Most keys a template keeps; with more, it restarts from one environ
 * (clients can send any header names). */
#define TEMPLATE_MAX 96

/* Fill an empty cache list; 0, or -1 with an exception when it is not a
 * list of that length. */
static int
cache_check(PyObject *cache)
{
    Py_ssize_t i;
    PyObject *k;

    if (!PyList_CheckExact(cache)) {
        PyErr_Format(PyExc_TypeError, "cache must be a list, not %.100s",
                     Py_TYPE(cache)->tp_name);
        return -1;
    }
    if (PyList_GET_SIZE(cache) == CACHE_SIZE) {
        return 0;
    }
    if (PyList_GET_SIZE(cache) != 0) {
        PyErr_SetString(PyExc_ValueError, "cache must be an empty list, "
                        "filled by _wsgi_environ() only");
        return -1;
    }
    for (i = 0; i < N_KNOWN; i++) {
        if ((k = PyUnicode_InternFromString(known_keys[i])) == NULL) {
            return -1;
        }
        if (PyList_Append(cache, k) < 0 || PyList_Append(cache, Py_None)
            < 0) {
            Py_DECREF(k);
            return -1;
        }
        Py_DECREF(k);
    }
    return PyList_Append(cache, Py_None);
}

/* A template from the keys of env: a copy with every value None. */
static PyObject *
template_of(PyObject *env)
{
    PyObject *t, *k, *v;
    Py_ssize_t pos = 0;

    if ((t = PyDict_Copy(env)) == NULL) {
        return NULL;
    }
    /* Changing values (not keys) while iterating is allowed. */
    while (PyDict_Next(t, &pos, &k, &v)) {
        if (v != Py_None && PyDict_SetItem(t, k, Py_None) < 0) {
            Py_DECREF(t);
            return NULL;
        }
    }
    return t;
}

/* Finish an environ begun from the template: remove the template's keys
 * it did not set (their value is still None), and renew the template
 * when env brought new keys.  0 or -1. */
int
mp_wsgi_environ_finish(PyObject *env, PyObject *cache)
{
    /* A strong reference: the allocations below can run a garbage
     * collection, whose finalizers may build an environ with this cache
     * and replace (free) the template. */
    PyObject *t = Py_NewRef(PyList_GET_ITEM(cache, CACHE_TEMPLATE)), *k, *v;
    PyObject *stale = NULL, *renewed = NULL;
    Py_ssize_t pos = 0, i;
    int rc = -1;

    while (PyDict_Next(env, &pos, &k, &v)) {
        if (v == Py_None) {
            if (stale == NULL && (stale = PyList_New(0)) == NULL) {
                goto done;
            }
            if (PyList_Append(stale, k) < 0) {
                goto done;
            }
        }
    }
    /* Keys are never removed from a copy of the template before this, so
     * env has more entries than it only when new keys were set. */
    if ((t == Py_None || PyDict_GET_SIZE(env) > PyDict_GET_SIZE(t))
        && PyDict_GET_SIZE(env) <= TEMPLATE_MAX
        && (renewed = template_of(env)) == NULL) {
        goto done;
    }
    for (i = 0; stale != NULL && i < PyList_GET_SIZE(stale); i++) {
        if (PyDict_DelItem(env, PyList_GET_ITEM(stale, i)) < 0) {
            goto done;
        }
    }
    if (renewed == NULL && PyDict_GET_SIZE(env) + (stale != NULL
        ? PyList_GET_SIZE(stale) : 0) > TEMPLATE_MAX
        && (renewed = template_of(env)) == NULL) {
        goto done;
    }
    if (renewed != NULL
        && PyList_SetItem(cache, CACHE_TEMPLATE, Py_NewRef(renewed)) < 0) {
        goto done;
    }
    rc = 0;
done:
    Py_XDECREF(stale);
    Py_XDECREF(renewed);
    Py_DECREF(t);
    return rc;
}

/* Builds one environ dict. */
typedef struct {
    PyObject *env;
    PyObject *cache;    /* checked cache list, or NULL */
    PyObject *(*conv)(const char *);
} env_builder;

/* env[key] = value; 0 or -1. */
static int
env_put(env_builder *b, const char *key, const char *value)
{
    PyObject *k, *v;
    Py_ssize_t n;
    int i, rc;

    if (value == NULL) {
        value = "";
    }
    if (b->cache != NULL && (i = known_key(key)) >= 0) {
        /* Strong references: the decoding below may collect garbage, and
         * a finalizer may change the cache list. */
        k = Py_NewRef(PyList_GET_ITEM(b->cache, 2 * i));
        v = PyList_GET_ITEM(b->cache, 2 * i + 1);
        n = (Py_ssize_t)strlen(value);
        if (v != Py_None && PyUnicode_GET_LENGTH(v) == n
            && memcmp(PyUnicode_1BYTE_DATA(v), value, (size_t)n) == 0) {
            Py_INCREF(v);
        }
        else {
            /* native strings are always of the 1-byte kind */
            if ((v = PyUnicode_DecodeLatin1(value, n, NULL)) == NULL) {
                Py_DECREF(k);
                return -1;
            }
            if (PyList_SetItem(b->cache, 2 * i + 1, Py_NewRef(v)) < 0) {
                Py_DECREF(v);
                Py_DECREF(k);
                return -1;
            }
        }
        rc = PyDict_SetItem(b->env, k, v);
        Py_DECREF(v);
        Py_DECREF(k);
        return rc;
    }
    if ((k = b->conv(key)) == NULL) {
        return -1;
    }
    rc = -1;
    if ((v = b->conv(value)) != NULL) {
        rc = PyDict_SetItem(b->env, k, v);
        Py_DECREF(v);
    }
    Py_DECREF(k);
    return rc;
}

/* dict[key] = new reference v (stolen); 0 or -1. */
int
mp_wsgi_env_steal(PyObject *env, const char *key, PyObject *v)
{
    int rc;

    if (v == NULL) {
        return -1;
    }
    rc = PyDict_SetItemString(env, key, v);
    Py_DECREF(v);
    return rc;
}

static PyObject *
utf8_str(const char *s)
{
    return mp_str_from_c(s, -1);
}

/* A new dict of the CGI variables of r (add_cgi_vars() then every entry
 * of subprocess_env) with SCRIPT_NAME script, PATH_INFO the rest of the
 * URI, HTTP_AUTHORIZATION, wsgi.url_scheme and wsgi.input_terminated
 * (True).  With a cache (a list,
 * see cache_check): values are latin-1 native strings, known keys and
 * unchanged values come from the cache, and HTTP_CONTENT_TYPE/_LENGTH
 * are left out (mod_python.wsgi).  Without: keys and values are decoded
 * as mp_str_from_c does (3.5's build_wsgi_env).  NULL with an exception
 * set. */
PyObject *
mp_wsgi_environ(request_rec *r, const char *script, PyObject *cache)
{
    env_builder b = {NULL, cache, cache ? native_str : utf8_str};
    const apr_array_header_t *arr;
    const apr_table_entry_t *e;
    const char *uri = r->uri ? r->uri : "", *auth, *https;
    int i;

    if (cache != NULL && cache_check(cache) < 0) {
        return NULL;
    }
    mp_request_add_cgi_vars(r);
    if (cache != NULL && PyList_GET_ITEM(cache, CACHE_TEMPLATE) != Py_None) {
        /* PyDict_Copy allocates before it reads the template: hold it. */
        PyObject *t = Py_NewRef(PyList_GET_ITEM(cache, CACHE_TEMPLATE));

        b.env = PyDict_Copy(t);
        Py_DECREF(t);
    }
    else {
        b.env = PyDict_New();
    }
    if (b.env == NULL) {
        return NULL;
    }
    arr = apr_table_elts(r->subprocess_env);
    e = (const apr_table_entry_t *)arr->elts;
    for (i = 0; i < arr->nelts; i++) {
        if (e[i].key == NULL) {
            continue;
        }
        if (cache != NULL && e[i].key[0] == 'H'
            && (strcmp(e[i].key, "HTTP_CONTENT_TYPE") == 0
                || strcmp(e[i].key, "HTTP_CONTENT_LENGTH") == 0)) {
            continue;
        }
        if (env_put(&b, e[i].key, e[i].val) < 0) {
            goto error;
        }
    }
    if (env_put(&b, "SCRIPT_NAME", script) < 0
        || env_put(&b, "PATH_INFO", uri + strlen(script)) < 0) {
        goto error;
    }
    auth = apr_table_get(r->headers_in, "Authorization");
    if (auth != NULL && (*auth != '\0' || cache == NULL)
        && env_put(&b, "HTTP_AUTHORIZATION", auth) < 0) {
        goto error;
    }
    https = apr_table_get(r->subprocess_env, "HTTPS");
    if (env_put(&b, "wsgi.url_scheme",
                https != NULL && strcasecmp(https, "off") != 0
                ? "https" : "http") < 0) {
        goto error;
    }
    /* Apache always ends the input (de-chunked, or Content-Length bytes):
     * a chunked body can be read to EOF (mod_wsgi sets it too). */
    if (PyDict_SetItemString(b.env, "wsgi.input_terminated", Py_True) < 0) {
        goto error;
    }
    return b.env;
error:
    Py_DECREF(b.env);
    return NULL;
}

PyObject *
mp_wsgi_cache_key(PyObject *cache, const char *key)
{
    int i = known_key(key);

    return i < 0 ? NULL : PyList_GET_ITEM(cache, 2 * i);
}
