/*
 * Tests of the C ABI itself: handles, kv_exec and reply shapes, the fast
 * paths, kv_command, error paths (NULL handles and pointers, bad counts,
 * closed store, wrong types, embedded NULs, invalid UTF-8) and threads
 * sharing one store. Built with -Werror and run under AddressSanitizer
 * and valgrind by `make ctest`.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kv.h"
#include "check.h"

#define T0 1700000000000ULL

static kv_store *open_store(void) {
    kv_config *cfg = kv_config_new();
    CHECK_EQ_INT(kv_config_set_manual_clock(cfg, T0), KV_OK);
    kv_store *st = NULL;
    CHECK_EQ_INT(kv_store_open(cfg, &st), KV_OK);
    kv_config_free(cfg);
    return st;
}

static kv_session *open_session(kv_store *st) {
    kv_session *s = NULL;
    CHECK_EQ_INT(kv_session_open(st, &s), KV_OK);
    return s;
}

/* Runs a command given as C strings. */
static kv_reply *cmd(kv_session *s, int argc, const char **argv) { return kv_exec(s, argc, argv, NULL); }
#define CMD(s, ...) cmd((s), (int)(sizeof((const char *[]){__VA_ARGS__}) / sizeof(const char *)), (const char *[]){__VA_ARGS__})

static int is_error(const kv_session *s, kv_status st, const char *text) {
    const char *e = kv_session_error(s);
    return kv_session_status(s) == st && e && strcmp(e, text) == 0;
}

static void test_config(void) {
    kv_config *cfg = kv_config_new();
    CHECK(cfg != NULL);
    CHECK(kv_config_error(cfg) == NULL);
    CHECK_EQ_INT(kv_config_set_databases(cfg, 0), KV_INVALID_ARGUMENT);
    CHECK(strcmp(kv_config_error(cfg), "databases must be between 1 and 65536, got 0") == 0);
    CHECK_EQ_INT(kv_config_set_databases(cfg, 4), KV_OK);
    CHECK_EQ_INT(kv_config_set_shard_bits(cfg, 13), KV_INVALID_ARGUMENT);
    CHECK_EQ_INT(kv_config_set_shard_bits(cfg, 2), KV_OK);
    CHECK_EQ_INT(kv_config_set_hz(cfg, 0), KV_INVALID_ARGUMENT);
    CHECK_EQ_INT(kv_config_set_hz(cfg, 501), KV_INVALID_ARGUMENT);
    CHECK_EQ_INT(kv_config_set_hz(cfg, 100), KV_OK);
    CHECK_EQ_INT(kv_config_set_expiry_thread(cfg, true), KV_OK);
    CHECK_EQ_INT(kv_config_set_databases(NULL, 4), KV_INVALID_ARGUMENT);
    CHECK(kv_config_error(NULL) == NULL);

    kv_store *st = NULL;
    CHECK_EQ_INT(kv_store_open(cfg, NULL), KV_INVALID_ARGUMENT);
    CHECK(strcmp(kv_config_error(cfg), "out is NULL") == 0);
    CHECK_EQ_INT(kv_store_open(cfg, &st), KV_OK);
    kv_config_free(cfg);
    kv_session *s = open_session(st);
    /* 4 databases: SELECT 4 is out of range, as in Redis with databases 4. */
    kv_reply *r = CMD(s, "SELECT", "4");
    CHECK(r && r->type == KV_REPLY_ERROR && strcmp(r->str, "ERR DB index is out of range") == 0);
    kv_reply_free(r);
    r = CMD(s, "SELECT", "3");
    CHECK(r && r->type == KV_REPLY_STATUS);
    kv_reply_free(r);
    size_t db = 0;
    CHECK_EQ_INT(kv_session_db(s, &db), KV_OK);
    CHECK_EQ_INT(db, 3);
    CHECK_EQ_INT(kv_set(s, "k", 1, "v", 1), KV_OK);
    size_t n = 99;
    CHECK_EQ_INT(kv_store_dbsize(st, 3, &n), KV_OK);
    CHECK_EQ_INT(n, 1);
    CHECK_EQ_INT(kv_store_dbsize(st, 4, &n), KV_INVALID_ARGUMENT);
    /* The system clock: no manual clock to advance. */
    CHECK_EQ_INT(kv_store_advance_clock(st, 10), KV_INVALID_ARGUMENT);
    kv_session_free(s);
    kv_store_close(st);
    kv_store_free(st);

    /* NULL config: the defaults (16 databases). */
    CHECK_EQ_INT(kv_store_open(NULL, &st), KV_OK);
    CHECK_EQ_INT(kv_store_dbsize(st, 15, &n), KV_OK);
    CHECK_EQ_INT(kv_store_dbsize(st, 16, &n), KV_INVALID_ARGUMENT);
    kv_store_free(st);
    /* Destructors ignore NULL. */
    kv_config_free(NULL);
    kv_store_free(NULL);
    kv_session_free(NULL);
    kv_reply_free(NULL);
    kv_buf_free(NULL);
}

