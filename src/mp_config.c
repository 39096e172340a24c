/*
 * mp_config.c: configuration structs, merging and directive handlers.
 *
 * See mp_config.h for the contract.  Layout follows mod_headers.c: helpers,
 * create/merge, directive handlers, then the command table.
 */
#include "mp_config.h"
#include "mp_config_check.h"
#include "mp_gil_conf.h"
#include "mp_metrics_conf.h"
#include "util_filter.h"
#include "mp_socache_conf.h"

#include "apr_fnmatch.h"
#include "apr_lib.h"

#include <stddef.h>

#define MP_PHASE_NAME(id, name, callable, where, go, help) name,
#define MP_PHASE_CALLABLE(id, name, callable, where, go, help) callable,
#define MP_PHASE_GO(id, name, callable, where, go, help) go,
const char *const mp_phase_directive[MP_KIND_COUNT] = {
    MP_PHASE_LIST(MP_PHASE_NAME)
    MP_DIRECTIVE_CONNECTION,
    MP_DIRECTIVE_INPUT_FILTER,
    MP_DIRECTIVE_OUTPUT_FILTER,
};
const char *const mp_phase_callable[MP_KIND_COUNT] = {
    MP_PHASE_LIST(MP_PHASE_CALLABLE)
    "connectionhandler",
    "inputfilter",
    "outputfilter",
};
const unsigned char mp_phase_continue[MP_PHASE_COUNT] = {
    MP_PHASE_LIST(MP_PHASE_GO)
};
#undef MP_PHASE_NAME
#undef MP_PHASE_CALLABLE
#undef MP_PHASE_GO

/* The scalar directives: name, the mp_settings field they compile to,
 * whether a server-level line is mirrored into the server config (spec
 * 1.1), and help.  With MP_PHASE_LIST, the only place their names are
 * written. */
#define MP_FLAG_LIST(X) \
    X("PythonDebug", debug, 1, "On to send Python tracebacks to the client") \
    X("PythonEnablePdb", enable_pdb, 1, \
      "On to run handlers under pdb (with -DONE_PROCESS)") \
    X("PythonInterpPerDirectory", per_directory, 0, \
      "On for one interpreter per directory of the file") \
    X("PythonInterpPerDirective", per_directive, 1, \
      "On for one interpreter per handler directory") \
    X("PythonAutoReload", autoreload, 1, \
      "Off to stop reloading changed handler modules")

/* Scalar flags that only httpd.conf may set (never an .htaccess file). */
#define MP_ADMIN_FLAG_LIST(X) \
    X("PythonHtaccess", htaccess, 0, \
      "Off to refuse Python directives in .htaccess files of this tree")

#define MP_STRING_LIST(X) \
    X("PythonPath", python_path, 1, \
      "Python expression giving the new sys.path") \
    X("PythonInterpreter", interpreter, 1, \
      "name of the Python interpreter to use")

/* Whole seconds, 0 to MP_INT_MAX_VALUE; MP_UNSET when not written. */
#define MP_INT_LIST(X) \
    X("PythonRequestTimeout", request_timeout, 1, \
      "seconds a Python handler may run before it is interrupted (0: no " \
      "limit)")
#define MP_INT_MAX_VALUE 86400

int
mp_phase_lookup(const char *directive)
{
    int i;

    for (i = 0; i < MP_PHASE_COUNT; i++) {
        if (strcasecmp(directive, mp_phase_directive[i]) == 0) {
            return i;
        }
    }
    return -1;
}

/* What cmd->info of a scalar directive points to. */
typedef struct {
    size_t offset;              /* of its field in mp_settings */
    int mirror;                 /* server-level lines also set the server */
} mp_scalar;

#define MP_SCALAR_DESC(name, field, mirror, help) \
    static const mp_scalar scalar_##field = {offsetof(mp_settings, field), \
                                             mirror};
MP_FLAG_LIST(MP_SCALAR_DESC)
MP_ADMIN_FLAG_LIST(MP_SCALAR_DESC)
MP_STRING_LIST(MP_SCALAR_DESC)
MP_INT_LIST(MP_SCALAR_DESC)
#undef MP_SCALAR_DESC

