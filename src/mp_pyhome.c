/*
 * mp_pyhome.c: what a PythonHome is, found without starting Python.  See
 * mp_pyhome.h.
 */
#include "mp_pyhome.h"
#include "mp_version.h"

#include "apr_file_io.h"
#include "apr_lib.h"

/* ------------------------------------------------------------------ */
/* small file helpers                                                 */
/* ------------------------------------------------------------------ */

int
mp_pyhome_is_dir(apr_pool_t *p, const char *path)
{
    apr_finfo_t fi;

    return apr_stat(&fi, path, APR_FINFO_TYPE, p) == APR_SUCCESS
           && fi.filetype == APR_DIR;
}

int
mp_pyhome_is_file(apr_pool_t *p, const char *path)
{
    apr_finfo_t fi;

    return apr_stat(&fi, path, APR_FINFO_TYPE, p) == APR_SUCCESS
           && fi.filetype != APR_DIR;
}

/* Parent directory of path (without trailing '/'), or "/" . */
const char *
mp_pyhome_parent_dir(apr_pool_t *p, const char *path)
{
    char *copy = apr_pstrdup(p, path);
    apr_size_t len = strlen(copy);
    char *slash;

    while (len > 1 && copy[len - 1] == '/') {
        copy[--len] = '\0';
    }
    slash = strrchr(copy, '/');
    if (slash == NULL || slash == copy) {
        return "/";
    }
    *slash = '\0';
    return copy;
}

/* Value of `key = value` in a small config file such as pyvenv.cfg or a
 * generated version.py (quotes stripped), or NULL. */
const char *
mp_pyhome_file_value(apr_pool_t *p, const char *path, const char *key)
{
    apr_file_t *f;
    char line[1024];
    apr_size_t klen = strlen(key);
    const char *found = NULL;

    if (apr_file_open(&f, path, APR_FOPEN_READ, APR_FPROT_OS_DEFAULT, p)
        != APR_SUCCESS) {
        return NULL;
    }
    while (found == NULL
           && apr_file_gets(line, sizeof(line), f) == APR_SUCCESS) {
        char *s = line, *e;

        while (apr_isspace(*s)) {
            s++;
        }
        if (strncasecmp(s, key, klen) != 0) {
            continue;
        }
        s += klen;
        while (*s == ' ' || *s == '\t') {
            s++;
        }
        if (*s != '=') {
            continue;
        }
        s++;
        while (apr_isspace(*s)) {
            s++;
        }
        e = s + strlen(s);
        while (e > s && apr_isspace(e[-1])) {
            *--e = '\0';
        }
        if (e - s >= 2 && (*s == '"' || *s == '\'') && e[-1] == *s) {
            *--e = '\0';
            s++;
        }
        found = apr_pstrdup(p, s);
    }
    apr_file_close(f);
    return found;
}

/* "X.Y" of a version string such as "3.11.2", or NULL. */
static const char *
major_minor(apr_pool_t *p, const char *version)
{
    const char *dot, *end;

    if (version == NULL || !apr_isdigit(*version)
        || (dot = strchr(version, '.')) == NULL || !apr_isdigit(dot[1])) {
        return NULL;
    }
    for (end = dot + 1; apr_isdigit(*end); end++) {
    }
    return apr_pstrmemdup(p, version, end - version);
}

/* ------------------------------------------------------------------ */
/* PythonHome                                                         */
/* ------------------------------------------------------------------ */

