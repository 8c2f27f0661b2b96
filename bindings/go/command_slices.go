package kv

import (
	"context"
	"encoding"
	"fmt"
	"strconv"
)

// elems calls f on every element of an aggregate reply.
func elems(r reply, f func(i int, e reply) error) error {
	if err := replyArray(r); err != nil {
		return err
	}
	for i := 0; i < r.len(); i++ {
		if err := f(i, r.at(i)); err != nil {
			return err
		}
	}
	return nil
}

// SliceCmd is an array of any values; nil elements are nil (MGET).
type SliceCmd struct {
	baseCmd
	val []interface{}
}

func NewSliceCmd(ctx context.Context, args ...interface{}) *SliceCmd {
	return &SliceCmd{baseCmd: baseCmd{ctx: ctx, args: args}}
}

func (c *SliceCmd) readReply(r reply) error {
	if err := replyArray(r); err != nil {
		return err
	}
	v, _ := replyValue(r).([]interface{})
	c.val = v
	return nil
}

func (c *SliceCmd) SetVal(v []interface{})         { c.val = v }
func (c *SliceCmd) Val() []interface{}             { return c.val }
func (c *SliceCmd) Result() ([]interface{}, error) { return c.val, c.err }
func (c *SliceCmd) String() string                 { return c.show(c.val) }

// StringSliceCmd is an array of strings (a nil element is "").
type StringSliceCmd struct {
	baseCmd
	val []string
}

func NewStringSliceCmd(ctx context.Context, args ...interface{}) *StringSliceCmd {
	return &StringSliceCmd{baseCmd: baseCmd{ctx: ctx, args: args}}
}

func (c *StringSliceCmd) readReply(r reply) error {
	if err := replyArray(r); err != nil {
		return err
	}
	c.val = make([]string, r.len())
	return elems(r, func(i int, e reply) error {
		if e.kind() == kindNil {
			return nil
		}
		s, err := replyString(e)
		c.val[i] = s
		return err
	})
}

func (c *StringSliceCmd) SetVal(v []string)         { c.val = v }
func (c *StringSliceCmd) Val() []string             { return c.val }
func (c *StringSliceCmd) Result() ([]string, error) { return c.val, c.err }
func (c *StringSliceCmd) String() string            { return c.show(c.val) }

// ScanSlice parses each string into an element of the slice dst points to.
func (c *StringSliceCmd) ScanSlice(dst interface{}) error {
	if c.err != nil {
		return c.err
	}
	return scanSlice(c.val, dst)
}

// IntSliceCmd is an array of integers.
type IntSliceCmd struct {
	baseCmd
	val []int64
}

func NewIntSliceCmd(ctx context.Context, args ...interface{}) *IntSliceCmd {
	return &IntSliceCmd{baseCmd: baseCmd{ctx: ctx, args: args}}
}

func (c *IntSliceCmd) readReply(r reply) error {
	if err := replyArray(r); err != nil {
		return err
	}
	c.val = make([]int64, r.len())
	return elems(r, func(i int, e reply) error {
		if e.kind() == kindNil {
			return nil
		}
		n, err := replyInt(e)
		c.val[i] = n
		return err
	})
}

func (c *IntSliceCmd) SetVal(v []int64)         { c.val = v }
func (c *IntSliceCmd) Val() []int64             { return c.val }
func (c *IntSliceCmd) Result() ([]int64, error) { return c.val, c.err }
func (c *IntSliceCmd) String() string           { return c.show(c.val) }

// BoolSliceCmd is an array of 1/0 integers (SMISMEMBER).
type BoolSliceCmd struct {
	baseCmd
	val []bool
}

func NewBoolSliceCmd(ctx context.Context, args ...interface{}) *BoolSliceCmd {
	return &BoolSliceCmd{baseCmd: baseCmd{ctx: ctx, args: args}}
}

func (c *BoolSliceCmd) readReply(r reply) error {
	if err := replyArray(r); err != nil {
		return err
	}
	c.val = make([]bool, r.len())
	return elems(r, func(i int, e reply) error {
		n, err := replyInt(e)
		c.val[i] = n == 1
		return err
	})
}

func (c *BoolSliceCmd) SetVal(v []bool)         { c.val = v }
func (c *BoolSliceCmd) Val() []bool             { return c.val }
func (c *BoolSliceCmd) Result() ([]bool, error) { return c.val, c.err }
func (c *BoolSliceCmd) String() string          { return c.show(c.val) }

// FloatSliceCmd is an array of doubles; a nil element is 0 (ZMSCORE).
type FloatSliceCmd struct {
	baseCmd
	val []float64
}

func NewFloatSliceCmd(ctx context.Context, args ...interface{}) *FloatSliceCmd {
	return &FloatSliceCmd{baseCmd: baseCmd{ctx: ctx, args: args}}
}