/* ------------------------------------------------------------------ */
/* helpers                                                            */
/* ------------------------------------------------------------------ */

static void
settings_init(mp_settings *st)
{
    memset(st, 0, sizeof(*st));
#define MP_UNSET_FLAG(name, field, mirror, help) st->field = MP_UNSET;
    MP_FLAG_LIST(MP_UNSET_FLAG)
    MP_ADMIN_FLAG_LIST(MP_UNSET_FLAG)
    MP_INT_LIST(MP_UNSET_FLAG)
#undef MP_UNSET_FLAG
}

/* Field-wise overlay: what add sets wins. */
static void
settings_merge(mp_settings *m, const mp_settings *base,
               const mp_settings *add)
{
#define MP_MERGE_FLAG(name, field, mirror, help) \
    m->field = add->field != MP_UNSET ? add->field : base->field;
#define MP_MERGE_STRING(name, field, mirror, help) \
    m->field = add->field != NULL ? add->field : base->field;
    MP_FLAG_LIST(MP_MERGE_FLAG)
    MP_ADMIN_FLAG_LIST(MP_MERGE_FLAG)
    MP_INT_LIST(MP_MERGE_FLAG)
    MP_STRING_LIST(MP_MERGE_STRING)
#undef MP_MERGE_FLAG
#undef MP_MERGE_STRING
}

mp_handler *
mp_config_new_handler(apr_pool_t *p, const char *handler,
                      const char *directory)
{
    mp_handler *h = apr_pcalloc(p, sizeof(*h));
    const char *sep = strstr(handler, "::");
    const char *end;

    h->handler = handler;
    h->directory = directory;
    /* "module::object", each part trimmed; no object means the phase's
     * default callable. */
    end = sep ? sep : handler + strlen(handler);
    while (apr_isspace(*handler)) {
        handler++;
    }
    while (end > handler && apr_isspace(end[-1])) {
        end--;
    }
    h->module = apr_pstrmemdup(p, handler, end - handler);
    if (sep != NULL) {
        const char *obj = sep + 2;

        while (apr_isspace(*obj)) {
            obj++;
        }
        end = obj + strlen(obj);
        while (end > obj && apr_isspace(end[-1])) {
            end--;
        }
        if (end > obj) {
            h->object = apr_pstrmemdup(p, obj, end - obj);
        }
    }
    return h;
}

const char *
mp_config_canonical_dir(apr_pool_t *p, const char *dir)
{
    char *canon = NULL;
    apr_size_t len;

    if (dir == NULL || *dir == '\0') {
        return NULL;
    }
    if (apr_filepath_merge(&canon, NULL, dir, APR_FILEPATH_TRUENAME, p)
        != APR_SUCCESS) {
        canon = apr_pstrdup(p, dir);
    }
    len = strlen(canon);
    if (len == 0 || canon[len - 1] != '/') {
        canon = apr_pstrcat(p, canon, "/", NULL);
    }
    return canon;
}

/* Extension of a filename for "| .ext" matching: everything after the
 * first dot of the basename (spec 1.2), or NULL. */
static const char *
filename_extension(const char *filename)
{
    const char *base, *dot;

    if (filename == NULL) {
        return NULL;
    }
    base = strrchr(filename, '/');
    base = base ? base + 1 : filename;
    dot = strchr(base, '.');
    return dot;
}

mp_handler *
mp_config_handlers(mp_dir_config *d, mp_phase phase, const char *filename,
                   const char **ext)
{
    *ext = NULL;
    if (d == NULL) {
        return NULL;
    }
    if (d->ext_handlers != NULL && apr_hash_count(d->ext_handlers) > 0) {
        const char *e = filename_extension(filename);

        if (e != NULL) {
            char key[256];
            mp_handler *h;

            apr_snprintf(key, sizeof(key), "%s%s",
                         mp_phase_directive[phase], e);
            h = apr_hash_get(d->ext_handlers, key, APR_HASH_KEY_STRING);
            if (h != NULL) {
                *ext = e;
                return h;
            }
        }
    }
    return d->handlers[phase];
}

