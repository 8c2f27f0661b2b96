package kv

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// Options open a store. The zero value is Redis's defaults: 16 databases,
// the system clock, expired keys swept on the callers' goroutines, in
// memory only. A zero field always keeps the default.
type Options struct {
	// DB is the database every session selects (SELECT), as go-redis's
	// Options.DB.
	DB int
	// Databases is the number of databases (default 16).
	Databases int
	// ShardBits is log2 of the lock shards per database (default 5): more
	// let more goroutines write at once.
	ShardBits int
	// Hz is how many active expiry cycles run per second (default 10).
	Hz int
	// ExpiryThread runs the active expiry sweep on a background thread.
	ExpiryThread bool
	// ManualClock, if set, is the store's time, which then moves only with
	// Client.AdvanceClock (tests of TTLs without sleeping).
	ManualClock time.Time

	// DataDir keeps the store on disk in this directory (created if
	// missing): Open loads what is there, saves write there. Unless
	// Persistence says otherwise it turns snapshots on, with Redis's
	// default save rules unless SaveRules says otherwise.
	DataDir string
	// Persistence is what is kept in DataDir: PersistSnapshot,
	// PersistLog (the append-only log), PersistBoth, or PersistOff.
	Persistence Persistence
	// Fsync is when the append-only log reaches the disk (Redis's
	// appendfsync): FsyncAlways, FsyncEverySec (the default), FsyncNo.
	Fsync Fsync
	// SaveRules are Redis's `save <seconds> <changes>` rules for automatic
	// background snapshots. nil keeps the default (with DataDir, Redis's
	// 3600 1 300 100 60 10000); an empty non-nil slice: no automatic saves.
	SaveRules []SaveRule
	// AutoRewritePercentage and AutoRewriteMinSize are Redis's
	// auto-aof-rewrite-percentage (default 100; -1 turns automatic log
	// rewrites off) and auto-aof-rewrite-min-size (default 64 MiB).
	AutoRewritePercentage int
	AutoRewriteMinSize    int64
	// OnLoadProgress, if set, is called while Open loads DataDir: about
	// every 100 ms per file and once when a file is loaded (Done). It runs
	// on Open's goroutine before Open returns, and must not use the client.
	OnLoadProgress func(LoadProgress)
}

// Persistence is what a store keeps on disk (Options.Persistence).
type Persistence int

const (
	// PersistDefault: snapshots if DataDir is set, else nothing.
	PersistDefault Persistence = iota
	// PersistOff: in memory only, even with a DataDir.
	PersistOff
	// PersistSnapshot: point-in-time snapshots (Save, BgSave, SaveRules).
	PersistSnapshot
	// PersistLog: the append-only log of write commands.
	PersistLog
	// PersistBoth: the log, and snapshots too.
	PersistBoth
)

// Fsync is when the append-only log is fsynced (Options.Fsync).
type Fsync int

const (
	// FsyncDefault is FsyncEverySec.
	FsyncDefault Fsync = iota
	// FsyncAlways: before each write returns.
	FsyncAlways
	// FsyncEverySec: once a second (about a second of writes lost in a
	// crash at most).
	FsyncEverySec
	// FsyncNo: when the operating system decides.
	FsyncNo
)

// SaveRule is Redis's `save <seconds> <changes>`: a background snapshot
// once at least Changes writes happened and Seconds passed since the last
// save.
type SaveRule struct {
	Seconds int64
	Changes int64
}

// LoadProgress tells how far Open has come loading a file of DataDir.
type LoadProgress struct {
	Path       string
	BytesRead  int64
	BytesTotal int64
	// KeysLoaded counts keys read from a snapshot; for a log file, the
	// commands replayed.
	KeysLoaded  int64
	KeysExpired int64
	Elapsed     time.Duration
	Done        bool
	// Warning is something the load repaired (a torn log tail truncated).
	Warning string
}

// cmdable runs one command; the typed command methods are defined on it,
// so a Client runs them at once and a Pipeline queues them.
type cmdable func(ctx context.Context, cmd Cmder) error

// core is a store and its pool of sessions, shared by a Client and the
// Conns and Txs made from it.
type core struct {
	h      *storeHandle
	opt    Options
	closed atomic.Bool
	pool   sync.Pool
	// err is why the store could not be opened (NewClient): every call
	// returns it.
	err error
}

// Client is an in-process store, safe for use by many goroutines (each
// call takes a session from a pool, as go-redis takes a connection).
type Client struct {
	cmdable
	c *core
}

// Open opens a store. opt may be nil for the defaults.
func Open(opt *Options) (*Client, error) {
	if opt == nil {
		opt = &Options{}
	}
	h, err := openStore(opt)
	if err != nil {
		return nil, err
	}
	c := &core{h: h, opt: *opt}
	cl := &Client{c: c}
	cl.cmdable = c.process
	if opt.DB != 0 {
		// Fails early for a database that does not exist.
		s, err := c.get()
		if err != nil {
			return nil, err
		}
		c.put(s)
	}
	return cl, nil
}

