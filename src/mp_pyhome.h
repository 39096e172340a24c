/*
 * mp_pyhome.h: what a PythonHome is, found without starting Python.
 *
 * A PythonHome is either a Python installation (a prefix holding
 * lib/pythonX.Y/os.py for the X.Y the module was built for) or a virtual
 * environment (a directory holding pyvenv.cfg, as `python3 -m venv` makes).
 * mp_config_check.c inspects it while Apache reads its configuration (in
 * the root parent, where Python never starts) and mp_startup.c again when
 * a child starts.  Plain file-system reads: no Python, no GIL; everything
 * is allocated from the pool given.
 */
#ifndef MP_PYHOME_H
#define MP_PYHOME_H

#include "mp_common.h"

#define MP_STR(x) MP_STR2(x)
#define MP_STR2(x) #x
/* "X.Y" of the Python the module was built for. */
#define MP_BUILT_FOR MP_STR(PY_MAJOR_VERSION) "." MP_STR(PY_MINOR_VERSION)

/* What a PythonHome is, found without starting Python. */
typedef struct {
    const char *home;           /* as configured */
    int is_venv;                /* pyvenv.cfg found */
    int unreadable;             /* this user cannot look into home */
    int version_mismatch;       /* venv of another Python X.Y */
    const char *program;        /* venv: <home>/bin/python3 (or python) */
    const char *base_prefix;    /* installation holding the stdlib */
    const char *stdlib;         /* <base_prefix>/lib/pythonX.Y */
    const char *venv_version;   /* venv: "X.Y" from pyvenv.cfg, or NULL */
    const char *site_packages;  /* venv: <home>/lib/pythonX.Y/site-packages */
} mp_home_info;

/* Inspect home (absolute).  NULL when it is a usable Python home or venv
 * for this build, else a message naming the problem (allocated from p);
 * *info is filled as far as it could be either way. */
const char *mp_startup_inspect_home(apr_pool_t *p, const char *home,
                                    mp_home_info *info);

/* Inspect home (absolute).  NULL when it is a usable Python home or venv
 * for this build, else a message naming the problem (allocated from p);
 * *info is filled as far as it could be either way. */
const char *mp_pyhome_inspect(apr_pool_t *p, const char *home,
                              mp_home_info *info);

/* Whether path is a directory / a file that is not a directory. */
int mp_pyhome_is_dir(apr_pool_t *p, const char *path);
int mp_pyhome_is_file(apr_pool_t *p, const char *path);

/* Parent directory of path (without trailing '/'), or "/". */
const char *mp_pyhome_parent_dir(apr_pool_t *p, const char *path);

/* Value of `key = value` in a small config file such as pyvenv.cfg
 * (quotes stripped), or NULL. */
const char *mp_pyhome_file_value(apr_pool_t *p, const char *path,
                                 const char *key);

#endif /* MP_PYHOME_H */