/* Whether `prefix` (length n) of filename matches the section pattern. */
static int
prefix_matches(const mp_handler *h, const char *prefix)
{
    if (h->dir_regex != NULL) {
        return ap_regexec(h->dir_regex, prefix, 0, NULL, 0) == 0;
    }
    return apr_fnmatch(h->directory, prefix,
                       APR_FNM_PATHNAME | APR_FNM_PERIOD) == APR_SUCCESS;
}

const char *
mp_config_handler_dir(apr_pool_t *p, const mp_handler *h,
                      const char *filename)
{
    const char *slash;

    if (h == NULL || h->directory == NULL) {
        return NULL;
    }
    if (h->dir_regex == NULL && !h->dir_is_fnmatch) {
        return h->directory;
    }
    if (filename == NULL) {
        return NULL;
    }
    /* Shortest directory prefix of filename that matches the pattern. */
    for (slash = strchr(filename + 1, '/'); slash != NULL;
         slash = strchr(slash + 1, '/')) {
        char *prefix = apr_pstrmemdup(p, filename, slash - filename);

        if (prefix_matches(h, prefix)) {
            return apr_pstrcat(p, prefix, "/", NULL);
        }
    }
    return NULL;
}

const char *
mp_config_refused(const mp_dir_config *d)
{
    return d->settings.htaccess == 0 ? d->htaccess : NULL;
}

const char *
mp_config_interpreter(request_rec *r, mp_dir_config *d, const mp_handler *h)
{
    const mp_settings *set = &d->settings;

    if (set->interpreter != NULL) {
        return set->interpreter;
    }
    if (set->per_directory == 1) {
        const char *slash;

        if (r->filename == NULL) {
            return MP_MAIN_INTERPRETER;
        }
        if (r->finfo.filetype == APR_DIR) {
            return mp_config_canonical_dir(r->pool, r->filename);
        }
        slash = strrchr(r->filename, '/');
        return slash ? apr_pstrmemdup(r->pool, r->filename,
                                      slash - r->filename + 1)
                     : MP_MAIN_INTERPRETER;
    }
    if (set->per_directive == 1) {
        const char *dir = mp_config_handler_dir(r->pool, h, r->filename);

        return (dir && *dir) ? dir : MP_MAIN_INTERPRETER;
    }
    return r->server->server_hostname;
}

apr_table_t *
mp_config_live_options(apr_pool_t *p, mp_dir_config *d)
{
    const apr_array_header_t *arr = apr_table_elts(d->options);
    const apr_table_entry_t *e = (const apr_table_entry_t *)arr->elts;
    apr_table_t *live = apr_table_make(p, arr->nelts);
    int i;

    /* An empty value means "removed" (spec 1.5).  The merged table may be
     * shared with other threads, so the request gets its own copy. */
    for (i = 0; i < arr->nelts; i++) {
        if (e[i].key != NULL && e[i].val != NULL && *e[i].val != '\0') {
            apr_table_addn(live, e[i].key, e[i].val);
        }
    }
    return live;
}

/* ------------------------------------------------------------------ */
/* create / merge                                                     */
/* ------------------------------------------------------------------ */

void *
mp_config_create_dir(apr_pool_t *p, char *dir)
{
    mp_dir_config *d = apr_pcalloc(p, sizeof(*d));

    d->config_dir = dir ? apr_pstrdup(p, dir) : NULL;
    settings_init(&d->settings);
    d->directives = apr_table_make(p, 4);
    d->options = apr_table_make(p, 4);
    d->ext_handlers = apr_hash_make(p);
    d->in_filters = apr_hash_make(p);
    d->out_filters = apr_hash_make(p);
    return d;
}

/* Overlay of two tables, or one of them unchanged when the other is empty:
 * merged configurations are never written to (get_config and get_options
 * hand out copies), so sharing is safe, and this merge runs for every
 * request, Python or not. */
static apr_table_t *
overlay_tables(apr_pool_t *p, apr_table_t *base, apr_table_t *add)
{
    apr_table_t *m;

    if (apr_is_empty_table(add)) {
        return base;
    }
    if (apr_is_empty_table(base)) {
        return add;
    }
    m = apr_table_overlay(p, base, add);
    apr_table_compress(m, APR_OVERLAP_TABLES_SET);
    return m;
}

