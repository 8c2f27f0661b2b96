/* A leaderboard: scores in a sorted set, the top three read with ZRANGE. */
#include <stdio.h>
#include <string.h>

#include <kv.h>

int main(void) {
    kv_store *store = NULL;
    kv_session *s = NULL;
    if (kv_store_open(NULL, &store) != KV_OK || kv_session_open(store, &s) != KV_OK) return 1;

    const char *players[] = {"ada", "brian", "carol", "dennis"};
    const double scores[] = {310, 120, 275, 198};
    for (int i = 0; i < 4; i++) kv_zadd(s, "board", 5, scores[i], players[i], strlen(players[i]), NULL);
    /* brian scores 200 more points. */
    kv_reply_free(kv_command(s, "ZINCRBY board %d %s", 200, "brian"));

    kv_reply *top = kv_command(s, "ZRANGE board 0 2 REV WITHSCORES");
    if (!top || top->type != KV_REPLY_ARRAY) return 1;
    for (size_t i = 0; i + 1 < top->elements; i += 2)
        printf("%zu. %-8s %s\n", i / 2 + 1, top->element[i]->str, top->element[i + 1]->str);
    int ok = top->elements == 6 && strcmp(top->element[0]->str, "brian") == 0 && strcmp(top->element[1]->str, "320") == 0;
    kv_reply_free(top);

    double score = 0;
    kv_zscore(s, "board", 5, "dennis", 6, &score);
    printf("dennis has %.0f\n", score);
    ok = ok && score == 198;

    kv_session_free(s);
    kv_store_free(store);
    puts(ok ? "leaderboard: ok" : "leaderboard: FAILED");
    return ok ? 0 : 1;
}
