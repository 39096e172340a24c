/*
 * mp_filter.c: Python input/output filters and the mp_filter type.
 * See mp_filter.h for the contract.
 *
 * GIL: the filter object's methods hold it, and drop it (MP_BLOCKING_BEGIN
 * / MP_BLOCKING_END or mp_interp_unblock / mp_interp_reblock, mp_interp.h)
 * around ap_get_brigade, ap_pass_brigade and the reading of any bucket that
 * is not in memory (file, pipe, socket: a slow upstream must not stall the
 * other Python threads of the child).  Nothing in between touches a Python
 * object.
 */
#include "mp_filter.h"
#include "mp_dispatch.h"
#include "mp_interp.h"
#include "mp_log.h"
#include "mp_reqstate.h"
#include "mp_stop.h"
#include "mp_request.h"
#include "mp_util.h"

#include "apr_buckets.h"
#include "util_filter.h"

/* Per filter instance (f->ctx), allocated from the request pool. */
typedef struct {
    const mp_filter_conf *conf;     /* NULL until looked up */
    apr_bucket_brigade *bb_in;      /* input not yet read by the filter,
                                     * kept (set aside) between calls */
    apr_bucket_brigade *bb_out;     /* output: what we pass on */
    apr_size_t progress;            /* bumped whenever input is taken */
    int transparent;                /* disable() was called */
    int closed;                     /* the filter sent EOS: the stream has
                                     * ended, later data is dropped */
} mp_filter_ctx;

typedef struct {
    PyObject_HEAD
    ap_filter_t *f;                 /* NULL once the call returned */
    mp_filter_ctx *ctx;
    apr_bucket_brigade *bb_in;      /* data coming to the filter */
    apr_bucket_brigade *bb_out;     /* data the filter produces */
    ap_input_mode_t mode;           /* input filters: the caller's ask */
    apr_read_type_e block;
    apr_off_t readbytes;
    int is_input;
    int closed;
    apr_status_t rc;                /* first failure of a pass */
    PyObject *req;
    PyObject *softspace;
} MpFilterObject;

/* ------------------------------------------------------------------ */
/* the mp_filter type                                                 */
/* ------------------------------------------------------------------ */

static int
check_open(MpFilterObject *self, int io)
{
    if (self->f == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "filter has expired");
        return -1;
    }
    if (io && self->closed) {
        PyErr_SetString(PyExc_ValueError, "I/O operation on closed filter");
        return -1;
    }
    return 0;
}

static int
brigade_has_eos(apr_bucket_brigade *bb)
{
    apr_bucket *b;

    for (b = APR_BRIGADE_FIRST(bb); b != APR_BRIGADE_SENTINEL(bb);
         b = APR_BUCKET_NEXT(b)) {
        if (APR_BUCKET_IS_EOS(b)) {
            return 1;
        }
    }
    return 0;
}

/* Ask the upstream filters for more input (input filters only). */
static int
fetch_input(MpFilterObject *self)
{
    apr_status_t rv = APR_SUCCESS;

    if (self->block == APR_BLOCK_READ) {
        rv = mp_stop_read_check(self->f->c);
    }
    if (rv == APR_SUCCESS) {
        MP_BLOCKING_BEGIN
        rv = ap_get_brigade(self->f->next, self->bb_in, self->mode,
                            self->block, self->readbytes);
        MP_BLOCKING_END
    }
    if (rv != APR_SUCCESS && !APR_STATUS_IS_EAGAIN(rv)) {
        mp_raise_apr(rv, "input filter read failed");
        return -1;
    }
    return 0;
}

/* Whether b is a data bucket whose contents are in memory, so that
 * apr_bucket_read() neither blocks nor does I/O. */
static int
in_memory(apr_bucket *b)
{
    return APR_BUCKET_IS_HEAP(b) || APR_BUCKET_IS_TRANSIENT(b)
           || APR_BUCKET_IS_POOL(b) || APR_BUCKET_IS_IMMORTAL(b)
#if APR_HAS_MMAP
           || APR_BUCKET_IS_MMAP(b)
#endif
           ;
}

