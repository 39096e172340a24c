/*
 * mp_metrics.c: the shared-memory metrics and their scrape handler.  See
 * mp_metrics.h for the contract and docs/metrics.md for the series.
 *
 * Layout of the segment: a header (layout description, the label of each
 * slot, restart count), then MP_METRICS_SLOTS * MP_KIND_COUNT cells (one
 * per handler label and kind of handler: histogram buckets, sum,
 * exceptions, status classes), then the child records (one per process
 * slot, claimed by pid at child_init; the last one is shared by processes
 * that found none free).  Every field is a 64-bit integer written with
 * relaxed atomic operations: no lock anywhere.
 */
#include "mp_metrics.h"
#include "mp_metrics_conf.h"
#include "mp_interp.h"
#include "mp_reqstate.h"

#include "apr_shm.h"
#include "http_main.h"
#include "scoreboard.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <time.h>
#include <unistd.h>

#define MX_MAGIC        0x584d504du     /* "MPMX" */
#define MX_LAYOUT       1               /* bump when a struct changes */
#define MX_LABEL_MAX    128             /* bytes kept of a label, NUL incl. */
#define MX_BUCKETS      16              /* finite histogram buckets */
#define MX_CLASSES      5               /* 1xx .. 5xx */
#define MX_RETAINED     "mod_python-metrics"

#define MX_ADD(p, v)    __atomic_fetch_add((p), (v), __ATOMIC_RELAXED)
#define MX_LOAD(p)      __atomic_load_n((p), __ATOMIC_RELAXED)
#define MX_STORE(p, v)  __atomic_store_n((p), (v), __ATOMIC_RELAXED)

/* Upper bounds of the buckets (le), in ns and as Prometheus writes them
 * (OpenMetrics parsers insist on the canonical float form). */
static const uint64_t bucket_ns[MX_BUCKETS] = {
    100000, 250000, 500000, 1000000, 2500000, 5000000, 10000000,
    25000000, 50000000, 100000000, 250000000, 500000000, 1000000000,
    2500000000ULL, 5000000000ULL, 10000000000ULL,
};
static const char *const bucket_le[MX_BUCKETS + 1] = {
    "0.0001", "0.00025", "0.0005", "0.001", "0.0025", "0.005", "0.01",
    "0.025", "0.05", "0.1", "0.25", "0.5", "1.0", "2.5", "5.0", "10.0",
    "+Inf",
};

/* One handler label and kind of handler. */
typedef struct {
    uint64_t buckets[MX_BUCKETS + 1];   /* per bucket, not cumulative */
    uint64_t sum_ns;
    uint64_t exceptions;
    uint64_t status[MX_CLASSES];        /* responses served, by class */
} mx_cell;

/* One child process slot.  Gauges are only shown while `pid` lives. */
typedef struct {
    int64_t pid;                    /* owner, 0 when free */
    uint64_t starts;                /* processes that claimed the slot */
    int64_t in_flight;
    uint64_t requests;
    int64_t interpreters;
    uint64_t interpreters_created;
    uint64_t gil_wait_ns;
    uint64_t gil_acquires;
} mx_child;

typedef struct {
    uint32_t magic;
    uint32_t layout;
    uint32_t slots;
    uint32_t kinds;
    uint32_t buckets;
    uint32_t children;
    uint64_t size;
    uint64_t start_time;            /* unix time the counters started */
    uint64_t restarts;              /* restarts the counters survived */
    uint64_t generation;            /* Apache's configuration generation */
    char labels[MP_METRICS_SLOTS][MX_LABEL_MAX];    /* "" when free */
} mx_header;

/* What outlives the module's unloading on a restart: the segment. */
typedef struct {
    apr_shm_t *shm;
} mx_retained;


/* This generation's view of the segment: set in the parent at
 * post_config, inherited by the children.  head is NULL when metrics
 * are off. */
