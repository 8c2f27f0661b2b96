package kv

//go:generate go run ./internal/gen

import (
	"context"
	"errors"
	"strings"
	"time"
)

// The commands whose arguments need more than a direct mapping (options
// structs, optional arguments); the others are in commands_gen.go.

// ---------------------------------------------------------------- strings

func setArgs(key string, value interface{}, expiration time.Duration) []interface{} {
	args := make([]interface{}, 3, 5)
	args[0], args[1], args[2] = "set", key, value
	if expiration > 0 {
		if usePrecise(expiration) {
			args = append(args, "px", formatMs(expiration))
		} else {
			args = append(args, "ex", formatSec(expiration))
		}
	} else if expiration == KeepTTL {
		args = append(args, "keepttl")
	}
	return args
}

// Set stores a value; expiration 0 means none, KeepTTL keeps the key's.
func (c cmdable) Set(ctx context.Context, key string, value interface{}, expiration time.Duration) *StatusCmd {
	cmd := NewStatusCmd(ctx, setArgs(key, value, expiration)...)
	_ = c(ctx, cmd)
	return cmd
}

// SetArgs are SET's options.
type SetArgs struct {
	// Mode is NX, XX or empty.
	Mode string
	// TTL is the time to live (0: none).
	TTL time.Duration
	// ExpireAt is the moment the key expires (zero: none).
	ExpireAt time.Time
	// Get returns the old value (SET ... GET); read it with the
	// StatusCmd's Val, Nil if there was none.
	Get bool
	// KeepTTL keeps the key's time to live.
	KeepTTL bool
}

// SetArgs is SET with every option.
func (c cmdable) SetArgs(ctx context.Context, key string, value interface{}, a SetArgs) *StatusCmd {
	args := []interface{}{"set", key, value}
	if a.KeepTTL {
		args = append(args, "keepttl")
	}
	if !a.ExpireAt.IsZero() {
		if a.ExpireAt.Nanosecond()%int(time.Second) >= int(time.Millisecond) {
			args = append(args, "pxat", a.ExpireAt.UnixMilli())
		} else {
			args = append(args, "exat", a.ExpireAt.Unix())
		}
	}
	if a.TTL > 0 {
		if usePrecise(a.TTL) {
			args = append(args, "px", formatMs(a.TTL))
		} else {
			args = append(args, "ex", formatSec(a.TTL))
		}
	}
	if a.Mode != "" {
		args = append(args, a.Mode)
	}
	if a.Get {
		args = append(args, "get")
	}
	cmd := NewStatusCmd(ctx, args...)
	_ = c(ctx, cmd)
	return cmd
}

// setIf is SET NX / SET XX with an expiration, replying true if it set.
func (c cmdable) setIf(ctx context.Context, mode, key string, value interface{}, expiration time.Duration) *BoolCmd {
	var cmd *BoolCmd
	if expiration == 0 && mode == "nx" {
		cmd = NewBoolCmd(ctx, "setnx", key, value)
	} else {
		cmd = NewBoolCmd(ctx, append(setArgs(key, value, expiration), mode)...)
	}
	_ = c(ctx, cmd)
	return cmd
}

// SetNX sets the key only if it does not exist.
func (c cmdable) SetNX(ctx context.Context, key string, value interface{}, expiration time.Duration) *BoolCmd {
	return c.setIf(ctx, "nx", key, value, expiration)
}

// SetXX sets the key only if it exists.
func (c cmdable) SetXX(ctx context.Context, key string, value interface{}, expiration time.Duration) *BoolCmd {
	return c.setIf(ctx, "xx", key, value, expiration)
}

// GetEx reads a value and sets its expiration; 0 removes it (PERSIST).
func (c cmdable) GetEx(ctx context.Context, key string, expiration time.Duration) *StringCmd {
	args := []interface{}{"getex", key}
	if expiration > 0 {
		if usePrecise(expiration) {
			args = append(args, "px", formatMs(expiration))
		} else {
			args = append(args, "ex", formatSec(expiration))
		}
	} else if expiration == 0 {
		args = append(args, "persist")
	}
	cmd := NewStringCmd(ctx, args...)
	_ = c(ctx, cmd)
	return cmd
}

