/* kv.h compiles cleanly as C99 and C++17 with -Wall -Wextra -Werror, and
 * can be included twice. */
#include "kv.h"
#include "kv.h"

int main(void) {
    kv_status st = KV_OK;
    kv_reply_type t = KV_REPLY_NIL;
    return (int)st + (int)t - 4;
}