func (c *FloatSliceCmd) readReply(r reply) error {
	if err := replyArray(r); err != nil {
		return err
	}
	c.val = make([]float64, r.len())
	return elems(r, func(i int, e reply) error {
		if e.kind() == kindNil {
			return nil
		}
		f, err := replyFloat(e)
		c.val[i] = f
		return err
	})
}

func (c *FloatSliceCmd) SetVal(v []float64)         { c.val = v }
func (c *FloatSliceCmd) Val() []float64             { return c.val }
func (c *FloatSliceCmd) Result() ([]float64, error) { return c.val, c.err }
func (c *FloatSliceCmd) String() string             { return c.show(c.val) }

// pairs calls f on every key/value pair of a map reply, or of a flat
// array of alternating keys and values.
func pairs(r reply, f func(k, v reply) error) error {
	if err := replyArray(r); err != nil {
		return err
	}
	for i := 0; i+1 < r.len(); i += 2 {
		if err := f(r.at(i), r.at(i+1)); err != nil {
			return err
		}
	}
	return nil
}

// MapStringStringCmd is a map of strings (HGETALL).
type MapStringStringCmd struct {
	baseCmd
	val map[string]string
}

func NewMapStringStringCmd(ctx context.Context, args ...interface{}) *MapStringStringCmd {
	return &MapStringStringCmd{baseCmd: baseCmd{ctx: ctx, args: args}}
}

func (c *MapStringStringCmd) readReply(r reply) error {
	c.val = make(map[string]string, r.len()/2)
	return pairs(r, func(k, v reply) error {
		ks, err := replyString(k)
		if err != nil {
			return err
		}
		vs, err := replyString(v)
		c.val[ks] = vs
		return err
	})
}

func (c *MapStringStringCmd) SetVal(v map[string]string)         { c.val = v }
func (c *MapStringStringCmd) Val() map[string]string             { return c.val }
func (c *MapStringStringCmd) Result() (map[string]string, error) { return c.val, c.err }
func (c *MapStringStringCmd) String() string                     { return c.show(c.val) }

// Scan copies the fields into the struct dst points to, by the fields'
// `redis:"name"` tags.
func (c *MapStringStringCmd) Scan(dst interface{}) error {
	if c.err != nil {
		return c.err
	}
	return scanStruct(c.val, dst)
}

// StringStructMapCmd is a set of strings as a map (SMembersMap).
type StringStructMapCmd struct {
	baseCmd
	val map[string]struct{}
}

func NewStringStructMapCmd(ctx context.Context, args ...interface{}) *StringStructMapCmd {
	return &StringStructMapCmd{baseCmd: baseCmd{ctx: ctx, args: args}}
}

func (c *StringStructMapCmd) readReply(r reply) error {
	c.val = make(map[string]struct{}, r.len())
	return elems(r, func(_ int, e reply) error {
		s, err := replyString(e)
		c.val[s] = struct{}{}
		return err
	})
}

func (c *StringStructMapCmd) SetVal(v map[string]struct{})         { c.val = v }
func (c *StringStructMapCmd) Val() map[string]struct{}             { return c.val }
func (c *StringStructMapCmd) Result() (map[string]struct{}, error) { return c.val, c.err }
func (c *StringStructMapCmd) String() string                       { return c.show(c.val) }

// KeyValue is a field and its value (HRANDFIELD WITHVALUES).
type KeyValue struct {
	Key   string
	Value string
}

// KeyValueSliceCmd is a list of field/value pairs.
type KeyValueSliceCmd struct {
	baseCmd
	val []KeyValue
}

func NewKeyValueSliceCmd(ctx context.Context, args ...interface{}) *KeyValueSliceCmd {
	return &KeyValueSliceCmd{baseCmd: baseCmd{ctx: ctx, args: args}}
}

func (c *KeyValueSliceCmd) readReply(r reply) error {
	c.val = nil
	return zpairs(r, func(k, v reply) error {
		ks, err := replyString(k)
		if err != nil {
			return err
		}
		vs, err := replyString(v)
		c.val = append(c.val, KeyValue{ks, vs})
		return err
	})
}

func (c *KeyValueSliceCmd) SetVal(v []KeyValue)         { c.val = v }
func (c *KeyValueSliceCmd) Val() []KeyValue             { return c.val }
func (c *KeyValueSliceCmd) Result() ([]KeyValue, error) { return c.val, c.err }
func (c *KeyValueSliceCmd) String() string              { return c.show(c.val) }

// KeyValuesCmd is a key and values from it (LMPOP, BLMPOP); nil is Nil.
type KeyValuesCmd struct {
	baseCmd
	key string
	val []string
}

