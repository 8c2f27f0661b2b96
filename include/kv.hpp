/*
 * kv.hpp: a header-only C++17 wrapper of kv.h (RAII handles, string_view
 * access to replies, exceptions for errors). Method names follow
 * redis-plus-plus where there is one.
 *
 *   kv::Store store;                       // in memory, Redis defaults
 *   kv::Session s = store.session();       // one per thread
 *   s.set("k", "v");
 *   std::optional<std::string> v = s.get("k");
 *   kv::Reply r = s.command("HGETALL", "h");
 *
 * Build: c++ -std=c++17 app.cpp $(pkg-config --cflags --libs kv)
 */
#ifndef KV_HPP
#define KV_HPP

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "kv.h"

namespace kv {

/** Any failure of a kv call; status() is the C status code. */
class Error : public std::runtime_error {
public:
    Error(kv_status status, const std::string &what) : std::runtime_error(what), status_(status) {}
    kv_status status() const noexcept { return status_; }

private:
    kv_status status_;
};

/** A Redis error reply (`ERR ...`); prefix() is its first word. */
class ReplyError : public Error {
public:
    explicit ReplyError(const std::string &what, kv_status status = KV_ERR) : Error(status, what) {}
    std::string prefix() const { return std::string(what()).substr(0, std::string(what()).find(' ')); }
};

/** `WRONGTYPE Operation against a key holding the wrong kind of value`. */
class WrongTypeError : public ReplyError {
public:
    explicit WrongTypeError(const std::string &what) : ReplyError(what, KV_WRONGTYPE) {}
};

/** The store was closed. */
class ClosedError : public Error {
public:
    explicit ClosedError(const std::string &what) : Error(KV_CLOSED, what) {}
};

namespace detail {
[[noreturn]] inline void raise(kv_status st, const char *message) {
    std::string m = message ? message : kv_status_str(st);
    switch (st) {
    case KV_ERR: throw ReplyError(m);
    case KV_WRONGTYPE: throw WrongTypeError(m);
    case KV_CLOSED: throw ClosedError(m);
    default: throw Error(st, m);
    }
}
}  // namespace detail

/** A read-only view of a reply or one of its elements. */
class ReplyView {
public:
    explicit ReplyView(const kv_reply *r) : r_(r) {}
    kv_reply_type type() const { return r_->type; }
    bool is_nil() const { return r_->type == KV_REPLY_NIL; }
    bool is_error() const { return r_->type == KV_REPLY_ERROR; }
    bool is_string() const { return r_->type == KV_REPLY_STRING; }
    bool is_status() const { return r_->type == KV_REPLY_STATUS; }
    bool is_integer() const { return r_->type == KV_REPLY_INTEGER; }
    bool is_array() const { return r_->type == KV_REPLY_ARRAY || r_->type == KV_REPLY_SET || r_->type == KV_REPLY_MAP; }
    /** The bytes of a string, status, error, double or verbatim reply. */
    std::string_view str() const { return r_->str ? std::string_view(r_->str, r_->len) : std::string_view(); }
    std::int64_t integer() const { return r_->integer; }
    double dval() const { return r_->dval; }
    /** Number of elements (a map counts keys and values). */
    std::size_t size() const { return r_->elements; }
    ReplyView operator[](std::size_t i) const {
        if (i >= r_->elements) throw std::out_of_range("kv::ReplyView: no such element");
        return ReplyView(r_->element[i]);
    }
    /** The elements as strings (for an array of strings). */
    std::vector<std::string> strings() const {
        std::vector<std::string> out;
        for (std::size_t i = 0; i < size(); i++) out.emplace_back((*this)[i].str());
        return out;
    }
    const kv_reply *get() const { return r_; }

private:
    const kv_reply *r_;
};

/** A reply that owns its memory (kv_reply_free() on destruction). */
class Reply : public ReplyView {
public:
    explicit Reply(kv_reply *r) : ReplyView(r), own_(r) {}

private:
    struct Free {
        void operator()(kv_reply *r) const { kv_reply_free(r); }
    };
    std::unique_ptr<kv_reply, Free> own_;
};

/** Store options (kv_config). */
class Config {
public:
    Config() : c_(kv_config_new()) {}
    Config &databases(std::size_t n) { return check(kv_config_set_databases(c_.get(), n)); }
    Config &shard_bits(std::uint32_t bits) { return check(kv_config_set_shard_bits(c_.get(), bits)); }
    Config &expiry_thread(bool on) { return check(kv_config_set_expiry_thread(c_.get(), on)); }
    Config &hz(std::uint32_t hz) { return check(kv_config_set_hz(c_.get(), hz)); }
    /** Time moves only with Store::advance_clock(). */
    Config &manual_clock(std::uint64_t unix_ms) { return check(kv_config_set_manual_clock(c_.get(), unix_ms)); }

