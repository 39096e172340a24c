/*
 * mp_request_filter.c: the methods of _apache.mp_request that add filters
 * to the request (add_input_filter, add_output_filter) or bind a filter
 * name to a Python handler for it (register_input_filter,
 * register_output_filter).  The filters themselves are in mp_filter.c; the
 * type is in mp_request.c, which adds mp_request_filter_methods from here
 * to the type.
 */
#include "mp_request_filter.h"
#include "mp_filter.h"
#include "mp_util.h"

#define ADD_FILTER_TEXT \
    "Add a filter to this request: one registered with register_*_filter,\n" \
    "or any filter Apache knows (unknown names are ignored)."
PyDoc_STRVAR(add_output_filter_doc,
"add_output_filter(name)\n--\n\n" ADD_FILTER_TEXT);
PyDoc_STRVAR(add_input_filter_doc,
"add_input_filter(name)\n--\n\n" ADD_FILTER_TEXT);

static PyObject *
req_add_filter(PyObject *self, PyObject *arg, int is_input)
{
    request_rec *r = mp_request_rec(self);
    const char *name;

    if (r == NULL || (name = mp_str_to_c(r->pool, arg, 0)) == NULL) {
        return NULL;
    }
    if (mp_filter_add(r, name, is_input) < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *
req_add_input_filter(PyObject *self, PyObject *arg)
{
    return req_add_filter(self, arg, 1);
}

static PyObject *
req_add_output_filter(PyObject *self, PyObject *arg)
{
    return req_add_filter(self, arg, 0);
}

#define REGISTER_FILTER_TEXT \
    "Bind filter name to handler 'module[::function]' for this request."
PyDoc_STRVAR(register_output_filter_doc,
"register_output_filter(name, handler, dir=None)\n--\n\n"
REGISTER_FILTER_TEXT);
PyDoc_STRVAR(register_input_filter_doc,
"register_input_filter(name, handler, dir=None)\n--\n\n"
REGISTER_FILTER_TEXT);

static PyObject *
req_register_filter(PyObject *self, PyObject *args, int is_input)
{
    request_rec *r = mp_request_rec(self);
    PyObject *name, *handler, *dir = Py_None;
    const char *n, *h, *d;

    if (r == NULL
        || !PyArg_ParseTuple(args, "OO|O:register_filter", &name, &handler,
                             &dir)
        || (n = mp_str_to_c(r->pool, name, 0)) == NULL
        || (h = mp_str_to_c(r->pool, handler, 0)) == NULL) {
        return NULL;
    }
    d = mp_str_to_c(r->pool, dir, 1);
    if (d == NULL && PyErr_Occurred()) {
        return NULL;
    }
    if (mp_filter_register_request(r, n, h, d, is_input) < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *
req_register_input_filter(PyObject *self, PyObject *args)
{
    return req_register_filter(self, args, 1);
}

static PyObject *
req_register_output_filter(PyObject *self, PyObject *args)
{
    return req_register_filter(self, args, 0);
}

PyMethodDef mp_request_filter_methods[] = {
    {"add_input_filter", req_add_input_filter, METH_O, add_input_filter_doc},
    {"add_output_filter", req_add_output_filter, METH_O,
     add_output_filter_doc},
    {"register_input_filter", req_register_input_filter, METH_VARARGS,
     register_input_filter_doc},
    {"register_output_filter", req_register_output_filter, METH_VARARGS,
     register_output_filter_doc},
    {NULL, NULL, 0, NULL}
};
