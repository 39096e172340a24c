/*
 * mp_startup.h: starting Python in a child, and what PythonHome points at.
 *
 * mp_interp_child_init() calls
 * mp_startup_python() once per child, before any worker thread exists;
 * it inspects PythonHome with mp_pyhome.h, as the configuration checks do.
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
 * Nothing here holds Python objects.  mp_startup_package_dir() needs no
 * GIL and allocates from the pool it is given.  mp_startup_python() returns
 * with Python initialised and the GIL held by the calling thread (its main
 * thread state current), or with Python not running at all.
 */
#ifndef MP_STARTUP_H
#define MP_STARTUP_H

#include "mp_common.h"
#include "mp_pyhome.h"

/* Directory that must hold our mod_python package: the main server's
 * PythonOption mod_python.package_dir, else where `make install` put it.
 * Never NULL. */
const char *mp_startup_package_dir(server_rec *main_server);

/* Start Python in this child for main server s, with module_init
 * registered as the built-in _apache module: check that the
 * installation (or venv) is readable by this user and of the right
 * version, initialise Python from a PyConfig, and check that the
 * mod_python package that Python will import is ours.  Every failure is
 * logged here, in exactly one line (MP0002, MP0003, MP0030, MP0031,
 * MP0032), so the caller logs nothing more; APR_SUCCESS with the GIL held,
 * else an APR error with Python not running. */
apr_status_t mp_startup_python(apr_pool_t *pchild, server_rec *s,
                               PyObject *(*module_init)(void));

#endif /* MP_STARTUP_H */