static apr_hash_t *
overlay_hashes(apr_pool_t *p, apr_hash_t *base, apr_hash_t *add)
{
    if (apr_hash_count(add) == 0) {
        return base;
    }
    if (apr_hash_count(base) == 0) {
        return add;
    }
    return apr_hash_overlay(p, add, base);
}

void *
mp_config_merge_dir(apr_pool_t *p, void *basev, void *addv)
{
    mp_dir_config *base = basev, *add = addv;
    mp_dir_config *m = apr_pcalloc(p, sizeof(*m));
    int i;

    m->config_dir = add->config_dir ? add->config_dir : base->config_dir;
    m->htaccess = add->htaccess ? add->htaccess : base->htaccess;
    settings_merge(&m->settings, &base->settings, &add->settings);
    m->directives = overlay_tables(p, base->directives, add->directives);
    m->options = overlay_tables(p, base->options, add->options);
    for (i = 0; i < MP_PHASE_COUNT; i++) {
        m->handlers[i] = add->handlers[i] ? add->handlers[i]
                                          : base->handlers[i];
    }
    m->ext_handlers = overlay_hashes(p, base->ext_handlers,
                                     add->ext_handlers);
    m->in_filters = overlay_hashes(p, base->in_filters, add->in_filters);
    m->out_filters = overlay_hashes(p, base->out_filters, add->out_filters);
    return m;
}

void *
mp_config_create_srv(apr_pool_t *p, server_rec *s)
{
    mp_srv_config *c = apr_pcalloc(p, sizeof(*c));

    (void)s;
    settings_init(&c->settings);
    c->directives = apr_table_make(p, 4);
    c->options = apr_table_make(p, 4);
    c->imports = apr_array_make(p, 2, sizeof(mp_import));
    c->optimize = -1;
    return c;
}

void *
mp_config_merge_srv(apr_pool_t *p, void *basev, void *addv)
{
    mp_srv_config *base = basev, *add = addv;
    mp_srv_config *m = apr_pcalloc(p, sizeof(*m));

    settings_merge(&m->settings, &base->settings, &add->settings);
    m->directives = overlay_tables(p, base->directives, add->directives);
    m->options = overlay_tables(p, base->options, add->options);
    m->connection_handler = add->connection_handler
                            ? add->connection_handler
                            : base->connection_handler;
    /* Only the main server's PythonImport list runs; keep each its own. */
    m->imports = add->imports;
    m->python_home = add->python_home ? add->python_home : base->python_home;
    m->optimize = add->optimize >= 0 ? add->optimize : base->optimize;
    return m;
}

/* ------------------------------------------------------------------ */
/* where a directive was written                                      */
/* ------------------------------------------------------------------ */

typedef struct {
    const char *directory;
    ap_regex_t *regex;
    int is_fnmatch;
    int is_location;
} mp_origin;

/* Strip the quotes and closing '>' of a section's arguments. */
static char *
section_arg(apr_pool_t *p, const char *args, int *is_regex)
{
    const char *w = args;
    char *arg;
    apr_size_t len;

    *is_regex = 0;
    while (apr_isspace(*w)) {
        w++;
    }
    if (w[0] == '~' && apr_isspace(w[1])) {
        *is_regex = 1;
        w += 2;
    }
    arg = ap_getword_conf(p, &w);
    len = strlen(arg);
    if (len > 0 && arg[len - 1] == '>') {
        arg[len - 1] = '\0';
    }
    return arg;
}