static struct {
    mx_header *head;
    mx_cell *cells;
    mx_child *children;
    mx_child *me;                   /* this process's record */
    int fresh;                      /* created by this post_config */
    unsigned short map[MP_METRICS_SLOTS];   /* label index -> slot */
} mx;

/* This process's interpreters already counted (see count_interps). */
static struct mp_interp *mx_newest;
static int mx_interps;

/* ------------------------------------------------------------------ */
/* the segment                                                        */
/* ------------------------------------------------------------------ */

static apr_size_t
align64(apr_size_t n)
{
    return (n + 63) & ~(apr_size_t)63;
}

static apr_size_t
cells_offset(void)
{
    return align64(sizeof(mx_header));
}

static apr_size_t
children_offset(void)
{
    return cells_offset()
           + align64(sizeof(mx_cell) * MP_METRICS_SLOTS * MP_KIND_COUNT);
}

static apr_size_t
segment_size(int children)
{
    return children_offset() + sizeof(mx_child) * (apr_size_t)children;
}

/* Number of child records: every process of two generations (old
 * children finish while new ones start) plus the shared last one. */
static int
children_wanted(void)
{
    int limit = 0;

    if (ap_mpm_query(AP_MPMQ_HARD_LIMIT_DAEMONS, &limit) != APR_SUCCESS
        || limit < 1) {
        limit = 16;
    }
    return 2 * limit + 1;
}

static int
layout_matches(const mx_header *h, int children, apr_size_t size)
{
    return h->magic == MX_MAGIC && h->layout == MX_LAYOUT
           && h->slots == MP_METRICS_SLOTS && h->kinds == MP_KIND_COUNT
           && h->buckets == MX_BUCKETS && h->children == (uint32_t)children
           && h->size == size;
}

/* Zero the segment and describe it (no child maps it yet). */
static void
init_segment(mx_header *h, int children, apr_size_t size)
{
    memset(h, 0, size);
    h->magic = MX_MAGIC;
    h->layout = MX_LAYOUT;
    h->slots = MP_METRICS_SLOTS;
    h->kinds = MP_KIND_COUNT;
    h->buckets = MX_BUCKETS;
    h->children = (uint32_t)children;
    h->size = size;
    h->start_time = (uint64_t)apr_time_sec(apr_time_now());
    apr_cpystrn(h->labels[0], MP_METRICS_OTHER, MX_LABEL_MAX);
}

/* Copy label into a slot's field, cut at a character boundary. */
static void
put_label(char *dst, const char *label)
{
    apr_size_t n = strlen(label);

    if (n >= MX_LABEL_MAX) {
        n = MX_LABEL_MAX - 1;
        while (n > 0 && ((unsigned char)label[n] & 0xC0) == 0x80) {
            n--;
        }
    }
    memcpy(dst, label, n);
    dst[n] = '\0';
}

/* Give each label index of the configuration its slot: the slot already
 * holding that label (a graceful restart), else a free one, else 0. */
static void
map_labels(server_rec *s)
{
    mx_header *h = mx.head;
    int i, slot, lost = mp_metrics_conf.dropped;
    char want[MX_LABEL_MAX];

    mx.map[0] = 0;
    for (i = 1; i < mp_metrics_conf.count; i++) {
        int free_slot = 0;

        put_label(want, mp_metrics_conf.names[i]);
        mx.map[i] = 0;
        for (slot = 1; slot < MP_METRICS_SLOTS; slot++) {
            if (h->labels[slot][0] == '\0') {
                if (free_slot == 0) {
                    free_slot = slot;
                }
            }
            else if (strcmp(h->labels[slot], want) == 0) {
                mx.map[i] = (unsigned short)slot;
                break;
            }
        }
        if (mx.map[i] == 0 && free_slot != 0) {
            memcpy(h->labels[free_slot], want, MX_LABEL_MAX);
            mx.map[i] = (unsigned short)free_slot;
        }
        if (mx.map[i] == 0) {
            lost++;
        }
    }
    if (lost > 0) {
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s, MP_APLOGNO(0803)
                     "PythonMetrics: %d handler label%s beyond the %d "
                     "label slots; counted as \"" MP_METRICS_OTHER "\"", lost,
                     lost == 1 ? "" : "s", MP_METRICS_SLOTS - 1);
    }
}