// NewClient opens a store as go-redis's NewClient connects: it never
// fails itself; if the options are invalid every command returns the
// error.
func NewClient(opt *Options) *Client {
	cl, err := Open(opt)
	if err != nil {
		return &Client{cmdable: func(_ context.Context, cmd Cmder) error {
			cmd.SetErr(err)
			return err
		}, c: &core{err: err}}
	}
	return cl
}

// Close closes the store: blocked calls return ErrClosed, and so does
// every later call. Closing twice returns ErrClosed.
func (c *Client) Close() error {
	k := c.c
	if k.h == nil || k.closed.Swap(true) {
		return ErrClosed
	}
	k.h.close()
	// Sessions left in other goroutines' pool caches go with the next
	// collections (a cleanup frees each).
	for {
		s, _ := k.pool.Get().(*session)
		if s == nil {
			return nil
		}
		s.free()
	}
}

// AdvanceClock moves a store opened with Options.ManualClock forward.
func (c *Client) AdvanceClock(d time.Duration) error {
	if c.c.h == nil {
		return ErrClosed
	}
	return c.c.h.advanceClock(d)
}

// Backup writes a consistent copy of the store to dir/snapshot.kvs (dir
// is created if missing), whatever the store's own persistence; open a
// store with Options{DataDir: dir} to restore it. Save, BgSave and
// LastSave are the Redis commands.
func (c *Client) Backup(ctx context.Context, dir string) *StatusCmd {
	cmd := NewStatusCmd(ctx, "backup", dir)
	err := ctx.Err()
	switch {
	case err != nil:
	case c.c.h == nil && c.c.err != nil:
		err = c.c.err
	case c.c.h == nil || c.c.closed.Load():
		err = ErrClosed
	default:
		err = c.c.h.backup(dir)
	}
	if err != nil {
		cmd.SetErr(err)
	} else {
		cmd.val = "OK"
	}
	return cmd
}

// Options returns the options the store was opened with.
func (c *Client) Options() *Options { return &c.c.opt }

// get takes an idle session from the pool, or opens one.
func (k *core) get() (*session, error) {
	if k.closed.Load() {
		return nil, ErrClosed
	}
	if s, _ := k.pool.Get().(*session); s != nil {
		return s, nil
	}
	if k.h == nil {
		if k.err != nil {
			return nil, k.err
		}
		return nil, ErrClosed
	}
	s, err := openSession(k.h)
	if err != nil {
		return nil, err
	}
	if k.opt.DB != 0 {
		cmd := NewStatusCmd(context.Background(), "select", k.opt.DB)
		if err := s.exec(cmd.args, cmd.readReply); err != nil {
			s.free()
			return nil, err
		}
	}
	return s, nil
}

// put gives a session back, unless its state changed (SELECT, MULTI...)
// and it must not serve other calls.
func (k *core) put(s *session) {
	if s.dirty || k.closed.Load() {
		s.free()
		return
	}
	k.pool.Put(s)
}

// process runs one command on a pooled session.
func (k *core) process(ctx context.Context, cmd Cmder) error {
	if err := ctx.Err(); err != nil {
		cmd.SetErr(err)
		return err
	}
	s, err := k.get()
	if err != nil {
		cmd.SetErr(err)
		return err
	}
	k.run(ctx, s, cmd)
	if _, ok := cmd.(statefulCmd); ok {
		s.dirty = true
	}
	k.put(s)
	return cmd.Err()
}

// run runs one command on a session the caller holds.
func (k *core) run(ctx context.Context, s *session, cmd Cmder) {
	if ctx.Done() != nil && isBlocking(cmd) {
		k.runCancellable(ctx, s, cmd)
		return
	}
	cmd.SetErr(s.exec(cmd.Args(), cmd.readReply))
}

// isBlocking tells the commands that wait for data.
func isBlocking(cmd Cmder) bool {
	switch cmd.Name() {
	case "blpop", "brpop", "brpoplpush", "blmove", "blmpop", "bzpopmin", "bzpopmax", "bzmpop":
		return true
	}
	return false
}

// runCancellable runs a blocking command whose ctx may be cancelled: on
// cancellation the session's wait is interrupted (CLIENT UNBLOCK, from
// another session) and the command returns ctx.Err().
func (k *core) runCancellable(ctx context.Context, s *session, cmd Cmder) {
	id, err := s.clientID()
	if err != nil {
		cmd.SetErr(err)
		return
	}
	done := make(chan struct{})
	fin := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		defer close(fin)
		k.interrupt(id, done)
	})
	err = s.exec(cmd.Args(), cmd.readReply)
	close(done)
	if !stop() {
		// The interrupter runs: let it finish before the session serves
		// another call it could hit.
		<-fin
	}
	var re RedisError
	if ctx.Err() != nil && errors.As(err, &re) && strings.HasPrefix(string(re), "UNBLOCKED") {
		err = ctx.Err()
	}
	cmd.SetErr(err)
}

