/*
 * mod_python.c: the module record.  Configuration lives in mp_config.c,
 * the hooks in mp_hooks.c, Python itself in mp_interp.c.
 */
#define MP_DECLARING_MODULE
#include "mp_common.h"
#include "mp_config.h"
#include "mp_hooks.h"
#include "mp_interp.h"
#include "mp_restart.h"
#include "mp_socache_conf.h"
#define MP_DECLARING_OPTIONAL
#include "mp_optional.h"

static void
mp_register_hooks(apr_pool_t *p)
{
    mp_hooks_register(p);
    mp_restart_register_hooks(p);
    mp_socache_register_hooks(p);
    mp_optional_register();
}

AP_DECLARE_MODULE(python) = {
    STANDARD20_MODULE_STUFF,
    mp_config_create_dir,
    mp_config_merge_dir,
    mp_config_create_srv,
    mp_config_merge_srv,
    mp_config_commands,
    mp_register_hooks,
#if defined(AP_MODULE_FLAG_ALWAYS_MERGE)
    AP_MODULE_FLAG_NONE
#endif
};
