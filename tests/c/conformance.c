/*
 * Runs the conformance vectors (the .kvt files of tests/conformance, format in its
 * README.md) through the C ABI: every command goes through kv_exec() on a
 * session whose replies keep the RESP3 shape, and is matched against the
 * expected reply. A port of core/tests/support/{notation,vectors}.rs.
 *
 * Usage: conformance DIR   (every *.kvt file in DIR)
 */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kv.h"

#define START_MS 1700000000000ULL

/* ------------------------------------------------------------ arguments */

typedef struct {
    char *data;
    size_t len;
} str;

typedef struct {
    str *items;
    size_t n, cap;
} strs;

static void push_byte(str *s, char c) {
    s->data = realloc(s->data, s->len + 2);
    s->data[s->len++] = c;
    s->data[s->len] = '\0';
}

static void push_str(strs *v, str s) {
    if (v->n == v->cap) {
        v->cap = v->cap ? 2 * v->cap : 8;
        v->items = realloc(v->items, v->cap * sizeof *v->items);
    }
    v->items[v->n++] = s;
}

static void free_strs(strs *v) {
    for (size_t i = 0; i < v->n; i++) free(v->items[i].data);
    free(v->items);
    memset(v, 0, sizeof *v);
}

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* A "..." string at *p (p[0] == '"'); advances past the closing quote. */
static int quoted(const char **p, str *out) {
    const char *c = *p + 1;
    for (;;) {
        if (!*c) return -1;
        if (*c == '"') {
            *p = c + 1;
            if (!out->data) push_byte(out, 0), out->len = 0;
            return 0;
        }
        if (*c == '\\') {
            if (!c[1]) return -1;
            if (c[1] == 'x' && c[2] && c[3] && hexval(c[2]) >= 0 && hexval(c[3]) >= 0) {
                push_byte(out, (char)(hexval(c[2]) * 16 + hexval(c[3])));
                c += 4;
                continue;
            }
            char e = c[1];
            push_byte(out, e == 'n' ? '\n' : e == 'r' ? '\r' : e == 't' ? '\t' : e == 'a' ? 7 : e == 'b' ? 8 : e);
            c += 2;
            continue;
        }
        push_byte(out, *c++);
    }
}

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

/* Splits a command line as redis-cli does. */
static int split_args(const char *line, strs *out) {
    const char *c = line;
    for (;;) {
        while (is_space(*c)) c++;
        if (!*c) return 0;
        str cur = {0};
        push_byte(&cur, 0);
        cur.len = 0;
        while (*c && !is_space(*c)) {
            if (*c == '"') {
                if (quoted(&c, &cur)) goto bad;
                if (*c && !is_space(*c)) goto bad;
            } else if (*c == '\'') {
                c++;
                for (;;) {
                    if (!*c) goto bad;
                    if (c[0] == '\\' && c[1] == '\'') {
                        push_byte(&cur, '\'');
                        c += 2;
                    } else if (*c == '\'') {
                        c++;
                        break;
                    } else {
                        push_byte(&cur, *c++);
                    }
                }
                if (*c && !is_space(*c)) goto bad;
            } else {
                push_byte(&cur, *c++);
            }
        }
        push_str(out, cur);
        continue;
    bad:
        free(cur.data);
        return -1;
    }
}

/* ------------------------------------------------------------ patterns */

typedef enum { P_ANY, P_ANYINT, P_ANYBULK, P_NIL, P_INT, P_DOUBLE, P_BOOL, P_BULK, P_STATUS, P_ERROR, P_ERRPREFIX, P_VERB, P_ARRAY, P_SET, P_MAP } pkind;

typedef struct pat {
    pkind kind;
    int unordered;
    long long i;
    double d;
    str s;
    char vfmt[4];
    struct pat **items; /* a map's keys and values alternate */
    size_t n;
} pat;

static void free_pat(pat *p) {
    if (!p) return;
    for (size_t i = 0; i < p->n; i++) free_pat(p->items[i]);
    free(p->items);
    free(p->s.data);
    free(p);
}

