/*
 * mp_reqstate.c: the per-request state.  See mp_reqstate.h.
 */
#include "mp_reqstate.h"

static apr_status_t (*request_end)(mp_reqstate *rs);

void
mp_reqstate_init(apr_status_t (*at_end)(mp_reqstate *rs))
{
    request_end = at_end;
}

static apr_status_t
reqstate_cleanup(void *data)
{
    return request_end != NULL ? request_end(data) : APR_SUCCESS;
}

mp_reqstate *
mp_reqstate_find(request_rec *r)
{
    return ap_get_module_config(r->request_config, &python_module);
}

mp_reqstate *
mp_reqstate_get(request_rec *r)
{
    mp_reqstate *rs = mp_reqstate_find(r);

    if (rs == NULL) {
        rs = apr_pcalloc(r->pool, sizeof(*rs));
        rs->r = r;
        ap_set_module_config(r->request_config, &python_module, rs);
        apr_pool_cleanup_register(r->pool, rs, reqstate_cleanup,
                                  apr_pool_cleanup_null);
    }
    return rs;
}

int
mp_reqstate_add_handler(request_rec *r, const char *phase,
                        const char *handler, const char *dir)
{
    int i = mp_phase_lookup(phase);
    mp_reqstate *rs;
    mp_handler **tail;

    if (i < 0 || i == MP_PHASE_CLEANUP) {
        return -1;
    }
    rs = mp_reqstate_get(r);
    for (tail = &rs->dynamic[i]; *tail != NULL; tail = &(*tail)->next) {
    }
    *tail = mp_config_new_handler(
        r->pool, apr_pstrdup(r->pool, handler),
        dir ? mp_config_canonical_dir(r->pool, dir) : NULL);
    return 0;
}
