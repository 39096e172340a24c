/*
 * mp_mutex.c: cross-process mutexes for sessions and dbm files.
 * See mp_mutex.h.
 */
#include "mp_mutex.h"
#include "mp_config.h"
#include "mp_interp.h"
#include "mp_util.h"

#include "apr_global_mutex.h"
#include "util_mutex.h"
#include "unixd.h"

#define MP_DEFAULT_LOCKS 8

static struct {
    apr_global_mutex_t **locks;
    const char **files;
    int count;
} mp_mutexes;

int
mp_mutex_post_config(apr_pool_t *pconf, server_rec *s)
{
    apr_table_t *opts = mp_config_srv(s)->options;
    const char *n = apr_table_get(opts, "mod_python.mutex_locks");
    const char *dir = apr_table_get(opts, "mod_python.mutex_directory");
    int count = n ? atoi(n) : MP_DEFAULT_LOCKS;
    int i;

    if (count < 2) {
        count = 2;
    }
    if (dir == NULL || *dir == '\0') {
        dir = ap_runtime_dir_relative(pconf, "");
    }
    mp_mutexes.locks = apr_pcalloc(pconf, count * sizeof(*mp_mutexes.locks));
    mp_mutexes.files = apr_pcalloc(pconf, count * sizeof(*mp_mutexes.files));
    for (i = 0; i < count; i++) {
        apr_status_t rv;

        mp_mutexes.files[i] = apr_psprintf(pconf, "%s/mpmtx%ld-%d", dir,
                                           (long)getpid(), i);
        rv = apr_global_mutex_create(&mp_mutexes.locks[i],
                                     mp_mutexes.files[i], APR_LOCK_DEFAULT,
                                     pconf);
        if (rv != APR_SUCCESS) {
            ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, MP_APLOGNO(0020)
                         "cannot create global mutex %d of %d (%s)", i,
                         count, mp_mutexes.files[i]);
            if (i < 2) {
                return HTTP_INTERNAL_SERVER_ERROR;
            }
            break;
        }
        ap_unixd_set_global_mutex_perms(mp_mutexes.locks[i]);
    }
    mp_mutexes.count = i;
    ap_log_error(APLOG_MARK, APLOG_DEBUG, 0, s,
                 "created %d global mutexes in %s", i, dir);
    return OK;
}

void
mp_mutex_child_init(apr_pool_t *pchild, server_rec *s)
{
    int i;

    for (i = 0; i < mp_mutexes.count; i++) {
        apr_status_t rv = apr_global_mutex_child_init(&mp_mutexes.locks[i],
                                                      mp_mutexes.files[i],
                                                      pchild);

        if (rv != APR_SUCCESS) {
            ap_log_error(APLOG_MARK, APLOG_ERR, rv, s, MP_APLOGNO(0021)
                         "cannot attach global mutex %d", i);
        }
    }
}

/* FNV-1a over the key's UTF-8 (or bytes) form: the same in every process. */
static int
key_index(PyObject *key)
{
    PyObject *s = PyUnicode_Check(key) ? Py_NewRef(key) : PyObject_Str(key);
    const unsigned char *p;
    Py_ssize_t n, i;
    apr_uint32_t h = 2166136261u;

    if (s == NULL) {
        return -1;
    }
    p = (const unsigned char *)PyUnicode_AsUTF8AndSize(s, &n);
    if (p == NULL) {
        Py_DECREF(s);
        return -1;
    }
    for (i = 0; i < n; i++) {
        h = (h ^ p[i]) * 16777619u;
    }
    Py_DECREF(s);
    return (int)(h % (apr_uint32_t)(mp_mutexes.count - 1)) + 1;
}

/* The mutex chosen by (server, key[, index]), or NULL with an exception. */
static apr_global_mutex_t *
pick(PyObject *args, const char *fname)
{
    PyObject *server, *key;
    int index = -1;
    char fmt[32];

    apr_snprintf(fmt, sizeof(fmt), "OO|i:%s", fname);
    if (!PyArg_ParseTuple(args, fmt, &server, &key, &index)) {
        return NULL;
    }
    if (mp_mutexes.count == 0) {
        PyErr_SetString(PyExc_RuntimeError, "no global mutexes available");
        return NULL;
    }
    if (index == -1 && (index = key_index(key)) < 0) {
        return NULL;
    }
    if (index < 0 || index >= mp_mutexes.count) {
        PyErr_Format(PyExc_ValueError,
                     "mutex index %d out of range 0..%d", index,
                     mp_mutexes.count - 1);
        return NULL;
    }
    return mp_mutexes.locks[index];
}

PyObject *
mp_mutex_lock(PyObject *module, PyObject *args)
{
    apr_global_mutex_t *m = pick(args, "_global_lock");
    apr_status_t rv;

    (void)module;
    if (m == NULL) {
        return NULL;
    }
    MP_BLOCKING_BEGIN
    rv = apr_global_mutex_lock(m);
    MP_BLOCKING_END
    if (rv != APR_SUCCESS) {
        return mp_raise_apr(rv, "global mutex lock failed");
    }
    Py_RETURN_NONE;
}

PyObject *
mp_mutex_trylock(PyObject *module, PyObject *args)
{
    apr_global_mutex_t *m = pick(args, "_global_trylock");
    apr_status_t rv;

    (void)module;
    if (m == NULL) {
        return NULL;
    }
    rv = apr_global_mutex_trylock(m);
    if (rv == APR_SUCCESS) {
        Py_RETURN_TRUE;
    }
    if (APR_STATUS_IS_EBUSY(rv)) {
        Py_RETURN_FALSE;
    }
    return mp_raise_apr(rv, "global mutex trylock failed");
}

PyObject *
mp_mutex_unlock(PyObject *module, PyObject *args)
{
    apr_global_mutex_t *m = pick(args, "_global_unlock");
    apr_status_t rv;

    (void)module;
    if (m == NULL) {
        return NULL;
    }
    rv = apr_global_mutex_unlock(m);
    if (rv != APR_SUCCESS) {
        return mp_raise_apr(rv, "global mutex unlock failed");
    }
    Py_RETURN_NONE;
}
