/*
 * mp_optional.c: the APR optional functions of mp_optional.h, thin
 * wrappers over mp_interp.c and the object constructors.
 */
#include "mp_common.h"
#define MP_DECLARING_OPTIONAL
#include "mp_optional.h"
#include "mp_request.h"
#include "mp_interp.h"
#include "mp_connection.h"
#include "mp_server.h"

static PyInterpreterState *
mp_acquire_interpreter(const char *name)
{
    server_rec *s = mp_interp_main_server();
    mp_interp *ip;

    if (s == NULL || !mp_interp_ready()) {
        return NULL;
    }
    ip = mp_interp_acquire(name, s);
    return ip ? ip->istate : NULL;
}

static void
mp_release_interpreter(void)
{
    mp_interp_release(mp_interp_current());
}

/* The current interpreter's module state, or NULL with an exception. */
static MpModuleState *
current_state(void)
{
    mp_interp *ip = mp_interp_current();

    if (ip == NULL || ip->state == NULL) {
        PyErr_SetString(PyExc_RuntimeError,
                        "no mod_python interpreter is current");
        return NULL;
    }
    return ip->state;
}

static PyObject *
mp_get_request_object(request_rec *r)
{
    MpModuleState *st = current_state();

    return st ? mp_request_for(st, r) : NULL;
}

static PyObject *
mp_get_server_object(server_rec *s)
{
    MpModuleState *st = current_state();

    return st ? mp_server_new(st, s) : NULL;
}

/* A connection object handed out: invalidated with the connection pool. */
typedef struct {
    mp_interp *ip;
    PyObject *conn;                 /* strong reference */
} mp_conn_hold;

static apr_status_t
expire_connection(void *data)
{
    mp_conn_hold *h = data;

    if (!mp_interp_ready() || h->conn == NULL
        || mp_interp_acquire(h->ip->name, mp_interp_main_server()) == NULL) {
        return APR_SUCCESS;
    }
    mp_connection_invalidate((MpConnectionObject *)h->conn);
    Py_CLEAR(h->conn);
    mp_interp_release(h->ip);
    return APR_SUCCESS;
}

static PyObject *
mp_get_connection_object(conn_rec *c)
{
    MpModuleState *st = current_state();
    mp_conn_hold *h;
    PyObject *conn;

    if (st == NULL || (conn = mp_connection_new(st, c)) == NULL) {
        return NULL;
    }
    h = apr_palloc(c->pool, sizeof(*h));
    h->ip = mp_interp_current();
    h->conn = Py_NewRef(conn);
    apr_pool_cleanup_register(c->pool, h, expire_connection,
                              apr_pool_cleanup_null);
    return conn;
}

void
mp_optional_register(void)
{
    APR_REGISTER_OPTIONAL_FN(mp_acquire_interpreter);
    APR_REGISTER_OPTIONAL_FN(mp_release_interpreter);
    APR_REGISTER_OPTIONAL_FN(mp_get_request_object);
    APR_REGISTER_OPTIONAL_FN(mp_get_server_object);
    APR_REGISTER_OPTIONAL_FN(mp_get_connection_object);
}
