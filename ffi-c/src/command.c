/*
 * kv_command(): hiredis's redisCommand() format over kv_exec().
 *
 * The format is split into arguments on spaces; a conversion appends one
 * value's bytes to the current argument and is never split. %s takes a C
 * string, %b a pointer and a size_t, %% is a percent sign; printf's
 * integer and floating-point conversions (flags, width, precision, length
 * modifiers) are formatted with snprintf.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kv.h"

/* Defined in exec.rs: records a format error on the session. */
void kv_internal_format_error(kv_session *session, const char *message);

typedef struct {
    char *data;
    size_t len, cap;
} bytes;

typedef struct {
    bytes *items;
    size_t len, cap;
} arglist;

static int reserve(bytes *b, size_t more) {
    if (b->len + more + 1 <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 16;
    while (cap < b->len + more + 1) cap *= 2;
    char *p = realloc(b->data, cap);
    if (!p) return -1;
    b->data = p;
    b->cap = cap;
    return 0;
}

static int append(bytes *b, const char *p, size_t n) {
    if (reserve(b, n)) return -1;
    if (n) memcpy(b->data + b->len, p, n);
    b->len += n;
    return 0;
}

/* Moves the current argument into the list. */
static int push(arglist *a, bytes *cur) {
    if (a->len == a->cap) {
        size_t cap = a->cap ? 2 * a->cap : 8;
        bytes *p = realloc(a->items, cap * sizeof *p);
        if (!p) return -1;
        a->items = p;
        a->cap = cap;
    }
    a->items[a->len++] = *cur;
    memset(cur, 0, sizeof *cur);
    return 0;
}

static void drop_args(arglist *a, bytes *cur) {
    for (size_t i = 0; i < a->len; i++) free(a->items[i].data);
    free(a->items);
    free(cur->data);
}

/* Appends one printf conversion: `spec` is the whole "%...c" text. */
static int append_printf(bytes *cur, const char *spec, size_t speclen, va_list *ap) {
    char fmt[32];
    char small[64];
    if (speclen >= sizeof fmt) return -2;
    memcpy(fmt, spec, speclen);
    fmt[speclen] = '\0';
    char conv = spec[speclen - 1];
    /* Length modifiers decide the argument's type. */
    const char *mod = spec + 1;
    while (strchr("#0-+ ", *mod)) mod++;
    while (*mod >= '0' && *mod <= '9') mod++;
    if (*mod == '.') {
        mod++;
        while (*mod >= '0' && *mod <= '9') mod++;
    }
    size_t modlen = (size_t)(spec + speclen - 1 - mod);
    int n;
    if (strchr("eEfFgGaA", conv)) {
        if (modlen != 0) return -2;
        double v = va_arg(*ap, double);
        n = snprintf(small, sizeof small, fmt, v);
        if (n >= (int)sizeof small) {
            if (reserve(cur, (size_t)n)) return -1;
            snprintf(cur->data + cur->len, (size_t)n + 1, fmt, v);
            cur->len += (size_t)n;
            return 0;
        }
    } else {
        int is_signed = conv == 'd' || conv == 'i';
        /* Integers fit in 64 small bytes at any width below 40. */
        if (modlen == 0 || (modlen == 1 && mod[0] == 'h') || (modlen == 2 && mod[0] == 'h' && mod[1] == 'h')) {
            if (is_signed) n = snprintf(small, sizeof small, fmt, va_arg(*ap, int));
            else n = snprintf(small, sizeof small, fmt, va_arg(*ap, unsigned int));
        } else if (modlen == 1 && mod[0] == 'l') {
            if (is_signed) n = snprintf(small, sizeof small, fmt, va_arg(*ap, long));
            else n = snprintf(small, sizeof small, fmt, va_arg(*ap, unsigned long));
        } else if (modlen == 2 && mod[0] == 'l' && mod[1] == 'l') {
            if (is_signed) n = snprintf(small, sizeof small, fmt, va_arg(*ap, long long));
            else n = snprintf(small, sizeof small, fmt, va_arg(*ap, unsigned long long));
        } else if (modlen == 1 && mod[0] == 'z') {
            n = snprintf(small, sizeof small, fmt, va_arg(*ap, size_t));
        } else {
            return -2;
        }
    }
    if (n < 0 || n >= (int)sizeof small) return -2;
    return append(cur, small, (size_t)n);
}

/* Length of the conversion starting at p[0] == '%', 0 if unsupported. */
static size_t spec_len(const char *p) {
    const char *q = p + 1;
    while (*q && strchr("#0-+ ", *q)) q++;
    while (*q >= '0' && *q <= '9') q++;
    if (*q == '.') {
        q++;
        while (*q >= '0' && *q <= '9') q++;
    }
    while (*q == 'h' || *q == 'l' || *q == 'z') q++;
    if (*q && strchr("diouxXeEfFgGaA", *q)) return (size_t)(q - p) + 1;
    return 0;
}

/* Exported as kv_vcommand and kv_command by command.rs (rustc exports
 * only Rust items from libkv.so). */
kv_reply *kv_internal_vcommand(kv_session *session, const char *format, va_list ap);
kv_reply *kv_internal_command(kv_session *session, const char *format, ...);

kv_reply *kv_internal_vcommand(kv_session *session, const char *format, va_list ap) {
    if (!session) return NULL;
    if (!format) {
        kv_internal_format_error(session, "format is NULL");
        return NULL;
    }
    arglist args = {0};
    bytes cur = {0};
    int touched = 0, rc = 0;
    va_list cp;
    va_copy(cp, ap);
    for (const char *c = format; *c && rc == 0; c++) {
        if (*c == ' ') {
            if (touched) rc = push(&args, &cur);
            touched = 0;
            continue;
        }
        touched = 1;
        if (*c != '%') {
            rc = append(&cur, c, 1);
            continue;
        }
        switch (c[1]) {
        case 's': {
            const char *s = va_arg(cp, const char *);
            rc = s ? append(&cur, s, strlen(s)) : -3;
            c++;
            break;
        }
        case 'b': {
            const char *p = va_arg(cp, const char *);
            size_t n = va_arg(cp, size_t);
            rc = (p || n == 0) ? append(&cur, p, n) : -3;
            c++;
            break;
        }
        case '%':
            rc = append(&cur, "%", 1);
            c++;
            break;
        default: {
            size_t n = spec_len(c);
            if (n == 0) {
                rc = -2;
                break;
            }
            rc = append_printf(&cur, c, n, &cp);
            c += n - 1;
        }
        }
    }
    va_end(cp);
    if (rc == 0 && touched) rc = push(&args, &cur);
    if (rc == 0 && args.len == 0) rc = -4;
    kv_reply *reply = NULL;
    if (rc == 0 && args.len > 0x7fffffff) rc = -5;
    if (rc == 0) {
        const char **argv = malloc(args.len * sizeof *argv);
        size_t *lens = malloc(args.len * sizeof *lens);
        if (argv && lens) {
            for (size_t i = 0; i < args.len; i++) {
                /* An empty argument has no buffer: point it at "". */
                argv[i] = args.items[i].data ? args.items[i].data : "";
                lens[i] = args.items[i].len;
            }
            reply = kv_exec(session, (int)args.len, argv, lens);
        } else {
            rc = -1;
        }
        free(argv);
        free(lens);
    }
    switch (rc) {
    case -1: kv_internal_format_error(session, "out of memory while formatting the command"); break;
    case -2: kv_internal_format_error(session, "unsupported conversion in the format"); break;
    case -3: kv_internal_format_error(session, "NULL string argument for %s or %b"); break;
    case -4: kv_internal_format_error(session, "the format holds no command"); break;
    case -5: kv_internal_format_error(session, "too many arguments"); break;
    default: break;
    }
    drop_args(&args, &cur);
    return reply;
}

kv_reply *kv_internal_command(kv_session *session, const char *format, ...) {
    va_list ap;
    va_start(ap, format);
    kv_reply *r = kv_internal_vcommand(session, format, ap);
    va_end(ap);
    return r;
}