/* Read (morphing into memory) the data buckets at the head of bb that a
 * take of up to len bytes (all when negative), or of one line, covers,
 * and split the last one at the end of the take.  *got is the size of the
 * take; the buckets before the first EOS hold exactly it afterwards, so
 * copying them touches memory only.  Called with the GIL; at the first
 * bucket that is not in memory it drops the GIL into *sv for the rest
 * (setting *unblocked): the caller then takes it back with
 * mp_interp_reblock(sv).  Touches no Python object. */
static apr_status_t
measure_take(apr_bucket_brigade *bb, Py_ssize_t len, int line,
             apr_size_t *got, mp_unblocked *sv, int *unblocked)
{
    apr_bucket *b;
    const char *data;
    apr_size_t n, take;
    apr_status_t rv;

    *got = 0;
    *unblocked = 0;
    for (b = APR_BRIGADE_FIRST(bb); b != APR_BRIGADE_SENTINEL(bb)
         && (len < 0 || *got < (apr_size_t)len); b = APR_BUCKET_NEXT(b)) {
        if (APR_BUCKET_IS_EOS(b)) {
            break;
        }
        if (APR_BUCKET_IS_METADATA(b)) {
            continue;
        }
        if (!*unblocked && !in_memory(b)) {
            mp_interp_unblock(sv);
            *unblocked = 1;
        }
        if ((rv = apr_bucket_read(b, &data, &n, APR_BLOCK_READ))
            != APR_SUCCESS) {
            return rv;
        }
        take = n;
        if (len >= 0 && (apr_size_t)len - *got < take) {
            take = (apr_size_t)len - *got;
        }
        if (line) {
            const char *nl = memchr(data, '\n', take);

            if (nl != NULL) {
                take = (apr_size_t)(nl - data) + 1;
                len = (Py_ssize_t)(*got + take);    /* stop after it */
            }
        }
        if (take < n) {
            apr_bucket_split(b, take);
        }
        *got += take;
    }
    return APR_SUCCESS;
}

/* Take up to len bytes (all when negative), or one line, off bb_in.
 * None at end of stream, b'' when nothing is there now. */
static PyObject *
take_bytes(MpFilterObject *self, Py_ssize_t len, int line)
{
    apr_bucket_brigade *bb = self->bb_in;
    apr_bucket *b;
    apr_size_t got = 0, off = 0;
    apr_status_t rv;
    mp_unblocked sv;
    int unblocked;
    PyObject *out;

    if (len == 0) {
        return PyBytes_FromStringAndSize(NULL, 0);
    }
    if (self->is_input && APR_BRIGADE_EMPTY(bb) && fetch_input(self) < 0) {
        return NULL;
    }
    rv = measure_take(bb, len, line, &got, &sv, &unblocked);
    if (unblocked) {
        mp_interp_reblock(&sv);
    }
    if (rv != APR_SUCCESS) {
        return mp_raise_apr(rv, "filter read failed");
    }
    if (got == 0) {
        /* Nothing to copy: drop the metadata and empty buckets before the
         * end of the stream, and the end itself. */
        while (!APR_BRIGADE_EMPTY(bb)) {
            int eos;

            b = APR_BRIGADE_FIRST(bb);
            eos = APR_BUCKET_IS_EOS(b);
            if (!eos && !APR_BUCKET_IS_METADATA(b) && b->length != 0) {
                break;
            }
            self->ctx->progress++;
            apr_bucket_delete(b);
            if (eos) {
                Py_RETURN_NONE;
            }
        }
        return PyBytes_FromStringAndSize(NULL, 0);
    }
    if ((out = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)got)) == NULL) {
        return NULL;
    }
    /* The take is in memory now: copy it and drop its buckets (and the
     * metadata among them). */
    while (off < got) {
        const char *data;
        apr_size_t n;

        b = APR_BRIGADE_FIRST(bb);
        if (!APR_BUCKET_IS_METADATA(b)) {
            rv = apr_bucket_read(b, &data, &n, APR_BLOCK_READ);
            if (rv != APR_SUCCESS) {
                Py_DECREF(out);
                return mp_raise_apr(rv, "filter read failed");
            }
            memcpy(PyBytes_AS_STRING(out) + off, data, n);
            off += n;
        }
        self->ctx->progress++;
        apr_bucket_delete(b);
    }
    return out;
}