typedef struct {
    const char *b;
    const char *err;
} parser;

/* A bare word: to the end at the top level, else to a space or ']'. */
static str word(parser *ps, int top) {
    str s = {0};
    push_byte(&s, 0);
    s.len = 0;
    while (*ps->b && (top || (*ps->b != ' ' && *ps->b != ']'))) push_byte(&s, *ps->b++);
    return s;
}

static int text(parser *ps, int top, str *out) {
    if (*ps->b == '"') {
        if (quoted(&ps->b, out)) return ps->err = "bad quoted text", -1;
        if (top && *ps->b) return ps->err = "text after a quoted status or error", -1;
        return 0;
    }
    *out = word(ps, top);
    return 0;
}

static pat *item(parser *ps, int top);

static int list(parser *ps, pat *p) {
    if (*ps->b != '[') return ps->err = "expected '['", -1;
    ps->b++;
    size_t cap = 0;
    for (;;) {
        while (*ps->b == ' ') ps->b++;
        if (*ps->b == ']') {
            ps->b++;
            return 0;
        }
        if (!*ps->b) return ps->err = "unclosed '['", -1;
        pat *it = item(ps, 0);
        if (!it) return -1;
        if (p->n == cap) {
            cap = cap ? 2 * cap : 4;
            p->items = realloc(p->items, cap * sizeof *p->items);
        }
        p->items[p->n++] = it;
        if (*ps->b != ' ' && *ps->b != ']') return ps->err = "expected a space or ']'", -1;
    }
}

static pat *item(parser *ps, int top) {
    pat *p = calloc(1, sizeof *p);
    char c = *ps->b;
    if (!c) {
        ps->err = "expected a reply";
        goto bad;
    }
    ps->b++;
    switch (c) {
    case '+':
        p->kind = P_STATUS;
        if (text(ps, top, &p->s)) goto bad;
        break;
    case '-':
        p->kind = P_ERROR;
        if (*ps->b == '~') ps->b++, p->kind = P_ERRPREFIX;
        if (text(ps, top, &p->s)) goto bad;
        break;
    case ':': {
        if (*ps->b == '~') {
            ps->b++;
            p->kind = P_ANYINT;
            break;
        }
        p->kind = P_INT;
        str w = word(ps, 0);
        char *end;
        p->i = strtoll(w.data, &end, 10);
        int ok = w.len > 0 && *end == '\0';
        free(w.data);
        if (!ok) {
            ps->err = "bad integer";
            goto bad;
        }
        break;
    }
    case ',': {
        p->kind = P_DOUBLE;
        p->s = word(ps, 0);
        char *end;
        p->d = strtod(p->s.data, &end);
        if (p->s.len == 0 || *end) {
            ps->err = "bad double";
            goto bad;
        }
        break;
    }
    case '#': {
        p->kind = P_BOOL;
        str w = word(ps, 0);
        int t = strcmp(w.data, "t") == 0, f = strcmp(w.data, "f") == 0;
        free(w.data);
        if (!t && !f) {
            ps->err = "bad boolean";
            goto bad;
        }
        p->i = t;
        break;
    }
    case '"': {
        const char *start = ps->b - 1;
        ps->b = start;
        if (quoted(&ps->b, &p->s)) {
            ps->err = "bad string";
            goto bad;
        }
        p->kind = (ps->b - start == 3 && start[1] == '~') ? P_ANYBULK : P_BULK;
        break;
    }
    case '_':
        p->kind = P_NIL;
        break;
    case '.':
        if (ps->b[0] != '.' || ps->b[1] != '.') {
            ps->err = "unknown notation";
            goto bad;
        }
        ps->b += 2;
        p->kind = P_ANY;
        break;
    case '=':
        p->kind = P_VERB;
        if (strlen(ps->b) < 5 || ps->b[3] != ':' || ps->b[4] != '"') {
            ps->err = "bad verbatim";
            goto bad;
        }
        memcpy(p->vfmt, ps->b, 3);
        ps->b += 4;
        if (quoted(&ps->b, &p->s)) goto bad;
        break;
    case '*':
        p->kind = P_ARRAY;
        if (*ps->b == '?') ps->b++, p->unordered = 1;
        if (list(ps, p)) goto bad;
        break;
    case '~':
        p->kind = P_SET;
        p->unordered = 1;
        if (list(ps, p)) goto bad;
        break;
    case '%':
        p->kind = P_MAP;
        if (*ps->b == '?') ps->b++, p->unordered = 1;
        if (list(ps, p)) goto bad;
        if (p->n % 2) {
            ps->err = "a map needs an even number of elements";
            goto bad;
        }
        break;
    default:
        ps->err = "unknown reply notation";
        goto bad;
    }
    return p;
bad:
    if (!ps->err) ps->err = "bad reply";
    free_pat(p);
    return NULL;
}

