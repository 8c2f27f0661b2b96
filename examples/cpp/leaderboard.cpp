// A leaderboard with kv.hpp: scores in a sorted set, the top three with
// ZRANGE ... REV WITHSCORES.
#include <iostream>
#include <string>

#include <kv.hpp>

int main() {
    kv::Store store;
    kv::Session s = store.session();
    for (auto [name, score] : {std::pair{"ada", 310}, {"brian", 120}, {"carol", 275}, {"dennis", 198}})
        s.zadd("board", name, score);
    s.command("ZINCRBY", "board", 200, "brian");

    kv::Reply top = s.command("ZRANGE", "board", 0, 2, "REV", "WITHSCORES");
    for (std::size_t i = 0; i + 1 < top.size(); i += 2)
        std::cout << i / 2 + 1 << ". " << top[i].str() << " " << top[i + 1].str() << "\n";
    bool ok = top.size() == 6 && top[0].str() == "brian" && top[1].str() == "320" && s.zscore("board", "dennis") == 198.0;
    try {
        s.command("ZADD", "board", "not-a-number", "eve");
    } catch (const kv::ReplyError &e) {
        std::cout << "as expected: " << e.what() << "\n";
    }
    std::cout << (ok ? "leaderboard: ok" : "leaderboard: FAILED") << "\n";
    return ok ? 0 : 1;
}
