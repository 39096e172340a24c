/*
 * mp_socache.c: named socache provider instances for Python.
 * See mp_socache.h for the contract.
 */
#include "mp_socache.h"
#include "mp_util.h"

#include "ap_provider.h"
#include "apr_lib.h"
#include "ap_socache.h"
#include "apr_global_mutex.h"
#include "util_mutex.h"

/* The mutex type of the instances whose provider is not MP-safe. */
#define MP_SOCACHE_MUTEX "python-socache"
/* init()'s consumer name: fixed, so that servers sharing a memcache or
 * redis store use the same keys whatever their instances are called. */
#define MP_SOCACHE_CNAME "mod_python"
/* Lifetime of the empty record that confirms a miss (seconds). */
#define MP_SOCACHE_PROBE_TTL 2
#define MP_SOCACHE_MAX_NAME 32

typedef struct {
    const char *name;                   /* NAME of the directive */
    const char *provider_name;
    const char *args;                   /* "" when none */
    const ap_socache_provider_t *provider;
    ap_socache_instance_t *instance;
    apr_global_mutex_t *mutex;          /* NOTMPSAFE providers only */
    server_rec *server;                 /* main server, for the provider */
    int ready;                          /* init() succeeded */
} mp_socache;

/* Process-wide, in pconf; read-only once post_config is done. */
static apr_hash_t *mp_socaches;

static apr_status_t
registry_reset(void *unused)
{
    (void)unused;
    mp_socaches = NULL;
    return APR_SUCCESS;
}

static apr_status_t
instance_destroy(void *data)
{
    mp_socache *c = data;

    if (c->ready) {
        c->ready = 0;
        c->provider->destroy(c->instance, c->server);
    }
    return APR_SUCCESS;
}

/* ------------------------------------------------------------------ */
/* configuration and hooks                                            */
/* ------------------------------------------------------------------ */

const char *
mp_cmd_session_cache(cmd_parms *cmd, void *dconf, const char *name,
                     const char *spec)
{
    const char *err = ap_check_cmd_context(cmd, GLOBAL_ONLY);
    const char *colon, *p;
    mp_socache *c;

    (void)dconf;
    if (err != NULL) {
        return err;
    }
    if (*name == '\0' || strlen(name) > MP_SOCACHE_MAX_NAME) {
        return apr_psprintf(cmd->pool, "%s: the name must have 1 to %d "
                            "characters", cmd->cmd->name, MP_SOCACHE_MAX_NAME);
    }
    for (p = name; *p; p++) {
        if (!apr_isalnum(*p) && *p != '_' && *p != '-') {
            return apr_psprintf(cmd->pool, "%s: invalid name '%s' (letters, "
                                "digits, '_' and '-' only)", cmd->cmd->name,
                                name);
        }
    }
    if (mp_socaches == NULL) {
        mp_socaches = apr_hash_make(cmd->pool);
        apr_pool_cleanup_register(cmd->pool, NULL, registry_reset,
                                  apr_pool_cleanup_null);
    }
    if (apr_hash_get(mp_socaches, name, APR_HASH_KEY_STRING) != NULL) {
        return apr_psprintf(cmd->pool, "%s: '%s' is declared twice",
                            cmd->cmd->name, name);
    }
    c = apr_pcalloc(cmd->pool, sizeof(*c));
    c->name = apr_pstrdup(cmd->pool, name);
    colon = strchr(spec, ':');
    if (colon != NULL) {
        c->provider_name = apr_pstrmemdup(cmd->pool, spec, colon - spec);
        c->args = apr_pstrdup(cmd->pool, colon + 1);
    }
    else {
        c->provider_name = apr_pstrdup(cmd->pool, spec);
        c->args = "";
    }
    c->provider = ap_lookup_provider(AP_SOCACHE_PROVIDER_GROUP,
                                     c->provider_name,
                                     AP_SOCACHE_PROVIDER_VERSION);
    if (c->provider == NULL) {
        return apr_psprintf(cmd->pool, "%s %s: unknown socache provider "
                            "'%s' (is mod_socache_%s loaded, before this "
                            "line?)", cmd->cmd->name, name, c->provider_name,
                            c->provider_name);
    }
    err = c->provider->create(&c->instance, c->args, cmd->temp_pool,
                              cmd->pool);
    if (err != NULL) {
        return apr_psprintf(cmd->pool, "%s %s: %s: %s", cmd->cmd->name, name,
                            c->provider_name, err);
    }
    apr_hash_set(mp_socaches, c->name, APR_HASH_KEY_STRING, c);
    return NULL;
}

