/*
 * mp_config.h: per-directory and per-server configuration.
 *
 * Apache creates and merges these structs in its configuration pools; they
 * are plain C data (no Python objects), built in the parent at start-up or in
 * a child when it parses an .htaccess file, and they live as long as their
 * pool.  Nothing here needs the GIL.
 *
 * Handler lists are singly linked mp_handler chains, one per phase.  A list
 * written with "| .ext" is kept apart, keyed by "<Directive><.ext>".  Merging
 * replaces a phase's list when the more specific section has one (spec 1.2);
 * directives and options tables overlay per key (spec 1.5).
 */
#ifndef MP_CONFIG_H
#define MP_CONFIG_H

#include "mp_common.h"
#include "ap_regex.h"

/* Results that let the next stacked handler of a phase run (spec 1.3). */
#define MP_GO_OK        0x1     /* OK */
#define MP_GO_DECLINED  0x2     /* DECLINED */
#define MP_GO_ALL       0x4     /* every handler runs, results ignored */

/* How one handler entry ended (mp_dispatch_entry). */
enum {
    MP_ENTRY_RAN,                   /* called; the result is its value */
    MP_ENTRY_SKIPPED,               /* silent entry without a callable */
    MP_ENTRY_FAILED                 /* reported; the result is 500/DONE */
};

/* The request phases that take a handler list, in Apache's order: the one
 * table of their directive names, default callables, where the directive
 * may be written, stacking rule and help text.  The enum, the name arrays,
 * the stacking rules and the command table are generated from it. */
#define MP_PHASE_LIST(X) \
    X(POST_READ_REQUEST, "PythonPostReadRequestHandler", \
      "postreadrequesthandler", RSRC_CONF, MP_GO_OK | MP_GO_DECLINED, \
      "Python post-read-request handlers") \
    X(TRANS, "PythonTransHandler", "transhandler", RSRC_CONF, \
      MP_GO_DECLINED, "Python translation handlers") \
    X(HEADER_PARSER, "PythonHeaderParserHandler", "headerparserhandler", \
      OR_ALL, MP_GO_OK | MP_GO_DECLINED, "Python header parser handlers") \
    X(INIT, "PythonInitHandler", "inithandler", OR_ALL, \
      MP_GO_OK | MP_GO_DECLINED, "Python handlers run first for a request") \
    X(ACCESS, "PythonAccessHandler", "accesshandler", OR_ALL, \
      MP_GO_OK | MP_GO_DECLINED, "Python access handlers") \
    X(AUTHEN, "PythonAuthenHandler", "authenhandler", OR_ALL, \
      MP_GO_DECLINED, "Python authentication handlers") \
    X(AUTHZ, "PythonAuthzHandler", "authzhandler", OR_ALL, \
      MP_GO_DECLINED, "Python authorization handlers") \
    X(TYPE, "PythonTypeHandler", "typehandler", OR_ALL, \
      MP_GO_DECLINED, "Python type-checker handlers") \
    X(FIXUP, "PythonFixupHandler", "fixuphandler", OR_ALL, \
      MP_GO_OK | MP_GO_DECLINED, "Python fixup handlers") \
    X(HANDLER, "PythonHandler", "handler", OR_ALL, MP_GO_OK, \
      "Python content handlers") \
    X(LOG, "PythonLogHandler", "loghandler", OR_ALL, \
      MP_GO_OK | MP_GO_DECLINED, "Python logger handlers") \
    X(CLEANUP, "PythonCleanupHandler", "cleanuphandler", OR_ALL, \
      MP_GO_ALL, "Python handlers run when the request is done")

#define MP_PHASE_ENUM(id, name, callable, where, go, help) MP_PHASE_##id,
typedef enum {
    MP_PHASE_LIST(MP_PHASE_ENUM)
    MP_PHASE_COUNT
} mp_phase;
#undef MP_PHASE_ENUM

/* The handlers that are not request phases, numbered after them: together
 * with the phases, the "kinds" of handler the dispatcher runs. */
#define MP_KIND_CONNECTION      MP_PHASE_COUNT
#define MP_KIND_INPUT_FILTER    (MP_PHASE_COUNT + 1)
#define MP_KIND_OUTPUT_FILTER   (MP_PHASE_COUNT + 2)
#define MP_KIND_COUNT           (MP_PHASE_COUNT + 3)

#define MP_DIRECTIVE_CONNECTION     "PythonConnectionHandler"
#define MP_DIRECTIVE_INPUT_FILTER   "PythonInputFilter"
#define MP_DIRECTIVE_OUTPUT_FILTER  "PythonOutputFilter"

/* Name of the interpreter used when none is given. */
#define MP_MAIN_INTERPRETER "main_interpreter"

/* Apache filter that req.register_*_filter() binds per request; named
 * Python filters are registered with its functions. */
#define MP_GENERIC_FILTER "MOD_PYTHON"

/* One handler of a list: "module[::object]" plus where it was written.
 * Immutable once built (mp_config_new_handler). */
typedef struct mp_handler {
    const char *handler;        /* as written in the directive */
    const char *module;         /* "module", whitespace trimmed */
    const char *object;         /* "object" or NULL for the default name */
    const char *directory;      /* handler directory (spec 1.7) or NULL */
    ap_regex_t *dir_regex;      /* section was <Directory ~> / DirectoryMatch */
    int dir_is_fnmatch;         /* section path holds wildcards */
    int is_location;            /* written inside <Location> */
    int silent;                 /* from PythonHandlerModule */
    int cacheable;              /* from httpd.conf with a fixed directory:
                                 * its resolution may be cached (mp_dispatch) */
    int metrics_label;          /* mp_metrics.c's label index, 0: "(other)" */
    struct mp_handler *next;
} mp_handler;

