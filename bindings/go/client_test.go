package kv

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"sort"
	"sync"
	"testing"
	"time"
)

var ctx = context.Background()

func open(t testing.TB) *Client {
	t.Helper()
	c, err := Open(&Options{ManualClock: time.UnixMilli(1700000000000)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func eq(t *testing.T, what string, got, want interface{}) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s: got %#v, want %#v", what, got, want)
	}
}

func ok(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestStrings(t *testing.T) {
	c := open(t)
	_, err := c.Get(ctx, "missing").Result()
	eq(t, "missing", err, error(Nil))
	ok(t, c.Set(ctx, "k", "v", 0).Err())
	v, err := c.Get(ctx, "k").Result()
	eq(t, "get", v, "v")
	ok(t, err)

	// Bytes: NULs, invalid UTF-8, values larger than the fast path's buffer.
	bin := []byte{0, 0xff, 'a', 0, 0xc3}
	ok(t, c.Set(ctx, "bin\x00key", bin, 0).Err())
	b, err := c.Get(ctx, "bin\x00key").Bytes()
	eq(t, "binary", b, bin)
	ok(t, err)
	big := make([]byte, 100000)
	for i := range big {
		big[i] = byte(i)
	}
	ok(t, c.Set(ctx, "big", big, 0).Err())
	for i := 0; i < 2; i++ {
		b, _ = c.Get(ctx, "big").Bytes()
		eq(t, "big value", len(b), len(big))
		eq(t, "big value", b[99999], big[99999])
	}

	// Numbers are written as go-redis writes them.
	ok(t, c.Set(ctx, "n", 41, 0).Err())
	eq(t, "incr", c.Incr(ctx, "n").Val(), int64(42))
	eq(t, "incrby", c.IncrBy(ctx, "n", -2).Val(), int64(40))
	eq(t, "decrby", c.DecrBy(ctx, "n", 10).Val(), int64(30))
	n, _ := c.Get(ctx, "n").Int()
	eq(t, "get int", n, 30)
	eq(t, "incrbyfloat", c.IncrByFloat(ctx, "n", 0.5).Val(), 30.5)
	ok(t, c.Set(ctx, "f", 1.25, 0).Err())
	eq(t, "float", c.Get(ctx, "f").Val(), "1.25")
	ok(t, c.Set(ctx, "bool", true, 0).Err())
	eq(t, "bool", c.Get(ctx, "bool").Val(), "1")

	// TTLs on the manual clock.
	ok(t, c.Set(ctx, "t", "x", 10*time.Second).Err())
	eq(t, "ttl", c.TTL(ctx, "t").Val(), 10*time.Second)
	eq(t, "pttl", c.PTTL(ctx, "t").Val(), 10*time.Second)
	ok(t, c.Set(ctx, "tms", "x", 1500*time.Millisecond).Err())
	eq(t, "pttl ms", c.PTTL(ctx, "tms").Val(), 1500*time.Millisecond)
	ok(t, c.AdvanceClock(10*time.Second))
	eq(t, "at its deadline", c.Get(ctx, "t").Val(), "x") // Redis: expired once now > deadline
	ok(t, c.AdvanceClock(time.Millisecond))
	eq(t, "expired", c.Get(ctx, "t").Err(), error(Nil))
	eq(t, "ttl missing", c.TTL(ctx, "t").Val(), time.Duration(-2))
	eq(t, "ttl none", c.TTL(ctx, "k").Val(), time.Duration(-1))

	eq(t, "setnx new", c.SetNX(ctx, "nx", "1", 0).Val(), true)
	eq(t, "setnx old", c.SetNX(ctx, "nx", "2", time.Minute).Val(), false)
	eq(t, "setxx missing", c.SetXX(ctx, "xx", "1", 0).Val(), false)
	eq(t, "setxx", c.SetXX(ctx, "nx", "3", time.Minute).Val(), true)
	eq(t, "setxx ttl", c.TTL(ctx, "nx").Val(), time.Minute)
	ok(t, c.Set(ctx, "nx", "4", KeepTTL).Err())
	eq(t, "keepttl", c.TTL(ctx, "nx").Val(), time.Minute)

	old, err := c.SetArgs(ctx, "k", "w", SetArgs{Get: true, TTL: time.Hour}).Result()
	eq(t, "set get", old, "v")
	ok(t, err)
	eq(t, "set get nil", c.SetArgs(ctx, "new", "w", SetArgs{Get: true}).Err(), error(Nil))
	eq(t, "set nx", c.SetArgs(ctx, "k", "z", SetArgs{Mode: "NX"}).Err(), error(Nil))
	ok(t, c.SetArgs(ctx, "k", "z", SetArgs{KeepTTL: true, Mode: "XX"}).Err())
	eq(t, "keepttl kept", c.TTL(ctx, "k").Val(), time.Hour)
	ok(t, c.SetArgs(ctx, "at", "z", SetArgs{ExpireAt: time.UnixMilli(1700000000000).Add(time.Hour + 10001*time.Millisecond)}).Err())
	eq(t, "exat", c.TTL(ctx, "at").Val(), time.Hour)

	eq(t, "getex", c.GetEx(ctx, "k", 0).Val(), "z")
	eq(t, "getex persist", c.TTL(ctx, "k").Val(), time.Duration(-1))
	eq(t, "append", c.Append(ctx, "k", "zz").Val(), int64(3))
	eq(t, "getrange", c.GetRange(ctx, "k", 1, -1).Val(), "zz")
	eq(t, "strlen", c.StrLen(ctx, "k").Val(), int64(3))
	eq(t, "getdel", c.GetDel(ctx, "k").Val(), "zzz")
	ok(t, c.MSet(ctx, map[string]interface{}{"m1": "a", "m2": 2}).Err())
	ok(t, c.MSet(ctx, "m3", "c", "m4", "d").Err())
	eq(t, "mget", c.MGet(ctx, "m1", "none", "m2", "m3").Val(), []interface{}{"a", nil, "2", "c"})
	eq(t, "msetnx", c.MSetNX(ctx, "m1", "x", "m9", "y").Val(), false)
	eq(t, "setrange", c.SetRange(ctx, "m1", 2, "bc").Val(), int64(4))
	eq(t, "setbit", c.SetBit(ctx, "bits", 7, 1).Val(), int64(0))
	eq(t, "bitcount", c.BitCount(ctx, "bits", nil).Val(), int64(1))
	eq(t, "bitcount range", c.BitCount(ctx, "bits", &BitCount{Start: 0, End: 6, Unit: "BIT"}).Val(), int64(0))
	eq(t, "bitpos", c.BitPos(ctx, "bits", 1).Val(), int64(7))
	eq(t, "bitfield", c.BitField(ctx, "bf", "SET", "u8", 0, 200, "GET", "u8", 0).Val(), []int64{0, 200})
}

func TestErrors(t *testing.T) {
	c := open(t)
	ok(t, c.LPush(ctx, "list", "a").Err())
	err := c.Get(ctx, "list").Err()
	var re Error
	if !errors.As(err, &re) {
		t.Fatalf("not a kv.Error: %#v", err)
	}
	eq(t, "text", err.Error(), "WRONGTYPE Operation against a key holding the wrong kind of value")
	eq(t, "prefix", HasErrorPrefix(err, "WRONGTYPE"), true)
	eq(t, "incr", c.Incr(ctx, "list").Err().Error(), "WRONGTYPE Operation against a key holding the wrong kind of value")
	ok(t, c.Set(ctx, "s", "abc", 0).Err())
	eq(t, "not int", c.Incr(ctx, "s").Err(), error(RedisError("ERR value is not an integer or out of range")))
	eq(t, "unknown", c.Do(ctx, "nosuch", "a").Err().Error(), "ERR unknown command 'nosuch', with args beginning with: 'a' ")
	eq(t, "arity", c.Do(ctx, "get").Err().Error(), "ERR wrong number of arguments for 'get' command")
	eq(t, "empty Do", c.Do(ctx).Err() != nil, true)
	eq(t, "bad arg", c.Do(ctx, "set", "k", struct{}{}).Err().Error(), "kv: can't marshal struct {} (implement encoding.BinaryMarshaler)")
	eq(t, "nil is an Error", errors.As(error(Nil), &re), true)

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	eq(t, "cancelled ctx", c.Get(cancelled, "s").Err(), context.Canceled)
	eq(t, "cancelled ctx", c.Incr(cancelled, "s").Err(), context.Canceled)
}

func TestDo(t *testing.T) {
	c := open(t)
	eq(t, "status", c.Do(ctx, "SET", "k", "v").Val(), "OK")
	eq(t, "bulk", c.Do(ctx, "GET", "k").Val(), "v")
	eq(t, "int", c.Do(ctx, "EXISTS", "k").Val(), int64(1))
	eq(t, "nil", c.Do(ctx, "GET", "x").Err(), error(Nil))
	c.HSet(ctx, "h", "f", "1")
	eq(t, "map", c.Do(ctx, "HGETALL", "h").Val(), map[interface{}]interface{}{"f": "1"})
	c.ZAdd(ctx, "z", Z{Score: 1.5, Member: "m"})
	eq(t, "double", c.Do(ctx, "ZSCORE", "z", "m").Val(), 1.5)
	c.SAdd(ctx, "set", "a")
	eq(t, "set", c.Do(ctx, "SMEMBERS", "set").Val(), []interface{}{"a"})
	eq(t, "array with nil", c.Do(ctx, "MGET", "k", "x").Val(), []interface{}{"v", nil})
	s, err := c.Do(ctx, "MGET", "k", "k").StringSlice()
	eq(t, "StringSlice", s, []string{"v", "v"})
	ok(t, err)
	n, _ := c.Do(ctx, "INCR", "n").Int64()
	eq(t, "Int64", n, int64(1))
	txt, _ := c.Do(ctx, "GET", "n").Text()
	eq(t, "Text", txt, "1")
	// A command made by hand, typed.
	cmd := NewStringSliceCmd(ctx, "keys", "k*")
	ok(t, c.Process(ctx, cmd))
	eq(t, "Process", cmd.Val(), []string{"k"})
	eq(t, "Args", cmd.Args(), []interface{}{"keys", "k*"})
	eq(t, "String", c.Get(ctx, "k").String(), "get k: v")
}

// The fast paths' commands (built on the caller's stack, arguments kept
// unbuilt) still tell their name and arguments, whichever path ran.
func TestFastPathCmds(t *testing.T) {
	c := open(t)
	set := c.Set(ctx, "k", "v", 0)
	eq(t, "set name", set.Name(), "set")
	eq(t, "set args", set.Args(), []interface{}{"set", "k", "v"})
	eq(t, "set result", set.Val(), "OK")
	set = c.Set(ctx, "k", []byte("w"), time.Second)
	eq(t, "set px args", set.Args(), []interface{}{"set", "k", []byte("w"), "ex", int64(1)})
	set = c.Set(ctx, "n", 7, KeepTTL)
	eq(t, "generic set name", set.Name(), "set")
	eq(t, "generic set args", set.Args(), []interface{}{"set", "n", 7, "keepttl"})
	eq(t, "generic set result", set.Val(), "OK")
	eq(t, "generic set stored", c.Get(ctx, "n").Val(), "7")
	get := c.Get(ctx, "k")
	eq(t, "get name", get.Name(), "get")
	eq(t, "get args", get.Args(), []interface{}{"get", "k"})
	eq(t, "get result", get.Val(), "w")
	_, err := c.Get(ctx, "missing").Result()
	eq(t, "get missing", err, Nil)
	done, cancel := context.WithCancel(ctx)
	cancel()
	eq(t, "get canceled", c.Get(done, "k").Err(), context.Canceled)
	eq(t, "set canceled", c.Set(done, "k", "v", 0).Err(), context.Canceled)
}

func TestKeys(t *testing.T) {
	c := open(t)
	for i := 0; i < 100; i++ {
		ok(t, c.Set(ctx, fmt.Sprintf("key:%03d", i), i, 0).Err())
	}
	c.SAdd(ctx, "aset", "x")
	eq(t, "dbsize", c.DBSize(ctx).Val(), int64(101))
	eq(t, "exists", c.Exists(ctx, "key:001", "key:002", "nope").Val(), int64(2))
	var seen []string
	it := c.Scan(ctx, 0, "key:*", 10).Iterator()
	for it.Next(ctx) {
		seen = append(seen, it.Val())
	}
	ok(t, it.Err())
	sort.Strings(seen)
	eq(t, "scan count", len(seen), 100)
	eq(t, "scan first", seen[0], "key:000")
	keys, _, err := c.ScanType(ctx, 0, "", 1000, "set").Result()
	eq(t, "scantype", keys, []string{"aset"})
	ok(t, err)
	eq(t, "keys", len(c.Keys(ctx, "key:05*").Val()), 10)
	eq(t, "type", c.Type(ctx, "aset").Val(), "set")
	eq(t, "expire", c.Expire(ctx, "key:000", time.Minute).Val(), true)
	eq(t, "expire missing", c.Expire(ctx, "nope", time.Minute).Val(), false)
	eq(t, "expire nx", c.ExpireNX(ctx, "key:000", time.Hour).Val(), false)
	eq(t, "expire gt", c.ExpireGT(ctx, "key:000", time.Hour).Val(), true)
	eq(t, "expiretime", c.ExpireTime(ctx, "key:000").Val(), time.Duration(1700000000+3600)*time.Second)
	eq(t, "pexpire", c.PExpire(ctx, "key:001", 1500*time.Millisecond).Val(), true)
	eq(t, "pttl", c.PTTL(ctx, "key:001").Val(), 1500*time.Millisecond)
	eq(t, "expireat", c.ExpireAt(ctx, "key:002", time.UnixMilli(1700000000000).Add(time.Hour)).Val(), true)
	eq(t, "ttl", c.TTL(ctx, "key:002").Val(), time.Hour)
	eq(t, "persist", c.Persist(ctx, "key:002").Val(), true)
	eq(t, "rename", c.Rename(ctx, "key:003", "renamed").Val(), "OK")
	eq(t, "renamenx", c.RenameNX(ctx, "renamed", "key:004").Val(), false)
	eq(t, "copy", c.Copy(ctx, "renamed", "copied", 0, false).Val(), int64(1))
	eq(t, "copy exists", c.Copy(ctx, "renamed", "copied", 0, false).Val(), int64(0))
	eq(t, "copy replace", c.Copy(ctx, "renamed", "copied", 0, true).Val(), int64(1))
	eq(t, "move", c.Move(ctx, "copied", 1).Val(), true)
	eq(t, "del", c.Del(ctx, "key:004", "key:005", "nope").Val(), int64(2))
	eq(t, "unlink", c.Unlink(ctx, "key:006").Val(), int64(1))
	eq(t, "touch", c.Touch(ctx, "key:007", "nope").Val(), int64(1))
	eq(t, "encoding", c.ObjectEncoding(ctx, "key:010").Val(), "int")
	eq(t, "ping", c.Ping(ctx).Val(), "PONG")
	eq(t, "echo", c.Echo(ctx, "hi").Val(), "hi")
	eq(t, "flushdb", c.FlushDB(ctx).Val(), "OK")
	eq(t, "randomkey empty", c.RandomKey(ctx).Err(), error(Nil))
}

type user struct {
	Name string `redis:"name"`
	Age  int    `redis:"age"`
	Skip string
}

func TestHashes(t *testing.T) {
	c := open(t)
	eq(t, "hset map", c.HSet(ctx, "h", map[string]interface{}{"name": "ada", "age": 36}).Val(), int64(2))
	eq(t, "hset pairs", c.HSet(ctx, "h", "city", "london", "age", 37).Val(), int64(1))
	eq(t, "hset struct", c.HSet(ctx, "u", user{Name: "bob", Age: 5}).Val(), int64(2))
	eq(t, "hgetall", c.HGetAll(ctx, "h").Val(), map[string]string{"name": "ada", "age": "37", "city": "london"})
	var u user
	ok(t, c.HGetAll(ctx, "u").Scan(&u))
	eq(t, "scan struct", u, user{Name: "bob", Age: 5})
	eq(t, "hget", c.HGet(ctx, "h", "name").Val(), "ada")
	eq(t, "hget nil", c.HGet(ctx, "h", "nope").Err(), error(Nil))
	eq(t, "hmget", c.HMGet(ctx, "h", "name", "nope").Val(), []interface{}{"ada", nil})
	eq(t, "hexists", c.HExists(ctx, "h", "city").Val(), true)
	eq(t, "hincrby", c.HIncrBy(ctx, "h", "age", 1).Val(), int64(38))
	eq(t, "hincrbyfloat", c.HIncrByFloat(ctx, "h", "age", 0.5).Val(), 38.5)
	eq(t, "hlen", c.HLen(ctx, "h").Val(), int64(3))
	eq(t, "hsetnx", c.HSetNX(ctx, "h", "name", "x").Val(), false)
	eq(t, "hmset", c.HMSet(ctx, "h", "a", 1).Val(), true)
	eq(t, "hstrlen", c.HStrLen(ctx, "h", "city").Val(), int64(6))
	keys := c.HKeys(ctx, "h").Val()
	sort.Strings(keys)
	eq(t, "hkeys", keys, []string{"a", "age", "city", "name"})
	eq(t, "hvals", len(c.HVals(ctx, "h").Val()), 4)
	kvs := c.HRandFieldWithValues(ctx, "h", 10).Val()
	eq(t, "hrandfield withvalues", len(kvs), 4)
	for _, kv := range kvs {
		eq(t, "hrandfield value", kv.Value, c.HGet(ctx, "h", kv.Key).Val())
	}
	var fv []string
	it := c.HScan(ctx, "h", 0, "", 0).Iterator()
	for it.Next(ctx) {
		fv = append(fv, it.Val())
	}
	eq(t, "hscan", len(fv), 8)
	eq(t, "hdel", c.HDel(ctx, "h", "a", "nope").Val(), int64(1))
	eq(t, "hexpire", c.HExpire(ctx, "h", time.Minute, "name", "nope").Val(), []int64{1, -2})
	eq(t, "httl", c.HTTL(ctx, "h", "name", "city").Val(), []int64{60, -1})
	eq(t, "hpersist", c.HPersist(ctx, "h", "name").Val(), []int64{1})
}

func TestLists(t *testing.T) {
	c := open(t)
	eq(t, "rpush", c.RPush(ctx, "l", "a", "b", "c").Val(), int64(3))
	eq(t, "lpush", c.LPush(ctx, "l", "z").Val(), int64(4))
	eq(t, "lrange", c.LRange(ctx, "l", 0, -1).Val(), []string{"z", "a", "b", "c"})
	eq(t, "lindex", c.LIndex(ctx, "l", 1).Val(), "a")
	eq(t, "lpos", c.LPos(ctx, "l", "b", LPosArgs{}).Val(), int64(2))
	eq(t, "lpos missing", c.LPos(ctx, "l", "nope", LPosArgs{}).Err(), error(Nil))
	c.RPush(ctx, "l", "b")
	eq(t, "lposcount", c.LPosCount(ctx, "l", "b", 0, LPosArgs{}).Val(), []int64{2, 4})
	eq(t, "lpos rank", c.LPos(ctx, "l", "b", LPosArgs{Rank: -1}).Val(), int64(4))
	eq(t, "linsert", c.LInsertBefore(ctx, "l", "a", "y").Val(), int64(6))
	eq(t, "lpop", c.LPop(ctx, "l").Val(), "z")
	eq(t, "lpopcount", c.LPopCount(ctx, "l", 2).Val(), []string{"y", "a"})
	eq(t, "rpop", c.RPop(ctx, "l").Val(), "b")
	eq(t, "llen", c.LLen(ctx, "l").Val(), int64(2))
	eq(t, "lset", c.LSet(ctx, "l", 0, "B").Val(), "OK")
	eq(t, "lmove", c.LMove(ctx, "l", "l2", "LEFT", "RIGHT").Val(), "B")
	eq(t, "rpoplpush", c.RPopLPush(ctx, "l", "l2").Val(), "c")
	eq(t, "lpop empty", c.LPop(ctx, "l").Err(), error(Nil))
	key, vals, err := c.LMPop(ctx, "left", 5, "l", "l2").Result()
	eq(t, "lmpop", []interface{}{key, vals, err}, []interface{}{"l2", []string{"c", "B"}, nil})
	eq(t, "lmpop empty", c.LMPop(ctx, "left", 1, "l").Err(), error(Nil))
	c.RPush(ctx, "l", 1, 2, 3, 4)
	eq(t, "ltrim", c.LTrim(ctx, "l", 1, 2).Val(), "OK")
	eq(t, "lrem", c.LRem(ctx, "l", 0, 2).Val(), int64(1))
	eq(t, "pushx", c.LPushX(ctx, "nope", "a").Val(), int64(0))
}

func TestBlocking(t *testing.T) {
	c := open(t)
	c.RPush(ctx, "q", "now")
	eq(t, "blpop ready", c.BLPop(ctx, time.Second, "q").Val(), []string{"q", "now"})
	start := time.Now()
	eq(t, "blpop timeout", c.BLPop(ctx, 50*time.Millisecond, "q").Err(), error(Nil))
	if d := time.Since(start); d < 40*time.Millisecond || d > 2*time.Second {
		t.Errorf("blpop timeout took %v", d)
	}

	// A waiter is woken by another goroutine's push, and the store serves
	// other goroutines meanwhile.
	res := make(chan *StringSliceCmd)
	go func() { res <- c.BLPop(ctx, 0, "q1", "q2") }()
	waitBlocked(t, c, 1)
	ok(t, c.Set(ctx, "other", "works", 0).Err())
	eq(t, "other goroutines", c.Get(ctx, "other").Val(), "works")
	c.RPush(ctx, "q2", "hello")
	eq(t, "woken", (<-res).Val(), []string{"q2", "hello"})

	// Other blocking commands.
	go func() { time.Sleep(10 * time.Millisecond); c.ZAdd(ctx, "zq", Z{Score: 2, Member: "m"}) }()
	z, err := c.BZPopMin(ctx, 5*time.Second, "zq").Result()
	ok(t, err)
	eq(t, "bzpopmin", *z, ZWithKey{Z: Z{Score: 2, Member: "m"}, Key: "zq"})
	c.RPush(ctx, "bl", "x", "y")
	k, v, err := c.BLMPop(ctx, time.Second, "right", 5, "bl").Result()
	eq(t, "blmpop", []interface{}{k, v, err}, []interface{}{"bl", []string{"y", "x"}, nil})
	c.ZAdd(ctx, "zm", Z{1, "a"}, Z{2, "b"})
	k, zs, err := c.BZMPop(ctx, time.Second, "max", 1, "zm").Result()
	eq(t, "bzmpop", []interface{}{k, zs, err}, []interface{}{"zm", []Z{{2, "b"}}, nil})
	c.RPush(ctx, "src", "x")
	eq(t, "blmove", c.BLMove(ctx, "src", "dst", "LEFT", "LEFT", time.Second).Val(), "x")
}

// waitBlocked waits until n calls are blocked in the store.
func waitBlocked(t *testing.T, c *Client, n int) {
	t.Helper()
	for i := 0; i < 2000; i++ {
		info := c.Info(ctx, "clients").Val()
		if containsLine(info, fmt.Sprintf("blocked_clients:%d", n)) {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("never saw %d blocked clients", n)
}

func containsLine(s, line string) bool {
	for _, l := range splitLines(s) {
		if l == line {
			return true
		}
	}
	return false
}

func splitLines(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			l := s[start:i]
			if len(l) > 0 && l[len(l)-1] == '\r' {
				l = l[:len(l)-1]
			}
			out = append(out, l)
			start = i + 1
		}
	}
	return append(out, s[start:])
}

func TestBlockingCancel(t *testing.T) {
	c := open(t)
	// Cancellation interrupts the wait.
	cctx, cancel := context.WithCancel(ctx)
	res := make(chan error)
	go func() { res <- c.BLPop(cctx, 0, "never").Err() }()
	waitBlocked(t, c, 1)
	cancel()
	select {
	case err := <-res:
		eq(t, "cancelled", err, context.Canceled)
	case <-time.After(5 * time.Second):
		t.Fatal("BLPop ignored the cancellation")
	}
	// A deadline does too, and Do's blocking commands as well.
	dctx, cancel2 := context.WithTimeout(ctx, 30*time.Millisecond)
	defer cancel2()
	eq(t, "deadline", c.Do(dctx, "BLPOP", "never", 0).Err(), context.DeadlineExceeded)
	// Cancelled before the call started waiting: retried until it waits.
	for i := 0; i < 20; i++ {
		cctx, cancel := context.WithCancel(ctx)
		go cancel()
		err := c.BRPop(cctx, 0, "never").Err()
		if err != context.Canceled {
			t.Fatalf("round %d: %v", i, err)
		}
	}
	// The session serves normally afterwards; no interrupt leaks into a
	// later blocking call.
	c.RPush(ctx, "q", "v")
	eq(t, "after", c.BLPop(ctx, time.Second, "q").Val(), []string{"q", "v"})
	eq(t, "later timeout", c.BLPop(ctx, 20*time.Millisecond, "q").Err(), error(Nil))
}

func TestCloseWakesBlocked(t *testing.T) {
	c, err := Open(nil)
	ok(t, err)
	res := make(chan error)
	go func() { res <- c.BLPop(ctx, 0, "q").Err() }()
	waitBlocked(t, c, 1)
	ok(t, c.Close())
	eq(t, "blocked call", <-res, ErrClosed)
	eq(t, "get", c.Get(ctx, "k").Err(), ErrClosed)
	eq(t, "set", c.Set(ctx, "k", "v", 0).Err(), ErrClosed)
	eq(t, "do", c.Do(ctx, "PING").Err(), ErrClosed)
	_, err = c.Pipelined(ctx, func(p Pipeliner) error { p.Incr(ctx, "n"); return nil })
	eq(t, "pipeline", err, ErrClosed)
	eq(t, "watch", c.Watch(ctx, func(*Tx) error { return nil }, "k"), ErrClosed)
	eq(t, "conn", c.Conn().Ping(ctx).Err(), ErrClosed)
	eq(t, "close twice", c.Close(), ErrClosed)
}

func TestSets(t *testing.T) {
	c := open(t)
	eq(t, "sadd", c.SAdd(ctx, "s", "a", "b", "c").Val(), int64(3))
	eq(t, "sadd slice", c.SAdd(ctx, "t", []string{"b", "c", "d"}).Val(), int64(3))
	eq(t, "scard", c.SCard(ctx, "s").Val(), int64(3))
	eq(t, "sismember", c.SIsMember(ctx, "s", "a").Val(), true)
	eq(t, "smismember", c.SMIsMember(ctx, "s", "a", "z").Val(), []bool{true, false})
	inter := c.SInter(ctx, "s", "t").Val()
	sort.Strings(inter)
	eq(t, "sinter", inter, []string{"b", "c"})
	eq(t, "sintercard", c.SInterCard(ctx, 1, "s", "t").Val(), int64(1))
	eq(t, "sunionstore", c.SUnionStore(ctx, "u", "s", "t").Val(), int64(4))
	eq(t, "sdiff", c.SDiff(ctx, "s", "t").Val(), []string{"a"})
	eq(t, "smembersmap", c.SMembersMap(ctx, "t").Val(), map[string]struct{}{"b": {}, "c": {}, "d": {}})
	eq(t, "smove", c.SMove(ctx, "s", "t", "a").Val(), true)
	eq(t, "spopn", len(c.SPopN(ctx, "u", 2).Val()), 2)
	eq(t, "srem", c.SRem(ctx, "t", "a", "zz").Val(), int64(1))
	eq(t, "srandmember empty", c.SRandMember(ctx, "nope").Err(), error(Nil))
	var members []string
	it := c.SScan(ctx, "t", 0, "", 0).Iterator()
	for it.Next(ctx) {
		members = append(members, it.Val())
	}
	sort.Strings(members)
	eq(t, "sscan", members, []string{"b", "c", "d"})
}

func TestSortedSets(t *testing.T) {
	c := open(t)
	eq(t, "zadd", c.ZAdd(ctx, "z", Z{1, "a"}, Z{2, "b"}, Z{3, "c"}).Val(), int64(3))
	eq(t, "zadd gt ch", c.ZAddArgs(ctx, "z", ZAddArgs{GT: true, Ch: true, Members: []Z{{0, "a"}, {5, "b"}}}).Val(), int64(1))
	eq(t, "zadd incr", c.ZAddArgsIncr(ctx, "z", ZAddArgs{Members: []Z{{1.5, "a"}}}).Val(), 2.5)
	eq(t, "zadd incr nx", c.ZAddArgsIncr(ctx, "z", ZAddArgs{NX: true, Members: []Z{{1, "a"}}}).Err(), error(Nil))
	eq(t, "zaddnx", c.ZAddNX(ctx, "z", Z{9, "a"}, Z{4, "d"}).Val(), int64(1))
	eq(t, "zrange", c.ZRange(ctx, "z", 0, -1).Val(), []string{"a", "c", "d", "b"})
	eq(t, "zrangewithscores", c.ZRangeWithScores(ctx, "z", 0, 1).Val(), []Z{{2.5, "a"}, {3, "c"}})
	eq(t, "zrevrangewithscores", c.ZRevRangeWithScores(ctx, "z", 0, 0).Val(), []Z{{5, "b"}})
	eq(t, "zrangebyscore", c.ZRangeByScore(ctx, "z", &ZRangeBy{Min: "(2.5", Max: "+inf", Offset: 1, Count: 1}).Val(), []string{"d"})
	eq(t, "zrangebyscore ws", c.ZRangeByScoreWithScores(ctx, "z", &ZRangeBy{Min: "3", Max: "4"}).Val(), []Z{{3, "c"}, {4, "d"}})
	eq(t, "zrevrangebyscore", c.ZRevRangeByScore(ctx, "z", &ZRangeBy{Min: "-inf", Max: "4"}).Val(), []string{"d", "c", "a"})
	eq(t, "zrangeargs", c.ZRangeArgs(ctx, ZRangeArgs{Key: "z", Start: 4, Stop: "(2.5", ByScore: true, Rev: true}).Val(), []string{"d", "c"})
	eq(t, "zrangeargs ws", c.ZRangeArgsWithScores(ctx, ZRangeArgs{Key: "z", Start: 0, Stop: 0}).Val(), []Z{{2.5, "a"}})
	eq(t, "zrangestore", c.ZRangeStore(ctx, "zs", ZRangeArgs{Key: "z", Start: 0, Stop: 1}).Val(), int64(2))
	eq(t, "zscore", c.ZScore(ctx, "z", "b").Val(), 5.0)
	eq(t, "zscore nil", c.ZScore(ctx, "z", "nope").Err(), error(Nil))
	eq(t, "zmscore", c.ZMScore(ctx, "z", "a", "nope").Val(), []float64{2.5, 0})
	eq(t, "zincrby", c.ZIncrBy(ctx, "z", 1, "d").Val(), 5.0)
	eq(t, "zrank", c.ZRank(ctx, "z", "c").Val(), int64(1))
	eq(t, "zrank nil", c.ZRank(ctx, "z", "nope").Err(), error(Nil))
	eq(t, "zrankwithscore", c.ZRankWithScore(ctx, "z", "c").Val(), RankScore{1, 3})
	eq(t, "zcard", c.ZCard(ctx, "z").Val(), int64(4))
	eq(t, "zcount", c.ZCount(ctx, "z", "3", "5").Val(), int64(3))
	c.ZAdd(ctx, "lex", Z{0, "a"}, Z{0, "b"}, Z{0, "c"})
	eq(t, "zrangebylex", c.ZRangeByLex(ctx, "lex", &ZRangeBy{Min: "(a", Max: "+"}).Val(), []string{"b", "c"})
	eq(t, "zlexcount", c.ZLexCount(ctx, "lex", "-", "+").Val(), int64(3))
	eq(t, "zunionwithscores", c.ZUnionWithScores(ctx, ZStore{Keys: []string{"zs", "lex"}, Weights: []float64{2, 1}}).Val(),
		[]Z{{0, "b"}, {5, "a"}, {6, "c"}})
	eq(t, "zinterstore", c.ZInterStore(ctx, "zi", &ZStore{Keys: []string{"z", "zs"}, Aggregate: "max"}).Val(), int64(2))
	eq(t, "zinter", c.ZInterWithScores(ctx, &ZStore{Keys: []string{"z", "zs"}}).Val(), []Z{{5, "a"}, {6, "c"}})
	eq(t, "zdiff", c.ZDiff(ctx, "z", "zs").Val(), []string{"b", "d"})
	eq(t, "zpopmin", c.ZPopMin(ctx, "z").Val(), []Z{{2.5, "a"}})
	eq(t, "zpopmax 2", c.ZPopMax(ctx, "z", 2).Val(), []Z{{5, "d"}, {5, "b"}})
	k, zs, err := c.ZMPop(ctx, "min", 5, "nope", "z").Result()
	eq(t, "zmpop", []interface{}{k, zs, err}, []interface{}{"z", []Z{{3, "c"}}, nil})
	eq(t, "zrandmember ws", len(c.ZRandMemberWithScores(ctx, "lex", 2).Val()), 2)
	eq(t, "zrem", c.ZRem(ctx, "lex", "a", "zz").Val(), int64(1))
	eq(t, "zremrangebyrank", c.ZRemRangeByRank(ctx, "lex", 0, 0).Val(), int64(1))
	var all []string
	it := c.ZScan(ctx, "zs", 0, "", 0).Iterator()
	for it.Next(ctx) {
		all = append(all, it.Val())
	}
	eq(t, "zscan", len(all), 4)
}

func TestSort(t *testing.T) {
	c := open(t)
	c.RPush(ctx, "ids", 3, 1, 2)
	c.MSet(ctx, "w_1", 30, "w_2", 10, "w_3", 20, "name_1", "one", "name_2", "two")
	eq(t, "sort", c.Sort(ctx, "ids", nil).Val(), []string{"1", "2", "3"})
	eq(t, "sort desc limit", c.Sort(ctx, "ids", &Sort{Order: "DESC", Offset: 0, Count: 2}).Val(), []string{"3", "2"})
	eq(t, "sort by", c.Sort(ctx, "ids", &Sort{By: "w_*"}).Val(), []string{"2", "3", "1"})
	eq(t, "sort get", c.Sort(ctx, "ids", &Sort{Get: []string{"#", "name_*"}}).Val(), []string{"1", "one", "2", "two", "3", ""})
	eq(t, "sortinterfaces", c.SortInterfaces(ctx, "ids", &Sort{Get: []string{"name_*"}}).Val(), []interface{}{"one", "two", nil})
	eq(t, "sort_ro alpha", c.SortRO(ctx, "ids", &Sort{Alpha: true, Order: "DESC"}).Val(), []string{"3", "2", "1"})
	eq(t, "sortstore", c.SortStore(ctx, "ids", "sorted", &Sort{}).Val(), int64(3))
	eq(t, "sorted", c.LRange(ctx, "sorted", 0, -1).Val(), []string{"1", "2", "3"})
	eq(t, "sort wrongtype", HasErrorPrefix(c.Sort(ctx, "name_1", nil).Err(), "WRONGTYPE"), true)
}

func TestPipelines(t *testing.T) {
	c := open(t)
	var get *StringCmd
	var incr *IntCmd
	cmds, err := c.Pipelined(ctx, func(p Pipeliner) error {
		p.Set(ctx, "a", "1", 0)
		incr = p.Incr(ctx, "a")
		get = p.Get(ctx, "missing")
		p.Do(ctx, "ECHO", "x")
		return nil
	})
	eq(t, "first error is Nil", err, error(Nil))
	eq(t, "cmds", len(cmds), 4)
	eq(t, "incr", incr.Val(), int64(2))
	eq(t, "get", get.Err(), error(Nil))
	eq(t, "do", cmds[3].(*Cmd).Val(), "x")

	p := c.Pipeline()
	p.Incr(ctx, "n")
	p.Incr(ctx, "n")
	eq(t, "len", p.Len(), 2)
	p.Discard()
	eq(t, "discarded", p.Len(), 0)
	cmds, err = p.Exec(ctx)
	eq(t, "empty exec", []interface{}{len(cmds), err}, []interface{}{0, nil})

	// A transaction: atomic, with its replies.
	cmds, err = c.TxPipelined(ctx, func(p Pipeliner) error {
		p.Incr(ctx, "t")
		p.IncrBy(ctx, "t", 10)
		p.HSet(ctx, "th", "f", "v")
		return nil
	})
	ok(t, err)
	eq(t, "tx incr", cmds[1].(*IntCmd).Val(), int64(11))
	eq(t, "tx hset", cmds[2].(*IntCmd).Val(), int64(1))

	// A command refused while queued aborts the transaction.
	_, err = c.TxPipelined(ctx, func(p Pipeliner) error {
		p.Incr(ctx, "t")
		p.Do(ctx, "nosuchcommand")
		return nil
	})
	eq(t, "execabort", HasErrorPrefix(err, "EXECABORT"), true)
	eq(t, "not run", c.Get(ctx, "t").Val(), "11")
	// A runtime error fails one command only.
	cmds, err = c.TxPipelined(ctx, func(p Pipeliner) error {
		p.Incr(ctx, "th")
		p.Incr(ctx, "t")
		return nil
	})
	eq(t, "runtime error", HasErrorPrefix(err, "WRONGTYPE"), true)
	eq(t, "others run", cmds[1].(*IntCmd).Val(), int64(12))
	// The pooled session is not left in MULTI.
	eq(t, "after tx", c.Incr(ctx, "t").Val(), int64(13))
	// fn's error stops the pipeline.
	boom := errors.New("boom")
	_, err = c.TxPipelined(ctx, func(p Pipeliner) error { p.Incr(ctx, "t"); return boom })
	eq(t, "fn error", err, boom)
	eq(t, "not run", c.Get(ctx, "t").Val(), "13")
}

func TestWatch(t *testing.T) {
	c := open(t)
	c.Set(ctx, "bal", 100, 0)
	// A watched key changed by someone else fails the transaction.
	err := c.Watch(ctx, func(tx *Tx) error {
		n, err := tx.Get(ctx, "bal").Int()
		if err != nil {
			return err
		}
		c.Set(ctx, "bal", 0, 0) // another client
		_, err = tx.TxPipelined(ctx, func(p Pipeliner) error {
			p.Set(ctx, "bal", n-10, 0)
			return nil
		})
		return err
	}, "bal")
	eq(t, "tx failed", err, error(TxFailedErr))
	eq(t, "unchanged", c.Get(ctx, "bal").Val(), "0")

	// Optimistic increments from many goroutines, retried on conflict.
	const workers, rounds = 8, 25
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := 0; r < rounds; r++ {
				for {
					err := c.Watch(ctx, func(tx *Tx) error {
						n, err := tx.Get(ctx, "bal").Int()
						if err != nil {
							return err
						}
						_, err = tx.TxPipelined(ctx, func(p Pipeliner) error {
							p.Set(ctx, "bal", n+1, 0)
							return nil
						})
						return err
					}, "bal")
					if err == nil {
						break
					}
					if err != TxFailedErr {
						t.Error(err)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	eq(t, "total", c.Get(ctx, "bal").Val(), fmt.Sprint(workers*rounds))
}

func TestConcurrency(t *testing.T) {
	c := open(t)
	const workers, rounds = 16, 500
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			key := fmt.Sprintf("own:%d", w)
			for r := 0; r < rounds; r++ {
				c.Incr(ctx, "shared")
				c.Set(ctx, key, r, 0)
				if got := c.Get(ctx, key).Val(); got != fmt.Sprint(r) {
					t.Errorf("worker %d: got %q", w, got)
					return
				}
				c.HIncrBy(ctx, "h", "f", 1)
				c.RPush(ctx, "l", r)
			}
		}(w)
	}
	wg.Wait()
	eq(t, "incr", c.Get(ctx, "shared").Val(), fmt.Sprint(workers*rounds))
	eq(t, "hincrby", c.HGet(ctx, "h", "f").Val(), fmt.Sprint(workers*rounds))
	eq(t, "rpush", c.LLen(ctx, "l").Val(), int64(workers*rounds))
}

func TestOptionsAndConn(t *testing.T) {
	c, err := Open(&Options{Databases: 4, DB: 2})
	ok(t, err)
	defer c.Close()
	c.Set(ctx, "k", "in db 2", 0)
	cn := c.Conn()
	eq(t, "conn db", cn.Get(ctx, "k").Val(), "in db 2")
	eq(t, "select", cn.Select(ctx, 0).Val(), "OK")
	eq(t, "other db", cn.Get(ctx, "k").Err(), error(Nil))
	eq(t, "setname", cn.ClientSetName(ctx, "me").Val(), true)
	eq(t, "getname", cn.Do(ctx, "CLIENT", "GETNAME").Val(), "me")
	// Pipelines on a Conn run on its session (database 0 now).
	_, err = cn.Pipelined(ctx, func(p Pipeliner) error { p.Set(ctx, "k0", "a", 0); return nil })
	ok(t, err)
	cmds, err := cn.TxPipelined(ctx, func(p Pipeliner) error { p.Get(ctx, "k0"); return nil })
	ok(t, err)
	eq(t, "conn tx", cmds[0].(*StringCmd).Val(), "a")
	eq(t, "db 2 untouched", c.Exists(ctx, "k0").Val(), int64(0))
	ok(t, cn.Close())
	// The Conn's SELECT did not leak into the pool.
	for i := 0; i < 10; i++ {
		eq(t, "pool db", c.Get(ctx, "k").Val(), "in db 2")
	}
	// SELECT through Do does not leak either.
	c.Do(ctx, "SELECT", 0)
	eq(t, "after Do select", c.Get(ctx, "k").Val(), "in db 2")

	_, err = Open(&Options{Databases: 2, DB: 5})
	eq(t, "db out of range", err.Error(), "ERR DB index is out of range")
	_, err = Open(&Options{ShardBits: 99})
	eq(t, "bad option", err != nil, true)
	bad := NewClient(&Options{Hz: -1})
	eq(t, "NewClient error", bad.Ping(ctx).Err() != nil, true)
	eq(t, "system clock", c.AdvanceClock(time.Second) != nil, true)
}

// A client dropped without Close is released by its cleanups.
func TestDroppedClient(t *testing.T) {
	for i := 0; i < 100; i++ {
		c, err := Open(nil)
		ok(t, err)
		c.Set(ctx, "k", "v", 0)
		c.Conn().Ping(ctx)
	}
	runtime.GC()
	runtime.GC()
}

// Get's one crossing reads into the session's value chunk; values that do
// not fit are read again into a buffer their size, and later values never
// show what an earlier one left there.
func TestGetBufferSizes(t *testing.T) {
	c := open(t)
	for _, n := range []int{0, 1, 255, 256, 257, 4000, 1 << 16, 1<<16 + 1, 300000, 3, 0} {
		v := make([]byte, n)
		for i := range v {
			v[i] = byte(i*7 + n)
		}
		ok(t, c.Set(ctx, "k", v, 0).Err())
		got, err := c.Get(ctx, "k").Bytes()
		ok(t, err)
		if string(got) != string(v) {
			t.Fatalf("value of %d bytes: got %d bytes back", n, len(got))
		}
	}
	eq(t, "missing", c.Get(ctx, "nokey").Err(), error(Nil))
	c.HSet(ctx, "h", "f", "v")
	eq(t, "wrong type", c.Get(ctx, "h").Err(), error(RedisError("WRONGTYPE Operation against a key holding the wrong kind of value")))
}

// Small values share a chunk: every string Get returned keeps its bytes
// while later Gets fill the rest of the chunk and the next ones.
func TestGetStringsKeepTheirBytes(t *testing.T) {
	c := open(t)
	sizes := []int{1, 32, 127, 128, 129, 500, 1000, 1024, 1025, 3000, 0, 5}
	want := map[string]string{}
	for i := 0; i < 400; i++ {
		n := sizes[i%len(sizes)]
		v := make([]byte, n)
		for j := range v {
			v[j] = byte(i + j)
		}
		k := fmt.Sprintf("k%d", i)
		want[k] = string(v)
		ok(t, c.Set(ctx, k, v, 0).Err())
	}
	got := map[string]string{}
	for round := 0; round < 3; round++ {
		for k := range want {
			v, err := c.Get(ctx, k).Result()
			ok(t, err)
			if round == 0 {
				got[k] = v
			}
		}
	}
	for k, v := range want {
		if got[k] != v {
			t.Fatalf("%s: %d bytes changed after later Gets", k, len(v))
		}
	}
}
