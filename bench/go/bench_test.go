// Get/Set through the Go binding against a Go map behind a sync.RWMutex
// (the floor), go-redis talking to a redis-server this benchmark starts
// on a free loopback port, and go-redis talking to miniredis. One
// goroutine, 10000 keys of 16 bytes, 32-byte values, as the C benchmark.
// Run with `make gobench` (release libkv), which writes bench/results/go.md.
package bench

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"

	kv "example.invalid/kv/bindings/go"
	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

const nkeys = 10000

var (
	ctx   = context.Background()
	keys  = make([]string, nkeys)
	value = "v-0123456789abcdef0123456789abcd" // 32 bytes
	// Endpoints started by TestMain.
	redisAddr, miniAddr string
)

func init() {
	for i := range keys {
		keys[i] = fmt.Sprintf("key:%012d", i) // 16 bytes
	}
}

func TestMain(m *testing.M) {
	port, err := freePort()
	if err != nil {
		panic(err)
	}
	srv := exec.Command("redis-server", "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no")
	if err := srv.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "redis-server:", err)
		os.Exit(1)
	}
	redisAddr = fmt.Sprintf("127.0.0.1:%d", port)
	waitFor(redisAddr)
	mini := miniredis.NewMiniRedis()
	if err := mini.Start(); err != nil {
		panic(err)
	}
	miniAddr = mini.Addr()
	code := m.Run()
	mini.Close()
	_ = srv.Process.Kill()
	_ = srv.Wait()
	os.Exit(code)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func waitFor(addr string) {
	for i := 0; i < 500; i++ {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	panic("redis-server did not start on " + addr)
}

// getSetter is the common shape of the stores under test.
type getSetter interface {
	get(key string) (string, bool)
	set(key, value string)
}

type lockedMap struct {
	mu sync.RWMutex
	m  map[string]string
}

func (l *lockedMap) get(k string) (string, bool) {
	l.mu.RLock()
	v, ok := l.m[k]
	l.mu.RUnlock()
	return v, ok
}

func (l *lockedMap) set(k, v string) {
	l.mu.Lock()
	l.m[k] = v
	l.mu.Unlock()
}

type kvStore struct{ c *kv.Client }

func (s kvStore) get(k string) (string, bool) {
	v, err := s.c.Get(ctx, k).Result()
	return v, err == nil
}

func (s kvStore) set(k, v string) { s.c.Set(ctx, k, v, 0) }

type kvDo struct{ c *kv.Client }

func (s kvDo) get(k string) (string, bool) {
	v, err := s.c.Do(ctx, "GET", k).Text()
	return v, err == nil
}

func (s kvDo) set(k, v string) { s.c.Do(ctx, "SET", k, v) }

type goRedis struct{ c *redis.Client }

func (s goRedis) get(k string) (string, bool) {
	v, err := s.c.Get(ctx, k).Result()
	return v, err == nil
}

func (s goRedis) set(k, v string) { s.c.Set(ctx, k, v, 0) }

func stores(b *testing.B) map[string]func() (getSetter, func()) {
	return map[string]func() (getSetter, func()){
		"map": func() (getSetter, func()) {
			return &lockedMap{m: map[string]string{}}, func() {}
		},
		"kv": func() (getSetter, func()) {
			c, err := kv.Open(nil)
			if err != nil {
				b.Fatal(err)
			}
			return kvStore{c}, func() { c.Close() }
		},
		"kv-do": func() (getSetter, func()) {
			c, err := kv.Open(nil)
			if err != nil {
				b.Fatal(err)
			}
			return kvDo{c}, func() { c.Close() }
		},
		"goredis-redis": func() (getSetter, func()) {
			c := redis.NewClient(&redis.Options{Addr: redisAddr})
			c.FlushAll(ctx)
			return goRedis{c}, func() { c.Close() }
		},
		"goredis-miniredis": func() (getSetter, func()) {
			c := redis.NewClient(&redis.Options{Addr: miniAddr})
			c.FlushAll(ctx)
			return goRedis{c}, func() { c.Close() }
		},
	}
}

var order = []string{"map", "kv", "kv-do", "goredis-redis", "goredis-miniredis"}

func BenchmarkGet(b *testing.B) {
	for _, name := range order {
		b.Run(name, func(b *testing.B) {
			s, done := stores(b)[name]()
			defer done()
			for _, k := range keys {
				s.set(k, value)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, ok := s.get(keys[i%nkeys]); !ok {
					b.Fatal("missing key")
				}
			}
		})
	}
}

func BenchmarkSet(b *testing.B) {
	for _, name := range order {
		b.Run(name, func(b *testing.B) {
			s, done := stores(b)[name]()
			defer done()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				s.set(keys[i%nkeys], value)
			}
		})
	}
}

// Many goroutines at once (GOMAXPROCS of them): the map's RWMutex and
// kv's sharded locks under contention.
func BenchmarkGetParallel(b *testing.B) {
	for _, name := range []string{"map", "kv"} {
		b.Run(name, func(b *testing.B) {
			s, done := stores(b)[name]()
			defer done()
			for _, k := range keys {
				s.set(k, value)
			}
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				i := 0
				for pb.Next() {
					s.get(keys[i%nkeys])
					i++
				}
			})
		})
	}
}
