/*
 * mp_socache.h: the _apache functions over Apache's small-object cache
 * providers (the named instances of mp_socache_conf.h), the store behind
 * mod_python.Session.SocacheSession.
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
 * Python objects they read stay referenced meanwhile.
 */
#ifndef MP_SOCACHE_H
#define MP_SOCACHE_H

#include "mp_socache_conf.h"

/* Exec slot of _apache: add the socache_* functions.  0, or -1 with an
 * exception set. */
int mp_socache_init(PyObject *module);

#endif /* MP_SOCACHE_H */