/* Point this generation's view at the segment. */
static void
attach(mx_header *h)
{
    mx.head = h;
    mx.cells = (mx_cell *)((char *)h + cells_offset());
    mx.children = (mx_child *)((char *)h + children_offset());
    mx.me = &mx.children[h->children - 1];
}

static int
mx_post_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp,
               server_rec *s)
{
    int children = children_wanted();
    apr_size_t size = segment_size(children);
    mx_retained *ret;
    mx_header *h = NULL;
    apr_status_t rv;

    (void)pconf;
    (void)plog;
    (void)ptemp;
    mx.head = NULL;
    mx.fresh = 0;
    /* The first pass only checks the configuration. */
    if (ap_state_query(AP_SQ_MAIN_STATE) == AP_SQ_MS_CREATE_PRE_CONFIG
        || !mp_metrics_conf.enabled) {
        return OK;
    }
    ret = ap_retained_data_get(MX_RETAINED);
    if (ret == NULL) {
        ret = ap_retained_data_create(MX_RETAINED, sizeof(*ret));
    }
    if (ret->shm != NULL) {
        h = apr_shm_baseaddr_get(ret->shm);
        if (!layout_matches(h, children, size)) {
            ap_log_error(APLOG_MARK, APLOG_NOTICE, 0, s, MP_APLOGNO(0801)
                         "PythonMetrics: the metrics layout changed "
                         "(another build or ServerLimit); counters start "
                         "again from zero");
            h = NULL;
        }
        else if (mp_metrics_conf.reset) {
            ap_log_error(APLOG_MARK, APLOG_NOTICE, 0, s, MP_APLOGNO(0805)
                         "PythonMetricsResetOnRestart On: counters start "
                         "again from zero");
            h = NULL;
        }
        if (h == NULL) {
            /* Unmaps it here only: children still running keep their own
             * mapping, and the memory goes with the last of them. */
            apr_shm_destroy(ret->shm);
            ret->shm = NULL;
        }
    }
    if (h == NULL) {
        rv = apr_shm_create(&ret->shm, size, NULL, s->process->pool);
        if (rv != APR_SUCCESS) {
            ret->shm = NULL;
            ap_log_error(APLOG_MARK, APLOG_ERR, rv, s, MP_APLOGNO(0800)
                         "PythonMetrics: cannot create %lu bytes of "
                         "shared memory; metrics are off",
                         (unsigned long)size);
            return OK;
        }
        h = apr_shm_baseaddr_get(ret->shm);
        init_segment(h, children, size);
        mx.fresh = 1;
    }
    else {
        MX_ADD(&h->restarts, 1);
    }
    MX_STORE(&h->generation, (uint64_t)ap_state_query(AP_SQ_CONFIG_GEN));
    attach(h);
    map_labels(s);
    return OK;
}

/* pre_mpm runs on the first start and after a hard restart, when no child
 * is left: counters start again, like Apache's scoreboard. */
static int
mx_pre_mpm(apr_pool_t *p, ap_scoreboard_e sb_type)
{
    mx_header *h = mx.head;
    uint64_t generation;

    (void)p;
    (void)sb_type;
    if (h == NULL || mx.fresh) {
        return OK;
    }
    generation = h->generation;
    init_segment(h, (int)h->children, (apr_size_t)h->size);
    h->generation = generation;
    map_labels(ap_server_conf);
    ap_log_error(APLOG_MARK, APLOG_DEBUG, 0, ap_server_conf,
                 "PythonMetrics: hard restart, counters start again");
    return OK;
}

