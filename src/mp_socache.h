/*
 * mp_socache.h: Apache's small-object cache providers (ap_socache.h:
 * shmcb, memcache, redis, dbm, ...) for Python code, the store behind
 * mod_python.Session.SocacheSession.
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
 * Python side (functions of _apache, added by mp_socache_init):
 *   socache_store(name, key, data, expiry)   expiry: absolute time.time()
 *   socache_retrieve(name, key, maxlen)      bytes, or None for a miss
 *   socache_remove(name, key)                True if something was removed
 *   socache_info(name)                       (provider, args, flags)
 * Keys have 1 to 200 bytes (memcache and redis store "mod_python:" + the
 * key in hex, so they take at most about 115).  An unknown name raises
 * KeyError; a provider failure (the store is down, the object is too large)
 * raises OSError.  A miss reported by a provider
 * that talks to a network store is confirmed by writing a short-lived empty
 * record at the same key: apr_memcache and apr_redis report "not found"
 * when their only server is marked down, which must not read as "no such
 * session".
 *
 * GIL: the functions are called with the GIL held and release it around
 * every provider call (which may wait for the network or the mutex); the
 * Python objects they read stay referenced meanwhile.  The hooks never
 * touch Python.
 */
#ifndef MP_SOCACHE_H
#define MP_SOCACHE_H

#include "mp_common.h"

/* Directive handler: NAME "provider[:args]" (RSRC_CONF, main server).
 * Returns NULL or an error string. */
const char *mp_cmd_session_cache(cmd_parms *cmd, void *dconf,
                                 const char *name, const char *spec);

/* Register the pre_config / post_config / child_init hooks. */
void mp_socache_register_hooks(apr_pool_t *p);

/* Exec slot of _apache: add the socache_* functions.  0, or -1 with an
 * exception set. */
int mp_socache_init(PyObject *module);

#endif /* MP_SOCACHE_H */