/* Handler directory of the directive being parsed (spec 1.7). */
static const char *
directive_origin(cmd_parms *cmd, mp_origin *o)
{
    const ap_directive_t *sec;

    memset(o, 0, sizeof(*o));
    for (sec = cmd->directive ? cmd->directive->parent : NULL; sec != NULL;
         sec = sec->parent) {
        const char *name = sec->directive;
        int is_regex, is_match;
        char *arg;

        if (strncasecmp(name, "<Directory", 10) == 0) {
            is_match = strcasecmp(name, "<DirectoryMatch") == 0;
            arg = section_arg(cmd->pool, sec->args, &is_regex);
            if (is_regex || is_match) {
                o->regex = ap_pregcomp(cmd->pool, arg, AP_REG_EXTENDED);
                if (o->regex == NULL) {
                    return "Regular expression could not be compiled";
                }
                o->directory = arg;
            }
            else if (apr_fnmatch_test(arg)) {
                o->is_fnmatch = 1;
                o->directory = ap_server_root_relative(cmd->pool, arg);
            }
            else {
                o->directory = mp_config_canonical_dir(
                    cmd->pool, ap_server_root_relative(cmd->pool, arg));
            }
            return NULL;
        }
        if (strncasecmp(name, "<Location", 9) == 0) {
            o->directory = section_arg(cmd->pool, sec->args, &is_regex);
            o->is_location = 1;
            return NULL;
        }
        if (strcasecmp(name, "<VirtualHost") == 0) {
            return NULL;
        }
        /* <Files>, <If>, <Limit>...: the enclosing section decides. */
    }
    /* Outside any section: an .htaccess file (cmd->path is set), or the
     * main server / vhost body (no directory). */
    if (cmd->path != NULL && cmd->config_file != NULL
        && cmd->directive != NULL) {
        const char *name = cmd->config_file->name;
        const char *slash = name ? strrchr(name, '/') : NULL;

        if (slash != NULL) {
            o->directory = mp_config_canonical_dir(
                cmd->pool, apr_pstrmemdup(cmd->pool, name, slash - name));
        }
        else {
            o->directory = mp_config_canonical_dir(cmd->pool, cmd->path);
        }
    }
    return NULL;
}

/* Whether the directive sits at server or vhost level (no section). */
static int
at_server_level(cmd_parms *cmd)
{
    return cmd->path == NULL;
}

/* Remember in d that a Python directive came from an .htaccess file: one
 * read for a request (in its pool), not with httpd.conf.  PythonHtaccess
 * Off above it then refuses the request (mp_config_refused). */
static void
note_origin(cmd_parms *cmd, mp_dir_config *d)
{
    if (cmd->pool != cmd->server->process->pconf && d->htaccess == NULL) {
        d->htaccess = cmd->config_file ? cmd->config_file->name : cmd->path;
    }
}

/* ------------------------------------------------------------------ */
/* directive handlers                                                 */
/* ------------------------------------------------------------------ */

static mp_handler *
new_handler(cmd_parms *cmd, const char *handler, const mp_origin *o,
            int silent)
{
    mp_handler *h = mp_config_new_handler(cmd->pool, handler, o->directory);

    h->dir_regex = o->regex;
    h->dir_is_fnmatch = o->is_fnmatch;
    h->is_location = o->is_location;
    h->silent = silent;
    /* Parsed from httpd.conf (not .htaccess, whose handlers live in the
     * request pool) with a fixed directory: it resolves the same way for
     * every request of this child. */
    h->cacheable = cmd->pool == cmd->server->process->pconf
                   && o->regex == NULL && !o->is_fnmatch;
    h->metrics_label = mp_metrics_label(cmd, handler);
    return h;
}

static void
append_handler(mp_handler **list, mp_handler *h)
{
    while (*list != NULL) {
        list = &(*list)->next;
    }
    *list = h;
}