func NewKeyValuesCmd(ctx context.Context, args ...interface{}) *KeyValuesCmd {
	return &KeyValuesCmd{baseCmd: baseCmd{ctx: ctx, args: args}}
}

func (c *KeyValuesCmd) readReply(r reply) error {
	if err := replyArray(r); err != nil {
		return err
	}
	if r.len() != 2 {
		return fmt.Errorf("kv: got %d elements, wanted a key and values", r.len())
	}
	var err error
	if c.key, err = replyString(r.at(0)); err != nil {
		return err
	}
	var vals StringSliceCmd
	err = vals.readReply(r.at(1))
	c.val = vals.val
	return err
}

func (c *KeyValuesCmd) SetVal(key string, val []string) { c.key, c.val = key, val }
func (c *KeyValuesCmd) Val() (string, []string)         { return c.key, c.val }
func (c *KeyValuesCmd) Result() (string, []string, error) {
	return c.key, c.val, c.err
}
func (c *KeyValuesCmd) String() string { return c.show([]interface{}{c.key, c.val}) }

// ---------------------------------------------------------------- sorted sets

// Z is a sorted set member and its score.
type Z struct {
	Score  float64
	Member interface{}
}

// ZWithKey is a member popped from the sorted set at Key.
type ZWithKey struct {
	Z
	Key string
}

// zpairs reads member/score pairs in both shapes Redis uses: an array of
// two-element arrays (RESP3) or a flat alternating array.
func zpairs(r reply, f func(m, s reply) error) error {
	if err := replyArray(r); err != nil {
		return err
	}
	if r.len() > 0 && r.at(0).kind() == kindArray {
		return elems(r, func(_ int, e reply) error {
			if e.len() != 2 {
				return fmt.Errorf("kv: got %d elements, wanted a pair", e.len())
			}
			return f(e.at(0), e.at(1))
		})
	}
	return pairs(r, f)
}

func readZ(m, s reply) (Z, error) {
	member, err := replyString(m)
	if err != nil {
		return Z{}, err
	}
	score, err := replyFloat(s)
	return Z{Score: score, Member: member}, err
}

// ZSliceCmd is a list of members with scores.
type ZSliceCmd struct {
	baseCmd
	val []Z
}

func NewZSliceCmd(ctx context.Context, args ...interface{}) *ZSliceCmd {
	return &ZSliceCmd{baseCmd: baseCmd{ctx: ctx, args: args}}
}

func (c *ZSliceCmd) readReply(r reply) error {
	c.val = make([]Z, 0, r.len())
	return zpairs(r, func(m, s reply) error {
		z, err := readZ(m, s)
		c.val = append(c.val, z)
		return err
	})
}

func (c *ZSliceCmd) SetVal(v []Z)         { c.val = v }
func (c *ZSliceCmd) Val() []Z             { return c.val }
func (c *ZSliceCmd) Result() ([]Z, error) { return c.val, c.err }
func (c *ZSliceCmd) String() string       { return c.show(c.val) }

// ZWithKeyCmd is BZPOPMIN's reply: key, member, score; nil is Nil.
type ZWithKeyCmd struct {
	baseCmd
	val *ZWithKey
}

func NewZWithKeyCmd(ctx context.Context, args ...interface{}) *ZWithKeyCmd {
	return &ZWithKeyCmd{baseCmd: baseCmd{ctx: ctx, args: args}}
}

func (c *ZWithKeyCmd) readReply(r reply) error {
	if err := replyArray(r); err != nil {
		return err
	}
	if r.len() != 3 {
		return fmt.Errorf("kv: got %d elements, wanted key, member, score", r.len())
	}
	key, err := replyString(r.at(0))
	if err != nil {
		return err
	}
	z, err := readZ(r.at(1), r.at(2))
	c.val = &ZWithKey{Z: z, Key: key}
	return err
}

func (c *ZWithKeyCmd) SetVal(v *ZWithKey)         { c.val = v }
func (c *ZWithKeyCmd) Val() *ZWithKey             { return c.val }
func (c *ZWithKeyCmd) Result() (*ZWithKey, error) { return c.val, c.err }
func (c *ZWithKeyCmd) String() string             { return c.show(c.val) }

// ZSliceWithKeyCmd is ZMPOP's reply: a key and members with scores.
type ZSliceWithKeyCmd struct {
	baseCmd
	key string
	val []Z
}

func NewZSliceWithKeyCmd(ctx context.Context, args ...interface{}) *ZSliceWithKeyCmd {
	return &ZSliceWithKeyCmd{baseCmd: baseCmd{ctx: ctx, args: args}}
}