static void test_exec(void) {
    kv_store *st = open_store();
    kv_session *s = open_session(st);

    kv_reply *r = CMD(s, "set", "k", "v");
    CHECK(r && r->type == KV_REPLY_STATUS && r->len == 2 && strcmp(r->str, "OK") == 0);
    kv_reply_free(r);
    r = CMD(s, "GET", "k");
    CHECK(r && r->type == KV_REPLY_STRING);
    CHECK(r && r->len == 1 && strcmp(r->str, "v") == 0);
    kv_reply_free(r);
    r = CMD(s, "GET", "missing");
    CHECK(r && r->type == KV_REPLY_NIL && r->str == NULL);
    kv_reply_free(r);
    r = CMD(s, "INCR", "k");
    CHECK(r && r->type == KV_REPLY_ERROR && strcmp(r->str, "ERR value is not an integer or out of range") == 0);
    kv_reply_free(r);
    r = CMD(s, "NOSUCH", "a");
    CHECK(r && r->type == KV_REPLY_ERROR &&
          strcmp(r->str, "ERR unknown command 'NOSUCH', with args beginning with: 'a' ") == 0);
    kv_reply_free(r);
    r = CMD(s, "GET");
    CHECK(r && r->type == KV_REPLY_ERROR && strcmp(r->str, "ERR wrong number of arguments for 'get' command") == 0);
    kv_reply_free(r);

    /* Embedded NULs and invalid UTF-8 in keys and values, with lengths. */
    const char *argv[] = {"SET", "a\0b", "\xff\xfe\0\x80"};
    size_t lens[] = {3, 3, 4};
    r = kv_exec(s, 3, argv, lens);
    CHECK(r && r->type == KV_REPLY_STATUS);
    kv_reply_free(r);
    const char *get[] = {"GET", "a\0b"};
    size_t glens[] = {3, 3};
    r = kv_exec(s, 2, get, glens);
    CHECK(r && r->type == KV_REPLY_STRING && r->len == 4 && memcmp(r->str, "\xff\xfe\0\x80", 4) == 0 && r->str[4] == 0);
    kv_reply_free(r);
    r = CMD(s, "EXISTS", "a"); /* "a" is not "a\0b" */
    CHECK(r && r->type == KV_REPLY_INTEGER && r->integer == 0);
    kv_reply_free(r);

    /* Bad calls: NULL, not a reply; the session says why. */
    CHECK(kv_exec(NULL, 1, argv, NULL) == NULL);
    CHECK(kv_exec(s, 0, argv, NULL) == NULL);
    CHECK(is_error(s, KV_INVALID_ARGUMENT, "argc must be at least 1"));
    CHECK(kv_exec(s, -1, argv, NULL) == NULL);
    CHECK(kv_exec(s, 2147483647, NULL, NULL) == NULL);
    CHECK(is_error(s, KV_INVALID_ARGUMENT, "argv is NULL with a nonzero count"));
    const char *withnull[] = {"GET", NULL};
    CHECK(kv_exec(s, 2, withnull, NULL) == NULL);
    CHECK(is_error(s, KV_INVALID_ARGUMENT, "argv[1] is NULL"));
    size_t badlens[] = {3, 5};
    CHECK(kv_exec(s, 2, withnull, badlens) == NULL);
    CHECK(is_error(s, KV_INVALID_ARGUMENT, "argv is NULL with a nonzero length"));
    size_t zerolens[] = {3, 0};
    r = kv_exec(s, 2, withnull, zerolens); /* NULL with length 0 is the empty key */
    CHECK(r && r->type == KV_REPLY_NIL);
    kv_reply_free(r);
    /* A huge argc after a NULL argv never reads memory. */
    CHECK(kv_exec(s, 2147483647, NULL, lens) == NULL);

    /* Reply shapes: RESP2 by default, as hiredis shows them. */
    kv_reply_free(CMD(s, "HSET", "h", "f", "v"));
    kv_reply_free(CMD(s, "ZADD", "z", "1.5", "m"));
    r = CMD(s, "HGETALL", "h");
    CHECK(r && r->type == KV_REPLY_ARRAY && r->elements == 2);
    CHECK(r && r->element[0]->type == KV_REPLY_STRING && strcmp(r->element[1]->str, "v") == 0);
    kv_reply_free(r);
    r = CMD(s, "ZSCORE", "z", "m");
    CHECK(r && r->type == KV_REPLY_STRING && strcmp(r->str, "1.5") == 0);
    kv_reply_free(r);
    r = CMD(s, "HELLO", "3");
    CHECK(r && r->type == KV_REPLY_MAP && r->elements % 2 == 0);
    kv_reply_free(r);
    r = CMD(s, "HGETALL", "h");
    CHECK(r && r->type == KV_REPLY_MAP && r->elements == 2);
    kv_reply_free(r);
    r = CMD(s, "ZSCORE", "z", "m");
    CHECK(r && r->type == KV_REPLY_DOUBLE && r->dval == 1.5 && strcmp(r->str, "1.5") == 0);
    kv_reply_free(r);
    r = CMD(s, "HELLO", "2");
    kv_reply_free(r);
    CHECK_EQ_INT(kv_session_set_resp3_replies(s, true), KV_OK);
    r = CMD(s, "ZSCORE", "z", "m");
    CHECK(r && r->type == KV_REPLY_DOUBLE);
    kv_reply_free(r);
    kv_reply_free(CMD(s, "SADD", "set", "x"));
    r = CMD(s, "SMEMBERS", "set");
    CHECK(r && r->type == KV_REPLY_SET && r->elements == 1 && strcmp(r->element[0]->str, "x") == 0);
    kv_reply_free(r);
    r = CMD(s, "SISMEMBER", "set", "x"); /* an integer in RESP3 too */
    CHECK(r && r->type == KV_REPLY_INTEGER && r->integer == 1);
    kv_reply_free(r);
    CHECK_EQ_INT(kv_session_set_resp3_replies(s, false), KV_OK);
    r = CMD(s, "SMEMBERS", "set");
    CHECK(r && r->type == KV_REPLY_ARRAY);
    kv_reply_free(r);
    /* Nested arrays and the empty array. */
    r = CMD(s, "MULTI");
    kv_reply_free(r);
    kv_reply_free(CMD(s, "LRANGE", "nolist", "0", "-1"));
    kv_reply_free(CMD(s, "GET", "k"));
    r = CMD(s, "EXEC");
    CHECK(r && r->type == KV_REPLY_ARRAY && r->elements == 2);
    CHECK(r && r->element[0]->type == KV_REPLY_ARRAY && r->element[0]->elements == 0 && r->element[0]->element == NULL);
    CHECK(r && r->element[1]->type == KV_REPLY_STRING && strcmp(r->element[1]->str, "v") == 0);
    kv_reply_free(r);

    kv_session_free(s);
    kv_store_free(st);
}

