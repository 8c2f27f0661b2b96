// Tests of include/kv.hpp: RAII, typed methods, replies, exceptions,
// threads. Run under ASan and valgrind by `make ctest`.
#include "kv.hpp"
#include "kv.hpp"  // twice-includable

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

extern "C" {
#include "check.h"
}

using namespace std::chrono_literals;

template <class E, class F>
static bool throws(F f, const char *text = nullptr) {
    try {
        f();
    } catch (const E &e) {
        return !text || std::string(e.what()) == text;
    } catch (...) {
        return false;
    }
    return false;
}

static void test_basics() {
    kv::Store store(kv::Config().manual_clock(1700000000000ULL).databases(4));
    kv::Session s = store.session();
    CHECK(!s.get("k"));
    s.set("k", std::string_view("v\0w", 3));
    CHECK(s.get("k") == std::string("v\0w", 3));
    CHECK(s.incrby("n", 5) == 5 && s.incr("n") == 6);
    CHECK(s.exists({"k", "n", "x"}) == 2);
    CHECK(s.del({"n"}) == 1);
    s.set("t", "v", 100ms);
    store.advance_clock(101ms);
    CHECK(!s.get("t"));
    s.set("t", "v");
    CHECK(s.expire("t", 10ms) && !s.expire("none", 10ms));

    CHECK(s.hset("h", "f", "1") && !s.hset("h", "f", "2"));
    CHECK(s.hget("h", "f") == "2" && !s.hget("h", "g"));
    CHECK(s.lpush("l", {"a", "b"}) == 2);
    CHECK(s.rpop("l") == "a" && s.rpop("l") == "b" && !s.rpop("l"));
    CHECK(s.zadd("z", "m", 2.5) && !s.zadd("z", "m", 3));
    CHECK(s.zscore("z", "m") == 3.0 && !s.zscore("z", "x"));

    kv::Reply r = s.command("ZRANGE", "z", 0, -1, "WITHSCORES");
    CHECK(r.is_array() && r.size() == 2 && r[0].str() == "m" && r[1].str() == "3");
    CHECK(r.strings() == (std::vector<std::string>{"m", "3"}));
    r = s.command("SET", "f", 0.5);
    CHECK(r.is_status() && r.str() == "OK");
    CHECK(s.get("f") == "0.5");
    r = s.command("GET", "nope");
    CHECK(r.is_nil());
    CHECK(throws<std::out_of_range>([&] { (void)r[0]; }));
    CHECK(store.dbsize() == 5);  // k t h z f
}

static void test_errors() {
    kv::Store store;
    kv::Session s = store.session();
    s.set("str", "x");
    const char *wrongtype = "WRONGTYPE Operation against a key holding the wrong kind of value";
    CHECK(throws<kv::WrongTypeError>([&] { s.hget("str", "f"); }, wrongtype));
    CHECK(throws<kv::WrongTypeError>([&] { s.command("LPUSH", "str", "a"); }, wrongtype));
    CHECK(throws<kv::ReplyError>([&] { s.incr("str"); }, "ERR value is not an integer or out of range"));
    CHECK(throws<kv::ReplyError>([&] { s.command("NOSUCH"); }));
    try {
        s.command("GET");
    } catch (const kv::ReplyError &e) {
        CHECK(e.prefix() == "ERR" && e.status() == KV_ERR);
    }
    CHECK(throws<kv::Error>([&] { store.advance_clock(1ms); }));
    CHECK(throws<kv::Error>([&] { kv::Config().hz(0); }, "hz must be between 1 and 500, got 0"));
    CHECK(throws<kv::Error>([&] { s.exec({}); }, "argc must be at least 1"));
    // Errors inside EXEC stay elements.
    s.command("MULTI");
    s.command("INCR", "str");
    s.command("SET", "a", "1");
    kv::Reply r = s.command("EXEC");
    CHECK(r.size() == 2 && r[0].is_error() && r[1].is_status());
    store.close();
    CHECK(throws<kv::ClosedError>([&] { s.get("a"); }, "ERR store closed"));
    CHECK(throws<kv::ClosedError>([&] { store.session(); }));
}

static void test_threads() {
    kv::Store store;
    std::vector<std::thread> ts;
    for (int t = 0; t < 4; t++) {
        ts.emplace_back([&store] {
            kv::Session s = store.session();
            for (int i = 0; i < 300; i++) s.incr("counter");
        });
    }
    for (auto &t : ts) t.join();
    CHECK(store.session().get("counter") == "1200");
}

static void test_persistence() {
    char root[] = "/tmp/kv-cpptest-XXXXXX";
    if (!mkdtemp(root)) return;
    std::string dir = std::string(root) + "/data";
    for (kv_persistence mode : {KV_PERSIST_SNAPSHOT, KV_PERSIST_LOG, KV_PERSIST_BOTH}) {
        std::string d = dir + std::to_string(static_cast<int>(mode));
        {
            kv::Store store(kv::Config().data_dir(d).persistence(mode).fsync(KV_FSYNC_ALWAYS).save_rules({}));
            store.session().set("k", "v");
            if (mode == KV_PERSIST_SNAPSHOT) store.save();
            store.close();
        }
        std::uint64_t loaded = 0;
        kv::Config cfg;
        cfg.data_dir(d).persistence(mode).on_load_progress([&](const kv_load_progress &p) {
            if (p.done) loaded += p.keys_loaded;
        });
        kv::Store store(cfg);
        CHECK(store.session().get("k") == "v");
        CHECK(mode == KV_PERSIST_SNAPSHOT ? loaded == 1 : loaded >= 1);  // a log counts commands
        CHECK(store.lastsave() > 1600000000LL);
        store.close();
    }
    kv::Store mem;
    CHECK(throws<kv::ReplyError>([&] { mem.save(); }, "no data directory configured (persistence is off)"));
    try {
        mem.backup("/dev/null/x");
        CHECK(false);
    } catch (const kv::Error &e) {
        CHECK(e.status() == KV_IO);
    }
    std::ofstream(dir + "1/snapshot.kvs") << "garbage, not a snapshot";
    try {
        kv::Store bad(kv::Config().data_dir(dir + "1"));
        CHECK(false);
    } catch (const kv::Error &e) {
        CHECK(e.status() == KV_CORRUPT && std::string(e.what()).find("corrupt at byte offset") != std::string::npos);
    }
    std::system((std::string("rm -rf ") + root).c_str());
}

int main() {
    test_basics();
    test_errors();
    test_threads();
    test_persistence();
    return check_report("cpp");
}