    /** Keeps the data in directory `dir` (snapshots with Redis's default
     * save rules unless persistence() / save_rules() say otherwise). */
    Config &data_dir(const std::string &dir) { return check(kv_config_set_data_dir(c_.get(), dir.c_str())); }
    /** KV_PERSIST_OFF, KV_PERSIST_SNAPSHOT, KV_PERSIST_LOG, KV_PERSIST_BOTH. */
    Config &persistence(kv_persistence mode) { return check(kv_config_set_persistence(c_.get(), static_cast<int>(mode))); }
    /** KV_FSYNC_ALWAYS, KV_FSYNC_EVERYSEC (default), KV_FSYNC_NO. */
    Config &fsync(kv_fsync policy) { return check(kv_config_set_fsync(c_.get(), static_cast<int>(policy))); }
    /** Redis's `save <seconds> <changes>` rules: {{3600, 1}, {300, 100}}; {} for none. */
    Config &save_rules(const std::vector<kv_save_rule> &rules) {
        return check(kv_config_set_save_rules(c_.get(), rules.size(), rules.data()));
    }
    /** Log rewrite once it grew by `percentage` % and is at least `min_size` bytes (0 %: never). */
    Config &auto_rewrite(std::uint64_t percentage, std::uint64_t min_size) {
        return check(kv_config_set_auto_rewrite(c_.get(), percentage, min_size));
    }
    /** Called while a Store opened with this config loads its data
     * directory (inside the Store constructor). It must not throw. */
    Config &on_load_progress(std::function<void(const kv_load_progress &)> f) {
        progress_ = std::make_shared<std::function<void(const kv_load_progress &)>>(std::move(f));
        return check(kv_config_set_load_progress(c_.get(), &Config::progress_trampoline, progress_.get()));
    }
    kv_config *get() const { return c_.get(); }

private:
    Config &check(kv_status st) {
        if (st != KV_OK) detail::raise(st, kv_config_error(c_.get()));
        return *this;
    }
    static void progress_trampoline(const kv_load_progress *p, void *user_data) {
        auto &f = *static_cast<std::function<void(const kv_load_progress &)> *>(user_data);
        try {
            f(*p);
        } catch (...) {
            // An exception must not cross into kv; the load goes on.
        }
    }
    struct Free {
        void operator()(kv_config *c) const { kv_config_free(c); }
    };
    std::unique_ptr<kv_config, Free> c_;
    std::shared_ptr<std::function<void(const kv_load_progress &)>> progress_;
};

class Session;

/** An open store. Share it by reference between threads; give each thread
 * its own Session. Closing is explicit (close()); the data lives while
 * any session does. */
class Store {
public:
    explicit Store(const Config &config = Config()) {
        kv_store *s = nullptr;
        kv_status st = kv_store_open(config.get(), &s);
        if (st != KV_OK) detail::raise(st, kv_config_error(config.get()));
        s_.reset(s);
    }
    inline Session session() const;
    void close() { kv_store_close(s_.get()); }
    void advance_clock(std::chrono::milliseconds ms) {
        kv_status st = kv_store_advance_clock(s_.get(), static_cast<std::uint64_t>(ms.count()));
        if (st != KV_OK) detail::raise(st, "the store has no manual clock");
    }
    std::size_t dbsize(std::size_t db = 0) const {
        std::size_t n = 0;
        kv_status st = kv_store_dbsize(s_.get(), db, &n);
        if (st != KV_OK) detail::raise(st, "no such database");
        return n;
    }
    /** SAVE: a snapshot in the data directory, durable on return. */
    void save() { check(kv_store_save(s_.get())); }
    /** BGSAVE: the snapshot is written on a background thread. */
    void bgsave() { check(kv_store_bgsave(s_.get())); }
    /** A consistent copy of the store in `dir`/snapshot.kvs. */
    void backup(const std::string &dir) { check(kv_store_backup(s_.get(), dir.c_str())); }
    /** LASTSAVE: Unix seconds of the last successful save. */
    long long lastsave() const {
        std::uint64_t t = 0;
        check(kv_store_lastsave(s_.get(), &t));
        return static_cast<long long>(t);
    }
    kv_store *get() const { return s_.get(); }

private:
    void check(kv_status st) const {
        if (st != KV_OK) detail::raise(st, kv_store_error(s_.get()));
    }
    struct Free {
        void operator()(kv_store *s) const { kv_store_free(s); }
    };
    std::unique_ptr<kv_store, Free> s_;
};

/** One caller's connection state; use from one thread at a time. */
class Session {
public:
    explicit Session(const Store &store) {
        kv_session *s = nullptr;
        kv_status st = kv_session_open(store.get(), &s);
        if (st != KV_OK) detail::raise(st, nullptr);
        s_.reset(s);
    }