// BitCount is BITCOUNT's range.
type BitCount struct {
	Start, End int64
	// Unit is BYTE (the default) or BIT.
	Unit string
}

func (c cmdable) BitCount(ctx context.Context, key string, bitCount *BitCount) *IntCmd {
	args := []interface{}{"bitcount", key}
	if bitCount != nil {
		args = append(args, bitCount.Start, bitCount.End)
		if bitCount.Unit != "" {
			args = append(args, bitCount.Unit)
		}
	}
	cmd := NewIntCmd(ctx, args...)
	_ = c(ctx, cmd)
	return cmd
}

// BitPos finds the first bit set to bit, in the byte range pos (start,
// or start and end).
func (c cmdable) BitPos(ctx context.Context, key string, bit int64, pos ...int64) *IntCmd {
	args := []interface{}{"bitpos", key, bit}
	for _, p := range pos {
		args = append(args, p)
	}
	cmd := NewIntCmd(ctx, args...)
	if len(pos) > 2 {
		cmd.SetErr(errTooManyArgs("BitPos", "pos"))
		return cmd
	}
	_ = c(ctx, cmd)
	return cmd
}

// ---------------------------------------------------------------- keys

// Copy copies a key to destKey in database db, replacing it if asked.
func (c cmdable) Copy(ctx context.Context, sourceKey, destKey string, db int, replace bool) *IntCmd {
	args := []interface{}{"copy", sourceKey, destKey, "db", db}
	if replace {
		args = append(args, "replace")
	}
	cmd := NewIntCmd(ctx, args...)
	_ = c(ctx, cmd)
	return cmd
}

// Sort is SORT's options.
type Sort struct {
	By            string
	Offset, Count int64
	Get           []string
	Order         string // ASC or DESC
	Alpha         bool
}

func (s *Sort) args(command, key string) []interface{} {
	args := []interface{}{command, key}
	if s == nil {
		return args
	}
	if s.By != "" {
		args = append(args, "by", s.By)
	}
	if s.Offset != 0 || s.Count != 0 {
		args = append(args, "limit", s.Offset, s.Count)
	}
	for _, g := range s.Get {
		args = append(args, "get", g)
	}
	if s.Order != "" {
		args = append(args, s.Order)
	}
	if s.Alpha {
		args = append(args, "alpha")
	}
	return args
}

func (c cmdable) Sort(ctx context.Context, key string, sort *Sort) *StringSliceCmd {
	cmd := NewStringSliceCmd(ctx, sort.args("sort", key)...)
	_ = c(ctx, cmd)
	return cmd
}

func (c cmdable) SortRO(ctx context.Context, key string, sort *Sort) *StringSliceCmd {
	cmd := NewStringSliceCmd(ctx, sort.args("sort_ro", key)...)
	_ = c(ctx, cmd)
	return cmd
}

func (c cmdable) SortStore(ctx context.Context, key, store string, sort *Sort) *IntCmd {
	args := sort.args("sort", key)
	if store != "" {
		args = append(args, "store", store)
	}
	cmd := NewIntCmd(ctx, args...)
	_ = c(ctx, cmd)
	return cmd
}

// SortInterfaces is Sort keeping nil elements (GET of missing keys) as nil.
func (c cmdable) SortInterfaces(ctx context.Context, key string, sort *Sort) *SliceCmd {
	cmd := NewSliceCmd(ctx, sort.args("sort", key)...)
	_ = c(ctx, cmd)
	return cmd
}

// scan runs a SCAN-family command: cmd [key] cursor [MATCH m] [COUNT n].
func (c cmdable) scan(ctx context.Context, head []interface{}, cursor uint64, match string, count int64, tail ...interface{}) *ScanCmd {
	args := append(head, cursor)
	if match != "" {
		args = append(args, "match", match)
	}
	if count > 0 {
		args = append(args, "count", count)
	}
	args = append(args, tail...)
	cmd := NewScanCmd(ctx, c, args...)
	_ = c(ctx, cmd)
	return cmd
}