static const char *
add_handler_line(cmd_parms *cmd, mp_dir_config *d, int phase,
                 const char *line, int silent)
{
    apr_array_header_t *handlers = apr_array_make(cmd->pool, 2,
                                                  sizeof(char *));
    apr_array_header_t *exts = apr_array_make(cmd->pool, 2, sizeof(char *));
    apr_array_header_t *into = handlers;
    const char *err;
    mp_origin o;
    char *word;
    int i, j;

    while (*line && (word = ap_getword_conf(cmd->pool, &line)) && *word) {
        if (strcmp(word, "|") == 0) {
            if (into == exts) {
                return apr_pstrcat(cmd->pool, cmd->cmd->name,
                                   ": '|' given twice", NULL);
            }
            into = exts;
            continue;
        }
        if (into == exts && word[0] != '.') {
            return apr_pstrcat(cmd->pool, cmd->cmd->name,
                               ": extension '", word,
                               "' must start with '.'", NULL);
        }
        *(char **)apr_array_push(into) = word;
    }
    if (handlers->nelts == 0) {
        return apr_pstrcat(cmd->pool, cmd->cmd->name,
                           " needs at least one handler", NULL);
    }
    if (into == exts && exts->nelts == 0) {
        return apr_pstrcat(cmd->pool, cmd->cmd->name,
                           ": '|' must be followed by extensions", NULL);
    }
    if (exts->nelts > 0
        && (phase == MP_PHASE_POST_READ_REQUEST || phase == MP_PHASE_TRANS)) {
        return apr_pstrcat(cmd->pool, cmd->cmd->name,
                           ": the '| .ext' form is not allowed for this "
                           "phase, which runs before the file name is "
                           "known", NULL);
    }
    if ((err = directive_origin(cmd, &o)) != NULL) {
        return err;
    }
    note_origin(cmd, d);
    for (i = 0; i < handlers->nelts; i++) {
        const char *name = ((char **)handlers->elts)[i];

        if (exts->nelts == 0) {
            append_handler(&d->handlers[phase],
                           new_handler(cmd, name, &o, silent));
            continue;
        }
        for (j = 0; j < exts->nelts; j++) {
            const char *key = apr_pstrcat(cmd->pool, mp_phase_directive[phase],
                                          ((char **)exts->elts)[j], NULL);
            mp_handler *list = apr_hash_get(d->ext_handlers, key,
                                            APR_HASH_KEY_STRING);

            append_handler(&list, new_handler(cmd, name, &o, silent));
            apr_hash_set(d->ext_handlers, key, APR_HASH_KEY_STRING, list);
        }
    }
    return NULL;
}

static const char *
mp_cmd_handler(cmd_parms *cmd, void *dconf, const char *line)
{
    int phase = (int)(apr_uintptr_t)cmd->info;

    return add_handler_line(cmd, dconf, phase, line, 0);
}

static const char *
mp_cmd_handler_module(cmd_parms *cmd, void *dconf, const char *module)
{
    mp_dir_config *d = dconf;
    const char *err;
    int phase;

    /* Silent entries for every request phase: missing callables are
     * skipped rather than reported (spec 1.1 #16). */
    for (phase = 0; phase < MP_PHASE_COUNT; phase++) {
        if ((err = add_handler_line(cmd, d, phase, module, 1)) != NULL) {
            return err;
        }
    }
    return NULL;
}

static const char *
mp_cmd_connection_handler(cmd_parms *cmd, void *dconf, const char *handler)
{
    mp_srv_config *s = mp_config_srv(cmd->server);
    mp_origin o;

    (void)dconf;
    memset(&o, 0, sizeof(o));
    s->connection_handler = new_handler(cmd, handler, &o, 0);
    return NULL;
}

/* The field of a scalar directive in a settings struct. */
static void *
scalar_field(mp_settings *settings, const mp_scalar *x)
{
    return (char *)settings + x->offset;
}

/* Compile a scalar directive into d's settings, and into the server's when
 * it is written outside any section (spec 1.1).  The directives table keeps
 * the text for req.get_config(). */
static void
set_scalar(cmd_parms *cmd, mp_dir_config *d, int flag, const char *val)
{
    const mp_scalar *x = cmd->info;
    const char *text = flag ? (val ? "1" : "0") : val;
    mp_srv_config *sc = mp_config_srv(cmd->server);
    int mirror = x->mirror && at_server_level(cmd);

    note_origin(cmd, d);

    if (flag) {
        *(signed char *)scalar_field(&d->settings, x) = val != NULL;
        if (mirror) {
            *(signed char *)scalar_field(&sc->settings, x) = val != NULL;
        }
    }
    else {
        *(const char **)scalar_field(&d->settings, x) = val;
        if (mirror) {
            *(const char **)scalar_field(&sc->settings, x) = val;
        }
    }
    apr_table_set(d->directives, cmd->cmd->name, text);
    if (mirror) {
        apr_table_set(sc->directives, cmd->cmd->name, text);
    }
}

static const char *
mp_cmd_flag(cmd_parms *cmd, void *dconf, int on)
{
    set_scalar(cmd, dconf, 1, on ? "1" : NULL);
    return NULL;
}

