package kv

import (
	"fmt"
	"testing"
)

// Where a Get's time goes: the session call alone (no pool, no command
// object), and the whole Client.Get.
func BenchmarkInternalGet(b *testing.B) {
	c, err := Open(nil)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	keys := make([]string, 10000)
	for i := range keys {
		keys[i] = fmt.Sprintf("key:%012d", i)
		c.Set(ctx, keys[i], "v-0123456789abcdef0123456789abcd", 0)
	}
	b.Run("libkv", func(b *testing.B) {
		var packed []byte
		for _, k := range keys {
			packed = append(packed, k...)
		}
		s, _ := c.c.get()
		b.ResetTimer()
		s.getLoop(packed, len(keys[0]), b.N)
		b.StopTimer()
		c.c.put(s)
	})
	b.Run("session", func(b *testing.B) {
		s, _ := c.c.get()
		for i := 0; i < b.N; i++ {
			s.get(keys[i%len(keys)])
		}
		c.c.put(s)
	})
	b.Run("session-samekey", func(b *testing.B) {
		s, _ := c.c.get()
		for i := 0; i < b.N; i++ {
			s.get(keys[0])
		}
		c.c.put(s)
	})
	b.Run("pool", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			s, _ := c.c.get()
			c.c.put(s)
		}
	})
	b.Run("cmd-alloc", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			sink = &StringCmd{baseCmd: baseCmd{ctx: ctx, fast: fastArgs{name: "get", key: keys[i%len(keys)]}}}
		}
	})
	b.Run("client", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			c.Get(ctx, keys[i%len(keys)])
		}
	})
}

// A cgo call that does nothing: the floor of any call into libkv.
func BenchmarkInternalNoop(b *testing.B) {
	for i := 0; i < b.N; i++ {
		cgoNoop()
	}
}

var sink *StringCmd
