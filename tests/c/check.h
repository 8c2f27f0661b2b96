/* Minimal assertions for the C tests: count, report, never abort. */
#ifndef KV_TEST_CHECK_H
#define KV_TEST_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_passed, check_failed;

#define CHECK(cond)                                                                  \
    do {                                                                             \
        if (cond) {                                                                  \
            check_passed++;                                                          \
        } else {                                                                     \
            check_failed++;                                                          \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                            \
    } while (0)

#define CHECK_EQ_INT(a, b)                                                                              \
    do {                                                                                                \
        long long a_ = (long long)(a), b_ = (long long)(b);                                             \
        if (a_ == b_) {                                                                                 \
            check_passed++;                                                                             \
        } else {                                                                                        \
            check_failed++;                                                                             \
            fprintf(stderr, "%s:%d: %s == %s failed: %lld != %lld\n", __FILE__, __LINE__, #a, #b, a_, b_); \
        }                                                                                               \
    } while (0)

#define CHECK_STR(ptr, len, lit) CHECK((len) == sizeof(lit) - 1 && memcmp((ptr), (lit), (len)) == 0)

/* The closing line test runners are read for: "name: N passed, N failed". */
static int check_report(const char *name) {
    printf("%s: %d passed, %d failed\n", name, check_passed, check_failed);
    return check_failed ? 1 : 0;
}

#endif