// Scan pages through the keys: start with cursor 0, stop when the cursor
// returned is 0 (or use Iterator).
func (c cmdable) Scan(ctx context.Context, cursor uint64, match string, count int64) *ScanCmd {
	return c.scan(ctx, []interface{}{"scan"}, cursor, match, count)
}

// ScanType is Scan over keys of one type ("string", "list"...).
func (c cmdable) ScanType(ctx context.Context, cursor uint64, match string, count int64, keyType string) *ScanCmd {
	return c.scan(ctx, []interface{}{"scan"}, cursor, match, count, "type", keyType)
}

// HScan pages through a hash: fields and values alternate in the page.
func (c cmdable) HScan(ctx context.Context, key string, cursor uint64, match string, count int64) *ScanCmd {
	return c.scan(ctx, []interface{}{"hscan", key}, cursor, match, count)
}

// SScan pages through a set.
func (c cmdable) SScan(ctx context.Context, key string, cursor uint64, match string, count int64) *ScanCmd {
	return c.scan(ctx, []interface{}{"sscan", key}, cursor, match, count)
}

// ZScan pages through a sorted set: members and scores alternate.
func (c cmdable) ZScan(ctx context.Context, key string, cursor uint64, match string, count int64) *ScanCmd {
	return c.scan(ctx, []interface{}{"zscan", key}, cursor, match, count)
}

// ---------------------------------------------------------------- lists

// LPosArgs are LPOS's RANK and MAXLEN (0: not given).
type LPosArgs struct {
	Rank, MaxLen int64
}

func (a LPosArgs) append(args []interface{}) []interface{} {
	if a.Rank != 0 {
		args = append(args, "rank", a.Rank)
	}
	if a.MaxLen != 0 {
		args = append(args, "maxlen", a.MaxLen)
	}
	return args
}

// LPos is the index of value in the list; Nil if it is not there.
func (c cmdable) LPos(ctx context.Context, key string, value string, a LPosArgs) *IntCmd {
	cmd := NewIntCmd(ctx, a.append([]interface{}{"lpos", key, value})...)
	_ = c(ctx, cmd)
	return cmd
}

// LPosCount is the indexes of up to count matches (0: all).
func (c cmdable) LPosCount(ctx context.Context, key string, value string, count int64, a LPosArgs) *IntSliceCmd {
	cmd := NewIntSliceCmd(ctx, a.append([]interface{}{"lpos", key, value, "count", count})...)
	_ = c(ctx, cmd)
	return cmd
}

// ---------------------------------------------------------------- sorted sets

// ZAddArgs are ZADD's options and members.
type ZAddArgs struct {
	NX      bool
	XX      bool
	LT      bool
	GT      bool
	Ch      bool
	Members []Z
}

func (a ZAddArgs) args(key string, incr bool) []interface{} {
	args := make([]interface{}, 0, 6+2*len(a.Members))
	args = append(args, "zadd", key)
	if a.NX {
		args = append(args, "nx")
	} else {
		if a.XX {
			args = append(args, "xx")
		}
		if a.GT {
			args = append(args, "gt")
		} else if a.LT {
			args = append(args, "lt")
		}
	}
	if a.Ch {
		args = append(args, "ch")
	}
	if incr {
		args = append(args, "incr")
	}
	for _, m := range a.Members {
		args = append(args, m.Score, m.Member)
	}
	return args
}

// ZAddArgs is ZADD with every option.
func (c cmdable) ZAddArgs(ctx context.Context, key string, args ZAddArgs) *IntCmd {
	cmd := NewIntCmd(ctx, args.args(key, false)...)
	_ = c(ctx, cmd)
	return cmd
}

// ZAddArgsIncr is ZADD ... INCR: the member's new score, Nil if an
// option prevented the change.
func (c cmdable) ZAddArgsIncr(ctx context.Context, key string, args ZAddArgs) *FloatCmd {
	cmd := NewFloatCmd(ctx, args.args(key, true)...)
	_ = c(ctx, cmd)
	return cmd
}

