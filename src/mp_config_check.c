/*
 * mp_config_check.c: configuration-time checks of directive values.  See
 * mp_config_check.h for the contract.
 *
 * Why PythonPath is checked by a scanner in C rather than by Python: the
 * parent must not start Python, and running the configured Python as a
 * subprocess would cost tens of milliseconds per directive on every
 * configuration read, and a process per request for a PythonPath in an
 * .htaccess file, which is parsed on the request path.  The scanner finds
 * the mistakes people make (a bare path, an unclosed bracket or quote, a
 * statement, a dangling operator) in microseconds; anything subtler is left
 * to Python when the expression is first evaluated.
 */
#include "mp_config_check.h"
#include "mp_pyhome.h"

#include "apr_lib.h"

#define MP_WSGI_BASE_URI   "mod_python.wsgi.base_uri"
#define MP_MUTEX_LOCKS     "mod_python.mutex_locks"
#define MP_MAX_NESTING     64

/* ------------------------------------------------------------------ */
/* PythonHome                                                         */
/* ------------------------------------------------------------------ */

const char *
mp_config_check_home(cmd_parms *cmd, const char *home)
{
    mp_home_info info;
    const char *why = mp_pyhome_inspect(cmd->temp_pool, home, &info);

    if (why == NULL) {
        return NULL;
    }
    if (info.version_mismatch) {
        return apr_pstrcat(cmd->pool, MP_APLOGNO(0034), why, NULL);
    }
    return apr_pstrcat(cmd->pool, MP_APLOGNO(0033), why, NULL);
}

/* ------------------------------------------------------------------ */
/* PythonPath                                                         */
/* ------------------------------------------------------------------ */

static int
is_name_char(int c)
{
    return apr_isalnum(c) || c == '_' || (c & 0x80);
}

/* Whether the name [s, e) is a string-literal prefix (r, b, u, f, rb,
 * br, fr, rf in any case). */
static int
is_string_prefix(const char *s, const char *e)
{
    int n = (int)(e - s), i, seen_r = 0, seen_bf = 0;

    if (n < 1 || n > 2) {
        return 0;
    }
    for (i = 0; i < n; i++) {
        int c = apr_tolower(s[i]);

        if (c == 'r' && !seen_r) {
            seen_r = 1;
        }
        else if ((c == 'b' || c == 'f' || (c == 'u' && n == 1))
                 && !seen_bf) {
            seen_bf = 1;
        }
        else {
            return 0;
        }
    }
    return 1;
}

/* Skip the string literal starting at the quote *s; returns the character
 * after it, or NULL when it is not closed. */
static const char *
skip_string(const char *s)
{
    char q = *s;
    int triple = s[1] == q && s[2] == q;

    s += triple ? 3 : 1;
    while (*s != '\0') {
        if (*s == '\\' && s[1] != '\0') {
            s += 2;
            continue;
        }
        if (*s == q && (!triple || (s[1] == q && s[2] == q))) {
            return s + (triple ? 3 : 1);
        }
        s++;
    }
    return NULL;
}