static const char *
mp_cmd_string(cmd_parms *cmd, void *dconf, const char *val)
{
    set_scalar(cmd, dconf, 0, val);
    return cmd->info == &scalar_python_path
           ? mp_config_check_python_path(cmd, val) : NULL;
}

static const char *
mp_cmd_int(cmd_parms *cmd, void *dconf, const char *val)
{
    const mp_scalar *x = cmd->info;
    mp_dir_config *d = dconf;
    char *end;
    long v = strtol(val, &end, 10);

    if (end == val || *end != '\0' || v < 0 || v > MP_INT_MAX_VALUE) {
        return apr_psprintf(cmd->pool, "%s takes a whole number of seconds "
                            "from 0 (no limit) to %d, not '%s'",
                            cmd->cmd->name, MP_INT_MAX_VALUE, val);
    }
    *(int *)scalar_field(&d->settings, x) = (int)v;
    if (x->mirror && at_server_level(cmd)) {
        *(int *)scalar_field(&mp_config_srv(cmd->server)->settings, x)
            = (int)v;
        apr_table_set(mp_config_srv(cmd->server)->directives,
                      cmd->cmd->name, val);
    }
    apr_table_set(d->directives, cmd->cmd->name, val);
    return NULL;
}

static const char *
mp_cmd_option(cmd_parms *cmd, void *dconf, const char *key, const char *val)
{
    mp_dir_config *d = dconf;

    /* A missing or empty value stores "", which means "removed". */
    if (val == NULL) {
        val = "";
    }
    note_origin(cmd, d);
    apr_table_set(d->options, key, val);
    if (at_server_level(cmd)) {
        apr_table_set(mp_config_srv(cmd->server)->options, key, val);
    }
    return mp_config_check_option(cmd, key, val);
}

/* An Apache filter named as the directive says, run by the generic
 * Python filter's functions (mp_filter.c registers those first). */
static void
register_filter(const mp_filter_conf *f)
{
    if (f->is_input) {
        ap_filter_rec_t *gen = ap_get_input_filter_handle(MP_GENERIC_FILTER);

        ap_register_input_filter(f->name, gen->filter_func.in_func, NULL,
                                 AP_FTYPE_RESOURCE);
    }
    else {
        ap_filter_rec_t *gen = ap_get_output_filter_handle(MP_GENERIC_FILTER);

        ap_register_output_filter(f->name, gen->filter_func.out_func, NULL,
                                  AP_FTYPE_RESOURCE);
    }
}

static const char *
mp_cmd_filter(cmd_parms *cmd, void *dconf, const char *handler,
              const char *name)
{
    mp_dir_config *d = dconf;
    mp_filter_conf *f = apr_pcalloc(cmd->pool, sizeof(*f));
    const char *err;
    char *key;
    mp_origin o;

    if ((err = directive_origin(cmd, &o)) != NULL) {
        return err;
    }
    key = apr_pstrdup(cmd->pool, name ? name : handler);
    f->is_input = cmd->info != NULL;
    f->handler = handler;
    f->name = name ? name : handler;
    f->directory = o.directory;
    f->entry = mp_config_new_handler(cmd->pool, handler, o.directory);
    f->entry->metrics_label = mp_metrics_label(cmd, handler);
    /* Apache lower-cases filter names; key the table the same way. */
    ap_str_tolower(key);
    apr_hash_set(f->is_input ? d->in_filters : d->out_filters, key,
                 APR_HASH_KEY_STRING, f);
    register_filter(f);
    return NULL;
}

static const char *
mp_cmd_import(cmd_parms *cmd, void *dconf, const char *module,
              const char *interp)
{
    mp_srv_config *s = mp_config_srv(cmd->server);
    mp_import *imp = apr_array_push(s->imports);

    (void)dconf;
    imp->module = module;
    imp->interpreter = interp;
    return NULL;
}

static const char *
mp_cmd_optimize(cmd_parms *cmd, void *dconf, int on)
{
    (void)dconf;
    mp_config_srv(cmd->server)->optimize = on;
    return NULL;
}

static const char *
mp_cmd_home(cmd_parms *cmd, void *dconf, const char *home)
{
    const char *err = ap_check_cmd_context(cmd, GLOBAL_ONLY);

    (void)dconf;
    if (err != NULL) {
        return err;
    }
    if (!ap_os_is_path_absolute(cmd->pool, home)) {
        return "PythonHome must be an absolute path";
    }
    mp_config_srv(cmd->server)->python_home = home;
    return mp_config_check_home(cmd, home);
}

