/*
 * mp_dispatch.h: the loop that runs a request phase's handler list.
 *
 * mp_dispatch_run() walks the hlist the request object carries, calls each
 * handler with the request and applies the phase's stacking rule (spec 1.3,
 * read from mod_python._dispatch.CONTINUE_ON once per interpreter).  It is
 * the C twin of Dispatcher.handler_dispatch: Python is entered only to call
 * the handler itself, except
 *
 *   - on a cache miss, Dispatcher.resolve_entry() imports the module and
 *     finds the callable (sys.path rules, auto-reload, PythonHandlerModule);
 *   - when a handler raised or returned a non-int, Dispatcher.entry_failed()
 *     turns SERVER_RETURN into its code, or reports the error.
 *
 * The cache (a dict in the interpreter's module state) maps a configured
 * mp_handler (parsed from httpd.conf, so living as long as the child) to
 * its resolution.  An entry is used while all of these hold: the module's
 * next auto-reload check is not due, PythonPath is the string it was
 * resolved under, and the module namespace still binds the name to the same
 * object.  Handlers from .htaccess, req.add_handler(), regex sections,
 * dotted object paths and PythonEnablePdb always take the Python path.
 *
 * GIL held, the handler's interpreter current.  Never raises: errors are
 * logged and become the phase result (500).
 */
#ifndef MP_DISPATCH_H
#define MP_DISPATCH_H

#include "mp_config.h"
#include "mp_hlist.h"

struct mp_interp;

/* Run the list `hlist` of `phase` for r with request object req (whose
 * phase and hlist members are already set) and return the phase result. */
int mp_dispatch_run(struct mp_interp *ip, request_rec *r, mp_dir_config *d,
                    mp_phase phase, PyObject *req, MpHlistObject *hlist);

#endif /* MP_DISPATCH_H */
