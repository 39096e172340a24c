/*
 * mp_startup.c: Python start-up in a child (PyConfig, PythonHome and
 * virtualenvs, the checks that make start-up failures clear).  See
 * mp_startup.h for the contract.
 */
#include "mp_startup.h"
#include "mp_pyhome.h"
#include "mp_config.h"
#include "mp_version.h"

#include "apr_file_io.h"
#include "apr_lib.h"

#include <unistd.h>
#include <pwd.h>

#define MP_PACKAGE_DIR_OPTION "mod_python.package_dir"

/* A file only our package has (3.x had no _dispatch module). */
#define MP_PACKAGE_MARKER "mod_python/_dispatch.py"


const char *
mp_startup_package_dir(server_rec *main_server)
{
    mp_srv_config *sc = mp_config_srv(main_server);
    const char *dir = sc ? apr_table_get(sc->options, MP_PACKAGE_DIR_OPTION)
                         : NULL;

    return (dir != NULL && *dir != '\0') ? dir : MP_PYTHON_LIBDIR;
}

/* ------------------------------------------------------------------ */
/* checks in the child, before Python starts                          */
/* ------------------------------------------------------------------ */

/* Standard library of the Python that starts without PythonHome: follow
 * the executable's symlinks (a venv's python3 leads to its base). */
static const char *
default_stdlib(apr_pool_t *p)
{
    char real[PATH_MAX];

    if (realpath(MP_PYTHON_EXECUTABLE, real) == NULL) {
        return NULL;
    }
    return apr_psprintf(p, "%s/lib/python" MP_BUILT_FOR,
                        mp_pyhome_parent_dir(p, mp_pyhome_parent_dir(p, real)));
}

static void
log_unreadable(server_rec *s, const char *path, int err, const char *what)
{
    struct passwd *pw = getpwuid(geteuid());

    ap_log_error(APLOG_MARK, APLOG_CRIT, err, s, MP_APLOGNO(0002)
                 "Python cannot start: %s is not readable by user %s "
                 "(uid %ld), so %s cannot be used; make it readable by "
                 "Apache's User, or point PythonHome at a Python "
                 "installation or virtual environment that is", path,
                 pw ? pw->pw_name : "?", (long)geteuid(), what);
}

/* Fail early, naming the path and the user, when this child cannot read
 * the Python installation, or the venv's own files. */
static int
python_readable(apr_pool_t *p, server_rec *s, const mp_home_info *info)
{
    const char *stdlib = info ? info->stdlib : default_stdlib(p);
    const char *probe;

    if (stdlib == NULL) {
        return 1;
    }
    probe = apr_pstrcat(p, stdlib, "/os.py", NULL);
    if (access(probe, R_OK) != 0) {
        log_unreadable(s, probe, errno, "the standard library");
        return 0;
    }
    if (info == NULL || !info->is_venv) {
        return 1;
    }
    probe = apr_pstrcat(p, info->home, "/pyvenv.cfg", NULL);
    if (access(probe, R_OK) != 0) {
        log_unreadable(s, probe, errno, "the virtual environment");
        return 0;
    }
    if (mp_pyhome_is_dir(p, info->site_packages)
        && access(info->site_packages, R_OK | X_OK) != 0) {
        log_unreadable(s, info->site_packages,
                       errno, "the virtual environment's site-packages");
        return 0;
    }
    return 1;
}

/* ------------------------------------------------------------------ */
/* which mod_python package Python imports                            */
/* ------------------------------------------------------------------ */

static int
own_package_in(apr_pool_t *p, const char *dir)
{
    return mp_pyhome_is_file(p, apr_pstrcat(p, dir, "/" MP_PACKAGE_MARKER, NULL));
}

/* Directory of the mod_python package that the interpreters would import
 * with dir first on sys.path (after site), or NULL when there is none.
 * Main interpreter current; -1 with a Python exception on failure. */
static int
find_package(apr_pool_t *p, const char *dir, const char **found)
{
    PyObject *site = NULL, *res = NULL, *machinery = NULL, *finder = NULL;
    PyObject *path = NULL, *first = NULL, *spec = NULL, *locs = NULL;
    PyObject *sys_path;
    int rc = -1;

    *found = NULL;
    site = PyImport_ImportModule("site");
    if (site == NULL
        || (res = PyObject_CallMethod(site, "main", NULL)) == NULL) {
        goto done;
    }
    sys_path = PySys_GetObject("path");           /* borrowed */
    if (sys_path == NULL || !PyList_Check(sys_path)) {
        PyErr_SetString(PyExc_RuntimeError, "sys.path is not a list");
        goto done;
    }
    if ((machinery = PyImport_ImportModule("importlib.machinery")) == NULL
        || (finder = PyObject_GetAttrString(machinery, "PathFinder")) == NULL
        || (path = PyList_GetSlice(sys_path, 0, PY_SSIZE_T_MAX)) == NULL
        || (first = PyUnicode_DecodeFSDefault(dir)) == NULL
        || PyList_Insert(path, 0, first) < 0) {
        goto done;
    }
    spec = PyObject_CallMethod(finder, "find_spec", "sO", "mod_python",
                               path);
    if (spec == NULL) {
        goto done;
    }
    if (spec != Py_None) {
        locs = PyObject_GetAttrString(spec, "submodule_search_locations");
        if (locs == NULL) {
            goto done;
        }
        if (locs != Py_None && PySequence_Size(locs) > 0) {
            PyObject *loc = PySequence_GetItem(locs, 0);
            PyObject *bytes = NULL;

            if (loc == NULL || !PyUnicode_FSConverter(loc, &bytes)) {
                Py_XDECREF(loc);
                goto done;
            }
            *found = apr_pstrdup(p, PyBytes_AS_STRING(bytes));
            Py_DECREF(bytes);
            Py_DECREF(loc);
        }
        else {
            PyErr_Clear();
        }
    }
    rc = 0;
done:
    Py_XDECREF(locs);
    Py_XDECREF(spec);
    Py_XDECREF(first);
    Py_XDECREF(path);
    Py_XDECREF(finder);
    Py_XDECREF(machinery);
    Py_XDECREF(res);
    Py_XDECREF(site);
    return rc;
}

