// A cache with a time to live, with kv.hpp: an expensive lookup is
// computed once, kept for 200 ms, and computed again once it expired.
#include <chrono>
#include <iostream>
#include <string>
#include <thread>

#include <kv.hpp>

using namespace std::chrono_literals;

int main() {
    kv::Store store;
    kv::Session s = store.session();
    int computed = 0;
    auto square = [&](long n) {
        std::string key = "square:" + std::to_string(n);
        if (auto hit = s.get(key)) return *hit;
        ++computed;  // the expensive part
        std::string v = std::to_string(n * n);
        s.set(key, v, 200ms);
        return v;
    };
    std::cout << "12^2 = " << square(12) << ", " << square(12) << "; computed " << computed << " time(s)\n";
    std::this_thread::sleep_for(250ms);
    std::string v = square(12);
    std::cout << "after the TTL: " << v << ", computed " << computed << " time(s)\n";
    bool ok = computed == 2 && v == "144";
    std::cout << (ok ? "cache: ok" : "cache: FAILED") << "\n";
    return ok ? 0 : 1;
}