/* ------------------------------------------------------------------ */
/* the child's record                                                 */
/* ------------------------------------------------------------------ */

static apr_status_t
release_child(void *data)
{
    mx_child *c = data;
    int64_t pid = (int64_t)getpid();

    MX_ADD(&c->interpreters, -(int64_t)MX_LOAD(&mx_interps));
    __atomic_compare_exchange_n(&c->pid, &pid, 0, 0, __ATOMIC_RELEASE,
                                __ATOMIC_RELAXED);
    return APR_SUCCESS;
}

/* Whether process pid is gone (its record may be taken over). */
static int
process_gone(int64_t pid)
{
    return pid > 0 && kill((pid_t)pid, 0) < 0 && errno == ESRCH;
}

static void
mx_child_init(apr_pool_t *pchild, server_rec *s)
{
    int64_t self = (int64_t)getpid();
    int i, n, pass;
    mx_child *c = NULL;

    if (mx.head == NULL) {
        return;
    }
    n = (int)mx.head->children - 1;
    /* Free records first, then those of processes that died without
     * releasing theirs. */
    for (pass = 0; pass < 2 && c == NULL; pass++) {
        for (i = 0; i < n; i++) {
            int64_t pid = MX_LOAD(&mx.children[i].pid);

            if ((pass == 0 ? pid == 0 : pid == self || process_gone(pid))
                && __atomic_compare_exchange_n(&mx.children[i].pid, &pid,
                                               self, 0, __ATOMIC_ACQUIRE,
                                               __ATOMIC_RELAXED)) {
                c = &mx.children[i];
                MX_STORE(&c->in_flight, 0);
                MX_STORE(&c->interpreters, 0);
                break;
            }
        }
    }
    if (c == NULL) {
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s, MP_APLOGNO(0804)
                     "PythonMetrics: no free child record for pid %ld; "
                     "its figures go to child=\"shared\"", (long)self);
        c = &mx.children[n];
    }
    MX_ADD(&c->starts, 1);
    mx.me = c;
    apr_pool_cleanup_register(pchild, c, release_child,
                              apr_pool_cleanup_null);
}

/* ------------------------------------------------------------------ */
/* the hot path                                                       */
/* ------------------------------------------------------------------ */

static inline uint64_t
now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static apr_status_t
request_done(void *data)
{
    MX_ADD(&((mx_child *)data)->in_flight, -1);
    return APR_SUCCESS;
}

uint64_t
mp_metrics_entry_begin(request_rec *r, int kind)
{
    if (mx.head == NULL) {
        return 0;
    }
    if (r != NULL && kind != MP_PHASE_LOG && kind != MP_PHASE_CLEANUP) {
        mp_reqstate *rs = mp_reqstate_find(r);

        if (rs != NULL && rs->metrics == 0) {
            mx_child *c = mx.me;

            rs->metrics = -1;
            MX_ADD(&c->in_flight, 1);
            MX_ADD(&c->requests, 1);
            apr_pool_cleanup_register(r->pool, c, request_done,
                                      apr_pool_cleanup_null);
        }
    }
    return now_ns();
}

int
mp_metrics_entry_end(request_rec *r, int kind, const mp_handler *h,
                     uint64_t t0, const int *outcome, int rc)
{
    unsigned label = (unsigned)h->metrics_label;
    mx_cell *cell;
    uint64_t dt;
    int b, idx;

    if (mx.head == NULL || *outcome == MP_ENTRY_SKIPPED) {
        return rc;
    }
    dt = now_ns() - t0;
    idx = mx.map[label < MP_METRICS_SLOTS ? label : 0] * MP_KIND_COUNT
          + kind;
    cell = &mx.cells[idx];
    for (b = 0; b < MX_BUCKETS && dt > bucket_ns[b]; b++) {
    }
    MX_ADD(&cell->buckets[b], 1);
    MX_ADD(&cell->sum_ns, dt);
    if (*outcome == MP_ENTRY_FAILED) {
        MX_ADD(&cell->exceptions, 1);
    }
    /* The last request-phase entry before logging served the request. */
    if (r != NULL && kind < MP_PHASE_LOG) {
        mp_reqstate *rs = mp_reqstate_find(r);

        if (rs != NULL) {
            rs->metrics = idx + 1;
        }
    }
    return rc;
}

