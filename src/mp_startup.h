/*
 * mp_startup.h: starting Python in a child, and what PythonHome points at.
 *
 * Owner: the compat-c area.  mp_interp_child_init() calls
 * mp_startup_python() once per child, before any worker thread exists;
 * mp_config_check.c calls mp_startup_inspect_home() while Apache reads its
 * configuration (in the root parent, where Python never starts).
 *
 * A PythonHome is either a Python installation (a prefix holding
 * lib/pythonX.Y/os.py for the X.Y the module was built for) or a virtual
 * environment (a directory holding pyvenv.cfg, as `python3 -m venv` makes).
 * A venv is started the way mod_wsgi's python-home starts it: Python is
 * given <venv>/bin/python3 as its program, so its own path computation reads
 * pyvenv.cfg, takes the standard library from the base installation named
 * by the `home` key, sets sys.prefix to the venv, and site (run per
 * interpreter) adds the venv's site-packages, .pth files included, ahead of
 * the system's (which only appear with include-system-site-packages).
 *
 * Nothing here holds Python objects.  mp_startup_inspect_home() needs no
 * GIL and allocates from the pool it is given.  mp_startup_python() returns
 * with Python initialised and the GIL held by the calling thread (its main
 * thread state current), or with Python not running at all.
 */
#ifndef MP_STARTUP_H
#define MP_STARTUP_H

#include "mp_common.h"

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

/* Directory that must hold our mod_python package: the main server's
 * PythonOption mod_python.package_dir, else where `make install` put it.
 * Never NULL. */
const char *mp_startup_package_dir(server_rec *main_server);

/* Start Python in this child for main server s: check that the
 * installation (or venv) is readable by this user and of the right
 * version, initialise Python from a PyConfig, and check that the
 * mod_python package that Python will import is ours.  Every failure is
 * logged here, in exactly one line (MP0002, MP0003, MP0030, MP0031,
 * MP0032), so the caller logs nothing more; APR_SUCCESS with the GIL held,
 * else an APR error with Python not running. */
apr_status_t mp_startup_python(apr_pool_t *pchild, server_rec *s);

#endif /* MP_STARTUP_H */
