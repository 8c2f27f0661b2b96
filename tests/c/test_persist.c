/*
 * Tests of persistence through the C ABI: the config setters, data that
 * survives kv_store_close()/reopen in each mode, kv_store_save, bgsave,
 * backup and lastsave, open failures (corrupt snapshot, unreadable data
 * directory) reported with a status and a message, the load-progress
 * callback, and the store's per-thread error accessor. Run under
 * AddressSanitizer and valgrind by `make ctest`.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "kv.h"
#include "check.h"

static char root[64];

/* A fresh directory path under the test's scratch root (not created). */
static const char *path(const char *name) {
    static char buf[4][256];
    static int next;
    char *p = buf[next++ % 4];
    snprintf(p, 256, "%s/%s", root, name);
    return p;
}

static kv_config *config(const char *dir, int mode) {
    kv_config *cfg = kv_config_new();
    CHECK_EQ_INT(kv_config_set_data_dir(cfg, dir), KV_OK);
    CHECK_EQ_INT(kv_config_set_persistence(cfg, mode), KV_OK);
    CHECK_EQ_INT(kv_config_set_fsync(cfg, KV_FSYNC_ALWAYS), KV_OK);
    CHECK_EQ_INT(kv_config_set_save_rules(cfg, 0, NULL), KV_OK);
    return cfg;
}

static kv_store *open_dir(const char *dir, int mode) {
    kv_config *cfg = config(dir, mode);
    kv_store *st = NULL;
    kv_status rc = kv_store_open(cfg, &st);
    CHECK_EQ_INT(rc, KV_OK);
    if (rc != KV_OK) fprintf(stderr, "open %s: %s\n", dir, kv_config_error(cfg));
    kv_config_free(cfg);
    return st;
}

static void write_data(kv_store *st) {
    kv_session *s = NULL;
    CHECK_EQ_INT(kv_session_open(st, &s), KV_OK);
    CHECK_EQ_INT(kv_set(s, "k", 1, "v\0x", 3), KV_OK);
    CHECK_EQ_INT(kv_set_px(s, "ttl", 3, "t", 1, 3600000), KV_OK);
    CHECK_EQ_INT(kv_hset(s, "h", 1, "f", 1, "hv", 2, NULL), KV_OK);
    const char *vals[] = {"a", "b"};
    CHECK_EQ_INT(kv_lpush(s, "l", 1, 2, vals, NULL, NULL), KV_OK);
    CHECK_EQ_INT(kv_zadd(s, "z", 1, 2.5, "m", 1, NULL), KV_OK);
    kv_reply *r = kv_command(s, "SELECT 3");
    kv_reply_free(r);
    r = kv_command(s, "INCRBY n %d", 41);
    CHECK(r && r->type == KV_REPLY_INTEGER && r->integer == 41);
    kv_reply_free(r);
    kv_session_free(s);
}

static void check_data(kv_store *st, const char *what) {
    kv_session *s = NULL;
    CHECK_EQ_INT(kv_session_open(st, &s), KV_OK);
    if (!s) return;
    kv_buf b = {0};
    double score = 0;
    int ok = kv_get(s, "k", 1, &b) == KV_OK && b.len == 3 && memcmp(b.data, "v\0x", 3) == 0;
    kv_buf_free(&b);
    ok &= kv_hget(s, "h", 1, "f", 1, &b) == KV_OK && b.len == 2 && memcmp(b.data, "hv", 2) == 0;
    kv_buf_free(&b);
    ok &= kv_rpop(s, "l", 1, &b) == KV_OK && b.len == 1 && b.data[0] == 'a';
    kv_buf_free(&b);
    ok &= kv_zscore(s, "z", 1, "m", 1, &score) == KV_OK && score == 2.5;
    kv_reply *r = kv_command(s, "PTTL ttl");
    ok &= r && r->type == KV_REPLY_INTEGER && r->integer > 3000000;
    kv_reply_free(r);
    r = kv_command(s, "SELECT 3");
    kv_reply_free(r);
    r = kv_command(s, "GET n");
    ok &= r && r->type == KV_REPLY_STRING && strcmp(r->str, "41") == 0;
    kv_reply_free(r);
    if (!ok) fprintf(stderr, "data lost across reopen: %s\n", what);
    CHECK(ok);
    kv_session_free(s);
}

