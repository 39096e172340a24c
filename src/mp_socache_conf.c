/*
 * mp_socache_conf.c: the named socache instances: directive, registry,
 * hooks and provider calls.  See mp_socache_conf.h.
 */
#include "mp_socache_conf.h"

#include "ap_provider.h"
#include "apr_lib.h"
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


apr_status_t
mp_socache_run(mp_socache *c, mp_socache_call *call, apr_pool_t *p)
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

mp_socache *
mp_socache_find(const char *name)
{
    return mp_socaches ? apr_hash_get(mp_socaches, name, APR_HASH_KEY_STRING)
                       : NULL;
}
