/*
 * mp_restart.h: the parent's side of a graceful restart.
 *
 * On a graceful restart the parent (never a child; no Python here) waits
 * up to 100 ms, at the end of post_config, for the children of the old
 * generation to exit.  The MPM otherwise notices them only at its one
 * second tick, so the new generation would start a second or two late.
 * It reads the scoreboard and waits with waitid(WNOWAIT), leaving the
 * reaping to the MPM.
 */
#ifndef MP_RESTART_H
#define MP_RESTART_H

#include "mp_common.h"

/* Register the post_config hook (register_hooks time). */
void mp_restart_register_hooks(apr_pool_t *p);

#endif /* MP_RESTART_H */
