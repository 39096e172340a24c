/*
 * mp_restart.c: the parent's side of a graceful restart.  See mp_restart.h.
 */
#include "mp_restart.h"

#include "scoreboard.h"

#include <sys/wait.h>

/* How long the parent waits for the old generation on a graceful restart,
 * and how often it looks. */
#define MP_RESTART_WAIT apr_time_from_msec(100)
#define MP_RESTART_POLL apr_time_from_msec(1)

/* Whether child `pid` is still running.  WNOWAIT leaves the exit status
 * for the MPM to reap; a pid that is not our child counts as gone. */
static int
child_running(pid_t pid)
{
    siginfo_t info;

    memset(&info, 0, sizeof(info));
    if (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT) < 0) {
        return 0;
    }
    return info.si_pid == 0;
}

/* post_config, last: on a graceful restart, wait up to MP_RESTART_WAIT for
 * the children of the old generation to exit.
 *
 * The MPM replaces old children one for one as it reaps them, but it looks
 * for exited ones once right after reading the configuration and then only
 * every second.  Re-reading the configuration takes a few milliseconds;
 * an idle child of ours takes about ten to run the Python cleanups and
 * finalise.  Without this wait the new generation starts one second later
 * (two with a full ServerLimit: its slots are still taken).  Children busy
 * with long requests cost at most MP_RESTART_WAIT more. */
static int
restart_wait(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp,
             server_rec *s)
{
    apr_time_t deadline;
    pid_t *pids;
    int i, n = 0, limit;

    (void)pconf;
    (void)plog;
    if (ap_state_query(AP_SQ_MAIN_STATE) != AP_SQ_MS_CREATE_CONFIG
        || ap_scoreboard_image == NULL) {
        return OK;                  /* first start, or a configuration test */
    }
    limit = ap_scoreboard_image->global->server_limit;
    pids = apr_palloc(ptemp, sizeof(*pids) * (limit > 0 ? limit : 1));
    for (i = 0; i < limit; i++) {
        pid_t pid = ap_scoreboard_image->parent[i].pid;

        if (pid > 0 && child_running(pid)) {
            pids[n++] = pid;
        }
    }
    if (n == 0) {
        return OK;
    }
    deadline = apr_time_now() + MP_RESTART_WAIT;
    while (n > 0 && apr_time_now() < deadline) {
        apr_sleep(MP_RESTART_POLL);
        for (i = 0; i < n; ) {
            if (child_running(pids[i])) {
                i++;
            }
            else {
                pids[i] = pids[--n];
            }
        }
    }
    ap_log_error(APLOG_MARK, APLOG_DEBUG, 0, s,
                 "graceful restart: %d old child%s still running", n,
                 n == 1 ? "" : "ren");
    return OK;
}

void
mp_restart_register_hooks(apr_pool_t *p)
{
    (void)p;
    ap_hook_post_config(restart_wait, NULL, NULL, APR_HOOK_REALLY_LAST);
}