/* Writes, closes, reopens and reads in each mode; snapshots need a save. */
static void test_modes(void) {
    static const struct {
        int mode;
        const char *name;
        int save;
    } modes[] = {
        {KV_PERSIST_SNAPSHOT, "snapshot", 1},
        {KV_PERSIST_LOG, "log", 0},
        {KV_PERSIST_BOTH, "both", 0},
        {KV_PERSIST_BOTH, "both-saved", 1},
    };
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        const char *dir = path(modes[i].name);
        kv_store *st = open_dir(dir, modes[i].mode);
        if (!st) continue;
        write_data(st);
        if (modes[i].save) CHECK_EQ_INT(kv_store_save(st), KV_OK);
        CHECK_EQ_INT(kv_store_close(st), KV_OK);
        kv_store_free(st);
        st = open_dir(dir, modes[i].mode);
        if (!st) continue;
        check_data(st, modes[i].name);
        kv_store_close(st);
        kv_store_free(st);
    }

    /* Snapshot mode without a save keeps nothing (no save rules here). */
    const char *dir = path("unsaved");
    kv_store *st = open_dir(dir, KV_PERSIST_SNAPSHOT);
    write_data(st);
    kv_store_close(st);
    kv_store_free(st);
    st = open_dir(dir, KV_PERSIST_SNAPSHOT);
    size_t n = 99;
    CHECK_EQ_INT(kv_store_dbsize(st, 0, &n), KV_OK);
    CHECK_EQ_INT(n, 0);
    kv_store_close(st);
    kv_store_free(st);
}

static void test_save_calls(void) {
    /* An in-memory store cannot SAVE or BGSAVE, but can back up. */
    kv_store *mem = NULL;
    CHECK_EQ_INT(kv_store_open(NULL, &mem), KV_OK);
    CHECK(kv_store_error(mem) == NULL);
    CHECK_EQ_INT(kv_store_status(mem), KV_OK);
    CHECK_EQ_INT(kv_store_save(mem), KV_ERR);
    CHECK_EQ_INT(kv_store_status(mem), KV_ERR);
    CHECK(kv_store_error(mem) && strcmp(kv_store_error(mem), "no data directory configured (persistence is off)") == 0);
    CHECK_EQ_INT(kv_store_bgsave(mem), KV_ERR);
    write_data(mem);
    CHECK_EQ_INT(kv_store_backup(mem, path("backup")), KV_OK);
    CHECK_EQ_INT(kv_store_backup(mem, NULL), KV_INVALID_ARGUMENT);
    CHECK(strcmp(kv_store_error(mem), "dir is NULL") == 0);
    CHECK_EQ_INT(kv_store_backup(mem, ""), KV_INVALID_ARGUMENT);
    /* A backup under a regular file cannot be written. */
    CHECK_EQ_INT(kv_store_backup(mem, "/dev/null/x"), KV_IO);
    CHECK(strstr(kv_store_error(mem), "/dev/null/x") != NULL);
    kv_store_close(mem);
    CHECK_EQ_INT(kv_store_save(mem), KV_CLOSED);
    CHECK_EQ_INT(kv_store_save(NULL), KV_INVALID_ARGUMENT);
    CHECK(kv_store_error(NULL) == NULL);
    CHECK_EQ_INT(kv_store_status(NULL), KV_INVALID_ARGUMENT);
    kv_store_free(mem);

    /* The backup opens as a data directory. */
    kv_store *st = open_dir(path("backup"), KV_PERSIST_SNAPSHOT);
    check_data(st, "backup");
    kv_store_close(st);
    kv_store_free(st);

    /* BGSAVE: lastsave moves once it is done (close waits for it). */
    const char *dir = path("bgsave");
    st = open_dir(dir, KV_PERSIST_SNAPSHOT);
    uint64_t before = 0, after = 0;
    CHECK_EQ_INT(kv_store_lastsave(st, &before), KV_OK);
    CHECK(before > 1600000000u);
    CHECK_EQ_INT(kv_store_lastsave(st, NULL), KV_OK);
    CHECK_EQ_INT(kv_store_lastsave(NULL, &after), KV_INVALID_ARGUMENT);
    write_data(st);
    CHECK_EQ_INT(kv_store_bgsave(st), KV_OK);
    CHECK_EQ_INT(kv_store_close(st), KV_OK);
    CHECK_EQ_INT(kv_store_lastsave(st, &after), KV_OK);
    CHECK(after >= before);
    kv_store_free(st);
    st = open_dir(dir, KV_PERSIST_SNAPSHOT);
    check_data(st, "bgsave");
    kv_store_close(st);
    kv_store_free(st);
}

static void write_file(const char *p, const void *data, size_t n) {
    FILE *f = fopen(p, "wb");
    CHECK(f != NULL);
    if (!f) return;
    fwrite(data, 1, n, f);
    fclose(f);
}