func (c cmdable) ZAdd(ctx context.Context, key string, members ...Z) *IntCmd {
	return c.ZAddArgs(ctx, key, ZAddArgs{Members: members})
}

func (c cmdable) ZAddNX(ctx context.Context, key string, members ...Z) *IntCmd {
	return c.ZAddArgs(ctx, key, ZAddArgs{NX: true, Members: members})
}

func (c cmdable) ZAddXX(ctx context.Context, key string, members ...Z) *IntCmd {
	return c.ZAddArgs(ctx, key, ZAddArgs{XX: true, Members: members})
}

func (c cmdable) ZAddGT(ctx context.Context, key string, members ...Z) *IntCmd {
	return c.ZAddArgs(ctx, key, ZAddArgs{GT: true, Members: members})
}

func (c cmdable) ZAddLT(ctx context.Context, key string, members ...Z) *IntCmd {
	return c.ZAddArgs(ctx, key, ZAddArgs{LT: true, Members: members})
}

func (c cmdable) zpop(ctx context.Context, name, key string, count []int64) *ZSliceCmd {
	args := []interface{}{name, key}
	switch len(count) {
	case 0:
	case 1:
		args = append(args, count[0])
	default:
		cmd := NewZSliceCmd(ctx, args...)
		cmd.SetErr(errTooManyArgs(name, "count"))
		return cmd
	}
	cmd := NewZSliceCmd(ctx, args...)
	_ = c(ctx, cmd)
	return cmd
}

func (c cmdable) ZPopMax(ctx context.Context, key string, count ...int64) *ZSliceCmd {
	return c.zpop(ctx, "zpopmax", key, count)
}

func (c cmdable) ZPopMin(ctx context.Context, key string, count ...int64) *ZSliceCmd {
	return c.zpop(ctx, "zpopmin", key, count)
}

// ZRangeBy is a score or lexicographic range ("-inf", "(1", "[a") with
// an optional LIMIT.
type ZRangeBy struct {
	Min, Max      string
	Offset, Count int64
}

func (c cmdable) zRangeBy(name, key string, opt *ZRangeBy, withScores bool) []interface{} {
	// The REV forms take the bounds high first, as go-redis sends them.
	args := []interface{}{name, key, opt.Min, opt.Max}
	if strings.HasPrefix(name, "zrev") {
		args[2], args[3] = opt.Max, opt.Min
	}
	if withScores {
		args = append(args, "withscores")
	}
	if opt.Offset != 0 || opt.Count != 0 {
		args = append(args, "limit", opt.Offset, opt.Count)
	}
	return args
}

func (c cmdable) strings(ctx context.Context, args []interface{}) *StringSliceCmd {
	cmd := NewStringSliceCmd(ctx, args...)
	_ = c(ctx, cmd)
	return cmd
}

func (c cmdable) zslice(ctx context.Context, args []interface{}) *ZSliceCmd {
	cmd := NewZSliceCmd(ctx, args...)
	_ = c(ctx, cmd)
	return cmd
}

func (c cmdable) ZRangeByScore(ctx context.Context, key string, opt *ZRangeBy) *StringSliceCmd {
	return c.strings(ctx, c.zRangeBy("zrangebyscore", key, opt, false))
}

func (c cmdable) ZRangeByLex(ctx context.Context, key string, opt *ZRangeBy) *StringSliceCmd {
	return c.strings(ctx, c.zRangeBy("zrangebylex", key, opt, false))
}

func (c cmdable) ZRangeByScoreWithScores(ctx context.Context, key string, opt *ZRangeBy) *ZSliceCmd {
	return c.zslice(ctx, c.zRangeBy("zrangebyscore", key, opt, true))
}

func (c cmdable) ZRevRangeByScore(ctx context.Context, key string, opt *ZRangeBy) *StringSliceCmd {
	return c.strings(ctx, c.zRangeBy("zrevrangebyscore", key, opt, false))
}

func (c cmdable) ZRevRangeByLex(ctx context.Context, key string, opt *ZRangeBy) *StringSliceCmd {
	return c.strings(ctx, c.zRangeBy("zrevrangebylex", key, opt, false))
}