static void test_fast_strings(void) {
    kv_store *st = open_store();
    kv_session *s = open_session(st);
    kv_buf b = {0};

    CHECK_EQ_INT(kv_get(s, "k", 1, &b), KV_NIL);
    CHECK(b.data == NULL && b.len == 0);
    CHECK_EQ_INT(kv_set(s, "k", 1, "hello", 5), KV_OK);
    CHECK_EQ_INT(kv_get(s, "k", 1, &b), KV_OK);
    CHECK_STR(b.data, b.len, "hello");
    kv_buf_free(&b);
    CHECK(b.data == NULL && b.len == 0);
    kv_buf_free(&b); /* twice is harmless */
    CHECK_EQ_INT(kv_get(s, "k", 1, NULL), KV_OK);
    /* Empty key and value; NULL with length 0. */
    CHECK_EQ_INT(kv_set(s, NULL, 0, NULL, 0), KV_OK);
    CHECK_EQ_INT(kv_get(s, "", 0, &b), KV_OK);
    CHECK(b.len == 0 && b.data == NULL);
    /* Binary keys and values. */
    CHECK_EQ_INT(kv_set(s, "\0\xff", 2, "\x80\0", 2), KV_OK);
    CHECK_EQ_INT(kv_get(s, "\0\xff", 2, &b), KV_OK);
    CHECK(b.len == 2 && memcmp(b.data, "\x80\0", 2) == 0);
    kv_buf_free(&b);

    /* Wrong type. */
    kv_reply_free(CMD(s, "LPUSH", "list", "a"));
    CHECK_EQ_INT(kv_get(s, "list", 4, &b), KV_WRONGTYPE);
    CHECK(is_error(s, KV_WRONGTYPE, "WRONGTYPE Operation against a key holding the wrong kind of value"));
    CHECK_EQ_INT(kv_incrby(s, "list", 4, 1, NULL), KV_WRONGTYPE);

    /* INCRBY. */
    int64_t v = 0;
    CHECK_EQ_INT(kv_incrby(s, "n", 1, 5, &v), KV_OK);
    CHECK_EQ_INT(v, 5);
    CHECK_EQ_INT(kv_incrby(s, "n", 1, -7, &v), KV_OK);
    CHECK_EQ_INT(v, -2);
    CHECK_EQ_INT(kv_incrby(s, "k", 1, 1, &v), KV_ERR);
    CHECK(is_error(s, KV_ERR, "ERR value is not an integer or out of range"));
    CHECK_EQ_INT(kv_set(s, "big", 3, "9223372036854775807", 19), KV_OK);
    CHECK_EQ_INT(kv_incrby(s, "big", 3, 1, &v), KV_ERR);
    CHECK(is_error(s, KV_ERR, "ERR increment or decrement would overflow"));

    /* DEL / EXISTS, with and without lengths. */
    const char *keys[] = {"k", "n", "nope", "k"};
    size_t count = 0;
    CHECK_EQ_INT(kv_exists(s, 4, keys, NULL, &count), KV_OK);
    CHECK_EQ_INT(count, 3);
    size_t klens[] = {1, 1};
    CHECK_EQ_INT(kv_del(s, 2, keys, klens, &count), KV_OK);
    CHECK_EQ_INT(count, 2);
    CHECK_EQ_INT(kv_exists(s, 4, keys, NULL, &count), KV_OK);
    CHECK_EQ_INT(count, 0);
    CHECK_EQ_INT(kv_del(s, 0, NULL, NULL, &count), KV_OK);
    CHECK_EQ_INT(count, 0);
    CHECK_EQ_INT(kv_del(s, 2, NULL, NULL, &count), KV_INVALID_ARGUMENT);

    /* Expiry on the manual clock. */
    CHECK_EQ_INT(kv_set_px(s, "t", 1, "v", 1, 1000), KV_OK);
    CHECK_EQ_INT(kv_store_advance_clock(st, 999), KV_OK);
    CHECK_EQ_INT(kv_get(s, "t", 1, NULL), KV_OK);
    CHECK_EQ_INT(kv_store_advance_clock(st, 1), KV_OK);
    CHECK_EQ_INT(kv_get(s, "t", 1, NULL), KV_OK); /* due, not past: Redis expires after */
    CHECK_EQ_INT(kv_store_advance_clock(st, 1), KV_OK);
    CHECK_EQ_INT(kv_get(s, "t", 1, NULL), KV_NIL);
    CHECK_EQ_INT(kv_set_px(s, "t", 1, "v", 1, 0), KV_ERR);
    CHECK(is_error(s, KV_ERR, "ERR invalid expire time in 'set' command"));
    CHECK_EQ_INT(kv_set_px(s, "t", 1, "v", 1, UINT64_MAX), KV_ERR);
    CHECK_EQ_INT(kv_set(s, "t", 1, "v", 1), KV_OK);
    CHECK_EQ_INT(kv_expire(s, "t", 1, 2), KV_OK);
    CHECK_EQ_INT(kv_expire(s, "none", 4, 2), KV_NIL);
    CHECK_EQ_INT(kv_expire(s, "t", 1, INT64_MAX), KV_ERR);
    CHECK(is_error(s, KV_ERR, "ERR invalid expire time in 'expire' command"));
    kv_reply *r = CMD(s, "PTTL", "t");
    CHECK(r && r->integer == 2000);
    kv_reply_free(r);
    CHECK_EQ_INT(kv_pexpire(s, "t", 1, 500), KV_OK);
    CHECK_EQ_INT(kv_store_advance_clock(st, 501), KV_OK);
    CHECK_EQ_INT(kv_get(s, "t", 1, NULL), KV_NIL);
    CHECK_EQ_INT(kv_set(s, "t", 1, "v", 1), KV_OK);
    CHECK_EQ_INT(kv_pexpire(s, "t", 1, -1), KV_OK); /* a past deadline deletes */
    CHECK_EQ_INT(kv_get(s, "t", 1, NULL), KV_NIL);
    CHECK_EQ_INT(kv_pexpire(s, "t", 1, 10), KV_NIL);
    /* The deadline is checked before the key, as in Redis. */
    CHECK_EQ_INT(kv_pexpire(s, "t", 1, INT64_MAX), KV_ERR);
    CHECK(is_error(s, KV_ERR, "ERR invalid expire time in 'pexpire' command"));

    /* NULL pointers. */
    CHECK_EQ_INT(kv_get(NULL, "k", 1, &b), KV_INVALID_ARGUMENT);
    CHECK_EQ_INT(kv_set(NULL, "k", 1, "v", 1), KV_INVALID_ARGUMENT);
    CHECK_EQ_INT(kv_get(s, NULL, 1, &b), KV_INVALID_ARGUMENT);
    CHECK(is_error(s, KV_INVALID_ARGUMENT, "key is NULL with a nonzero length"));
    CHECK_EQ_INT(kv_set(s, "k", 1, NULL, 3), KV_INVALID_ARGUMENT);
    CHECK(is_error(s, KV_INVALID_ARGUMENT, "value is NULL with a nonzero length"));
    CHECK_EQ_INT(kv_get(s, "k", SIZE_MAX, &b), KV_INVALID_ARGUMENT);
    CHECK(strcmp(kv_status_str(KV_WRONGTYPE), "KV_WRONGTYPE") == 0);
    CHECK(strcmp(kv_status_str(99), "KV_UNKNOWN") == 0);
    CHECK(strcmp(kv_status_str(-1), "KV_UNKNOWN") == 0);
    CHECK_EQ_INT(kv_session_status(NULL), KV_INVALID_ARGUMENT);
    CHECK(kv_session_error(NULL) == NULL);

    kv_session_free(s);
    kv_store_free(st);
}