static void test_open_failures(void) {
    kv_store *st = NULL;
    char file[300];

    /* Garbage where the snapshot should be. */
    const char *dir = path("garbage");
    mkdir(dir, 0700);
    snprintf(file, sizeof file, "%s/snapshot.kvs", dir);
    write_file(file, "this is not a snapshot at all, not even close", 46);
    kv_config *cfg = config(dir, KV_PERSIST_SNAPSHOT);
    CHECK_EQ_INT(kv_store_open(cfg, &st), KV_CORRUPT);
    CHECK(st == NULL);
    const char *e = kv_config_error(cfg);
    CHECK(e && strstr(e, "snapshot.kvs: corrupt at byte offset") != NULL);
    kv_config_free(cfg);

    /* A real snapshot cut in half. */
    dir = path("truncated");
    st = open_dir(dir, KV_PERSIST_SNAPSHOT);
    write_data(st);
    CHECK_EQ_INT(kv_store_save(st), KV_OK);
    kv_store_close(st);
    kv_store_free(st);
    st = NULL;
    snprintf(file, sizeof file, "%s/snapshot.kvs", dir);
    struct stat sb;
    CHECK(stat(file, &sb) == 0 && sb.st_size > 40);
    CHECK(truncate(file, sb.st_size / 2) == 0);
    cfg = config(dir, KV_PERSIST_SNAPSHOT);
    CHECK_EQ_INT(kv_store_open(cfg, &st), KV_CORRUPT);
    CHECK(st == NULL);
    CHECK(kv_config_error(cfg) && strstr(kv_config_error(cfg), "corrupt") != NULL);
    kv_config_free(cfg);

    /* A data directory that cannot be created (under a regular file). */
    cfg = config("/dev/null/kv", KV_PERSIST_SNAPSHOT);
    CHECK_EQ_INT(kv_store_open(cfg, &st), KV_IO);
    e = kv_config_error(cfg);
    CHECK(e && strstr(e, "creating data directory /dev/null/kv") != NULL);
    kv_config_free(cfg);

    /* A snapshot that cannot be read (a directory in its place). */
    dir = path("unreadable");
    mkdir(dir, 0700);
    snprintf(file, sizeof file, "%s/snapshot.kvs", dir);
    mkdir(file, 0700);
    cfg = config(dir, KV_PERSIST_SNAPSHOT);
    CHECK_EQ_INT(kv_store_open(cfg, &st), KV_IO);
    CHECK(kv_config_error(cfg) && strstr(kv_config_error(cfg), "snapshot.kvs") != NULL);
    kv_config_free(cfg);

    /* Permission denied (root reads anything: only checked as a user). */
    if (geteuid() != 0) {
        dir = path("noperm");
        mkdir(dir, 0700);
        snprintf(file, sizeof file, "%s/snapshot.kvs", dir);
        write_file(file, "x", 1);
        chmod(file, 0);
        cfg = config(dir, KV_PERSIST_SNAPSHOT);
        CHECK_EQ_INT(kv_store_open(cfg, &st), KV_IO);
        CHECK(kv_config_error(cfg) && strstr(kv_config_error(cfg), "Permission denied") != NULL);
        kv_config_free(cfg);
    }
}

static void test_config_setters(void) {
    kv_config *cfg = kv_config_new();
    CHECK_EQ_INT(kv_config_set_persistence(cfg, 4), KV_INVALID_ARGUMENT);
    CHECK(strcmp(kv_config_error(cfg), "unknown persistence mode 4") == 0);
    CHECK_EQ_INT(kv_config_set_persistence(cfg, -1), KV_INVALID_ARGUMENT);
    CHECK_EQ_INT(kv_config_set_fsync(cfg, 3), KV_INVALID_ARGUMENT);
    CHECK(strcmp(kv_config_error(cfg), "unknown fsync policy 3") == 0);
    CHECK_EQ_INT(kv_config_set_fsync(cfg, KV_FSYNC_NO), KV_OK);
    CHECK_EQ_INT(kv_config_set_data_dir(cfg, ""), KV_INVALID_ARGUMENT);
    CHECK_EQ_INT(kv_config_set_save_rules(cfg, 2, NULL), KV_INVALID_ARGUMENT);
    kv_save_rule bad[] = {{60, 0}};
    CHECK_EQ_INT(kv_config_set_save_rules(cfg, 1, bad), KV_INVALID_ARGUMENT);
    CHECK(strcmp(kv_config_error(cfg), "a save rule needs at least 1 change") == 0);
    kv_save_rule rules[] = {{3600, 1}, {1, 1}};
    CHECK_EQ_INT(kv_config_set_save_rules(cfg, 2, rules), KV_OK);
    CHECK_EQ_INT(kv_config_set_auto_rewrite(cfg, 0, 0), KV_OK);
    CHECK_EQ_INT(kv_config_set_auto_rewrite(NULL, 0, 0), KV_INVALID_ARGUMENT);
    CHECK_EQ_INT(kv_config_set_data_dir(NULL, "x"), KV_INVALID_ARGUMENT);
    CHECK_EQ_INT(kv_config_set_load_progress(NULL, NULL, NULL), KV_INVALID_ARGUMENT);

    /* Save rules set before the data directory stay: `save 1 1` saves on
     * its own within about a second of a write. */
    const char *dir = path("rules");
    CHECK_EQ_INT(kv_config_set_data_dir(cfg, dir), KV_OK);
    kv_store *st = NULL;
    CHECK_EQ_INT(kv_store_open(cfg, &st), KV_OK);
    kv_config_free(cfg);
    kv_session *s = NULL;
    CHECK_EQ_INT(kv_session_open(st, &s), KV_OK);
    CHECK_EQ_INT(kv_set(s, "k", 1, "v", 1), KV_OK);
    char file[300];
    snprintf(file, sizeof file, "%s/snapshot.kvs", dir);
    int saved = 0, reads_ok = 1;
    for (int i = 0; i < 100 && !saved; i++) {
        struct stat sb;
        saved = stat(file, &sb) == 0;
        if (!saved) {
            nanosleep(&(struct timespec){0, 50000000}, NULL);
            reads_ok &= kv_get(s, "k", 1, NULL) == KV_OK; /* the rules run on callers' threads */
        }
    }
    CHECK(saved);
    CHECK(reads_ok);
    kv_session_free(s);
    kv_store_close(st);
    kv_store_free(st);
}

