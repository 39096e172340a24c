/*
 * mp_metrics.h: Prometheus metrics of the Python handlers, kept in Apache
 * shared memory and served by `SetHandler python-metrics`.
 *
 * docs/metrics.md lists every series.
 *
 * What.  With `PythonMetrics On` (server config, default Off) every child
 * counts, per handler label and phase (mp_phase or MP_KIND_*): the entries
 * run, a latency histogram (fixed buckets), the entries that failed
 * (MP_ENTRY_FAILED) and, at log_transaction, the status class (1xx..5xx)
 * of the requests a Python handler served.  Per child process it keeps
 * the requests in flight, the requests Python took part in, the
 * interpreters, the time spent in mp_interp_acquire (waiting for the GIL)
 * and the processes that used the child's slot (recycles).  The handler
 * `python-metrics` writes all of it in the Prometheus text format 0.0.4,
 * or OpenMetrics 1.0 when the scraper's Accept asks for it, summed over
 * every child by construction (the counters are shared), without Python.
 *
 * Labels.  A handler's label is its handler string as written in the
 * directive (never anything from a request).  Each distinct string gets a
 * label index while the configuration is read (mp_metrics_conf.h, stored in
 * mp_handler.metrics_label); at most MP_METRICS_SLOTS - 1 of them.  Index 0
 * is the label "(other)": labels past the limit, handlers named only in
 * .htaccess files, req.add_handler() and req.register_*_filter() handlers.
 *
 * Lifetime.  One anonymous shared-memory segment (apr_shm) is created in
 * the parent at post_config, from the process pool, and kept in Apache's
 * retained data: children inherit it, a graceful restart keeps it (and the
 * label-to-slot table in it, so old and new children count alike) unless
 * `PythonMetricsResetOnRestart On` asks for a fresh one, and a hard restart
 * (or the first start: pre_mpm) zeroes it while no child is running.  A
 * segment whose layout does not match this build is replaced.
 *
 * GIL and locks.  Nothing here needs, takes or releases the GIL (except
 * mp_metrics_acquire, which calls mp_interp_acquire).  Writers use relaxed
 * atomic additions on the shared counters and take no lock; the scrape
 * reads them with atomic loads.  The configuration-time functions run in
 * the single-threaded parent.
 */
#ifndef MP_METRICS_H
#define MP_METRICS_H

#include "mp_config.h"
#include "mp_metrics_conf.h"

#include <stdint.h>

struct mp_interp;

/* The handler name Apache gives to the scrape endpoint. */
#define MP_METRICS_HANDLER "python-metrics"

/* Hooks (pre_config, post_config, pre_mpm, child_init, handler,
 * log_transaction); called once from mp_hooks_register. */
void mp_metrics_register(apr_pool_t *p);

/* Start of one handler entry of kind `kind` for request r (NULL for a
 * connection handler): marks r in flight on its first entry.  Returns the
 * start time to give to mp_metrics_entry_end (0 when metrics are off). */
uint64_t mp_metrics_entry_begin(request_rec *r, int kind);

/* End of the entry h started at t0: counts it, unless *outcome is
 * MP_ENTRY_SKIPPED, in its histogram and, for MP_ENTRY_FAILED, as an
 * exception; remembers it as the one that served r.  Returns rc, so that
 * `return mp_metrics_entry_end(..., rc);` can wrap a return value. */
int mp_metrics_entry_end(request_rec *r, int kind, const mp_handler *h,
                         uint64_t t0, const int *outcome, int rc);

/* mp_interp_acquire(name, s), timed: the time it took is added to the
 * child's GIL wait, except when it is the first sight of a new interpreter
 * (its creation), which is counted as one instead.  Same result. */
struct mp_interp *mp_metrics_acquire(const char *name, server_rec *s);

#endif /* MP_METRICS_H */