static void test_get_into(void) {
    kv_store *st = open_store();
    kv_session *s = open_session(st);
    char buf[8];
    size_t n = 99;
    CHECK_EQ_INT(kv_get_into(s, "k", 1, buf, sizeof buf, &n), KV_NIL);
    CHECK_EQ_INT(n, 99);
    CHECK_EQ_INT(kv_set(s, "k", 1, "v\0x", 3), KV_OK);
    memset(buf, '#', sizeof buf);
    CHECK_EQ_INT(kv_get_into(s, "k", 1, buf, sizeof buf, &n), KV_OK);
    CHECK(n == 3 && memcmp(buf, "v\0x#", 4) == 0);
    /* Too small: the length, nothing copied; then again with room. */
    CHECK_EQ_INT(kv_set(s, "big", 3, "0123456789", 10), KV_OK);
    memset(buf, '#', sizeof buf);
    CHECK_EQ_INT(kv_get_into(s, "big", 3, buf, sizeof buf, &n), KV_OK);
    CHECK(n == 10 && buf[0] == '#');
    char big[10];
    CHECK_EQ_INT(kv_get_into(s, "big", 3, big, n, &n), KV_OK);
    CHECK_STR(big, n, "0123456789");
    /* Just the length; an empty value; exact fit. */
    CHECK_EQ_INT(kv_get_into(s, "big", 3, NULL, 0, &n), KV_OK);
    CHECK_EQ_INT(n, 10);
    CHECK_EQ_INT(kv_set(s, "e", 1, NULL, 0), KV_OK);
    CHECK_EQ_INT(kv_get_into(s, "e", 1, buf, sizeof buf, &n), KV_OK);
    CHECK_EQ_INT(n, 0);
    CHECK_EQ_INT(kv_set(s, "eight", 5, "12345678", 8), KV_OK);
    CHECK_EQ_INT(kv_get_into(s, "eight", 5, buf, sizeof buf, &n), KV_OK);
    CHECK(n == 8 && memcmp(buf, "12345678", 8) == 0);
    CHECK_EQ_INT(kv_get_into(s, "eight", 5, buf, sizeof buf, NULL), KV_OK);
    /* An integer-encoded value reads as its text. */
    CHECK_EQ_INT(kv_incrby(s, "n", 1, -42, NULL), KV_OK);
    CHECK_EQ_INT(kv_get_into(s, "n", 1, buf, sizeof buf, &n), KV_OK);
    CHECK_STR(buf, n, "-42");
    /* Errors. */
    CHECK_EQ_INT(kv_hset(s, "h", 1, "f", 1, "v", 1, NULL), KV_OK);
    CHECK_EQ_INT(kv_get_into(s, "h", 1, buf, sizeof buf, &n), KV_WRONGTYPE);
    CHECK(is_error(s, KV_WRONGTYPE, "WRONGTYPE Operation against a key holding the wrong kind of value"));
    CHECK_EQ_INT(kv_get_into(s, "k", 1, NULL, 4, &n), KV_INVALID_ARGUMENT);
    CHECK(is_error(s, KV_INVALID_ARGUMENT, "buf is NULL with a nonzero capacity"));
    CHECK_EQ_INT(kv_get_into(NULL, "k", 1, buf, sizeof buf, &n), KV_INVALID_ARGUMENT);
    kv_store_close(st);
    CHECK_EQ_INT(kv_get_into(s, "k", 1, buf, sizeof buf, &n), KV_CLOSED);
    kv_session_free(s);
    kv_store_free(st);
}