/* Count the interpreters of this process up to ip.  Records are never
 * freed and each new one is put in front of the older ones (mp_interp.c),
 * so the length of the list from ip is the number created up to ip.
 * Returns whether ip is one this process had not counted. */
static int
count_interps(struct mp_interp *ip)
{
    struct mp_interp *p;
    int n = 0, known;

    if (ip == __atomic_load_n(&mx_newest, __ATOMIC_ACQUIRE)) {
        return 0;
    }
    for (p = ip; p != NULL; p = p->next) {
        n++;
    }
    known = __atomic_load_n(&mx_interps, __ATOMIC_ACQUIRE);
    while (n > known) {
        if (__atomic_compare_exchange_n(&mx_interps, &known, n, 0,
                                        __ATOMIC_ACQ_REL,
                                        __ATOMIC_ACQUIRE)) {
            MX_ADD(&mx.me->interpreters, (int64_t)(n - known));
            MX_ADD(&mx.me->interpreters_created, (uint64_t)(n - known));
            __atomic_store_n(&mx_newest, ip, __ATOMIC_RELEASE);
            return 1;
        }
    }
    return 0;
}

struct mp_interp *
mp_metrics_acquire(const char *name, server_rec *s)
{
    struct mp_interp *ip;
    uint64_t t0;

    if (mx.head == NULL) {
        return mp_interp_acquire(name, s);
    }
    t0 = now_ns();
    ip = mp_interp_acquire(name, s);
    if (ip != NULL && !count_interps(ip)) {
        MX_ADD(&mx.me->gil_wait_ns, now_ns() - t0);
        MX_ADD(&mx.me->gil_acquires, 1);
    }
    return ip;
}

/* log_transaction, RUN_ALL: the status class of a request that a Python
 * handler served (the last entry of the request's redirect chain). */
static int
mx_log_transaction(request_rec *r)
{
    request_rec *rr, *last = r;
    int idx = 0, cls;

    if (mx.head == NULL) {
        return DECLINED;
    }
    for (rr = r; rr != NULL; rr = rr->next) {
        mp_reqstate *rs = mp_reqstate_find(rr);

        if (rs != NULL && rs->metrics > 0) {
            idx = rs->metrics;
        }
        last = rr;
    }
    cls = last->status / 100 - 1;
    if (idx > 0 && cls >= 0 && cls < MX_CLASSES) {
        MX_ADD(&mx.cells[idx - 1].status[cls], 1);
    }
    return DECLINED;
}

/* ------------------------------------------------------------------ */
/* the scrape                                                         */
/* ------------------------------------------------------------------ */

typedef struct {
    request_rec *r;
    apr_bucket_brigade *bb;
    int om;                         /* OpenMetrics 1.0, else 0.0.4 */
} mx_out;

/* A cell with data, copied once so that every family agrees. */
typedef struct {
    int idx;
    uint64_t count;
    mx_cell c;
} mx_snap;

static void
out(mx_out *o, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    apr_brigade_vprintf(o->bb, ap_filter_flush, o->r->output_filters, fmt,
                        ap);
    va_end(ap);
}

/* HELP and TYPE of a family.  Counters are named without _total in
 * OpenMetrics, with it in the 0.0.4 format; samples always have it. */
static void
family(mx_out *o, const char *name, const char *type, const char *help)
{
    const char *sfx = !o->om && strcmp(type, "counter") == 0 ? "_total" : "";

    out(o, "# HELP %s%s %s\n# TYPE %s%s %s\n", name, sfx, help, name, sfx,
        type);
}

