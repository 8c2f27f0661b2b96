#define _POSIX_C_SOURCE 200809L
/* A cache with a time to live: an expensive lookup is computed once, kept
 * for 200 ms, and computed again once it has expired. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <kv.h>

static int computed;

/* The expensive part the cache saves. */
static void slow_square(const char *n, char *out, size_t cap) {
    computed++;
    long v = 0;
    sscanf(n, "%ld", &v);
    snprintf(out, cap, "%ld", v * v);
}

/* Looks `n` up in the cache, computing and storing it on a miss. */
static void cached_square(kv_session *s, const char *n, char *out, size_t cap) {
    char key[64];
    int kl = snprintf(key, sizeof key, "square:%s", n);
    kv_buf hit = {0};
    if (kv_get(s, key, (size_t)kl, &hit) == KV_OK) {
        snprintf(out, cap, "%.*s", (int)hit.len, hit.data);
        kv_buf_free(&hit);
        return;
    }
    slow_square(n, out, cap);
    kv_set_px(s, key, (size_t)kl, out, strlen(out), 200);
}

int main(void) {
    kv_store *store = NULL;
    kv_session *s = NULL;
    if (kv_store_open(NULL, &store) != KV_OK || kv_session_open(store, &s) != KV_OK) return 1;

    char v[32];
    cached_square(s, "12", v, sizeof v);
    cached_square(s, "12", v, sizeof v);
    printf("12^2 = %s, computed %d time(s)\n", v, computed);

    struct timespec wait = {0, 250 * 1000 * 1000};
    nanosleep(&wait, NULL);
    cached_square(s, "12", v, sizeof v);
    printf("after the TTL: 12^2 = %s, computed %d time(s)\n", v, computed);

    kv_reply *ttl = kv_command(s, "PTTL square:%d", 12);
    printf("PTTL square:12 = %lld ms\n", (long long)ttl->integer);
    int ok = computed == 2 && strcmp(v, "144") == 0 && ttl->integer > 0 && ttl->integer <= 200;
    kv_reply_free(ttl);

    kv_session_free(s);
    kv_store_close(store);
    kv_store_free(store);
    puts(ok ? "cache: ok" : "cache: FAILED");
    return ok ? 0 : 1;
}