static void test_fast_collections(void) {
    kv_store *st = open_store();
    kv_session *s = open_session(st);
    kv_buf b = {0};
    size_t n = 0;
    bool added = false;
    double score = 0;

    CHECK_EQ_INT(kv_hget(s, "h", 1, "f", 1, &b), KV_NIL);
    CHECK_EQ_INT(kv_hset(s, "h", 1, "f", 1, "v1", 2, &n), KV_OK);
    CHECK_EQ_INT(n, 1);
    CHECK_EQ_INT(kv_hset(s, "h", 1, "f", 1, "v2", 2, &n), KV_OK);
    CHECK_EQ_INT(n, 0);
    CHECK_EQ_INT(kv_hget(s, "h", 1, "f", 1, &b), KV_OK);
    CHECK_STR(b.data, b.len, "v2");
    kv_buf_free(&b);
    CHECK_EQ_INT(kv_hget(s, "h", 1, "g", 1, &b), KV_NIL);

    const char *vals[] = {"a", "b\0c"};
    size_t vlens[] = {1, 3};
    CHECK_EQ_INT(kv_lpush(s, "l", 1, 2, vals, vlens, &n), KV_OK);
    CHECK_EQ_INT(n, 2);
    CHECK_EQ_INT(kv_lpush(s, "l", 1, 0, vals, vlens, &n), KV_INVALID_ARGUMENT);
    CHECK_EQ_INT(kv_rpop(s, "l", 1, &b), KV_OK);
    CHECK_STR(b.data, b.len, "a");
    kv_buf_free(&b);
    CHECK_EQ_INT(kv_rpop(s, "l", 1, &b), KV_OK);
    CHECK(b.len == 3 && memcmp(b.data, "b\0c", 3) == 0);
    kv_buf_free(&b);
    CHECK_EQ_INT(kv_rpop(s, "l", 1, &b), KV_NIL);

    CHECK_EQ_INT(kv_zadd(s, "z", 1, 2.5, "m", 1, &added), KV_OK);
    CHECK(added);
    CHECK_EQ_INT(kv_zadd(s, "z", 1, 0.1, "m", 1, &added), KV_OK);
    CHECK(!added);
    CHECK_EQ_INT(kv_zscore(s, "z", 1, "m", 1, &score), KV_OK);
    CHECK(score == 0.1);
    CHECK_EQ_INT(kv_zadd(s, "z", 1, -1.0 / 0.0, "n", 1, &added), KV_OK);
    CHECK_EQ_INT(kv_zscore(s, "z", 1, "n", 1, &score), KV_OK);
    CHECK(score < -1e308);
    CHECK_EQ_INT(kv_zadd(s, "z", 1, 0.0 / 0.0, "n", 1, &added), KV_ERR);
    CHECK(is_error(s, KV_ERR, "ERR value is not a valid float"));
    CHECK_EQ_INT(kv_zscore(s, "z", 1, "x", 1, &score), KV_NIL);
    CHECK_EQ_INT(kv_zscore(s, "nozset", 6, "x", 1, &score), KV_NIL);

    /* Missing keys: NIL for reads, nothing written through the out-pointers. */
    b.data = NULL;
    b.len = 7;
    CHECK_EQ_INT(kv_hget(s, "nohash", 6, "f", 1, &b), KV_NIL);
    CHECK_EQ_INT(kv_rpop(s, "nolist", 6, &b), KV_NIL);
    CHECK(b.data == NULL && b.len == 7);
    score = 42;
    CHECK_EQ_INT(kv_zscore(s, "nozset", 6, "m", 1, &score), KV_NIL);
    CHECK(score == 42);
    b.len = 0;
    /* Writes to missing keys create them; the list drained by RPOP is gone. */
    CHECK_EQ_INT(kv_hset(s, "h2", 2, "f", 1, "", 0, &n), KV_OK);
    CHECK_EQ_INT(n, 1);
    CHECK_EQ_INT(kv_hget(s, "h2", 2, "f", 1, &b), KV_OK);
    CHECK(b.len == 0 && b.data == NULL);
    kv_buf_free(&b);
    CHECK_EQ_INT(kv_lpush(s, "l2", 2, 2, vals, NULL, &n), KV_OK); /* C strings: "b\0c" is "b" */
    CHECK_EQ_INT(n, 2);
    CHECK_EQ_INT(kv_rpop(s, "l2", 2, &b), KV_OK);
    CHECK_STR(b.data, b.len, "a");
    kv_buf_free(&b);
    CHECK_EQ_INT(kv_rpop(s, "l2", 2, &b), KV_OK);
    CHECK_STR(b.data, b.len, "b");
    kv_buf_free(&b);
    size_t exists = 9;
    const char *l2[] = {"l2"};
    CHECK_EQ_INT(kv_exists(s, 1, l2, NULL, &exists), KV_OK);
    CHECK_EQ_INT(exists, 0);
    CHECK_EQ_INT(kv_zadd(s, "z2", 2, 1.0 / 0.0, "m", 1, NULL), KV_OK);
    CHECK_EQ_INT(kv_zscore(s, "z2", 2, "m", 1, &score), KV_OK);
    CHECK(score > 1e308);
    /* The fast paths and kv_exec see the same data. */
    kv_reply *r = CMD(s, "ZSCORE", "z2", "m");
    CHECK(r && r->type == KV_REPLY_STRING && strcmp(r->str, "inf") == 0);
    kv_reply_free(r);

    /* Wrong types all round, each with Redis's text. */
    const char *wrongtype = "WRONGTYPE Operation against a key holding the wrong kind of value";
    CHECK_EQ_INT(kv_set(s, "str", 3, "v", 1), KV_OK);
    CHECK_EQ_INT(kv_hget(s, "str", 3, "f", 1, &b), KV_WRONGTYPE);
    CHECK(is_error(s, KV_WRONGTYPE, wrongtype));
    CHECK_EQ_INT(kv_hset(s, "str", 3, "f", 1, "v", 1, &n), KV_WRONGTYPE);
    CHECK(is_error(s, KV_WRONGTYPE, wrongtype));
    CHECK_EQ_INT(kv_lpush(s, "str", 3, 1, vals, NULL, &n), KV_WRONGTYPE);
    CHECK(is_error(s, KV_WRONGTYPE, wrongtype));
    CHECK_EQ_INT(kv_rpop(s, "str", 3, &b), KV_WRONGTYPE);
    CHECK(is_error(s, KV_WRONGTYPE, wrongtype));
    CHECK_EQ_INT(kv_zadd(s, "str", 3, 1, "m", 1, &added), KV_WRONGTYPE);
    CHECK(is_error(s, KV_WRONGTYPE, wrongtype));
    CHECK_EQ_INT(kv_zscore(s, "str", 3, "m", 1, &score), KV_WRONGTYPE);
    CHECK(is_error(s, KV_WRONGTYPE, wrongtype));
    /* A hash is the wrong type for the list and sorted-set calls, and so on. */
    CHECK_EQ_INT(kv_rpop(s, "h", 1, &b), KV_WRONGTYPE);
    CHECK_EQ_INT(kv_zscore(s, "h", 1, "f", 1, &score), KV_WRONGTYPE);
    CHECK_EQ_INT(kv_hget(s, "z", 1, "m", 1, &b), KV_WRONGTYPE);
    CHECK_EQ_INT(kv_lpush(s, "z", 1, 1, vals, NULL, &n), KV_WRONGTYPE);
    CHECK_EQ_INT(kv_zadd(s, "h", 1, 1, "m", 1, &added), KV_WRONGTYPE);
    CHECK_EQ_INT(kv_hset(s, "z", 1, "f", 1, "v", 1, &n), KV_WRONGTYPE);
    /* The NaN check comes before the type check, as in Redis. */
    CHECK_EQ_INT(kv_zadd(s, "str", 3, 0.0 / 0.0, "m", 1, &added), KV_ERR);
    CHECK(is_error(s, KV_ERR, "ERR value is not a valid float"));
    CHECK_EQ_INT(kv_hget(NULL, "h", 1, "f", 1, &b), KV_INVALID_ARGUMENT);
    CHECK_EQ_INT(kv_hget(s, "h", 1, NULL, 1, &b), KV_INVALID_ARGUMENT);

    kv_session_free(s);
    kv_store_free(st);
}

