/*
 * mp_config_check.h: checks of directive values while Apache reads its
 * configuration, so that `apachectl -t` (apache2 -t) reports mistakes with
 * the file and line instead of the first request failing.
 *
 * Owner: the compat-c area.  Each function is called from one line at the
 * end of a directive handler in mp_config.c and returns what the handler
 * returns: NULL when the value is fine, else the error message (allocated
 * from cmd->pool), which Apache prints after "Syntax error on line N of
 * FILE:" and which makes the configuration test fail.  In .htaccess files
 * (parsed by a child for a request) the same message goes to the error log
 * and the request gets a 500.
 *
 * Python never runs here: these checks run in the root parent, where
 * Python must not start, and in .htaccess parsing on the request path.
 * They are plain C over strings and the file system; no GIL, no Python
 * objects, nothing kept after the call.
 *
 * What is checked:
 *   PythonHome    exists, and is a Python X.Y installation (X.Y being the
 *                 version the module was built for) or a virtual
 *                 environment of that version (mp_startup_inspect_home).
 *   PythonPath    the syntax of the expression, as far as a small scanner
 *                 can judge (mp_config_check_expression): a leading name,
 *                 list, tuple or string; closed strings and balanced
 *                 brackets; no statements (';', assignment); no trailing
 *                 operator.  Errors it cannot see still fail at the first
 *                 request that evaluates the expression.
 *   PythonOption  mod_python.wsgi.base_uri must not end with '/';
 *                 mod_python.mutex_locks must be a positive integer.
 */
#ifndef MP_CONFIG_CHECK_H
#define MP_CONFIG_CHECK_H

#include "mp_common.h"

/* PythonHome (an absolute path). */
const char *mp_config_check_home(cmd_parms *cmd, const char *home);

/* A PythonPath expression. */
const char *mp_config_check_python_path(cmd_parms *cmd, const char *value);

/* PythonOption key [value]; value may be NULL or "". */
const char *mp_config_check_option(cmd_parms *cmd, const char *key,
                                   const char *value);

#endif /* MP_CONFIG_CHECK_H */