static int
parse_len(PyObject *args, const char *fmt, Py_ssize_t *len)
{
    *len = -1;
    return PyArg_ParseTuple(args, fmt, len);
}

PyDoc_STRVAR(filter_read_doc,
"read(len=-1)\n--\n\n"
"Data available to the filter: bytes, b'' when none is there right now,\n"
"None at the end of the stream.");

static PyObject *
filter_read(MpFilterObject *self, PyObject *args)
{
    Py_ssize_t len;

    if (!parse_len(args, "|n:read", &len) || check_open(self, 1) < 0) {
        return NULL;
    }
    return take_bytes(self, len, 0);
}

PyDoc_STRVAR(filter_readline_doc,
"readline(len=-1)\n--\n\nOne line of the filter's input, like read().");

static PyObject *
filter_readline(MpFilterObject *self, PyObject *args)
{
    Py_ssize_t len;

    if (!parse_len(args, "|n:readline", &len) || check_open(self, 1) < 0) {
        return NULL;
    }
    return take_bytes(self, len, 1);
}

PyDoc_STRVAR(filter_write_doc,
"write(data)\n--\n\nQueue str (as UTF-8) or bytes for the next filter.");

static PyObject *
filter_write(MpFilterObject *self, PyObject *data)
{
    Py_buffer view;

    if (check_open(self, 1) < 0 || mp_data_buffer(data, &view) < 0) {
        return NULL;
    }
    if (view.len > 0) {
        /* heap buckets copy: the data outlives this call */
        APR_BRIGADE_INSERT_TAIL(self->bb_out, apr_bucket_heap_create(
            view.buf, view.len, NULL, self->f->c->bucket_alloc));
    }
    PyBuffer_Release(&view);
    Py_RETURN_NONE;
}

/* Hand bb_out to the next output filter, GIL released. */
static int
pass_out(MpFilterObject *self)
{
    apr_status_t rv;

    MP_BLOCKING_BEGIN
    rv = ap_pass_brigade(self->f->next, self->bb_out);
    apr_brigade_cleanup(self->bb_out);
    MP_BLOCKING_END
    if (rv != APR_SUCCESS) {
        if (self->rc == APR_SUCCESS) {
            self->rc = rv;
        }
        mp_raise_apr(rv, "filter pass failed (client closed connection?)");
        return -1;
    }
    return 0;
}

PyDoc_STRVAR(filter_flush_doc,
"flush()\n--\n\nSend what was written so far on down the chain.");

