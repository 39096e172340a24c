/*
 * mp_mutex.h: the pool of cross-process mutexes behind
 * _apache._global_lock / _global_trylock / _global_unlock.
 *
 * Created in the parent at post_config (before children fork, so every
 * child of one generation shares them) and re-attached in each child.  The
 * pool lives as long as the configuration pool.  Index 0 is reserved for
 * dbm files; a key maps to 1..N-1 through a hash that is stable across
 * processes (unlike Python's randomised hash()).  The lock calls release the
 * GIL while they wait.
 */
#ifndef MP_MUTEX_H
#define MP_MUTEX_H

#include "mp_common.h"

/* Parent, post_config: create the pool.  Returns OK or an HTTP error. */
int mp_mutex_post_config(apr_pool_t *pconf, server_rec *s);

/* Child init: re-attach. */
void mp_mutex_child_init(apr_pool_t *pchild, server_rec *s);

/* _apache._global_lock(server, key, index=-1) and friends. */
PyObject *mp_mutex_lock(PyObject *module, PyObject *args);
PyObject *mp_mutex_trylock(PyObject *module, PyObject *args);
PyObject *mp_mutex_unlock(PyObject *module, PyObject *args);

#endif /* MP_MUTEX_H */