/* A label value with \, " and newline escaped. */
static const char *
escape(apr_pool_t *p, const char *s)
{
    apr_size_t n = 0;
    const char *q;
    char *e, *d;

    for (q = s; *q; q++) {
        n += (*q == '\\' || *q == '"' || *q == '\n') ? 2 : 1;
    }
    e = d = apr_palloc(p, n + 1);
    for (q = s; *q; q++) {
        if (*q == '\\' || *q == '"' || *q == '\n') {
            *d++ = '\\';
            *d++ = *q == '\n' ? 'n' : *q;
        }
        else {
            *d++ = *q;
        }
    }
    *d = '\0';
    return e;
}

/* Copy the cells with data. */
static mx_snap *
snapshot(apr_pool_t *p, int *count)
{
    int i, b, n = 0, total = MP_METRICS_SLOTS * MP_KIND_COUNT;
    mx_snap *snaps = NULL;

    for (i = 0; i < total; i++) {
        mx_cell *cell = &mx.cells[i];
        mx_snap tmp;

        tmp.count = 0;
        for (b = 0; b <= MX_BUCKETS; b++) {
            tmp.c.buckets[b] = MX_LOAD(&cell->buckets[b]);
            tmp.count += tmp.c.buckets[b];
        }
        if (tmp.count == 0) {
            continue;
        }
        tmp.idx = i;
        tmp.c.sum_ns = MX_LOAD(&cell->sum_ns);
        tmp.c.exceptions = MX_LOAD(&cell->exceptions);
        for (b = 0; b < MX_CLASSES; b++) {
            tmp.c.status[b] = MX_LOAD(&cell->status[b]);
        }
        if (snaps == NULL) {
            snaps = apr_palloc(p, sizeof(*snaps) * (total - i));
        }
        snaps[n++] = tmp;
    }
    *count = n;
    return snaps;
}

/* `handler="...",phase="..."` of each snapshot. */
static const char **
cell_labels(apr_pool_t *p, const mx_snap *snaps, int n)
{
    const char **labels = apr_palloc(p, sizeof(*labels) * (n ? n : 1));
    char name[MX_LABEL_MAX];
    int i;

    for (i = 0; i < n; i++) {
        int slot = snaps[i].idx / MP_KIND_COUNT;
        int kind = snaps[i].idx % MP_KIND_COUNT;

        memcpy(name, mx.head->labels[slot], MX_LABEL_MAX);
        name[MX_LABEL_MAX - 1] = '\0';
        labels[i] = apr_psprintf(p, "handler=\"%s\",phase=\"%s\"",
                                 escape(p, name[0] ? name : MP_METRICS_OTHER),
                                 mp_phase_directive[kind]);
    }
    return labels;
}

