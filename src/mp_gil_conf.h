/*
 * mp_gil_conf.h: which named interpreters get a GIL of their own
 * (PythonInterpreterGIL, Python 3.12 and newer).
 *
 * The directive is a server-level list, `PythonInterpreterGIL own|shared
 * NAME...`, in the main server or a virtual host: a GIL belongs to an
 * interpreter, and an interpreter is one per name in a child whatever
 * scope chose the name, so the mode is keyed by the name and cannot differ
 * between scopes.  A NAME may be a wildcard pattern (`*`, `www.*`); an
 * exact name wins over the patterns, then the first pattern written wins.
 * The main interpreter always keeps the process's main GIL.
 *
 * Plain C data, no Python.  The rules are written while the configuration
 * is read in the single-threaded parent (the list lives in the
 * configuration pool and is dropped with it) and only read afterwards, by
 * the children, which inherit them: mp_interp.c asks once per interpreter
 * it creates.  A leaf: it includes nothing of the module but mp_common.h.
 */
#ifndef MP_GIL_CONF_H
#define MP_GIL_CONF_H

#include "mp_common.h"

/* Python 3.12 added interpreters with a GIL of their own (PEP 684,
 * Py_NewInterpreterFromConfig with PyInterpreterConfig_OWN_GIL); on 3.11
 * every interpreter of a process shares one GIL. */
#if PY_VERSION_HEX >= 0x030C0000
#define MP_HAVE_OWN_GIL 1
#else
#define MP_HAVE_OWN_GIL 0
#endif

/* Directive handler (AP_INIT_TAKE_ARGV, RSRC_CONF; cmd->info is the name
 * of the main interpreter, which cannot be declared own): NULL or an error
 * string carrying its MPnnnn code. */
const char *mp_gil_conf_cmd(cmd_parms *cmd, void *dconf, int argc,
                            char *const argv[]);

/* Whether sub-interpreter `name` is configured to have its own GIL: 1 or
 * 0 (always 0 on Python 3.11; the caller never asks for the main
 * interpreter).  No GIL needed; never fails. */
int mp_gil_conf_own(const char *name);

#endif /* MP_GIL_CONF_H */