static const char *
check_expression(apr_pool_t *p, const char *expr)
{
    static const char *const example = "; write a Python expression such "
                                       "as \"sys.path + ['/srv/app']\"";
    char open_ch[MP_MAX_NESTING];
    int open_col[MP_MAX_NESTING];
    int depth = 0;
    const char *s = expr;
    char last = '\0';

    while (apr_isspace(*s)) {
        s++;
    }
    if (*s == '\0') {
        return apr_pstrcat(p, "PythonPath is empty", example, NULL);
    }
    if (!is_name_char(*s) || apr_isdigit(*s)) {
        if (*s != '[' && *s != '(' && *s != '"' && *s != '\'') {
            return apr_psprintf(p, "PythonPath '%s' is not a Python "
                                "expression: it must start with a name, a "
                                "list or a string, not '%c'%s", expr, *s,
                                example);
        }
    }
    while (*s != '\0') {
        int col = (int)(s - expr) + 1;
        char c = *s;

        if (apr_isspace(c)) {
            s++;
            continue;
        }
        if (c == '#') {
            break;                          /* a comment to the end */
        }
        if (is_name_char(c)) {
            const char *start = s;

            while (is_name_char(*s)) {
                s++;
            }
            if ((*s == '"' || *s == '\'') && !apr_isdigit(*start)
                && !is_string_prefix(start, s)) {
                return apr_psprintf(p, "PythonPath '%s': unexpected quote "
                                    "after '%.*s' at column %d", expr,
                                    (int)(s - start), start,
                                    (int)(s - expr) + 1);
            }
            if (*s != '"' && *s != '\'') {
                last = 'a';
                continue;
            }
            c = *s;
            col = (int)(s - expr) + 1;
        }
        if (c == '"' || c == '\'') {
            const char *end = skip_string(s);

            if (end == NULL) {
                return apr_psprintf(p, "PythonPath '%s': the string "
                                    "starting at column %d is not closed",
                                    expr, col);
            }
            s = end;
            last = 'a';
            continue;
        }
        if (c == '(' || c == '[' || c == '{') {
            if (depth == MP_MAX_NESTING) {
                return apr_psprintf(p, "PythonPath '%s': brackets nested "
                                    "too deeply", expr);
            }
            open_ch[depth] = c;
            open_col[depth++] = col;
        }
        else if (c == ')' || c == ']' || c == '}') {
            char want = c == ')' ? '(' : c == ']' ? '[' : '{';

            if (depth == 0) {
                return apr_psprintf(p, "PythonPath '%s': '%c' at column "
                                    "%d closes nothing", expr, c, col);
            }
            if (open_ch[depth - 1] != want) {
                return apr_psprintf(p, "PythonPath '%s': '%c' at column "
                                    "%d does not close the '%c' of column "
                                    "%d", expr, c, col, open_ch[depth - 1],
                                    open_col[depth - 1]);
            }
            depth--;
        }
        else if (c == ';') {
            return apr_psprintf(p, "PythonPath '%s': ';' at column %d: "
                                "PythonPath is one expression, not "
                                "statements", expr, col);
        }
        else if (c == '=' && depth == 0) {
            if (s[1] == '=') {
                s++;                        /* == */
            }
            else if (s == expr || !strchr("=!<>:", s[-1])) {
                return apr_psprintf(p, "PythonPath '%s': '=' at column %d "
                                    "is an assignment, not an expression",
                                    expr, col);
            }
        }
        last = c;
        s++;
    }
    if (depth > 0) {
        return apr_psprintf(p, "PythonPath '%s': the '%c' of column %d is "
                            "not closed", expr, open_ch[depth - 1],
                            open_col[depth - 1]);
    }
    if (last != '\0' && strchr("+-*/%&|^~<>=.@!:", last) != NULL) {
        return apr_psprintf(p, "PythonPath '%s' ends with '%c', which needs "
                            "something after it", expr, last);
    }
    return NULL;
}

const char *
mp_config_check_python_path(cmd_parms *cmd, const char *value)
{
    const char *why = check_expression(cmd->temp_pool, value);

    return why ? apr_pstrcat(cmd->pool, MP_APLOGNO(0035), why, NULL) : NULL;
}

/* ------------------------------------------------------------------ */
/* PythonOption                                                       */
/* ------------------------------------------------------------------ */

const char *
mp_config_check_option(cmd_parms *cmd, const char *key, const char *value)
{
    apr_size_t len;

    if (value == NULL || *value == '\0') {
        return NULL;                        /* "removed": always fine */
    }
    if (strcasecmp(key, MP_WSGI_BASE_URI) == 0) {
        len = strlen(value);
        if (value[len - 1] == '/') {
            return apr_psprintf(cmd->pool, MP_APLOGNO(0036)
                                "PythonOption " MP_WSGI_BASE_URI " '%s' "
                                "must not end with '/': %s%.*s%s", value,
                                len > 1 ? "write '" : "",
                                (int)(len - 1), value,
                                len > 1 ? "'" : "leave the option out for "
                                "an application at the site root");
        }
    }
    else if (strcasecmp(key, MP_MUTEX_LOCKS) == 0) {
        const char *d = value;
        apr_int64_t n;

        while (apr_isdigit(*d)) {
            d++;
        }
        n = apr_atoi64(value);
        if (d == value || *d != '\0' || d - value > 7
            || n > 1024 * 1024) {
            return apr_psprintf(cmd->pool, MP_APLOGNO(0037)
                                "PythonOption " MP_MUTEX_LOCKS " '%s' must "
                                "be a whole number of mutexes (default 8, "
                                "at most 1048576)", value);
        }
    }
    return NULL;
}