/* ------------------------------------------------------------------ */
/* command table                                                      */
/* ------------------------------------------------------------------ */

#define MP_PHASE_CMD(id, name, callable, where, go, help) \
    AP_INIT_RAW_ARGS(name, mp_cmd_handler, \
                     (void *)(apr_uintptr_t)MP_PHASE_##id, where, help),
#define MP_FLAG_CMD(name, field, mirror, help) \
    AP_INIT_FLAG(name, mp_cmd_flag, (void *)&scalar_##field, OR_ALL, help),
#define MP_ADMIN_FLAG_CMD(name, field, mirror, help) \
    AP_INIT_FLAG(name, mp_cmd_flag, (void *)&scalar_##field, \
                 RSRC_CONF | ACCESS_CONF, help),
#define MP_STRING_CMD(name, field, mirror, help) \
    AP_INIT_TAKE1(name, mp_cmd_string, (void *)&scalar_##field, OR_ALL, help),
#define MP_INT_CMD(name, field, mirror, help) \
    AP_INIT_TAKE1(name, mp_cmd_int, (void *)&scalar_##field, OR_ALL, help),

const command_rec mp_config_commands[] = {
    MP_PHASE_LIST(MP_PHASE_CMD)
    MP_FLAG_LIST(MP_FLAG_CMD)
    MP_ADMIN_FLAG_LIST(MP_ADMIN_FLAG_CMD)
    MP_STRING_LIST(MP_STRING_CMD)
    MP_INT_LIST(MP_INT_CMD)
    AP_INIT_TAKE1(MP_DIRECTIVE_CONNECTION, mp_cmd_connection_handler,
                  NULL, RSRC_CONF, "Python connection (protocol) handler"),
    AP_INIT_TAKE12(MP_DIRECTIVE_INPUT_FILTER, mp_cmd_filter, (void *)1,
                   RSRC_CONF | ACCESS_CONF,
                   "Python input filter: handler [name]"),
    AP_INIT_TAKE12(MP_DIRECTIVE_OUTPUT_FILTER, mp_cmd_filter, NULL,
                   RSRC_CONF | ACCESS_CONF,
                   "Python output filter: handler [name]"),
    AP_INIT_RAW_ARGS("PythonHandlerModule", mp_cmd_handler_module, NULL,
                     OR_ALL, "a module holding handlers for every phase"),
    AP_INIT_TAKE2("PythonImport", mp_cmd_import, NULL, RSRC_CONF,
                  "module[::function] and interpreter to run at child start"),
    AP_INIT_TAKE12("PythonOption", mp_cmd_option, NULL, OR_ALL,
                   "key [value]: an option for handlers; no value removes"),
    AP_INIT_FLAG("PythonOptimize", mp_cmd_optimize, NULL, RSRC_CONF,
                 "On to start Python with optimisation level 2"),
    AP_INIT_TAKE1("PythonHome", mp_cmd_home, NULL, RSRC_CONF,
                  "Python installation or virtual environment to embed"),
    /* Keyed by interpreter name, not by scope: see mp_gil_conf.h. */
    AP_INIT_TAKE_ARGV("PythonInterpreterGIL", mp_gil_conf_cmd,
                      (void *)MP_MAIN_INTERPRETER, RSRC_CONF,
                      "own|shared NAME...: interpreters with a GIL of their "
                      "own (Python 3.12+)"),
    AP_INIT_FLAG("PythonMetrics", mp_metrics_cmd_flag, NULL, RSRC_CONF,
                 "On to keep Prometheus metrics (SetHandler python-metrics)"),
    AP_INIT_FLAG("PythonMetricsResetOnRestart", mp_metrics_cmd_flag,
                 (void *)1, RSRC_CONF,
                 "On to start the metrics from zero on a graceful restart"),
    AP_INIT_TAKE2("PythonSessionCache", mp_cmd_session_cache, NULL,
                  RSRC_CONF, "NAME provider[:args]: a socache for sessions"),
    {NULL}
};
