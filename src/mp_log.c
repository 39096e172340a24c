/*
 * mp_log.c: Python exceptions in the error log.  See mp_log.h.
 */
#include "mp_log.h"
#include "mp_interp.h"
#include "mp_util.h"

/* Write text (lines separated by '\n') to the log: the first line as it
 * is, each other one after "context: ".  No GIL needed. */
static void
emit(server_rec *s, request_rec *r, const char *context, const char *text,
     Py_ssize_t len)
{
    const char *p = text, *end = text + len;
    int first = 1;

    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        int n = (int)((nl ? nl : end) - p);
        const char *pre = first ? "" : context, *sep = first ? "" : ": ";

        if (n > 0 && r != NULL) {
            ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "%s%s%.*s", pre, sep,
                          n, p);
        }
        else if (n > 0) {
            ap_log_error(APLOG_MARK, APLOG_ERR, 0, s, "%s%s%.*s", pre, sep,
                         n, p);
        }
        first = 0;
        p = nl ? nl + 1 : end;
    }
}

void
mp_log_pyerr(server_rec *s, request_rec *r, const char *code,
             const char *context)
{
    PyObject *type = NULL, *value = NULL, *tb = NULL;
    PyObject *mod = NULL, *lines = NULL, *text = NULL, *owner = NULL;
    const char *data = NULL;
    Py_ssize_t len = 0;

    PyErr_Fetch(&type, &value, &tb);
    if (type == NULL) {
        return;
    }
    PyErr_NormalizeException(&type, &value, &tb);
    /* "code context: Type: value\n" + the formatted traceback */
    mod = PyImport_ImportModule("traceback");
    if (mod != NULL) {
        lines = PyObject_CallMethod(mod, "format_exception", "OOO", type,
                                    value ? value : Py_None,
                                    tb ? tb : Py_None);
    }
    PyErr_Clear();
    text = PyUnicode_FromFormat("%s%s: %s: %S\n", code, context,
                                ((PyTypeObject *)type)->tp_name,
                                value ? value : Py_None);
    if (text != NULL && lines != NULL && PyList_Check(lines)) {
        PyObject *empty = PyUnicode_New(0, 0);
        PyObject *body = empty ? PyUnicode_Join(empty, lines) : NULL;

        Py_XDECREF(empty);
        if (body != NULL) {
            Py_SETREF(text, PyUnicode_Concat(text, body));
            Py_DECREF(body);
        }
    }
    if (text == NULL || mp_text_bytes(text, &owner, &data, &len) < 0) {
        PyErr_Clear();
        data = NULL;
    }
    /* The writes need no Python: data stays valid while text (or owner)
     * is referenced. */
    MP_BLOCKING_BEGIN
    if (data != NULL) {
        emit(s, r, context, data, len);
    }
    else {
        emit(s, r, context, code, (Py_ssize_t)strlen(code));
    }
    MP_BLOCKING_END
    Py_XDECREF(owner);
    Py_XDECREF(text);
    Py_XDECREF(lines);
    Py_XDECREF(mod);
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(tb);
}
