/*
 * mp_metrics_conf.h: what the configuration tells the metrics
 * (mp_metrics.h): PythonMetrics, PythonMetricsResetOnRestart and the label
 * index of every handler string a directive names.
 *
 * Plain C data, no Python.  It is written while the configuration is read
 * in the single-threaded parent (reset by pre_config) and only read after
 * that, by mp_metrics.c at post_config and by the children, which inherit
 * it.  A leaf: mp_config.c calls it for each handler line, and it includes
 * nothing of the module but mp_common.h.
 */
#ifndef MP_METRICS_CONF_H
#define MP_METRICS_CONF_H

#include "mp_common.h"

/* Handler labels kept, "(other)" included. */
#define MP_METRICS_SLOTS 256

/* The label of index 0: handlers past the limit, or not named in the
 * server's configuration files. */
#define MP_METRICS_OTHER "(other)"

typedef struct {
    int enabled;                    /* PythonMetrics */
    int reset;                      /* PythonMetricsResetOnRestart */
    apr_hash_t *labels;             /* handler string -> int index */
    const char *names[MP_METRICS_SLOTS];
    int count;                      /* indexes given, "(other)" incl. */
    int dropped;                    /* distinct strings past the limit */
} mp_metrics_conf_t;

/* The configuration being read, then read-only. */
extern mp_metrics_conf_t mp_metrics_conf;

/* pre_config hook (registered by mp_metrics_register): start empty. */
int mp_metrics_conf_pre_config(apr_pool_t *pconf, apr_pool_t *plog,
                               apr_pool_t *ptemp);

/* Directive handler of PythonMetrics (cmd->info NULL) and
 * PythonMetricsResetOnRestart (cmd->info non-NULL); server config only.
 * NULL or an error string. */
const char *mp_metrics_cmd_flag(cmd_parms *cmd, void *dconf, int on);

/* Label index of the handler string `handler` of a directive being read.
 * In the parent a new string gets the next index; in a child (an .htaccess
 * file) only strings already known are found.  0 ("(other)") otherwise.
 * Never fails. */
int mp_metrics_label(cmd_parms *cmd, const char *handler);

#endif /* MP_METRICS_CONF_H */