static void
write_handlers(mx_out *o, const mx_snap *snaps, const char **labels, int n)
{
    static const char *const cls[MX_CLASSES] = {
        "1xx", "2xx", "3xx", "4xx", "5xx",
    };
    int i, b;

    family(o, "mod_python_handler_requests", "counter",
           "Python handler entries run (skipped silent entries excluded).");
    for (i = 0; i < n; i++) {
        out(o, "mod_python_handler_requests_total{%s} %" APR_UINT64_T_FMT
            "\n", labels[i], snaps[i].count);
    }
    family(o, "mod_python_handler_exceptions", "counter",
           "Python handler entries that raised or returned a non-int.");
    for (i = 0; i < n; i++) {
        out(o, "mod_python_handler_exceptions_total{%s} %" APR_UINT64_T_FMT
            "\n", labels[i], snaps[i].c.exceptions);
    }
    family(o, "mod_python_handler_duration_seconds", "histogram",
           "Time spent in one Python handler entry.");
    for (i = 0; i < n; i++) {
        uint64_t cum = 0;

        for (b = 0; b <= MX_BUCKETS; b++) {
            cum += snaps[i].c.buckets[b];
            out(o, "mod_python_handler_duration_seconds_bucket{%s,le=\"%s\"}"
                " %" APR_UINT64_T_FMT "\n", labels[i], bucket_le[b], cum);
        }
        out(o, "mod_python_handler_duration_seconds_count{%s} %"
            APR_UINT64_T_FMT "\n", labels[i], cum);
        out(o, "mod_python_handler_duration_seconds_sum{%s} %.9f\n",
            labels[i], (double)snaps[i].c.sum_ns / 1e9);
    }
    family(o, "mod_python_responses", "counter",
           "Responses to requests served by a Python handler, by status "
           "class.");
    for (i = 0; i < n; i++) {
        uint64_t any = 0;

        for (b = 0; b < MX_CLASSES; b++) {
            any += snaps[i].c.status[b];
        }
        for (b = 0; any != 0 && b < MX_CLASSES; b++) {
            out(o, "mod_python_responses_total{%s,class=\"%s\"} %"
                APR_UINT64_T_FMT "\n", labels[i], cls[b],
                snaps[i].c.status[b]);
        }
    }
}

/* One series of every child record in use; `field` is the offset of a
 * 64-bit field, `gauge` gauges read 0 when the process is gone. */
static void
write_children(mx_out *o, const char *name, const char *type,
               const char *help, apr_size_t field, int scale_ns,
               const int *alive)
{
    int i, n = (int)mx.head->children;
    int counter = strcmp(type, "counter") == 0;

    family(o, name, type, help);
    for (i = 0; i < n; i++) {
        mx_child *c = &mx.children[i];
        const uint64_t *v = (const uint64_t *)((const char *)c + field);
        uint64_t value;
        char id[16];

        if (MX_LOAD(&c->starts) == 0) {
            continue;
        }
        value = (!counter && !alive[i]) ? 0 : MX_LOAD(v);
        if (i == n - 1) {
            apr_cpystrn(id, "shared", sizeof(id));
        }
        else {
            apr_snprintf(id, sizeof(id), "%d", i);
        }
        if (scale_ns) {
            out(o, "%s%s{child=\"%s\"} %.9f\n", name, counter ? "_total" : "",
                id, (double)value / 1e9);
        }
        else {
            out(o, "%s%s{child=\"%s\"} %" APR_INT64_T_FMT "\n", name,
                counter ? "_total" : "", id, (int64_t)value);
        }
    }
}

static void
write_process(mx_out *o, apr_pool_t *p)
{
    int i, n = (int)mx.head->children;
    int *alive = apr_palloc(p, sizeof(*alive) * n);
    mx_header *h = mx.head;

    for (i = 0; i < n; i++) {
        int64_t pid = MX_LOAD(&mx.children[i].pid);

        /* The shared record has no single owner: always shown. */
        alive[i] = i == n - 1 || (pid > 0 && !process_gone(pid));
    }
#define MX_FIELD(f) offsetof(mx_child, f)
    write_children(o, "mod_python_child_requests_in_flight", "gauge",
                   "Requests a Python handler took part in and not yet "
                   "finished, per child process.", MX_FIELD(in_flight), 0,
                   alive);
    write_children(o, "mod_python_child_requests", "counter",
                   "Requests a Python handler took part in (subrequests "
                   "included), per child slot.", MX_FIELD(requests), 0,
                   alive);
    write_children(o, "mod_python_child_interpreters", "gauge",
                   "Python interpreters in the child process.",
                   MX_FIELD(interpreters), 0, alive);
    write_children(o, "mod_python_child_interpreters_created", "counter",
                   "Python interpreters created, per child slot.",
                   MX_FIELD(interpreters_created), 0, alive);
    write_children(o, "mod_python_child_gil_wait_seconds", "counter",
                   "Time spent acquiring an interpreter (waiting for the "
                   "GIL) before running handlers, per child slot.",
                   MX_FIELD(gil_wait_ns), 1, alive);
    write_children(o, "mod_python_child_gil_acquires", "counter",
                   "Interpreter acquisitions timed in "
                   "mod_python_child_gil_wait_seconds, per child slot.",
                   MX_FIELD(gil_acquires), 0, alive);
    write_children(o, "mod_python_child_starts", "counter",
                   "Processes that used the child slot (recycles and "
                   "restarts).", MX_FIELD(starts), 0, alive);
    write_children(o, "mod_python_child_pid", "gauge",
                   "Process id of the child using the slot, 0 when none.",
                   MX_FIELD(pid), 0, alive);
#undef MX_FIELD
    family(o, "mod_python_restarts", "counter",
           "Restarts (graceful) the metrics survived.");
    out(o, "mod_python_restarts_total %" APR_UINT64_T_FMT "\n",
        MX_LOAD(&h->restarts));
    family(o, "mod_python_generation", "gauge",
           "Apache's configuration generation.");
    out(o, "mod_python_generation %" APR_UINT64_T_FMT "\n",
        MX_LOAD(&h->generation));
    family(o, "mod_python_metrics_start_time_seconds", "gauge",
           "Unix time the counters started from zero.");
    out(o, "mod_python_metrics_start_time_seconds %" APR_UINT64_T_FMT "\n",
        h->start_time);
}

