package kv

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Cmder is one command and, once run, its result (go-redis's Cmder).
type Cmder interface {
	// Name is the command's name in lower case ("get").
	Name() string
	// FullName adds the subcommand ("client unblock").
	FullName() string
	// Args are the command's arguments, the name first.
	Args() []interface{}
	// String shows the command and its result.
	String() string
	Err() error
	SetErr(error)

	// readReply stores the result from a reply.
	readReply(r reply) error
}

type baseCmd struct {
	ctx  context.Context
	args []interface{}
	err  error
	// The fast paths (Client.Get, Client.Set) build args only if asked.
	// A value, not a pointer: the command then needs no allocation of its
	// own and can live on the caller's stack.
	fast fastArgs
}

// fastArgs are a fast path's arguments, made into args on demand.
type fastArgs struct {
	name string // "get" or "set"; "" when args are built
	key  string
	val  interface{}
	exp  time.Duration
}

func (c *baseCmd) Name() string {
	if c.fast.name != "" {
		return c.fast.name
	}
	if len(c.args) == 0 {
		return ""
	}
	return strings.ToLower(c.stringArg(0))
}

func (c *baseCmd) FullName() string {
	name := c.Name()
	switch name {
	case "client", "config", "object", "memory", "command", "debug", "script", "function", "acl":
		if len(c.Args()) > 1 {
			return name + " " + strings.ToLower(c.stringArg(1))
		}
	}
	return name
}

func (c *baseCmd) stringArg(i int) string {
	if s, ok := c.args[i].(string); ok {
		return s
	}
	b, _ := appendArg(nil, c.args[i])
	return string(b)
}

func (c *baseCmd) Args() []interface{} {
	if c.fast.name != "" && c.args == nil {
		if c.fast.name == "get" {
			c.args = []interface{}{"get", c.fast.key}
		} else {
			c.args = setArgs(c.fast.key, c.fast.val, c.fast.exp)
		}
	}
	return c.args
}
func (c *baseCmd) Err() error     { return c.err }
func (c *baseCmd) SetErr(e error) { c.err = e }

func (c *baseCmd) show(val interface{}) string {
	var b strings.Builder
	for i := range c.Args() {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(c.stringArg(i))
	}
	if c.err != nil {
		return b.String() + ": " + c.err.Error()
	}
	if val != nil {
		fmt.Fprintf(&b, ": %v", val)
	}
	return b.String()
}

// replyErr is the error a reply stands for: a Redis error reply, or Nil.
func replyErr(r reply) error {
	switch r.kind() {
	case kindError:
		if t := r.text(); t != storeClosed {
			return RedisError(t)
		}
		return ErrClosed
	case kindNil:
		return Nil
	}
	return nil
}

// replyString reads a reply as text: strings, statuses, verbatims,
// doubles (Redis's text) and integers.
func replyString(r reply) (string, error) {
	switch r.kind() {
	case kindString, kindStatus, kindVerbatim, kindDouble:
		return r.text(), nil
	case kindInteger:
		return strconv.FormatInt(r.integer(), 10), nil
	case kindBool:
		if r.integer() != 0 {
			return "1", nil
		}
		return "0", nil
	}
	if err := replyErr(r); err != nil {
		return "", err
	}
	return "", fmt.Errorf("kv: unexpected reply type %d for a string", r.kind())
}

func replyInt(r reply) (int64, error) {
	switch r.kind() {
	case kindInteger, kindBool:
		return r.integer(), nil
	case kindString, kindStatus:
		return strconv.ParseInt(r.text(), 10, 64)
	case kindDouble:
		return int64(r.double()), nil
	}
	if err := replyErr(r); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("kv: unexpected reply type %d for an integer", r.kind())
}

func replyFloat(r reply) (float64, error) {
	switch r.kind() {
	case kindDouble:
		return r.double(), nil
	case kindInteger:
		return float64(r.integer()), nil
	case kindString, kindStatus:
		return strconv.ParseFloat(r.text(), 64)
	}
	if err := replyErr(r); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("kv: unexpected reply type %d for a float", r.kind())
}

// replyArray checks that a reply is an aggregate (array, set, or map read
// as its flat list of keys and values).
func replyArray(r reply) error {
	switch r.kind() {
	case kindArray, kindSet, kindMap:
		return nil
	}
	if err := replyErr(r); err != nil {
		return err
	}
	return fmt.Errorf("kv: unexpected reply type %d for an array", r.kind())
}

// replyValue is a reply as go-redis's Do gives it: string, int64,
// float64, bool, nil, []interface{}, map[interface{}]interface{}; errors
// nested in aggregates are RedisError values.
func replyValue(r reply) interface{} {
	switch r.kind() {
	case kindString, kindStatus, kindVerbatim:
		return r.text()
	case kindInteger:
		return r.integer()
	case kindDouble:
		return r.double()
	case kindBool:
		return r.integer() != 0
	case kindError:
		return replyErr(r)
	case kindArray, kindSet:
		v := make([]interface{}, r.len())
		for i := range v {
			v[i] = replyValue(r.at(i))
		}
		return v
	case kindMap:
		m := make(map[interface{}]interface{}, r.len()/2)
		for i := 0; i+1 < r.len(); i += 2 {
			m[replyValue(r.at(i))] = replyValue(r.at(i + 1))
		}
		return m
	}
	return nil
}

// ---------------------------------------------------------------- Cmd

// Cmd is the result of Do: any reply.
type Cmd struct {
	baseCmd
	val interface{}
}

func NewCmd(ctx context.Context, args ...interface{}) *Cmd {
	return &Cmd{baseCmd: baseCmd{ctx: ctx, args: args}}
}

func (c *Cmd) readReply(r reply) error {
	if r.kind() == kindNil || r.kind() == kindError {
		c.val = nil
		return replyErr(r)
	}
	c.val = replyValue(r)
	return nil
}

func (c *Cmd) SetVal(v interface{})          { c.val = v }
func (c *Cmd) Val() interface{}              { return c.val }
func (c *Cmd) Result() (interface{}, error)  { return c.val, c.err }
func (c *Cmd) String() string                { return c.show(c.val) }
func (c *Cmd) Text() (string, error)         { return toString(c.val, c.err) }
func (c *Cmd) Int() (int, error)             { n, err := c.Int64(); return int(n), err }
func (c *Cmd) Int64() (int64, error)         { return toInt64(c.val, c.err) }
func (c *Cmd) Uint64() (uint64, error)       { n, err := c.Int64(); return uint64(n), err }
func (c *Cmd) Float32() (float32, error)     { f, err := c.Float64(); return float32(f), err }
func (c *Cmd) Float64() (float64, error)     { return toFloat64(c.val, c.err) }
func (c *Cmd) Bool() (bool, error)           { return toBool(c.val, c.err) }
func (c *Cmd) Slice() ([]interface{}, error) { return toSlice(c.val, c.err) }

func (c *Cmd) StringSlice() ([]string, error) {
	s, err := c.Slice()
	if err != nil {
		return nil, err
	}
	out := make([]string, len(s))
	for i, v := range s {
		if out[i], err = toString(v, nil); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (c *Cmd) Int64Slice() ([]int64, error) {
	s, err := c.Slice()
	if err != nil {
		return nil, err
	}
	out := make([]int64, len(s))
	for i, v := range s {
		if out[i], err = toInt64(v, nil); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func toString(v interface{}, err error) (string, error) {
	if err != nil {
		return "", err
	}
	switch v := v.(type) {
	case string:
		return v, nil
	case int64:
		return strconv.FormatInt(v, 10), nil
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), nil
	}
	return "", fmt.Errorf("kv: unexpected type=%T for String", v)
}

func toInt64(v interface{}, err error) (int64, error) {
	if err != nil {
		return 0, err
	}
	switch v := v.(type) {
	case int64:
		return v, nil
	case string:
		return strconv.ParseInt(v, 10, 64)
	}
	return 0, fmt.Errorf("kv: unexpected type=%T for Int64", v)
}

func toFloat64(v interface{}, err error) (float64, error) {
	if err != nil {
		return 0, err
	}
	switch v := v.(type) {
	case float64:
		return v, nil
	case int64:
		return float64(v), nil
	case string:
		return strconv.ParseFloat(v, 64)
	}
	return 0, fmt.Errorf("kv: unexpected type=%T for Float64", v)
}

func toBool(v interface{}, err error) (bool, error) {
	if err != nil {
		return false, err
	}
	switch v := v.(type) {
	case bool:
		return v, nil
	case int64:
		return v != 0, nil
	case string:
		return strconv.ParseBool(v)
	}
	return false, fmt.Errorf("kv: unexpected type=%T for Bool", v)
}

func toSlice(v interface{}, err error) ([]interface{}, error) {
	if err != nil {
		return nil, err
	}
	if s, ok := v.([]interface{}); ok {
		return s, nil
	}
	return nil, fmt.Errorf("kv: unexpected type=%T for Slice", v)
}

// ---------------------------------------------------------------- scalars

// StatusCmd is a status reply such as OK.
type StatusCmd struct {
	baseCmd
	val string
}

func NewStatusCmd(ctx context.Context, args ...interface{}) *StatusCmd {
	return &StatusCmd{baseCmd: baseCmd{ctx: ctx, args: args}}
}

func (c *StatusCmd) readReply(r reply) (err error) {
	c.val, err = replyString(r)
	return err
}

func (c *StatusCmd) SetVal(v string)         { c.val = v }
func (c *StatusCmd) Val() string             { return c.val }
func (c *StatusCmd) Result() (string, error) { return c.val, c.err }
func (c *StatusCmd) Bytes() ([]byte, error)  { return []byte(c.val), c.err }
func (c *StatusCmd) String() string          { return c.show(c.val) }

// StringCmd is a bulk string reply; a nil reply is the error Nil.
type StringCmd struct {
	baseCmd
	val string
}

func NewStringCmd(ctx context.Context, args ...interface{}) *StringCmd {
	return &StringCmd{baseCmd: baseCmd{ctx: ctx, args: args}}
}

func (c *StringCmd) readReply(r reply) (err error) {
	c.val, err = replyString(r)
	return err
}

func (c *StringCmd) SetVal(v string)         { c.val = v }
func (c *StringCmd) Val() string             { return c.val }
func (c *StringCmd) Result() (string, error) { return c.val, c.err }
func (c *StringCmd) Bytes() ([]byte, error)  { return []byte(c.val), c.err }
func (c *StringCmd) String() string          { return c.show(c.val) }
func (c *StringCmd) Bool() (bool, error)     { return toBool(c.val, c.err) }
func (c *StringCmd) Int() (int, error)       { n, err := c.Int64(); return int(n), err }
func (c *StringCmd) Int64() (int64, error)   { return toInt64(c.val, c.err) }
func (c *StringCmd) Float64() (float64, error) {
	return toFloat64(c.val, c.err)
}

func (c *StringCmd) Uint64() (uint64, error) {
	if c.err != nil {
		return 0, c.err
	}
	return strconv.ParseUint(c.val, 10, 64)
}

func (c *StringCmd) Float32() (float32, error) {
	f, err := c.Float64()
	return float32(f), err
}

// Time parses the value as RFC 3339 (how Set writes a time.Time).
func (c *StringCmd) Time() (time.Time, error) {
	if c.err != nil {
		return time.Time{}, c.err
	}
	return time.Parse(time.RFC3339Nano, c.val)
}

// Scan parses the value into dst (a pointer to a string, []byte, number,
// bool, or an encoding.BinaryUnmarshaler).
func (c *StringCmd) Scan(dst interface{}) error {
	if c.err != nil {
		return c.err
	}
	return scan([]byte(c.val), dst)
}

// IntCmd is an integer reply.
type IntCmd struct {
	baseCmd
	val int64
}

func NewIntCmd(ctx context.Context, args ...interface{}) *IntCmd {
	return &IntCmd{baseCmd: baseCmd{ctx: ctx, args: args}}
}

func (c *IntCmd) readReply(r reply) (err error) {
	c.val, err = replyInt(r)
	return err
}

func (c *IntCmd) SetVal(v int64)         { c.val = v }
func (c *IntCmd) Val() int64             { return c.val }
func (c *IntCmd) Result() (int64, error) { return c.val, c.err }
func (c *IntCmd) Uint64() (uint64, error) {
	return uint64(c.val), c.err
}
func (c *IntCmd) String() string { return c.show(c.val) }

// FloatCmd is a double reply (or a bulk string holding one).
type FloatCmd struct {
	baseCmd
	val float64
}

func NewFloatCmd(ctx context.Context, args ...interface{}) *FloatCmd {
	return &FloatCmd{baseCmd: baseCmd{ctx: ctx, args: args}}
}

func (c *FloatCmd) readReply(r reply) (err error) {
	c.val, err = replyFloat(r)
	return err
}

func (c *FloatCmd) SetVal(v float64)         { c.val = v }
func (c *FloatCmd) Val() float64             { return c.val }
func (c *FloatCmd) Result() (float64, error) { return c.val, c.err }
func (c *FloatCmd) String() string           { return c.show(c.val) }

// BoolCmd is an integer 1/0, a boolean, or OK; nil is false without an
// error (SET NX that did not set).
type BoolCmd struct {
	baseCmd
	val bool
}

func NewBoolCmd(ctx context.Context, args ...interface{}) *BoolCmd {
	return &BoolCmd{baseCmd: baseCmd{ctx: ctx, args: args}}
}

func (c *BoolCmd) readReply(r reply) error {
	switch r.kind() {
	case kindNil:
		c.val = false
		return nil
	case kindStatus:
		c.val = r.text() == "OK"
		return nil
	}
	n, err := replyInt(r)
	c.val = n == 1
	return err
}

func (c *BoolCmd) SetVal(v bool)         { c.val = v }
func (c *BoolCmd) Val() bool             { return c.val }
func (c *BoolCmd) Result() (bool, error) { return c.val, c.err }
func (c *BoolCmd) String() string        { return c.show(c.val) }

// DurationCmd is TTL's reply: -1 (no expiry) and -2 (no key) are kept as
// the durations -1 and -2, as go-redis does.
type DurationCmd struct {
	baseCmd
	val       time.Duration
	precision time.Duration
}

func NewDurationCmd(ctx context.Context, precision time.Duration, args ...interface{}) *DurationCmd {
	return &DurationCmd{baseCmd: baseCmd{ctx: ctx, args: args}, precision: precision}
}

func (c *DurationCmd) readReply(r reply) error {
	n, err := replyInt(r)
	if err != nil {
		return err
	}
	switch n {
	case -1, -2:
		c.val = time.Duration(n)
	default:
		c.val = time.Duration(n) * c.precision
	}
	return nil
}

func (c *DurationCmd) SetVal(v time.Duration)         { c.val = v }
func (c *DurationCmd) Val() time.Duration             { return c.val }
func (c *DurationCmd) Result() (time.Duration, error) { return c.val, c.err }
func (c *DurationCmd) String() string                 { return c.show(c.val) }