func (c cmdable) ZRevRangeByScoreWithScores(ctx context.Context, key string, opt *ZRangeBy) *ZSliceCmd {
	return c.zslice(ctx, c.zRangeBy("zrevrangebyscore", key, opt, true))
}

// ZRangeArgs is ZRANGE with every option: Start and Stop are indexes, or
// scores with ByScore, or lexicographic bounds with ByLex.
type ZRangeArgs struct {
	Key           string
	Start, Stop   interface{}
	ByScore       bool
	ByLex         bool
	Rev           bool
	Offset, Count int64
}

func (z ZRangeArgs) args(head []interface{}, withScores bool) []interface{} {
	args := append(head, z.Key, z.Start, z.Stop)
	if z.ByScore {
		args = append(args, "byscore")
	} else if z.ByLex {
		args = append(args, "bylex")
	}
	if z.Rev {
		args = append(args, "rev")
	}
	if z.Offset != 0 || z.Count != 0 {
		args = append(args, "limit", z.Offset, z.Count)
	}
	if withScores {
		args = append(args, "withscores")
	}
	return args
}

func (c cmdable) ZRangeArgs(ctx context.Context, z ZRangeArgs) *StringSliceCmd {
	return c.strings(ctx, z.args([]interface{}{"zrange"}, false))
}

func (c cmdable) ZRangeArgsWithScores(ctx context.Context, z ZRangeArgs) *ZSliceCmd {
	return c.zslice(ctx, z.args([]interface{}{"zrange"}, true))
}

// ZRangeStore stores the range in dst and returns its size.
func (c cmdable) ZRangeStore(ctx context.Context, dst string, z ZRangeArgs) *IntCmd {
	cmd := NewIntCmd(ctx, z.args([]interface{}{"zrangestore", dst}, false)...)
	_ = c(ctx, cmd)
	return cmd
}

// ZStore are the inputs of ZUNION/ZINTER and their STORE forms.
type ZStore struct {
	Keys    []string
	Weights []float64
	// Aggregate is SUM (the default), MIN or MAX.
	Aggregate string
}

func (z *ZStore) args(head []interface{}, withScores bool) []interface{} {
	args := append(head, len(z.Keys))
	args = stringsToArgs(args, z.Keys)
	if len(z.Weights) > 0 {
		args = append(args, "weights")
		for _, w := range z.Weights {
			args = append(args, w)
		}
	}
	if z.Aggregate != "" {
		args = append(args, "aggregate", z.Aggregate)
	}
	if withScores {
		args = append(args, "withscores")
	}
	return args
}

func (c cmdable) ZInter(ctx context.Context, store *ZStore) *StringSliceCmd {
	return c.strings(ctx, store.args([]interface{}{"zinter"}, false))
}

func (c cmdable) ZInterWithScores(ctx context.Context, store *ZStore) *ZSliceCmd {
	return c.zslice(ctx, store.args([]interface{}{"zinter"}, true))
}

func (c cmdable) ZInterStore(ctx context.Context, destination string, store *ZStore) *IntCmd {
	cmd := NewIntCmd(ctx, store.args([]interface{}{"zinterstore", destination}, false)...)
	_ = c(ctx, cmd)
	return cmd
}

func (c cmdable) ZUnion(ctx context.Context, store ZStore) *StringSliceCmd {
	return c.strings(ctx, store.args([]interface{}{"zunion"}, false))
}

func (c cmdable) ZUnionWithScores(ctx context.Context, store ZStore) *ZSliceCmd {
	return c.zslice(ctx, store.args([]interface{}{"zunion"}, true))
}

func (c cmdable) ZUnionStore(ctx context.Context, dest string, store *ZStore) *IntCmd {
	cmd := NewIntCmd(ctx, store.args([]interface{}{"zunionstore", dest}, false)...)
	_ = c(ctx, cmd)
	return cmd
}

func errTooManyArgs(fn, what string) error {
	return errors.New("kv: too many arguments in " + fn + "'s " + what)
}