/* A PythonInputFilter / PythonOutputFilter registration.  `entry` is the
 * handler as the dispatcher runs it (one entry, no next). */
typedef struct {
    const char *name;           /* as given; Apache lower-cases it */
    const char *handler;
    const char *directory;
    int is_input;
    mp_handler *entry;
} mp_filter_conf;

/* A flag directive not written in a scope (merging keeps the base's). */
#define MP_UNSET (-1)

/* The scalar Python* directives of a scope, compiled from the directive
 * lines when they are read and merged field by field: what the dispatcher
 * and the interpreter choice read on every request, without a table
 * lookup.  Flags are MP_UNSET, 0 or 1; strings NULL when unset. */
typedef struct {
    const char *python_path;        /* PythonPath expression */
    const char *interpreter;        /* PythonInterpreter */
    signed char debug;              /* PythonDebug */
    signed char enable_pdb;         /* PythonEnablePdb */
    signed char autoreload;         /* PythonAutoReload (default on) */
    signed char per_directory;      /* PythonInterpPerDirectory */
    signed char per_directive;      /* PythonInterpPerDirective */
    signed char htaccess;           /* PythonHtaccess (httpd.conf only) */
} mp_settings;

/* Whether flag f is on; `dflt` when unset. */
#define MP_FLAG(f, dflt) ((f) == MP_UNSET ? (dflt) : (f))

/* PythonImport entry. */
typedef struct {
    const char *module;         /* "module[::func]" */
    const char *interpreter;
} mp_import;

typedef struct {
    const char *config_dir;     /* section path as given to create, or NULL */
    const char *htaccess;       /* .htaccess file a Python directive of
                                 * this scope came from, or NULL */
    mp_settings settings;       /* typed view of the scalar directives */
    apr_table_t *directives;    /* PythonDebug="1", PythonPath=..., as
                                 * req.get_config() shows them */
    apr_table_t *options;       /* PythonOption key/value; "" means removed */
    mp_handler *handlers[MP_PHASE_COUNT];
    apr_hash_t *ext_handlers;   /* "PythonHandler.py" -> mp_handler * */
    apr_hash_t *in_filters;     /* name -> mp_filter_conf * */
    apr_hash_t *out_filters;
} mp_dir_config;

typedef struct {
    mp_settings settings;       /* server-level mirror (spec 1.1) */
    apr_table_t *directives;
    apr_table_t *options;
    mp_handler *connection_handler;
    apr_array_header_t *imports;    /* of mp_import */
    const char *python_home;    /* PythonHome (our extension) or NULL */
    int optimize;               /* PythonOptimize */
} mp_srv_config;

/* Directive name of a kind of handler ("PythonHandler") and the callable
 * used when a handler names none ("handler"); indexed by mp_phase or
 * MP_KIND_*. */
extern const char *const mp_phase_directive[MP_KIND_COUNT];
extern const char *const mp_phase_callable[MP_KIND_COUNT];

/* Stacking rule of a phase: MP_GO_* bits. */
extern const unsigned char mp_phase_continue[MP_PHASE_COUNT];

/* A handler entry for "module[::object]" written in `directory` (or NULL),
 * allocated from p; the other origin fields are left zero.  Used for
 * req.add_handler() and filters; directive lines fill the rest. */
mp_handler *mp_config_new_handler(apr_pool_t *p, const char *handler,
                                  const char *directory);

/* Phase index for a directive name (case-insensitive), or -1. */
int mp_phase_lookup(const char *directive);

static inline mp_dir_config *
mp_config_dir(ap_conf_vector_t *v)
{
    return (mp_dir_config *)ap_get_module_config(v, &python_module);
}

static inline mp_srv_config *
mp_config_srv(server_rec *s)
{
    return (mp_srv_config *)ap_get_module_config(s->module_config,
                                                 &python_module);
}

/* Handler list for a phase, choosing the "| .ext" list when the request's
 * filename has a matching extension; *ext receives that extension (or NULL).
 * Never fails. */
mp_handler *mp_config_handlers(mp_dir_config *d, mp_phase phase,
                               const char *filename, const char **ext);

/* Directory with a trailing '/', canonicalised; allocated from p. */
const char *mp_config_canonical_dir(apr_pool_t *p, const char *dir);

/* Directory of a handler for this request: resolves regex and wildcard
 * sections against filename (spec 1.7).  NULL when there is none. */
const char *mp_config_handler_dir(apr_pool_t *p, const mp_handler *h,
                                  const char *filename);

/* The .htaccess file whose Python directives this merged configuration
 * holds although PythonHtaccess Off applies, or NULL when all is well. */
const char *mp_config_refused(const mp_dir_config *d);

/* Interpreter for handler h (or NULL) of request r (spec 5.2):
 * PythonInterpreter, then PythonInterpPerDirectory,
 * PythonInterpPerDirective, else the virtual host's ServerName.
 * Allocated from r->pool, or static. */
const char *mp_config_interpreter(request_rec *r, mp_dir_config *d,
                                  const mp_handler *h);

/* Copy of the options in pool p with empty values removed, as
 * req.get_options() shows them (callers cache it per request). */
apr_table_t *mp_config_live_options(apr_pool_t *p, mp_dir_config *d);

/* Hooks for the module record (mod_python.c). */
void *mp_config_create_dir(apr_pool_t *p, char *dir);
void *mp_config_merge_dir(apr_pool_t *p, void *base, void *add);
void *mp_config_create_srv(apr_pool_t *p, server_rec *s);
void *mp_config_merge_srv(apr_pool_t *p, void *base, void *add);
extern const command_rec mp_config_commands[];

#endif /* MP_CONFIG_H */