// interrupt unblocks client id, retrying until it was blocked (the call
// may not have started waiting yet) or done is closed (it returned).
func (k *core) interrupt(id int64, done <-chan struct{}) {
	ctl, err := k.get()
	if err != nil {
		return // closed: the close wakes the call
	}
	defer k.put(ctl)
	for {
		cmd := NewIntCmd(context.Background(), "client", "unblock", id, "error")
		if ctl.exec(cmd.args, cmd.readReply) != nil || cmd.val == 1 {
			return
		}
		select {
		case <-done:
			return
		case <-time.After(time.Millisecond):
		}
	}
}

// clientID is the session's CLIENT ID, asked once.
func (s *session) clientID() (int64, error) {
	if s.id == 0 {
		cmd := NewIntCmd(context.Background(), "client", "id")
		if err := s.exec(cmd.args, cmd.readReply); err != nil {
			return 0, err
		}
		s.id = cmd.val
	}
	return s.id, nil
}

// Process runs a command made by hand (NewCmd, NewStringCmd...).
func (c *Client) Process(ctx context.Context, cmd Cmder) error {
	return c.cmdable(ctx, markState(cmd))
}

// Do runs any command: Do(ctx, "SET", "k", "v"). Replies are RESP3-shaped
// as go-redis v9 gives them: string, int64, float64, bool, []interface{},
// map[interface{}]interface{}; a nil reply is the error Nil.
func (c *Client) Do(ctx context.Context, args ...interface{}) *Cmd {
	cmd := NewCmd(ctx, args...)
	_ = c.Process(ctx, cmd)
	return cmd
}

// statefulCmd marks commands that change a pooled session for good, so
// it is dropped after the call instead of serving others in that state.
type statefulCmd struct{ Cmder }

func markState(cmd Cmder) Cmder {
	switch cmd.Name() {
	case "select", "multi", "watch", "hello", "client", "reset":
		return statefulCmd{cmd}
	}
	return cmd
}

// Get reads a string; a missing key gives the error Nil.
//
// Small enough to be inlined, and getInto keeps no reference to cmd: a
// caller that only reads the result (Get(ctx, k).Result()) then keeps
// the command on its own stack instead of allocating it.
func (c *Client) Get(ctx context.Context, key string) *StringCmd {
	cmd := &StringCmd{baseCmd: baseCmd{fast: fastArgs{name: "get", key: key}}}
	c.getInto(ctx, cmd)
	return cmd
}

// getInto is Get's work. It must not let cmd escape (no closure over it,
// no storing it or its fields' addresses): see Get.
//
//go:noinline
func (c *Client) getInto(ctx context.Context, cmd *StringCmd) {
	cmd.ctx = ctx
	if cmd.err = ctx.Err(); cmd.err != nil {
		return
	}
	s, err := c.c.get()
	if err != nil {
		cmd.err = err
		return
	}
	val, found, err := s.get(cmd.fast.key)
	c.c.put(s)
	if err == nil && !found {
		err = Nil
	}
	cmd.val, cmd.err = val, err
}

// KeepTTL is the expiration that keeps a key's time to live (SET KEEPTTL).
const KeepTTL = -1

// Set stores a value with an expiration (0: none; KeepTTL: keep the
// key's).
func (c *Client) Set(ctx context.Context, key string, value interface{}, expiration time.Duration) *StatusCmd {
	cmd := &StatusCmd{baseCmd: baseCmd{fast: fastArgs{key: key, val: value, exp: expiration}}}
	c.setInto(ctx, cmd)
	return cmd
}

// setInto is Set's work, shaped as getInto: strings and byte slices
// without KEEPTTL take the fast path, anything else the generic one.
//
//go:noinline
func (c *Client) setInto(ctx context.Context, cmd *StatusCmd) {
	f := &cmd.fast
	f.name = "set" // here rather than in Set, to keep Set inlinable
	var b []byte
	switch v := f.val.(type) {
	case string:
		b = unsafe.Slice(unsafe.StringData(v), len(v))
	case []byte:
		b = v
	default:
		*cmd = *c.cmdable.Set(ctx, f.key, f.val, f.exp)
		return
	}
	if f.exp < 0 {
		*cmd = *c.cmdable.Set(ctx, f.key, f.val, f.exp)
		return
	}
	cmd.ctx = ctx
	if cmd.err = ctx.Err(); cmd.err != nil {
		return
	}
	s, err := c.c.get()
	if err != nil {
		cmd.err = err
		return
	}
	err = s.set(f.key, b, f.exp)
	c.c.put(s)
	if err != nil {
		cmd.err = err
		return
	}
	cmd.val = "OK"
}
