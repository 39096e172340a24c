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

/* Request phases that take a handler list, in Apache's order. */
typedef enum {
    MP_PHASE_POST_READ_REQUEST = 0,
    MP_PHASE_TRANS,
    MP_PHASE_HEADER_PARSER,
    MP_PHASE_INIT,
    MP_PHASE_ACCESS,
    MP_PHASE_AUTHEN,
    MP_PHASE_AUTHZ,
    MP_PHASE_TYPE,
    MP_PHASE_FIXUP,
    MP_PHASE_HANDLER,
    MP_PHASE_LOG,
    MP_PHASE_CLEANUP,
    MP_PHASE_COUNT
} mp_phase;

/* One handler of a list: "module[::object]" plus where it was written. */
typedef struct mp_handler {
    const char *handler;        /* as written in the directive */
    const char *directory;      /* handler directory (spec 1.7) or NULL */
    ap_regex_t *dir_regex;      /* section was <Directory ~> / DirectoryMatch */
    int dir_is_fnmatch;         /* section path holds wildcards */
    int is_location;            /* written inside <Location> */
    int silent;                 /* from PythonHandlerModule */
    int cacheable;              /* from httpd.conf with a fixed directory:
                                 * its resolution may be cached (mp_dispatch) */
    struct mp_handler *next;
} mp_handler;

/* A PythonInputFilter / PythonOutputFilter registration. */
typedef struct {
    const char *name;           /* as given; Apache lower-cases it */
    const char *handler;
    const char *directory;
    int is_input;
} mp_filter_conf;

/* PythonImport entry. */
typedef struct {
    const char *module;         /* "module[::func]" */
    const char *interpreter;
} mp_import;

typedef struct {
    const char *config_dir;     /* section path as given to create, or NULL */
    apr_table_t *directives;    /* PythonDebug="1", PythonPath=..., ... */
    apr_table_t *options;       /* PythonOption key/value; "" means removed */
    mp_handler *handlers[MP_PHASE_COUNT];
    apr_hash_t *ext_handlers;   /* "PythonHandler.py" -> mp_handler * */
    apr_hash_t *in_filters;     /* name -> mp_filter_conf * */
    apr_hash_t *out_filters;
} mp_dir_config;

typedef struct {
    apr_table_t *directives;    /* server-level mirror (spec 1.1) */
    apr_table_t *options;
    mp_handler *connection_handler;
    apr_array_header_t *imports;    /* of mp_import */
    const char *python_home;    /* PythonHome (our extension) or NULL */
    int optimize;               /* PythonOptimize */
} mp_srv_config;

/* Directive name ("PythonHandler"), and default callable ("handler"). */
extern const char *const mp_phase_directive[MP_PHASE_COUNT];
extern const char *const mp_phase_callable[MP_PHASE_COUNT];

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