static void test_command(void) {
    kv_store *st = open_store();
    kv_session *s = open_session(st);

    kv_reply *r = kv_command(s, "SET %s %b", "key with spaces", "v\0x", (size_t)3);
    CHECK(r && r->type == KV_REPLY_STATUS);
    kv_reply_free(r);
    kv_buf b = {0};
    CHECK_EQ_INT(kv_get(s, "key with spaces", 15, &b), KV_OK);
    CHECK(b.len == 3 && memcmp(b.data, "v\0x", 3) == 0);
    kv_buf_free(&b);
    r = kv_command(s, "SET n%d %lld", 7, (long long)-9000000000LL);
    kv_reply_free(r);
    r = kv_command(s, "GET n7");
    CHECK(r && r->type == KV_REPLY_STRING && strcmp(r->str, "-9000000000") == 0);
    kv_reply_free(r);
    r = kv_command(s, "SET  pct  100%%  ");
    kv_reply_free(r);
    r = kv_command(s, "GET pct");
    CHECK(r && strcmp(r->str, "100%") == 0);
    kv_reply_free(r);
    r = kv_command(s, "ZADD z %.2f %s%zu", 1.239, "m", (size_t)12);
    CHECK(r && r->type == KV_REPLY_INTEGER && r->integer == 1);
    kv_reply_free(r);
    r = kv_command(s, "ZSCORE z m12");
    CHECK(r && strcmp(r->str, "1.24") == 0);
    kv_reply_free(r);
    r = kv_command(s, "SET e %s", ""); /* an empty interpolation is an argument */
    CHECK(r && r->type == KV_REPLY_STATUS);
    kv_reply_free(r);
    r = kv_command(s, "SET x%05ux %x", 42u, 255u);
    kv_reply_free(r);
    r = kv_command(s, "GET x00042x");
    CHECK(r && strcmp(r->str, "ff") == 0);
    kv_reply_free(r);
    /* Format errors. */
    CHECK(kv_command(s, "GET %q") == NULL);
    CHECK(is_error(s, KV_INVALID_ARGUMENT, "unsupported conversion in the format"));
    CHECK(kv_command(s, "   ") == NULL);
    CHECK(is_error(s, KV_INVALID_ARGUMENT, "the format holds no command"));
    CHECK(kv_command(s, "GET %s", (const char *)NULL) == NULL);
    CHECK(kv_command(s, NULL) == NULL);
    CHECK(kv_command(NULL, "PING") == NULL);
    r = kv_command(s, "PING");
    CHECK(r && r->type == KV_REPLY_STATUS && strcmp(r->str, "PONG") == 0);
    kv_reply_free(r);

    kv_session_free(s);
    kv_store_free(st);
}