static PyObject *
filter_flush(MpFilterObject *self, PyObject *unused)
{
    (void)unused;
    if (check_open(self, 1) < 0) {
        return NULL;
    }
    APR_BRIGADE_INSERT_TAIL(self->bb_out,
        apr_bucket_flush_create(self->f->c->bucket_alloc));
    if (!self->is_input && pass_out(self) < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

PyDoc_STRVAR(filter_close_doc,
"close()\n--\n\nEnd the stream: no more I/O through this filter.");

static PyObject *
filter_close(MpFilterObject *self, PyObject *unused)
{
    (void)unused;
    if (check_open(self, 0) < 0) {
        return NULL;
    }
    if (self->closed) {
        Py_RETURN_NONE;
    }
    self->closed = 1;
    self->ctx->closed = 1;
    APR_BRIGADE_INSERT_TAIL(self->bb_out,
        apr_bucket_eos_create(self->f->c->bucket_alloc));
    if (!self->is_input && pass_out(self) < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

PyDoc_STRVAR(filter_pass_on_doc,
"pass_on()\n--\n\nPass the pending data through untouched.");

static PyObject *
filter_pass_on(MpFilterObject *self, PyObject *unused)
{
    (void)unused;
    if (check_open(self, 1) < 0) {
        return NULL;
    }
    if (self->is_input) {
        if (APR_BRIGADE_EMPTY(self->bb_in) && fetch_input(self) < 0) {
            return NULL;
        }
        if (brigade_has_eos(self->bb_in)) {
            self->closed = self->ctx->closed = 1;
        }
        self->ctx->progress++;
        APR_BRIGADE_CONCAT(self->bb_out, self->bb_in);
        Py_RETURN_NONE;
    }
    if (brigade_has_eos(self->bb_in)) {
        self->closed = self->ctx->closed = 1;
    }
    self->ctx->progress++;
    APR_BRIGADE_CONCAT(self->bb_out, self->bb_in);
    if (pass_out(self) < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

PyDoc_STRVAR(filter_disable_doc,
"disable()\n--\n\nLet all further data pass through this filter untouched.");

static PyObject *
filter_disable(MpFilterObject *self, PyObject *unused)
{
    (void)unused;
    if (check_open(self, 0) < 0) {
        return NULL;
    }
    self->ctx->transparent = 1;
    Py_RETURN_NONE;
}

static PyObject *
filter_get(MpFilterObject *self, void *closure)
{
    const char *what = closure;
    const mp_filter_conf *fc;

    if (strcmp(what, "closed") == 0) {
        return PyBool_FromLong(self->closed);
    }
    if (strcmp(what, "is_input") == 0) {
        return PyBool_FromLong(self->is_input);
    }
    if (strcmp(what, "req") == 0) {
        return Py_NewRef(self->req ? self->req : Py_None);
    }
    if (strcmp(what, "softspace") == 0) {
        return Py_NewRef(self->softspace ? self->softspace : Py_None);
    }
    if (check_open(self, 0) < 0) {
        return NULL;
    }
    fc = self->ctx->conf;
    if (strcmp(what, "name") == 0) {
        /* Apache lower-cases filter names (spec 1.8). */
        char *name = apr_pstrdup(self->f->r->pool, fc->name);

        ap_str_tolower(name);
        return mp_str_from_c(name, -1);
    }
    if (strcmp(what, "handler") == 0) {
        return mp_str_from_c(fc->handler, -1);
    }
    return mp_str_from_c(fc->directory, -1);        /* "dir" */
}

static int
filter_set_softspace(MpFilterObject *self, PyObject *v, void *closure)
{
    (void)closure;
    Py_XSETREF(self->softspace, Py_XNewRef(v));
    return 0;
}

static int
filter_traverse(MpFilterObject *self, visitproc visit, void *arg)
{
    Py_VISIT(Py_TYPE(self));
    Py_VISIT(self->req);
    Py_VISIT(self->softspace);
    return 0;
}

static int
filter_clear(MpFilterObject *self)
{
    Py_CLEAR(self->req);
    Py_CLEAR(self->softspace);
    return 0;
}

static void
filter_dealloc(MpFilterObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);

    PyObject_GC_UnTrack(self);
    filter_clear(self);
    tp->tp_free((PyObject *)self);
    Py_DECREF(tp);
}

static PyMethodDef filter_methods[] = {
    {"read", (PyCFunction)filter_read, METH_VARARGS, filter_read_doc},
    {"readline", (PyCFunction)filter_readline, METH_VARARGS,
     filter_readline_doc},
    {"write", (PyCFunction)filter_write, METH_O, filter_write_doc},
    {"flush", (PyCFunction)filter_flush, METH_NOARGS, filter_flush_doc},
    {"close", (PyCFunction)filter_close, METH_NOARGS, filter_close_doc},
    {"pass_on", (PyCFunction)filter_pass_on, METH_NOARGS,
     filter_pass_on_doc},
    {"disable", (PyCFunction)filter_disable, METH_NOARGS,
     filter_disable_doc},
    {NULL, NULL, 0, NULL}
};

static PyGetSetDef filter_getset[] = {
    {"closed", (getter)filter_get, NULL, "True once closed.", "closed"},
    {"is_input", (getter)filter_get, NULL, "True for an input filter.",
     "is_input"},
    {"req", (getter)filter_get, NULL, "The request object.", "req"},
    {"name", (getter)filter_get, NULL, "Registered filter name.", "name"},
    {"handler", (getter)filter_get, NULL, "The handler string.", "handler"},
    {"dir", (getter)filter_get, NULL, "Directory for sys.path.", "dir"},
    {"softspace", (getter)filter_get, (setter)filter_set_softspace,
     "Kept for compatibility.", "softspace"},
    {NULL, NULL, NULL, NULL, NULL}
};

static PyType_Slot filter_slots[] = {
    {Py_tp_dealloc, filter_dealloc},
    {Py_tp_traverse, filter_traverse},
    {Py_tp_clear, filter_clear},
    {Py_tp_methods, filter_methods},
    {Py_tp_getset, filter_getset},
    {Py_tp_doc, "One call of a Python input or output filter."},
    {0, NULL}
};

static PyType_Spec filter_spec = {
    .name = "_apache.mp_filter",
    .basicsize = sizeof(MpFilterObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC
             | Py_TPFLAGS_IMMUTABLETYPE | Py_TPFLAGS_DISALLOW_INSTANTIATION,
    .slots = filter_slots,
};

int
mp_filter_init(PyObject *module, MpModuleState *st)
{
    st->filter_type = (PyTypeObject *)PyType_FromModuleAndSpec(
        module, &filter_spec, NULL);
    if (st->filter_type == NULL) {
        return -1;
    }
    return PyModule_AddType(module, st->filter_type);
}

/* ------------------------------------------------------------------ */
/* Apache side                                                        */
/* ------------------------------------------------------------------ */

static mp_filter_ctx *
filter_ctx(ap_filter_t *f, int is_input)
{
    mp_filter_ctx *ctx = f->ctx;

    if (ctx == NULL) {
        mp_dir_config *d = mp_config_dir(f->r->per_dir_config);

        ctx = f->ctx = apr_pcalloc(f->r->pool, sizeof(*ctx));
        ctx->conf = apr_hash_get(is_input ? d->in_filters : d->out_filters,
                                 f->frec->name, APR_HASH_KEY_STRING);
    }
    return ctx;
}

/* Run the Python filter once: its handler, through the dispatcher, then a
 * flush unless it closed the stream.  When it raised, the error is
 * reported (with PythonDebug On the traceback goes into the stream, which
 * the report closes) and, without debug, the filter steps aside.  Returns
 * the status for Apache. */
static apr_status_t
run_filter(ap_filter_t *f, apr_bucket_brigade *bb_in,
           apr_bucket_brigade *bb_out, mp_filter_ctx *ctx, int is_input,
           ap_input_mode_t mode, apr_read_type_e block, apr_off_t readbytes)
{
    request_rec *r = f->r;
    mp_dir_config *d = mp_config_dir(r->per_dir_config);
    const mp_handler *h = ctx->conf->entry;
    MpFilterObject *filt;
    mp_interp *ip;
    mp_run run;
    apr_status_t rc;
    int outcome;

    ip = mp_interp_acquire(mp_config_interpreter(r, d, h), r->server);
    if (ip == NULL) {
        return APR_EGENERAL;
    }
    filt = PyObject_GC_New(MpFilterObject, ip->state->filter_type);
    if (filt == NULL) {
        mp_log_pyerr(r->server, r, MP_APLOGNO(0110), "creating a filter");
        mp_interp_release(ip);
        return APR_EGENERAL;
    }
    filt->f = f;
    filt->ctx = ctx;
    filt->bb_in = bb_in;
    filt->bb_out = bb_out;
    filt->mode = mode;
    filt->block = block;
    filt->readbytes = readbytes;
    filt->is_input = is_input;
    filt->closed = 0;
    filt->rc = APR_SUCCESS;
    filt->softspace = NULL;
    filt->req = mp_request_for(ip->state, r);
    PyObject_GC_Track(filt);
    if (filt->req == NULL) {
        mp_log_pyerr(r->server, r, MP_APLOGNO(0110), "creating a filter");
        Py_DECREF(filt);
        mp_interp_release(ip);
        return APR_EGENERAL;
    }

    run = mp_run_make(ip, r->server, r, &d->settings,
                      is_input ? MP_KIND_INPUT_FILTER
                               : MP_KIND_OUTPUT_FILTER);
    (void)mp_dispatch_entry(&run, h, (PyObject *)filt, &outcome);
    if (outcome == MP_ENTRY_RAN && !filt->closed) {
        PyObject *res = filter_flush(filt, NULL);

        if (res == NULL) {
            (void)mp_dispatch_report(&run, h, (PyObject *)filt);
            outcome = MP_ENTRY_FAILED;
        }
        Py_XDECREF(res);
    }
    if (outcome == MP_ENTRY_FAILED && d->settings.debug != 1) {
        ctx->transparent = 1;
    }
    rc = filt->rc;
    filt->f = NULL;
    Py_DECREF(filt);
    mp_interp_release(ip);
    return rc;
}

/* Set aside what the filter left unread, so that it survives until the
 * next call (the buckets may point into memory of the caller). */
static apr_status_t
keep_pending(apr_bucket_brigade *bb, apr_pool_t *p)
{
    apr_bucket *b;

    for (b = APR_BRIGADE_FIRST(bb); b != APR_BRIGADE_SENTINEL(bb);
         b = APR_BUCKET_NEXT(b)) {
        apr_status_t rv = apr_bucket_setaside(b, p);

        if (rv != APR_SUCCESS && rv != APR_ENOTIMPL) {
            return rv;
        }
    }
    return APR_SUCCESS;
}

/* Output filter.  Input for the Python filter is what it left last time
 * followed by bb.  The filter is called again while it leaves data behind
 * and keeps taking some, so a filter that reads in small pieces still sees
 * everything up to the end of the stream; what is left after that waits
 * for the next call.  Once disabled, everything passes untouched; once the
 * filter closed the stream, anything more is dropped. */
static apr_status_t
mp_output_filter(ap_filter_t *f, apr_bucket_brigade *bb)
{
    mp_filter_ctx *ctx;
    apr_status_t rc = APR_SUCCESS;
    apr_size_t before;

    if (f->r == NULL || (ctx = filter_ctx(f, 0))->conf == NULL) {
        return ap_pass_brigade(f->next, bb);
    }
    if (ctx->closed) {
        apr_brigade_cleanup(bb);
        return APR_SUCCESS;
    }
    if (ctx->bb_out == NULL) {
        ctx->bb_out = apr_brigade_create(f->r->pool, f->c->bucket_alloc);
        ctx->bb_in = apr_brigade_create(f->r->pool, f->c->bucket_alloc);
    }
    APR_BRIGADE_CONCAT(ctx->bb_in, bb);
    while (!ctx->transparent && !ctx->closed
           && !APR_BRIGADE_EMPTY(ctx->bb_in)) {
        before = ctx->progress;
        rc = run_filter(f, ctx->bb_in, ctx->bb_out, ctx, 0,
                        AP_MODE_READBYTES, APR_BLOCK_READ, 0);
        if (rc != APR_SUCCESS || ctx->progress == before) {
            break;
        }
    }
    if (rc != APR_SUCCESS) {
        apr_brigade_cleanup(ctx->bb_in);
        apr_brigade_cleanup(ctx->bb_out);
        return rc;
    }
    if (ctx->closed) {
        apr_brigade_cleanup(ctx->bb_in);
        return APR_SUCCESS;
    }
    if (ctx->transparent || brigade_has_eos(ctx->bb_in)) {
        /* Disabled (what it wrote goes first), or the filter stopped
         * taking input before the end of the stream: let the rest through
         * rather than hang the response. */
        APR_BRIGADE_CONCAT(ctx->bb_out, ctx->bb_in);
        if (!ctx->transparent) {
            ctx->closed = 1;
        }
        rc = ap_pass_brigade(f->next, ctx->bb_out);
        apr_brigade_cleanup(ctx->bb_out);
        return rc;
    }
    return keep_pending(ctx->bb_in, f->r->pool);
}

/* Input filter: the Python filter reads what the filters below give (or
 * what it left unread last time) and writes into the caller's brigade. */
static apr_status_t
mp_input_filter(ap_filter_t *f, apr_bucket_brigade *bb, ap_input_mode_t mode,
                apr_read_type_e block, apr_off_t readbytes)
{
    mp_filter_ctx *ctx;
    apr_status_t rc;

    if (f->r == NULL || (ctx = filter_ctx(f, 1))->conf == NULL
        || mode == AP_MODE_INIT) {
        return ap_get_brigade(f->next, bb, mode, block, readbytes);
    }
    if (ctx->bb_in == NULL) {
        ctx->bb_in = apr_brigade_create(f->r->pool, f->c->bucket_alloc);
    }
    if (ctx->transparent) {
        if (APR_BRIGADE_EMPTY(ctx->bb_in)) {
            return ap_get_brigade(f->next, bb, mode, block, readbytes);
        }
        APR_BRIGADE_CONCAT(bb, ctx->bb_in);
        return APR_SUCCESS;
    }
    if (ctx->closed) {
        APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_eos_create(f->c->bucket_alloc));
        return APR_SUCCESS;
    }
    rc = run_filter(f, ctx->bb_in, bb, ctx, 1, mode, block, readbytes);
    if (rc == APR_SUCCESS && ctx->transparent) {
        /* disabled during this call: what it did not read goes on */
        APR_BRIGADE_CONCAT(bb, ctx->bb_in);
    }
    if (rc != APR_SUCCESS) {
        apr_brigade_cleanup(ctx->bb_in);
        return rc;
    }
    return keep_pending(ctx->bb_in, f->r->pool);
}

void
mp_filter_register_generic(void)
{
    ap_register_input_filter(MP_GENERIC_FILTER, mp_input_filter, NULL,
                             AP_FTYPE_RESOURCE);
    ap_register_output_filter(MP_GENERIC_FILTER, mp_output_filter, NULL,
                              AP_FTYPE_RESOURCE);
}

int
mp_filter_register_request(request_rec *r, const char *name,
                           const char *handler, const char *dir,
                           int is_input)
{
    mp_reqstate *rs = mp_reqstate_get(r);
    mp_filter_conf *fc = apr_pcalloc(r->pool, sizeof(*fc));
    apr_hash_t **h = is_input ? &rs->in_filters : &rs->out_filters;
    char *key = apr_pstrdup(r->pool, name);

    ap_str_tolower(key);
    fc->name = key;
    fc->handler = apr_pstrdup(r->pool, handler);
    fc->directory = dir ? mp_config_canonical_dir(r->pool, dir) : NULL;
    fc->is_input = is_input;
    fc->entry = mp_config_new_handler(r->pool, fc->handler, fc->directory);
    if (*h == NULL) {
        *h = apr_hash_make(r->pool);
    }
    apr_hash_set(*h, key, APR_HASH_KEY_STRING, fc);
    return 0;
}

int
mp_filter_add(request_rec *r, const char *name, int is_input)
{
    mp_reqstate *rs = mp_reqstate_get(r);
    apr_hash_t *h = is_input ? rs->in_filters : rs->out_filters;
    char *key = apr_pstrdup(r->pool, name);
    mp_filter_conf *fc;

    ap_str_tolower(key);
    fc = h ? apr_hash_get(h, key, APR_HASH_KEY_STRING) : NULL;
    if (fc != NULL) {
        mp_filter_ctx *ctx = apr_pcalloc(r->pool, sizeof(*ctx));

        ctx->conf = fc;
        if (is_input) {
            ap_add_input_filter(MP_GENERIC_FILTER, ctx, r, r->connection);
        }
        else {
            ap_add_output_filter(MP_GENERIC_FILTER, ctx, r, r->connection);
        }
    }
    else if (is_input) {
        ap_add_input_filter(name, NULL, r, r->connection);
    }
    else {
        ap_add_output_filter(name, NULL, r, r->connection);
    }
    return 0;
}
