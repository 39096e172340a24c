/*
 * mp_include.c: the <!--#python --> element of mod_include.
 * See mp_include.h for the contract.
 */
#include "mp_include.h"
#include "mp_config.h"
#include "mp_request.h"
#include "mp_interp.h"
#include "mp_log.h"
#include "mp_util.h"

#include "apr_buckets.h"
#include "apr_optional.h"
#include "util_filter.h"
#include "mod_include.h"

#define MP_INCLUDE_MODULE "mod_python._include"

/* Set at configuration time, before any child exists; read-only after. */
static APR_OPTIONAL_FN_TYPE(ap_ssi_get_tag_and_value) *get_tag_and_value;

static char element_name[] = "python";

/* Log a problem with the element itself and put mod_include's error string
 * in its place. */
static apr_status_t
element_error(include_ctx_t *ctx, ap_filter_t *f, apr_bucket_brigade *bb,
              const char *msg)
{
    ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, f->r, MP_APLOGNO(0600)
                  "<!--#python --> in %s: %s",
                  f->r->filename ? f->r->filename : f->r->uri, msg);
    SSI_CREATE_ERROR_BUCKET(ctx, f, bb);
    return APR_SUCCESS;
}

/* Append the bytes of a str (the text rule, mp_util.h) or bytes object to
 * bb.  0, or -1 with an exception set.  GIL held. */
static int
append_text(ap_filter_t *f, apr_bucket_brigade *bb, PyObject *text)
{
    const char *data;
    Py_ssize_t len;
    PyObject *owner = NULL;

    if (!PyUnicode_Check(text) && !PyBytes_Check(text)) {
        PyErr_Format(PyExc_TypeError,
                     "%s.run() must return str or bytes, not %.100s",
                     MP_INCLUDE_MODULE, Py_TYPE(text)->tp_name);
        return -1;
    }
    if (mp_text_bytes(text, &owner, &data, &len) < 0) {
        return -1;
    }
    if (len > 0) {
        /* heap bucket with a NULL free function: APR copies the data */
        APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_heap_create(
            data, (apr_size_t)len, NULL, f->c->bucket_alloc));
    }
    Py_XDECREF(owner);
    return 0;
}

/* With PythonDebug On: insert _include.error_page(exc) for the pending
 * exception, which stays pending.  GIL held. */
static void
append_debug_page(ap_filter_t *f, apr_bucket_brigade *bb, PyObject *mod)
{
    PyObject *type, *value, *tb, *page;

    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    if (value != NULL && tb != NULL) {
        PyException_SetTraceback(value, tb);
    }
    page = mod && value ? PyObject_CallMethod(mod, "error_page", "O", value)
                        : NULL;
    if (page == NULL || append_text(f, bb, page) < 0) {
        PyErr_Clear();          /* the original error is what matters */
    }
    Py_XDECREF(page);
    PyErr_Restore(type, value, tb);
}

/* Call mod_python._include.run(req, kind, code) in interpreter ip and
 * append its output; on failure log MP0601 and append the error string. */
static void
run_code(include_ctx_t *ctx, ap_filter_t *f, apr_bucket_brigade *bb,
         mp_interp *ip, int debug, const char *kind, const char *code)
{
    request_rec *r = f->r;
    PyObject *req, *mod = NULL, *pycode = NULL, *res = NULL;

    req = mp_request_for(ip->state, r);
    if (req != NULL) {
        mod = PyImport_ImportModule(MP_INCLUDE_MODULE);
    }
    if (mod != NULL) {
        pycode = mp_str_from_c(code, -1);
    }
    if (pycode != NULL) {
        res = PyObject_CallMethod(mod, "run", "OsO", req, kind, pycode);
    }
    if (res == NULL || append_text(f, bb, res) < 0) {
        if (debug) {
            append_debug_page(f, bb, mod);
        }
        mp_log_pyerr(r->server, r, MP_APLOGNO(0601),
                     apr_psprintf(ctx->dpool, "<!--#python %s --> in %s",
                                  kind, r->filename ? r->filename : r->uri));
        SSI_CREATE_ERROR_BUCKET(ctx, f, bb);
    }
    Py_XDECREF(res);
    Py_XDECREF(pycode);
    Py_XDECREF(mod);
    Py_XDECREF(req);
}

/* include_handler_fn_t for <!--#python exec|eval="..." -->.  Always
 * APR_SUCCESS: problems become mod_include's error string. */
static apr_status_t
mp_include_handler(include_ctx_t *ctx, ap_filter_t *f,
                   apr_bucket_brigade *bb)
{
    request_rec *r = f->r;
    mp_dir_config *d;
    const char *kind = NULL, *code = NULL;
    mp_interp *ip;

    if (ctx->argc == 0) {
        return element_error(ctx, f, bb, "missing exec or eval attribute");
    }
    if (!(ctx->flags & SSI_FLAG_PRINTING)) {
        return APR_SUCCESS;     /* inside a false #if */
    }
    if (ctx->flags & SSI_FLAG_NO_EXEC) {
        return element_error(ctx, f, bb, "not allowed here "
                             "(Options IncludesNOEXEC)");
    }
    for (;;) {
        char *tag = NULL, *val = NULL;

        get_tag_and_value(ctx, &tag, &val, SSI_VALUE_DECODED);
        if (tag == NULL) {
            break;
        }
        if (strcmp(tag, "exec") != 0 && strcmp(tag, "eval") != 0) {
            return element_error(ctx, f, bb, apr_psprintf(
                ctx->dpool, "unknown attribute \"%s\" "
                "(use exec or eval)", tag));
        }
        if (kind != NULL) {
            return element_error(ctx, f, bb,
                                 "only one exec or eval attribute allowed");
        }
        if (val == NULL || val[0] == '\0') {
            return element_error(ctx, f, bb, apr_psprintf(
                ctx->dpool, "empty %s attribute", tag));
        }
        kind = tag;
        code = val;
    }
    if (kind == NULL) {
        return element_error(ctx, f, bb, "missing exec or eval attribute");
    }

    d = mp_config_dir(r->per_dir_config);
    ip = mp_interp_acquire(mp_config_interpreter(r, d, NULL), r->server);
    if (ip == NULL) {           /* logged by mp_interp_acquire */
        SSI_CREATE_ERROR_BUCKET(ctx, f, bb);
        return APR_SUCCESS;
    }
    run_code(ctx, f, bb, ip, d->settings.debug == 1, kind, code);
    mp_interp_release(ip);
    return APR_SUCCESS;
}

/* After mod_include's post_config (APR_HOOK_REALLY_FIRST) made its table
 * of elements. */
static int
mp_include_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                       apr_pool_t *ptemp, server_rec *s)
{
    APR_OPTIONAL_FN_TYPE(ap_register_include_handler) *reg;

    (void)pconf;
    (void)plog;
    (void)ptemp;
    (void)s;
    reg = APR_RETRIEVE_OPTIONAL_FN(ap_register_include_handler);
    get_tag_and_value = APR_RETRIEVE_OPTIONAL_FN(ap_ssi_get_tag_and_value);
    if (reg != NULL && get_tag_and_value != NULL) {
        reg(element_name, mp_include_handler);
    }
    return OK;
}

void
mp_include_register_hooks(apr_pool_t *p)
{
    /* mod_include's post_config must have run first */
    static const char *const pre[] = {"mod_include.c", NULL};

    (void)p;
    ap_hook_post_config(mp_include_post_config, pre, NULL,
                        APR_HOOK_MIDDLE);
}