/* ------------------------------------------------------------ closing */

static void *blpop_thread(void *arg) {
    kv_session *s = arg;
    return CMD(s, "BLPOP", "q", "0");
}

static void test_closed(void) {
    kv_store *st = open_store();
    kv_session *s = open_session(st);
    kv_session *blocked = open_session(st);
    pthread_t t;
    pthread_create(&t, NULL, blpop_thread, blocked);
    /* Wait until the BLPOP is parked (CLIENT LIST is not needed: INFO's
     * blocked_clients is cheaper to read through a reply). */
    for (int i = 0; i < 2000; i++) {
        kv_reply *r = CMD(s, "INFO", "clients");
        int parked = r && r->str && strstr(r->str, "blocked_clients:1") != NULL;
        kv_reply_free(r);
        if (parked) break;
        struct timespec ms = {0, 1000000};
        nanosleep(&ms, NULL);
    }
    CHECK_EQ_INT(kv_store_close(st), KV_OK);
    void *res = NULL;
    pthread_join(t, &res);
    kv_reply *r = res;
    CHECK(r && r->type == KV_REPLY_ERROR && strcmp(r->str, "ERR store closed") == 0);
    kv_reply_free(r);

    CHECK_EQ_INT(kv_set(s, "k", 1, "v", 1), KV_CLOSED);
    CHECK(is_error(s, KV_CLOSED, "ERR store closed"));
    CHECK_EQ_INT(kv_get(s, "k", 1, NULL), KV_CLOSED);
    CHECK(CMD(s, "PING") == NULL);
    CHECK_EQ_INT(kv_session_status(s), KV_CLOSED);
    kv_session *late = NULL;
    CHECK_EQ_INT(kv_session_open(st, &late), KV_CLOSED);
    CHECK(late == NULL);
    CHECK_EQ_INT(kv_store_close(st), KV_OK); /* twice is harmless */
    CHECK_EQ_INT(kv_store_close(NULL), KV_INVALID_ARGUMENT);
    CHECK_EQ_INT(kv_session_open(NULL, &late), KV_INVALID_ARGUMENT);
    kv_session_free(blocked);
    kv_session_free(s);
    kv_store_free(st);
}