static pat *parse_reply(const char *line, const char **err) {
    while (*line == ' ' || *line == '\t') line++;
    parser ps = {line, NULL};
    pat *p = item(&ps, 1);
    if (p && *ps.b) {
        free_pat(p);
        p = NULL;
        ps.err = "unexpected text after the reply";
    }
    *err = ps.err;
    return p;
}

/* ------------------------------------------------------------ matching */

static int matches(const pat *p, const kv_reply *r);

static int same_bytes(const str *s, const kv_reply *r) { return s->len == r->len && memcmp(s->data, r->str, r->len) == 0; }

/* Assigns each pattern (or pattern pair, step 2) a distinct element. */
static int multiset(pat *const *pats, size_t np, kv_reply *const *rs, size_t nr, char *used, size_t step) {
    if (np == 0) return 1;
    for (size_t i = 0; i < nr; i += step) {
        if (used[i]) continue;
        int ok = matches(pats[0], rs[i]) && (step == 1 || matches(pats[1], rs[i + 1]));
        if (!ok) continue;
        used[i] = 1;
        if (multiset(pats + step, np - step, rs, nr, used, step)) return 1;
        used[i] = 0;
    }
    return 0;
}

static int matches(const pat *p, const kv_reply *r) {
    switch (p->kind) {
    case P_ANY: return 1;
    case P_ANYINT: return r->type == KV_REPLY_INTEGER;
    case P_ANYBULK: return r->type == KV_REPLY_STRING;
    case P_NIL: return r->type == KV_REPLY_NIL;
    case P_INT: return r->type == KV_REPLY_INTEGER && r->integer == p->i;
    case P_DOUBLE:
        if (r->type != KV_REPLY_DOUBLE) return 0;
        if (isnan(p->d)) return isnan(r->dval);
        return p->d == r->dval && signbit(p->d) == signbit(r->dval);
    case P_BOOL: return r->type == KV_REPLY_BOOL && r->integer == p->i;
    case P_BULK: return r->type == KV_REPLY_STRING && same_bytes(&p->s, r);
    case P_STATUS: return r->type == KV_REPLY_STATUS && same_bytes(&p->s, r);
    case P_ERROR: return r->type == KV_REPLY_ERROR && same_bytes(&p->s, r);
    case P_ERRPREFIX: return r->type == KV_REPLY_ERROR && r->len >= p->s.len && memcmp(r->str, p->s.data, p->s.len) == 0;
    case P_VERB: return r->type == KV_REPLY_VERB && memcmp(r->vtype, p->vfmt, 3) == 0 && same_bytes(&p->s, r);
    case P_ARRAY:
    case P_SET:
    case P_MAP: {
        kv_reply_type want = p->kind == P_ARRAY ? KV_REPLY_ARRAY : p->kind == P_SET ? KV_REPLY_SET : KV_REPLY_MAP;
        if (r->type != want || r->elements != p->n) return 0;
        if (!p->unordered) {
            for (size_t i = 0; i < p->n; i++)
                if (!matches(p->items[i], r->element[i])) return 0;
            return 1;
        }
        char *used = calloc(r->elements + 1, 1);
        int ok = multiset(p->items, p->n, r->element, r->elements, used, p->kind == P_MAP ? 2 : 1);
        free(used);
        return ok;
    }
    }
    return 0;
}

