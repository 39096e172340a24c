/*
 * mp_common.h: included first by every C file of mod_python.
 *
 * It fixes the include order (Python.h first, with PY_SSIZE_T_CLEAN, then
 * httpd and APR), enforces the version floors, declares the module for
 * Apache's per-module logging and defines the message-code prefix.  Every
 * warning or error line the module writes starts with MP_APLOGNO(n); the
 * codes are listed in docs/error-reference.md and are never reused.
 */
#ifndef MP_COMMON_H
#define MP_COMMON_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#if PY_VERSION_HEX < 0x030B0000
#error "mod_python needs Python 3.11 or newer"
#endif

#include "httpd.h"
#include "http_config.h"
#include "http_core.h"
#include "http_log.h"
#include "http_protocol.h"
#include "http_request.h"
#include "ap_mpm.h"
#include "apr_strings.h"
#include "apr_tables.h"
#include "apr_hash.h"
#include "apr_thread_proc.h"
#include "apr_thread_mutex.h"

#if !AP_MODULE_MAGIC_AT_LEAST(20120211, 0)
#error "mod_python needs Apache httpd 2.4 or newer"
#endif

/* mod_python.c declares the module with AP_DECLARE_MODULE, which does
 * this itself. */
#ifndef MP_DECLARING_MODULE
APLOG_USE_MODULE(python);
#endif

extern module AP_MODULE_DECLARE_DATA python_module;

/* "MP0042: " prefix of a log line; the number is documented in docs/. */
#define MP_APLOGNO(n) "MP" #n ": "

#endif /* MP_COMMON_H */
