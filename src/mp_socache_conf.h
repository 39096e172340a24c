/*
 * mp_socache_conf.h: named instances of Apache's small-object cache
 * providers (ap_socache.h: shmcb, memcache, redis, dbm, ...), the stores
 * behind mod_python.Session.SocacheSession (see mp_socache.h).
 *
 * What: a process-wide registry of named cache instances.  The server
 * configuration declares each one (the directive handler mp_cmd_session_cache,
 * main server only): NAME and "provider[:args]".  The provider is looked up
 * and its instance created while the configuration is read; the instance is
 * initialised in the parent at post_config (shmcb makes its anonymous
 * shared memory there, before the children fork), and providers that are
 * not safe across processes (AP_SOCACHE_FLAG_NOTMPSAFE: shmcb, dbm) get a
 * global mutex of type "python-socache" (the Mutex directive applies),
 * re-attached in each child at child_init.
 *
 * Owner and lifetime: the registry and every instance are allocated in the
 * configuration pool; a cleanup on that pool destroys the instances and
 * empties the registry, so a restart builds them again from the new
 * configuration (shmcb content does not survive a restart; memcache and
 * redis content lives in the store).  After post_config the registry is
 * read-only, so request threads read it without a lock.
 *
 * Plain C, no Python: mp_config.c declares instances through the
 * directive handler, mp_socache.c (the Python functions) finds and calls
 * them.  mp_socache_run() runs without the GIL.
 */
#ifndef MP_SOCACHE_CONF_H
#define MP_SOCACHE_CONF_H

#include "mp_common.h"
#include "ap_socache.h"

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

/* Directive handler: NAME "provider[:args]" (RSRC_CONF, main server).
 * Returns NULL or an error string. */
const char *mp_cmd_session_cache(cmd_parms *cmd, void *dconf,
                                 const char *name, const char *spec);

/* Register the pre_config / post_config / child_init hooks. */
void mp_socache_register_hooks(apr_pool_t *p);

/* The instance declared as name, or NULL. */
mp_socache *mp_socache_find(const char *name);

/* One provider operation, under the instance mutex when it has one; a
 * miss of a network store is confirmed by a short store (see above).  Runs
 * without the GIL.  The provider's status; call->failed names the step. */
apr_status_t mp_socache_run(mp_socache *c, mp_socache_call *call,
                            apr_pool_t *p);

#endif /* MP_SOCACHE_CONF_H */