    /** Runs a command; a Redis error reply throws ReplyError (or
     * WrongTypeError). Errors nested in an array (EXEC) stay elements. */
    Reply exec(const std::vector<std::string_view> &args) {
        std::vector<const char *> argv;
        std::vector<std::size_t> lens;
        argv.reserve(args.size());
        lens.reserve(args.size());
        for (auto a : args) {
            argv.push_back(a.data());
            lens.push_back(a.size());
        }
        kv_reply *r = kv_exec(s_.get(), static_cast<int>(args.size()), argv.data(), lens.data());
        if (!r) fail(kv_session_status(s_.get()));
        Reply reply(r);
        if (reply.is_error()) {
            std::string text(reply.str());
            if (text.rfind("WRONGTYPE", 0) == 0) throw WrongTypeError(text);
            throw ReplyError(text);
        }
        return reply;
    }

    /** command("SET", "k", 42): strings, string_views and numbers. */
    template <class... A>
    Reply command(const A &...args) {
        std::vector<std::string> owned;
        owned.reserve(sizeof...(A));
        (owned.push_back(to_arg(args)), ...);
        std::vector<std::string_view> views(owned.begin(), owned.end());
        return exec(views);
    }

    std::optional<std::string> get(std::string_view key) {
        kv_buf b{nullptr, 0};
        if (!ok(kv_get(s_.get(), key.data(), key.size(), &b))) return std::nullopt;
        return take(b);
    }
    void set(std::string_view key, std::string_view value) { ok(kv_set(s_.get(), key.data(), key.size(), value.data(), value.size())); }
    void set(std::string_view key, std::string_view value, std::chrono::milliseconds ttl) {
        ok(kv_set_px(s_.get(), key.data(), key.size(), value.data(), value.size(), static_cast<std::uint64_t>(ttl.count())));
    }
    std::size_t del(std::initializer_list<std::string_view> keys) { return count(kv_del, keys); }
    std::size_t exists(std::initializer_list<std::string_view> keys) { return count(kv_exists, keys); }
    std::int64_t incrby(std::string_view key, std::int64_t delta) {
        std::int64_t v = 0;
        ok(kv_incrby(s_.get(), key.data(), key.size(), delta, &v));
        return v;
    }
    std::int64_t incr(std::string_view key) { return incrby(key, 1); }
    /** True if the key exists (and now has the expiry). */
    bool expire(std::string_view key, std::chrono::milliseconds ttl) {
        return ok(kv_pexpire(s_.get(), key.data(), key.size(), static_cast<std::int64_t>(ttl.count())));
    }
    std::optional<std::string> hget(std::string_view key, std::string_view field) {
        kv_buf b{nullptr, 0};
        if (!ok(kv_hget(s_.get(), key.data(), key.size(), field.data(), field.size(), &b))) return std::nullopt;
        return take(b);
    }
    /** True if the field is new. */
    bool hset(std::string_view key, std::string_view field, std::string_view value) {
        std::size_t added = 0;
        ok(kv_hset(s_.get(), key.data(), key.size(), field.data(), field.size(), value.data(), value.size(), &added));
        return added == 1;
    }
    /** The list's length afterwards. */
    std::size_t lpush(std::string_view key, std::initializer_list<std::string_view> values) {
        std::vector<const char *> p;
        std::vector<std::size_t> l;
        for (auto v : values) p.push_back(v.data()), l.push_back(v.size());
        std::size_t n = 0;
        ok(kv_lpush(s_.get(), key.data(), key.size(), p.size(), p.data(), l.data(), &n));
        return n;
    }
    std::optional<std::string> rpop(std::string_view key) {
        kv_buf b{nullptr, 0};
        if (!ok(kv_rpop(s_.get(), key.data(), key.size(), &b))) return std::nullopt;
        return take(b);
    }
    /** True if the member is new. */
    bool zadd(std::string_view key, std::string_view member, double score) {
        bool added = false;
        ok(kv_zadd(s_.get(), key.data(), key.size(), score, member.data(), member.size(), &added));
        return added;
    }
    std::optional<double> zscore(std::string_view key, std::string_view member) {
        double d = 0;
        if (!ok(kv_zscore(s_.get(), key.data(), key.size(), member.data(), member.size(), &d))) return std::nullopt;
        return d;
    }
    kv_session *get() const { return s_.get(); }

private:
    [[noreturn]] void fail(kv_status st) { detail::raise(st, kv_session_error(s_.get())); }
    /** KV_OK is true, KV_NIL false; anything else throws. */
    bool ok(kv_status st) {
        if (st == KV_OK) return true;
        if (st == KV_NIL) return false;
        fail(st);
    }
    static std::string take(kv_buf &b) {
        std::string s(b.data ? b.data : "", b.len);
        kv_buf_free(&b);
        return s;
    }
    template <class F>
    std::size_t count(F f, std::initializer_list<std::string_view> keys) {
        std::vector<const char *> p;
        std::vector<std::size_t> l;
        for (auto k : keys) p.push_back(k.data()), l.push_back(k.size());
        std::size_t n = 0;
        ok(f(s_.get(), p.size(), p.data(), l.data(), &n));
        return n;
    }
    static std::string to_arg(std::string_view s) { return std::string(s); }
    static std::string to_arg(const char *s) { return std::string(s); }
    template <class N, class = std::enable_if_t<std::is_arithmetic_v<N>>>
    static std::string to_arg(N n) {
        if constexpr (std::is_floating_point_v<N>) {
            char buf[64];
            std::snprintf(buf, sizeof buf, "%.17g", static_cast<double>(n));
            return buf;
        } else {
            return std::to_string(n);
        }
    }

    struct Free {
        void operator()(kv_session *s) const { kv_session_free(s); }
    };
    std::unique_ptr<kv_session, Free> s_;
};

inline Session Store::session() const { return Session(*this); }

}  // namespace kv

#endif