func (c *ZSliceWithKeyCmd) readReply(r reply) error {
	if err := replyArray(r); err != nil {
		return err
	}
	if r.len() != 2 {
		return fmt.Errorf("kv: got %d elements, wanted a key and members", r.len())
	}
	var err error
	if c.key, err = replyString(r.at(0)); err != nil {
		return err
	}
	var zs ZSliceCmd
	err = zs.readReply(r.at(1))
	c.val = zs.val
	return err
}

func (c *ZSliceWithKeyCmd) SetVal(key string, val []Z) { c.key, c.val = key, val }
func (c *ZSliceWithKeyCmd) Val() (string, []Z)         { return c.key, c.val }
func (c *ZSliceWithKeyCmd) Result() (string, []Z, error) {
	return c.key, c.val, c.err
}
func (c *ZSliceWithKeyCmd) String() string { return c.show([]interface{}{c.key, c.val}) }

// RankScore is ZRANK ... WITHSCORE's reply.
type RankScore struct {
	Rank  int64
	Score float64
}

// RankWithScoreCmd is a rank and a score; nil is Nil.
type RankWithScoreCmd struct {
	baseCmd
	val RankScore
}

func NewRankWithScoreCmd(ctx context.Context, args ...interface{}) *RankWithScoreCmd {
	return &RankWithScoreCmd{baseCmd: baseCmd{ctx: ctx, args: args}}
}

func (c *RankWithScoreCmd) readReply(r reply) error {
	if err := replyArray(r); err != nil {
		return err
	}
	if r.len() != 2 {
		return fmt.Errorf("kv: got %d elements, wanted a rank and a score", r.len())
	}
	var err error
	if c.val.Rank, err = replyInt(r.at(0)); err != nil {
		return err
	}
	c.val.Score, err = replyFloat(r.at(1))
	return err
}

func (c *RankWithScoreCmd) SetVal(v RankScore)         { c.val = v }
func (c *RankWithScoreCmd) Val() RankScore             { return c.val }
func (c *RankWithScoreCmd) Result() (RankScore, error) { return c.val, c.err }
func (c *RankWithScoreCmd) String() string             { return c.show(c.val) }

// ---------------------------------------------------------------- scan

// ScanCmd is a cursor and a page of keys (or fields and values, members
// and scores); Iterator walks every page.
type ScanCmd struct {
	baseCmd
	page   []string
	cursor uint64
	client cmdable
}

func NewScanCmd(ctx context.Context, process cmdable, args ...interface{}) *ScanCmd {
	return &ScanCmd{baseCmd: baseCmd{ctx: ctx, args: args}, client: process}
}

func (c *ScanCmd) readReply(r reply) error {
	if err := replyArray(r); err != nil {
		return err
	}
	if r.len() != 2 {
		return fmt.Errorf("kv: got %d elements, wanted a cursor and a page", r.len())
	}
	cur, err := replyString(r.at(0))
	if err != nil {
		return err
	}
	if c.cursor, err = strconv.ParseUint(cur, 10, 64); err != nil {
		return err
	}
	var page StringSliceCmd
	err = page.readReply(r.at(1))
	c.page = page.val
	return err
}

func (c *ScanCmd) SetVal(page []string, cursor uint64) { c.page, c.cursor = page, cursor }
func (c *ScanCmd) Val() (keys []string, cursor uint64) { return c.page, c.cursor }
func (c *ScanCmd) Result() (keys []string, cursor uint64, err error) {
	return c.page, c.cursor, c.err
}
func (c *ScanCmd) String() string { return c.show(c.page) }

// ---------------------------------------------------------------- scanning values

// scan parses b into the value dst points to.
func scan(b []byte, dst interface{}) error {
	var err error
	switch d := dst.(type) {
	case nil:
		return fmt.Errorf("kv: Scan(nil)")
	case *string:
		*d = string(b)
	case *[]byte:
		*d = append((*d)[:0], b...)
	case *int:
		*d, err = strconv.Atoi(string(b))
	case *int64:
		*d, err = strconv.ParseInt(string(b), 10, 64)
	case *int32:
		var n int64
		n, err = strconv.ParseInt(string(b), 10, 32)
		*d = int32(n)
	case *uint64:
		*d, err = strconv.ParseUint(string(b), 10, 64)
	case *uint:
		var n uint64
		n, err = strconv.ParseUint(string(b), 10, 0)
		*d = uint(n)
	case *float64:
		*d, err = strconv.ParseFloat(string(b), 64)
	case *float32:
		var f float64
		f, err = strconv.ParseFloat(string(b), 32)
		*d = float32(f)
	case *bool:
		*d = len(b) == 1 && b[0] == '1'
	case encoding.BinaryUnmarshaler:
		err = d.UnmarshalBinary(b)
	default:
		err = fmt.Errorf("kv: can't unmarshal %T (consider implementing BinaryUnmarshaler)", dst)
	}
	return err
}
