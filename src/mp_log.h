/*
 * mp_log.h: Python exceptions in the error log.
 *
 * One header line "<MPnnnn code>: <context>: <type>: <value>", then the
 * traceback, one line each, at APLOG_ERR, against the request when there
 * is one (so LogLevel python:... and the request's context apply).  The
 * exception is cleared.  Called with the GIL held; the text is made under
 * it (bytes that are not UTF-8 come out as they were, by the text rule of
 * mp_util.h), and the writes run with the GIL dropped (MP_BLOCKING).
 * Handler errors go through mod_python._dispatch (MP0100) instead, which
 * logs in the same shape from Python.
 */
#ifndef MP_LOG_H
#define MP_LOG_H

#include "mp_common.h"

/* Log the pending Python exception against r (or s when r is NULL): one
 * header line "<code>: <context>: <type>: <value>" then the traceback
 * lines.  Clears the exception.  GIL held. */
void mp_log_pyerr(server_rec *s, request_rec *r, const char *code,
                  const char *context);

#endif /* MP_LOG_H */