/* handler, RUN_FIRST: `SetHandler python-metrics`. */
static int
mx_handler(request_rec *r)
{
    const char *accept;
    const char **labels;
    mx_snap *snaps;
    mx_out o;
    int n;

    if (r->handler == NULL || strcmp(r->handler, MP_METRICS_HANDLER) != 0) {
        return DECLINED;
    }
    r->allowed |= (AP_METHOD_BIT << M_GET);
    if (r->method_number != M_GET) {
        return HTTP_METHOD_NOT_ALLOWED;
    }
    if (mx.head == NULL) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, MP_APLOGNO(0802)
                      "SetHandler " MP_METRICS_HANDLER ": metrics are off "
                      "(PythonMetrics On is needed at server level)");
        return HTTP_NOT_FOUND;
    }
    accept = apr_table_get(r->headers_in, "Accept");
    o.r = r;
    o.om = accept != NULL
           && ap_strcasestr(accept, "application/openmetrics-text") != NULL;
    ap_set_content_type(r, o.om
        ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
        : "text/plain; version=0.0.4; charset=utf-8");
    apr_table_setn(r->headers_out, "Cache-Control", "no-store");
    if (r->header_only) {
        return OK;
    }
    o.bb = apr_brigade_create(r->pool, r->connection->bucket_alloc);
    snaps = snapshot(r->pool, &n);
    labels = cell_labels(r->pool, snaps, n);
    write_handlers(&o, snaps, labels, n);
    write_process(&o, r->pool);
    if (o.om) {
        out(&o, "# EOF\n");
    }
    APR_BRIGADE_INSERT_TAIL(o.bb, apr_bucket_eos_create(
                                      r->connection->bucket_alloc));
    return ap_pass_brigade(r->output_filters, o.bb) == APR_SUCCESS
           ? OK : AP_FILTER_ERROR;
}

/* ------------------------------------------------------------------ */
/* registration                                                       */
/* ------------------------------------------------------------------ */

void
mp_metrics_register(apr_pool_t *p)
{
    (void)p;
    ap_hook_pre_config(mp_metrics_conf_pre_config, NULL, NULL,
                       APR_HOOK_MIDDLE);
    ap_hook_post_config(mx_post_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_pre_mpm(mx_pre_mpm, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_child_init(mx_child_init, NULL, NULL, APR_HOOK_FIRST);
    ap_hook_handler(mx_handler, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_log_transaction(mx_log_transaction, NULL, NULL,
                            APR_HOOK_MIDDLE);
}