static const char *
inspect_venv(apr_pool_t *p, const char *home, const char *cfg,
             mp_home_info *info)
{
    const char *base_bin = mp_pyhome_file_value(p, cfg, "home");
    const char *version = mp_pyhome_file_value(p, cfg, "version");

    info->is_venv = 1;
    if (version == NULL) {
        version = mp_pyhome_file_value(p, cfg, "version_info");
    }
    info->venv_version = major_minor(p, version);
    if (info->venv_version == NULL) {
        return apr_psprintf(p, "%s has no Python version (a 'version = "
                            "X.Y.Z' line); recreate the virtual environment "
                            "with %s -m venv %s", cfg, MP_PYTHON_EXECUTABLE,
                            home);
    }
    if (strcmp(info->venv_version, MP_BUILT_FOR) != 0) {
        info->version_mismatch = 1;
        return apr_psprintf(p, "PythonHome %s is a virtual environment of "
                            "Python %s (%s), but mod_python was built for "
                            "Python " MP_BUILT_FOR " (%s): recreate it with "
                            "%s -m venv %s, or rebuild mod_python for "
                            "Python %s", home, info->venv_version, cfg,
                            MP_PYTHON_EXECUTABLE, MP_PYTHON_EXECUTABLE, home,
                            info->venv_version);
    }
    if (base_bin == NULL || *base_bin != '/') {
        return apr_psprintf(p, "%s has no absolute 'home = DIR' line naming "
                            "the base Python's bin directory", cfg);
    }
    /* home is the directory of the base executable: <prefix>/bin. */
    {
        char *dir = apr_pstrdup(p, base_bin);
        apr_size_t len = strlen(dir);

        while (len > 1 && dir[len - 1] == '/') {
            dir[--len] = '\0';
        }
        info->base_prefix = strcmp(strrchr(dir, '/') + 1, "bin") == 0
                            ? mp_pyhome_parent_dir(p, dir) : dir;
    }
    info->stdlib = apr_psprintf(p, "%s/lib/python" MP_BUILT_FOR,
                                info->base_prefix);
    info->site_packages = apr_psprintf(
        p, "%s/lib/python" MP_BUILT_FOR "/site-packages", home);
    if (!mp_pyhome_is_file(p, apr_pstrcat(p, info->stdlib, "/os.py", NULL))) {
        return apr_psprintf(p, "the base Python of virtual environment %s "
                            "(home = %s in %s) has no standard library in "
                            "%s", home, base_bin, cfg, info->stdlib);
    }
    info->program = apr_pstrcat(p, home, "/bin/python3", NULL);
    if (!mp_pyhome_is_file(p, info->program)) {
        info->program = apr_pstrcat(p, home, "/bin/python", NULL);
        if (!mp_pyhome_is_file(p, info->program)) {
            return apr_psprintf(p, "virtual environment %s has no "
                                "bin/python3", home);
        }
    }
    return NULL;
}

const char *
mp_pyhome_inspect(apr_pool_t *p, const char *home, mp_home_info *info)
{
    const char *cfg;
    apr_finfo_t fi;
    apr_status_t rv;

    memset(info, 0, sizeof(*info));
    info->home = home;
    info->base_prefix = home;
    info->stdlib = apr_pstrcat(p, home, "/lib/python" MP_BUILT_FOR, NULL);
    rv = apr_stat(&fi, home, APR_FINFO_TYPE, p);
    if (APR_STATUS_IS_EACCES(rv)) {
        /* A child that cannot even look: python_readable() names it. */
        info->unreadable = 1;
        return apr_psprintf(p, "PythonHome %s is not accessible", home);
    }
    if (rv != APR_SUCCESS || fi.filetype != APR_DIR) {
        return apr_psprintf(p, "PythonHome %s does not exist or is not a "
                            "directory", home);
    }
    cfg = apr_pstrcat(p, home, "/pyvenv.cfg", NULL);
    if (mp_pyhome_is_file(p, cfg)) {
        return inspect_venv(p, home, cfg, info);
    }
    if (!mp_pyhome_is_file(p, apr_pstrcat(p, info->stdlib, "/os.py", NULL))) {
        return apr_psprintf(p, "PythonHome %s is neither a Python "
                            MP_BUILT_FOR " installation (no %s/os.py) nor "
                            "a virtual environment (no pyvenv.cfg)", home,
                            info->stdlib);
    }
    return NULL;
}