/* Whether the interpreters will import our mod_python package; logs
 * MP0030 (once, for the whole child) when not.  Main interpreter current,
 * GIL held. */
static int
check_package(apr_pool_t *p, server_rec *s)
{
    const char *dir = mp_startup_package_dir(s);
    const char *found = NULL, *version = NULL;
    const char *where;

    if (own_package_in(p, dir)) {
        return 1;               /* the fast path: nothing to import */
    }
    if (find_package(p, dir, &found) < 0) {
        PyErr_Clear();
        found = NULL;
    }
    if (found != NULL && own_package_in(p, mp_pyhome_parent_dir(p, found))) {
        return 1;               /* ours, installed elsewhere on sys.path */
    }
    where = apr_table_get(mp_config_srv(s)->options, MP_PACKAGE_DIR_OPTION)
            ? "PythonOption mod_python.package_dir"
            : "the directory `make install` uses; PythonOption "
              "mod_python.package_dir is not set";
    if (found != NULL) {
        version = mp_pyhome_file_value(p, apr_pstrcat(p, found, "/version.py", NULL),
                             "version");
    }
    ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s, MP_APLOGNO(0030)
                 "Python would import the wrong mod_python package: %s%s%s%s "
                 "is not the package of this module (mod_python "
                 MP_VERSION_STRING "), which is not in %s (%s); install it "
                 "there (make install) or point PythonOption "
                 "mod_python.package_dir at the directory that holds it. "
                 "Python handlers answer 500 in this child",
                 found ? found : "no mod_python package found",
                 found ? " (mod_python " : "",
                 found ? (version ? version : "unknown version") : "",
                 found ? ")" : "", dir, where);
    return 0;
}

/* ------------------------------------------------------------------ */
/* start-up                                                           */
/* ------------------------------------------------------------------ */

apr_status_t
mp_startup_python(apr_pool_t *pchild, server_rec *s,
                  PyObject *(*module_init)(void))
{
    mp_srv_config *sc = mp_config_srv(s);
    mp_home_info info, *home = NULL;
    const char *why;
    PyConfig config;
    PyStatus status;
    if (sc->python_home != NULL) {
        home = &info;
        why = mp_pyhome_inspect(pchild, sc->python_home, &info);
        if (why != NULL && !info.unreadable) {
            /* Checked at configuration time too; it changed since. */
            ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s, MP_APLOGNO(0031)
                         "Python cannot start: %s", why);
            return APR_EGENERAL;
        }
    }
    if (!python_readable(pchild, s, home)) {
        return APR_EACCES;
    }
    if (PyImport_AppendInittab("_apache", module_init) < 0) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s, MP_APLOGNO(0003)
                     "Python failed to start: cannot register the _apache "
                     "module");
        return APR_EGENERAL;
    }

    PyConfig_InitPythonConfig(&config);
    config.install_signal_handlers = 0;     /* signals belong to Apache */
    config.parse_argv = 0;
    config.optimization_level = sc->optimize > 0 ? 2 : 0;
    /* site runs per interpreter when it is set up (mp_interp.c run_site),
     * so a main interpreter that serves nothing skips it: about 3.5 ms of
     * a new child's start-up.  Sub-interpreters inherit this setting. */
    config.site_import = 0;
    /* A venv: Python's own path computation reads <venv>/pyvenv.cfg next
     * to the program, as when <venv>/bin/python3 runs.  An installation:
     * its prefix is the home. */
    status = PyConfig_SetBytesString(&config, &config.program_name,
                                     home && home->is_venv
                                         ? home->program
                                         : MP_PYTHON_EXECUTABLE);
    if (!PyStatus_Exception(status) && home != NULL && !home->is_venv) {
        status = PyConfig_SetBytesString(&config, &config.home, home->home);
    }
    if (!PyStatus_Exception(status)) {
        char *argv[] = {"mod_python", NULL};

        status = PyConfig_SetBytesArgv(&config, 1, argv);
    }
    if (!PyStatus_Exception(status)) {
        status = Py_InitializeFromConfig(&config);
    }
    PyConfig_Clear(&config);
    if (PyStatus_Exception(status)) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s, MP_APLOGNO(0003)
                     "Python failed to start (%s%s%s); check PythonHome "
                     "(%s) and that %s is readable by Apache's User",
                     status.func ? status.func : "",
                     status.func ? ": " : "",
                     status.err_msg ? status.err_msg : "unknown error",
                     sc->python_home ? sc->python_home : "not set",
                     MP_PYTHON_EXECUTABLE);
        return APR_EGENERAL;
    }
    if (!check_package(pchild, s)) {
        Py_FinalizeEx();
        return APR_EGENERAL;
    }
    return APR_SUCCESS;
}