/* Prints a reply in the vector notation (for failure reports). */
static void print_reply(FILE *f, const kv_reply *r) {
    switch (r->type) {
    case KV_REPLY_NIL: fputc('_', f); return;
    case KV_REPLY_INTEGER: fprintf(f, ":%lld", (long long)r->integer); return;
    case KV_REPLY_BOOL: fputs(r->integer ? "#t" : "#f", f); return;
    case KV_REPLY_DOUBLE: fprintf(f, ",%s", r->str); return;
    case KV_REPLY_STATUS: fprintf(f, "+%s", r->str); return;
    case KV_REPLY_ERROR: fprintf(f, "-%s", r->str); return;
    case KV_REPLY_VERB: fprintf(f, "=%s:", r->vtype); /* fall through */
    case KV_REPLY_STRING:
        fputc('"', f);
        for (size_t i = 0; i < r->len; i++) {
            unsigned char c = (unsigned char)r->str[i];
            if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
            else if (c >= 0x20 && c < 0x7f) fputc(c, f);
            else fprintf(f, "\\x%02x", c);
        }
        fputc('"', f);
        return;
    case KV_REPLY_ARRAY:
    case KV_REPLY_SET:
    case KV_REPLY_MAP:
        fputs(r->type == KV_REPLY_ARRAY ? "*[" : r->type == KV_REPLY_SET ? "~[" : "%[", f);
        for (size_t i = 0; i < r->elements; i++) {
            if (i) fputc(' ', f);
            print_reply(f, r->element[i]);
        }
        fputc(']', f);
        return;
    }
}

/* ------------------------------------------------------------ runner */

typedef struct {
    char name[64];
    kv_session *s;
} named;

typedef struct {
    kv_store *store;
    named sessions[16];
    size_t nsessions, current;
} case_state;

static int total_cases, total_commands, total_failures;

static void end_case(case_state *c) {
    for (size_t i = 0; i < c->nsessions; i++) kv_session_free(c->sessions[i].s);
    kv_store_free(c->store);
    memset(c, 0, sizeof *c);
}

static kv_session *open_session(kv_store *store) {
    kv_session *s = NULL;
    if (kv_session_open(store, &s) != KV_OK) return NULL;
    kv_session_set_resp3_replies(s, true);
    return s;
}

static void begin_case(case_state *c) {
    kv_config *cfg = kv_config_new();
    kv_config_set_manual_clock(cfg, START_MS);
    kv_store_open(cfg, &c->store);
    kv_config_free(cfg);
    snprintf(c->sessions[0].name, sizeof c->sessions[0].name, "main");
    c->sessions[0].s = open_session(c->store);
    c->nsessions = 1;
    c->current = 0;
    total_cases++;
}

static void fail(const char *file, size_t line, const char *msg) {
    fprintf(stderr, "%s:%zu: %s\n", file, line, msg);
    total_failures++;
}

static char *trim(char *s) {
    while (is_space(*s)) s++;
    size_t n = strlen(s);
    while (n && is_space(s[n - 1])) s[--n] = '\0';
    return s;
}

static char *directive(char *line, const char *name) {
    size_t n = strlen(name);
    if (strncmp(line, name, n) || (line[n] != ' ' && line[n] != '\t')) return NULL;
    char *rest = trim(line + n);
    return *rest ? rest : NULL;
}