typedef struct {
    int calls, done;
    uint64_t keys;
    void *self;
} progress;

static void on_progress(const kv_load_progress *p, void *user_data) {
    progress *pr = user_data;
    pr->calls++;
    pr->self = user_data;
    if (p->done) {
        pr->done++;
        pr->keys += p->keys_loaded;
        CHECK(p->path && strstr(p->path, "progress") != NULL);
        CHECK(p->bytes_read == p->bytes_total);
    }
}

static void test_load_progress(void) {
    const char *dir = path("progress");
    kv_store *st = open_dir(dir, KV_PERSIST_SNAPSHOT);
    write_data(st);
    CHECK_EQ_INT(kv_store_save(st), KV_OK);
    kv_store_close(st);
    kv_store_free(st);

    progress pr = {0, 0, 0, NULL};
    kv_config *cfg = config(dir, KV_PERSIST_SNAPSHOT);
    CHECK_EQ_INT(kv_config_set_load_progress(cfg, on_progress, &pr), KV_OK);
    st = NULL;
    CHECK_EQ_INT(kv_store_open(cfg, &st), KV_OK);
    CHECK(pr.calls >= 1 && pr.done == 1 && pr.self == &pr);
    CHECK_EQ_INT(pr.keys, 6);
    /* Cleared: a second open calls nothing. */
    CHECK_EQ_INT(kv_config_set_load_progress(cfg, NULL, NULL), KV_OK);
    kv_store_close(st);
    kv_store_free(st);
    pr.calls = 0;
    CHECK_EQ_INT(kv_store_open(cfg, &st), KV_OK);
    CHECK_EQ_INT(pr.calls, 0);
    kv_config_free(cfg);
    kv_store_close(st);
    kv_store_free(st);
}

/* The store's error accessor is per thread: a failure on one thread is
 * not seen by another. */
static kv_store *shared;
static void *other_thread(void *arg) {
    int *ok = arg;
    *ok = kv_store_error(shared) == NULL && kv_store_status(shared) == KV_OK;
    *ok &= kv_store_backup(shared, "") == KV_INVALID_ARGUMENT && strcmp(kv_store_error(shared), "dir is empty") == 0;
    return NULL;
}

static void test_error_per_thread(void) {
    CHECK_EQ_INT(kv_store_open(NULL, &shared), KV_OK);
    CHECK_EQ_INT(kv_store_save(shared), KV_ERR);
    int ok = 0;
    pthread_t t;
    CHECK(pthread_create(&t, NULL, other_thread, &ok) == 0);
    pthread_join(t, NULL);
    CHECK(ok);
    /* This thread's message is still its own. */
    CHECK(strcmp(kv_store_error(shared), "no data directory configured (persistence is off)") == 0);
    /* Another store's failure does not show on this one. */
    kv_store *other = NULL;
    CHECK_EQ_INT(kv_store_open(NULL, &other), KV_OK);
    CHECK(kv_store_error(other) == NULL);
    CHECK_EQ_INT(kv_store_bgsave(other), KV_ERR);
    CHECK(strcmp(kv_store_error(shared), "no data directory configured (persistence is off)") == 0);
    kv_store_free(other);
    kv_store_free(shared);
}

int main(void) {
    snprintf(root, sizeof root, "/tmp/kv-ctest-XXXXXX");
    if (!mkdtemp(root)) {
        perror("mkdtemp");
        return 1;
    }
    test_config_setters();
    test_modes();
    test_save_calls();
    test_open_failures();
    test_load_progress();
    test_error_per_thread();
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", root);
    return check_report("c-persist");
}
