/*
 * mp_metrics_conf.c: what the configuration tells the metrics.  See
 * mp_metrics_conf.h.
 */
#include "mp_metrics_conf.h"

mp_metrics_conf_t mp_metrics_conf;

int
mp_metrics_conf_pre_config(apr_pool_t *pconf, apr_pool_t *plog,
                           apr_pool_t *ptemp)
{
    (void)plog;
    (void)ptemp;
    memset(&mp_metrics_conf, 0, sizeof(mp_metrics_conf));
    mp_metrics_conf.labels = apr_hash_make(pconf);
    mp_metrics_conf.names[0] = MP_METRICS_OTHER;
    mp_metrics_conf.count = 1;
    return OK;
}

const char *
mp_metrics_cmd_flag(cmd_parms *cmd, void *dconf, int on)
{
    const char *err = ap_check_cmd_context(cmd, GLOBAL_ONLY);

    (void)dconf;
    if (err != NULL) {
        return err;
    }
    if (cmd->info != NULL) {
        mp_metrics_conf.reset = on;
    }
    else {
        mp_metrics_conf.enabled = on;
    }
    return NULL;
}

int
mp_metrics_label(cmd_parms *cmd, const char *handler)
{
    int *idx;

    if (mp_metrics_conf.labels == NULL || handler == NULL) {
        return 0;
    }
    idx = apr_hash_get(mp_metrics_conf.labels, handler, APR_HASH_KEY_STRING);
    if (idx != NULL) {
        return *idx;
    }
    /* In a child (an .htaccess file): the table is shared by every thread
     * and is read-only there. */
    if (ap_state_query(AP_SQ_MAIN_STATE) == AP_SQ_MS_RUN_MPM) {
        return 0;
    }
    idx = apr_palloc(cmd->pool, sizeof(*idx));
    if (mp_metrics_conf.count < MP_METRICS_SLOTS) {
        *idx = mp_metrics_conf.count;
        mp_metrics_conf.names[mp_metrics_conf.count++] =
            apr_pstrdup(cmd->pool, handler);
    }
    else {
        *idx = 0;
        mp_metrics_conf.dropped++;
    }
    apr_hash_set(mp_metrics_conf.labels, apr_pstrdup(cmd->pool, handler),
                 APR_HASH_KEY_STRING, idx);
    return *idx;
}