static void run_file(const char *path, const char *shown) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        fail(shown, 0, "cannot open");
        return;
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *src = malloc((size_t)size + 1);
    size_t got = fread(src, 1, (size_t)size, f);
    src[got] = '\0';
    fclose(f);

    /* Split into lines (in place), keeping numbers. */
    size_t nlines = 0, cap = 256;
    char **lines = malloc(cap * sizeof *lines);
    for (char *p = src; p;) {
        char *nl = strchr(p, '\n');
        if (nl) *nl = '\0';
        if (nlines == cap) lines = realloc(lines, (cap *= 2) * sizeof *lines);
        lines[nlines++] = p;
        p = nl ? nl + 1 : NULL;
    }
    case_state c = {0};
    int in_case = 0;
    for (size_t i = 0; i < nlines; i++) {
        char *line = lines[i];
        size_t n = strlen(line);
        if (n && line[n - 1] == '\r') line[n - 1] = '\0';
        char *t = trim(line);
        if (!*t || *t == '#') continue;
        char *arg;
        if ((arg = directive(t, "@test"))) {
            if (in_case) end_case(&c);
            begin_case(&c);
            in_case = 1;
            continue;
        }
        if (!in_case) {
            fail(shown, i + 1, "expected @test first");
            continue;
        }
        if ((arg = directive(t, "@advance"))) {
            kv_store_advance_clock(c.store, strtoull(arg, NULL, 10));
        } else if ((arg = directive(t, "@session"))) {
            size_t k = 0;
            while (k < c.nsessions && strcmp(c.sessions[k].name, arg)) k++;
            if (k == c.nsessions && k < 16) {
                snprintf(c.sessions[k].name, sizeof c.sessions[k].name, "%s", arg);
                c.sessions[k].s = open_session(c.store);
                c.nsessions++;
            }
            c.current = k < 16 ? k : 0;
        } else if (*t == '>') {
            char *cmd = trim(t + 1);
            size_t line_no = i + 1;
            /* The expected reply: the next line that is not blank or a comment. */
            char *expect = NULL;
            while (++i < nlines) {
                char *e = lines[i];
                size_t en = strlen(e);
                if (en && e[en - 1] == '\r') e[en - 1] = '\0';
                char *et = e;
                while (is_space(*et)) et++;
                if (*et && *et != '#') {
                    expect = et;
                    break;
                }
            }
            if (!expect) {
                fail(shown, line_no, "command without an expected reply");
                break;
            }
            strs args = {0};
            const char *perr = NULL;
            pat *p = parse_reply(expect, &perr);
            if (split_args(cmd, &args) || args.n == 0 || !p) {
                fail(shown, line_no, perr ? perr : "bad arguments");
                free_strs(&args);
                free_pat(p);
                continue;
            }
            const char **argv = malloc(args.n * sizeof *argv);
            size_t *lens = malloc(args.n * sizeof *lens);
            for (size_t k = 0; k < args.n; k++) argv[k] = args.items[k].data, lens[k] = args.items[k].len;
            kv_reply *r = kv_exec(c.sessions[c.current].s, (int)args.n, argv, lens);
            total_commands++;
            if (!r) {
                fprintf(stderr, "%s:%zu: > %s\n    kv_exec returned NULL: %s\n", shown, line_no, cmd,
                        kv_session_error(c.sessions[c.current].s));
                total_failures++;
            } else if (!matches(p, r)) {
                fprintf(stderr, "%s:%zu: > %s\n    expected: %s\n    actual:   ", shown, line_no, cmd, expect);
                print_reply(stderr, r);
                fputc('\n', stderr);
                total_failures++;
            }
            kv_reply_free(r);
            free(argv);
            free(lens);
            free_strs(&args);
            free_pat(p);
        } else {
            fail(shown, i + 1, "unknown line");
        }
    }
    if (in_case) end_case(&c);
    free(lines);
    free(src);
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 2;
    }
    DIR *d = opendir(argv[1]);
    if (!d) {
        perror(argv[1]);
        return 2;
    }
    char *names[256];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 256) {
        size_t len = strlen(e->d_name);
        if (len > 4 && strcmp(e->d_name + len - 4, ".kvt") == 0) names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, by_name);
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", argv[1], names[i]);
        run_file(path, names[i]);
        free(names[i]);
    }
    printf("conformance (C ABI): %zu files, %d cases, %d commands\n", n, total_cases, total_commands);
    /* One result per command, in the form test runners read. */
    printf("c-conformance: %d passed, %d failed\n", total_commands - total_failures, total_failures);
    return (total_failures || n == 0) ? 1 : 0;
}