static int
socache_pre_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp)
{
    (void)plog;
    (void)ptemp;
    if (ap_mutex_register(pconf, MP_SOCACHE_MUTEX, NULL, APR_LOCK_DEFAULT,
                          0) != APR_SUCCESS) {
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    return OK;
}

/* Initialise every instance (and its mutex) in the parent. */
static int
socache_post_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp,
                    server_rec *s)
{
    static const struct ap_socache_hints hints = {
        .avg_id_len = 34,
        .avg_obj_size = 1024,
        .expiry_interval = apr_time_from_sec(60),
    };
    apr_hash_index_t *hi;

    (void)plog;
    /* The first pass only checks the configuration. */
    if (mp_socaches == NULL
        || ap_state_query(AP_SQ_MAIN_STATE) == AP_SQ_MS_CREATE_PRE_CONFIG) {
        return OK;
    }
    for (hi = apr_hash_first(ptemp, mp_socaches); hi; hi = apr_hash_next(hi)) {
        mp_socache *c = apr_hash_this_val(hi);
        apr_status_t rv;

        if (c->provider->flags & AP_SOCACHE_FLAG_NOTMPSAFE) {
            rv = ap_global_mutex_create(&c->mutex, NULL, MP_SOCACHE_MUTEX,
                                        c->name, s, pconf, 0);
            if (rv != APR_SUCCESS) {
                ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, MP_APLOGNO(0821)
                             "session cache %s: cannot create its mutex",
                             c->name);
                return HTTP_INTERNAL_SERVER_ERROR;
            }
        }
        rv = c->provider->init(c->instance, MP_SOCACHE_CNAME, &hints, s,
                               pconf);
        if (rv != APR_SUCCESS) {
            ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, MP_APLOGNO(0820)
                         "session cache %s: %s provider failed to initialise "
                         "with '%s'", c->name, c->provider_name, c->args);
            return HTTP_INTERNAL_SERVER_ERROR;
        }
        c->server = s;
        c->ready = 1;
        apr_pool_cleanup_register(pconf, c, instance_destroy,
                                  apr_pool_cleanup_null);
        ap_log_error(APLOG_MARK, APLOG_DEBUG, 0, s,
                     "session cache %s: %s '%s' ready", c->name,
                     c->provider_name, c->args);
    }
    return OK;
}

static void
socache_child_init(apr_pool_t *pchild, server_rec *s)
{
    apr_hash_index_t *hi;

    if (mp_socaches == NULL) {
        return;
    }
    for (hi = apr_hash_first(pchild, mp_socaches); hi;
         hi = apr_hash_next(hi)) {
        mp_socache *c = apr_hash_this_val(hi);
        apr_status_t rv;

        if (c->mutex == NULL) {
            continue;
        }
        rv = apr_global_mutex_child_init(&c->mutex,
                                         apr_global_mutex_lockfile(c->mutex),
                                         pchild);
        if (rv != APR_SUCCESS) {
            ap_log_error(APLOG_MARK, APLOG_ERR, rv, s, MP_APLOGNO(0822)
                         "session cache %s: cannot attach its mutex; the "
                         "cache is disabled in this process", c->name);
            c->ready = 0;
        }
    }
}

