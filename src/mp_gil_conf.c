/*
 * mp_gil_conf.c: the PythonInterpreterGIL rules.  See mp_gil_conf.h.
 */
#include "mp_gil_conf.h"

#include "apr_fnmatch.h"

/* One name or pattern of a directive line. */
typedef struct {
    const char *pattern;
    int is_pattern;             /* holds wildcards (apr_fnmatch_test) */
    int own;
    const char *where;          /* "file:line" of the directive */
} mp_gil_rule;

/* The rules in configuration order; NULL when none were written.  Lives
 * in the configuration pool, whose cleanup resets the pointer, so that a
 * restart starts with none. */
static apr_array_header_t *mp_gil_rules;

static apr_status_t
forget_rules(void *unused)
{
    (void)unused;
    mp_gil_rules = NULL;
    return APR_SUCCESS;
}

static const mp_gil_rule *
find_exact(const char *name)
{
    int i;

    for (i = 0; mp_gil_rules != NULL && i < mp_gil_rules->nelts; i++) {
        const mp_gil_rule *r = &APR_ARRAY_IDX(mp_gil_rules, i, mp_gil_rule);

        if (!r->is_pattern && strcmp(r->pattern, name) == 0) {
            return r;
        }
    }
    return NULL;
}

const char *
mp_gil_conf_cmd(cmd_parms *cmd, void *dconf, int argc, char *const argv[])
{
    const char *main_name = cmd->info;     /* see mp_gil_conf.h */
    const char *where;
    int own, i;

    (void)dconf;
    if (argc < 2) {
        return "MP0173: PythonInterpreterGIL takes a mode (own or shared) "
               "and at least one interpreter name or pattern";
    }
    if (strcasecmp(argv[0], "own") == 0) {
        own = 1;
    }
    else if (strcasecmp(argv[0], "shared") == 0) {
        own = 0;
    }
    else {
        return apr_psprintf(cmd->pool, "MP0173: PythonInterpreterGIL: the "
                            "mode must be 'own' or 'shared', not '%s'",
                            argv[0]);
    }
#if !MP_HAVE_OWN_GIL
    if (own) {
        return "MP0170: PythonInterpreterGIL own needs Python 3.12 or newer "
               "(PEP 684); this mod_python is built with Python "
               PY_VERSION ", whose interpreters all share one GIL.  Remove "
               "the line, or say 'shared'";
    }
#endif
    where = cmd->directive
            ? apr_psprintf(cmd->pool, "%s:%d", cmd->directive->filename,
                           cmd->directive->line_num)
            : "?";
    if (mp_gil_rules == NULL) {
        mp_gil_rules = apr_array_make(cmd->pool, 4, sizeof(mp_gil_rule));
        apr_pool_cleanup_register(cmd->pool, NULL, forget_rules,
                                  apr_pool_cleanup_null);
    }
    for (i = 1; i < argc; i++) {
        const char *name = argv[i];
        const mp_gil_rule *prev;
        mp_gil_rule *r;

        if (own && main_name != NULL && strcmp(name, main_name) == 0) {
            return apr_psprintf(cmd->pool, "MP0171: PythonInterpreterGIL "
                                "own cannot name %s: the main interpreter "
                                "always has the process's main GIL",
                                main_name);
        }
        if (!apr_fnmatch_test(name) && (prev = find_exact(name)) != NULL
            && prev->own != own) {
            return apr_psprintf(cmd->pool, "MP0172: PythonInterpreterGIL: "
                                "interpreter '%s' is already declared %s "
                                "at %s", name, prev->own ? "own" : "shared",
                                prev->where);
        }
        r = apr_array_push(mp_gil_rules);
        r->pattern = apr_pstrdup(cmd->pool, name);
        r->is_pattern = apr_fnmatch_test(name);
        r->own = own;
        r->where = where;
    }
    return NULL;
}

int
mp_gil_conf_own(const char *name)
{
#if MP_HAVE_OWN_GIL
    const mp_gil_rule *r;
    int i;

    if (mp_gil_rules == NULL || name == NULL) {
        return 0;
    }
    if ((r = find_exact(name)) != NULL) {
        return r->own;
    }
    for (i = 0; i < mp_gil_rules->nelts; i++) {
        r = &APR_ARRAY_IDX(mp_gil_rules, i, mp_gil_rule);
        if (r->is_pattern && apr_fnmatch(r->pattern, name, 0) == APR_SUCCESS) {
            return r->own;
        }
    }
#else
    (void)name;
#endif
    return 0;
}
