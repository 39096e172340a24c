/*
 * mp_dispatch.h: the handler loop, the one place a configured Python
 * handler is run.
 *
 * Every request phase (mp_dispatch_phase), the connection handler
 * (mp_dispatch_connection) and every call of a Python filter (mp_filter.c,
 * through mp_dispatch_entry) run here, from the compiled configuration: the
 * mp_handler entries and the mp_settings of the scope (mp_config.h).  The
 * stacking rules are the phase table's (MP_PHASE_LIST); SERVER_RETURN is
 * turned into its code here too.
 *
 * Python is asked for two things only, through the interpreter's
 * mod_python.apache.CallBack (fetched once by mp_dispatch_set_up):
 *
 *   - resolve(target, module=..., obj=..., ...) imports a handler's module
 *     and finds its callable (sys.path rules, auto-reload), returning a
 *     mod_python._dispatch.Resolved, or None for a silent entry;
 *   - report(target, exc, phase, handler, page) logs an exception and may
 *     send the debug page; it returns the phase result.
 *
 * Resolutions of entries read from httpd.conf are cached per interpreter
 * (a dict in the module state, keyed by the entry's address, which lives as
 * long as the child).  A cached resolution is used while the module's next
 * auto-reload check is not due, PythonPath is the string it was resolved
 * under and the module still binds the name to the same object.  Entries
 * from .htaccess, req.add_handler(), req.register_*_filter(), regex
 * sections, dotted object paths and PythonEnablePdb are resolved each time.
 *
 * GIL: mp_dispatch_phase and mp_dispatch_connection take the interpreter
 * themselves (mp_interp_acquire); mp_dispatch_entry, mp_dispatch_report and
 * mp_dispatch_set_up run with it held.  None of them raises: errors are
 * logged and become the result (500).
 */
#ifndef MP_DISPATCH_H
#define MP_DISPATCH_H

#include "mp_config.h"

struct mp_interp;

/* What the entries of one run share. */
typedef struct {
    struct mp_interp *ip;
    server_rec *s;                  /* where log lines go */
    request_rec *r;                 /* NULL for a connection handler */
    const mp_settings *settings;    /* of the scope the entries come from */
    int kind;                       /* mp_phase or MP_KIND_* */
    double now;                     /* monotonic clock, read once, or -1 */
} mp_run;

/* A run of kind `kind` for request r (NULL for a connection handler),
 * logging against s, with the settings of the entries' scope. */
static inline mp_run
mp_run_make(struct mp_interp *ip, server_rec *s, request_rec *r,
            const mp_settings *settings, int kind)
{
    mp_run run = {ip, s, r, settings, kind, -1.0};

    return run;
}

/* Set up a new interpreter for the dispatcher, once _apache is imported:
 * mod_python.apache.init(name, server) gives ip->dispatcher (the CallBack),
 * whose resolve and report go into the module state with a new cache.
 * Given to mp_interp_child_init (mp_interp_layers.set_up); GIL held.  0,
 * or -1 with an exception set. */
int mp_dispatch_set_up(struct mp_interp *ip, server_rec *main_server);

/* Resolve entry h (cache first) and call it with target.  Returns the
 * handler's result and sets *outcome. */
int mp_dispatch_entry(mp_run *run, const mp_handler *h, PyObject *target,
                      int *outcome);

/* Report the pending exception as raised by entry h with target; returns
 * the phase result (500, or DONE when a debug page was sent). */
int mp_dispatch_report(mp_run *run, const mp_handler *h, PyObject *target);

/* Run the list h (then the req.add_handler() list) of a request phase;
 * `ext` is the extension a "| .ext" list was chosen for, or NULL.  Returns
 * the phase result for Apache. */
int mp_dispatch_phase(request_rec *r, mp_phase phase, mp_handler *h,
                      const char *ext);

/* Run the PythonConnectionHandler of c's server, or DECLINED. */
int mp_dispatch_connection(conn_rec *c);

#endif /* MP_DISPATCH_H */