void
mp_socache_register_hooks(apr_pool_t *p)
{
    (void)p;
    ap_hook_pre_config(socache_pre_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_post_config(socache_post_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_child_init(socache_child_init, NULL, NULL, APR_HOOK_MIDDLE);
}

/* ------------------------------------------------------------------ */
/* provider calls (no GIL)                                            */
/* ------------------------------------------------------------------ */

typedef enum { OP_STORE, OP_RETRIEVE, OP_REMOVE } mp_socache_op;

typedef struct {
    mp_socache_op op;
    const unsigned char *key;
    unsigned int keylen;
    unsigned char *data;                /* store: in; retrieve: out */
    unsigned int datalen;               /* retrieve: in capacity, out length */
    apr_time_t expiry;
    const char *failed;                 /* which call failed */
} mp_socache_call;

/* One provider operation, under the instance mutex when it has one.  Runs
 * without the GIL. */
static apr_status_t
socache_run(mp_socache *c, mp_socache_call *call, apr_pool_t *p)
{
    server_rec *s = c->server;
    apr_status_t rv, lrv;

    if (c->mutex != NULL && (lrv = apr_global_mutex_lock(c->mutex))
        != APR_SUCCESS) {
        call->failed = "lock";
        return lrv;
    }
    switch (call->op) {
    case OP_STORE:
        call->failed = "store";
        rv = c->provider->store(c->instance, s, call->key, call->keylen,
                                call->expiry, call->data, call->datalen, p);
        break;
    case OP_RETRIEVE:
        call->failed = "retrieve";
        rv = c->provider->retrieve(c->instance, s, call->key, call->keylen,
                                   call->data, &call->datalen, p);
        break;
    default:
        call->failed = "remove";
        rv = c->provider->remove(c->instance, s, call->key, call->keylen, p);
        break;
    }
    if (rv == APR_NOTFOUND && call->op == OP_RETRIEVE && c->mutex == NULL) {
        /* Confirm the miss: a store at the same key (so on the same server
         * of a memcache/redis pool) fails when the store is unreachable. */
        unsigned char empty = 0;
        apr_status_t prv = c->provider->store(
            c->instance, s, call->key, call->keylen,
            apr_time_now() + apr_time_from_sec(MP_SOCACHE_PROBE_TTL), &empty,
            0, p);

        if (prv != APR_SUCCESS) {
            call->failed = "retrieve (the store did not answer)";
            rv = prv == APR_NOTFOUND ? APR_ECONNREFUSED : prv;
        }
    }
    if (c->mutex != NULL) {
        apr_global_mutex_unlock(c->mutex);
    }
    return rv;
}

/* ------------------------------------------------------------------ */
/* Python functions                                                   */
/* ------------------------------------------------------------------ */

/* The instance called name, or NULL with KeyError / RuntimeError set. */
static mp_socache *
socache_lookup(const char *name)
{
    mp_socache *c = mp_socaches ? apr_hash_get(mp_socaches, name,
                                               APR_HASH_KEY_STRING) : NULL;

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
    Py_BEGIN_ALLOW_THREADS
    rv = socache_run(c, call, p);
    Py_END_ALLOW_THREADS
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
    if (key.len == 0 || key.len > 200 || data.len > (Py_ssize_t)UINT_MAX) {
        PyErr_SetString(PyExc_ValueError, "socache_store: the key must have "
                        "1 to 200 bytes");
        goto done;
    }
    call.key = key.buf;
    call.keylen = (unsigned int)key.len;
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
    if (key.len == 0 || key.len > 200 || maxlen < 1
        || maxlen > (Py_ssize_t)UINT_MAX) {
        PyErr_SetString(PyExc_ValueError, "socache_retrieve: the key must "
                        "have 1 to 200 bytes, maxlen must be positive");
        goto done;
    }
    if ((buf = PyBytes_FromStringAndSize(NULL, maxlen)) == NULL) {
        goto done;
    }
    call.key = key.buf;
    call.keylen = (unsigned int)key.len;
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
    if (key.len == 0 || key.len > 200) {
        PyErr_SetString(PyExc_ValueError, "socache_remove: the key must have "
                        "1 to 200 bytes");
        goto done;
    }
    call.key = key.buf;
    call.keylen = (unsigned int)key.len;
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
