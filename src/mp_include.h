/*
 * mp_include.h: Python in server-side includes (spec 3.6).
 *
 *     <!--#python exec="statements" -->
 *     <!--#python eval="expression" -->
 *
 * When mod_include is loaded, post_config registers the "python" element
 * with its optional function ap_register_include_handler (mod_include makes
 * its table of elements afresh in its own post_config, which runs first, so
 * the registration is repeated on every configuration pass).  Without
 * mod_include nothing happens.
 *
 * The element handler runs inside the INCLUDES filter of a request.  It
 * checks the attributes (exactly one non-empty exec or eval), refuses to run
 * under IncludesNOEXEC, picks the interpreter as a handler without a
 * directory would (mp_config_interpreter), takes it with
 * mp_interp_acquire and calls mod_python._include.run(req, kind, code).  The
 * text that returns (str, sent as UTF-8, or bytes) becomes the element's
 * output.  Any failure is logged with an MP06nn code and replaced by
 * mod_include's error string ("[an error occurred while processing this
 * directive]" unless SSIErrorMsg says otherwise); with PythonDebug On the
 * traceback is inserted as well.
 *
 * Nothing here owns Python objects beyond one call: the request object
 * belongs to the per-request state (mp_hooks.h), and the globals the page
 * shares live in req.ssi_globals.  The only static data are the two
 * optional-function pointers, process-wide and set at configuration time.
 */
#ifndef MP_INCLUDE_H
#define MP_INCLUDE_H

#include "mp_common.h"

/* Register the post_config hook that hooks up the "python" element
 * (register_hooks time). */
void mp_include_register_hooks(apr_pool_t *p);

#endif /* MP_INCLUDE_H */