/* ------------------------------------------------------------ threads */

#define THREADS 4
#define ROUNDS 500

typedef struct {
    kv_store *st;
    int id;
    int errors;
} worker;

static void *work(void *arg) {
    worker *w = arg;
    kv_session *s = NULL;
    if (kv_session_open(w->st, &s) != KV_OK) {
        w->errors++;
        return NULL;
    }
    char key[32], val[32];
    for (int i = 0; i < ROUNDS; i++) {
        int kl = snprintf(key, sizeof key, "t%d:%d", w->id, i);
        int vl = snprintf(val, sizeof val, "%d", i * w->id);
        if (kv_set(s, key, (size_t)kl, val, (size_t)vl) != KV_OK) w->errors++;
        if (kv_incrby(s, "shared", 6, 1, NULL) != KV_OK) w->errors++;
        kv_buf b = {0};
        if (kv_get(s, key, (size_t)kl, &b) != KV_OK || b.len != (size_t)vl || memcmp(b.data, val, b.len)) w->errors++;
        kv_buf_free(&b);
        kv_reply *r = kv_command(s, "LPUSH list%d %d", i % 3, i);
        if (!r || r->type != KV_REPLY_INTEGER) w->errors++;
        kv_reply_free(r);
    }
    kv_session_free(s);
    return NULL;
}

static void test_threads(void) {
    kv_store *st = open_store();
    pthread_t t[THREADS];
    worker w[THREADS];
    for (int i = 0; i < THREADS; i++) {
        w[i] = (worker){st, i + 1, 0};
        pthread_create(&t[i], NULL, work, &w[i]);
    }
    int errors = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        errors += w[i].errors;
    }
    CHECK_EQ_INT(errors, 0);
    kv_session *s = open_session(st);
    int64_t v = 0;
    CHECK_EQ_INT(kv_incrby(s, "shared", 6, 0, &v), KV_OK);
    CHECK_EQ_INT(v, THREADS * ROUNDS);
    size_t n = 0;
    CHECK_EQ_INT(kv_store_dbsize(st, 0, &n), KV_OK);
    CHECK_EQ_INT(n, THREADS * ROUNDS + 1 + 3);
    kv_reply *r = kv_command(s, "LLEN list0");
    CHECK(r && r->integer == THREADS * ((ROUNDS + 2) / 3));
    kv_reply_free(r);
    kv_session_free(s);
    kv_store_free(st);
}

int main(void) {
    test_config();
    test_exec();
    test_fast_strings();
    test_get_into();
    test_fast_collections();
    test_command();
    test_closed();
    test_threads();
    return check_report("c-api");
}
