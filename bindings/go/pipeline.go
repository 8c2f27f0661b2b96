package kv

import (
	"context"
	"errors"
	"sync"
)

// Pipeliner queues commands and runs them together with Exec (go-redis's
// Pipeliner). A TxPipeline runs them in MULTI/EXEC.
type Pipeliner interface {
	Cmdable
	Do(ctx context.Context, args ...interface{}) *Cmd
	Process(ctx context.Context, cmd Cmder) error
	Len() int
	Discard()
	Exec(ctx context.Context) ([]Cmder, error)
}

// Pipeline is a Pipeliner. Not for concurrent use while it is filled.
type Pipeline struct {
	cmdable
	mu   sync.Mutex
	cmds []Cmder
	exec func(ctx context.Context, cmds []Cmder) error
}

var _ Pipeliner = (*Pipeline)(nil)

func newPipeline(exec func(ctx context.Context, cmds []Cmder) error) *Pipeline {
	p := &Pipeline{exec: exec}
	p.cmdable = p.Process
	return p
}

// Process queues a command.
func (p *Pipeline) Process(_ context.Context, cmd Cmder) error {
	p.mu.Lock()
	p.cmds = append(p.cmds, cmd)
	p.mu.Unlock()
	return nil
}

// Do queues any command.
func (p *Pipeline) Do(ctx context.Context, args ...interface{}) *Cmd {
	cmd := NewCmd(ctx, args...)
	_ = p.Process(ctx, cmd)
	return cmd
}

// Len is the number of queued commands.
func (p *Pipeline) Len() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.cmds)
}

// Discard drops the queued commands.
func (p *Pipeline) Discard() {
	p.mu.Lock()
	p.cmds = nil
	p.mu.Unlock()
}

// Exec runs the queued commands and empties the queue. It returns the
// commands and the first error among them (Nil included, as go-redis).
func (p *Pipeline) Exec(ctx context.Context) ([]Cmder, error) {
	p.mu.Lock()
	cmds := p.cmds
	p.cmds = nil
	p.mu.Unlock()
	if len(cmds) == 0 {
		return nil, nil
	}
	if err := ctx.Err(); err != nil {
		setCmdsErr(cmds, err)
		return cmds, err
	}
	if err := p.exec(ctx, cmds); err != nil {
		return cmds, err
	}
	return cmds, cmdsFirstErr(cmds)
}

// Pipelined fills the pipeline with fn and runs it.
func (p *Pipeline) Pipelined(ctx context.Context, fn func(Pipeliner) error) ([]Cmder, error) {
	if err := fn(p); err != nil {
		return nil, err
	}
	return p.Exec(ctx)
}

func setCmdsErr(cmds []Cmder, err error) {
	for _, cmd := range cmds {
		if cmd.Err() == nil {
			cmd.SetErr(err)
		}
	}
}

func cmdsFirstErr(cmds []Cmder) error {
	for _, cmd := range cmds {
		if err := cmd.Err(); err != nil {
			return err
		}
	}
	return nil
}

// runPipeline runs commands one after the other on one session.
func (k *core) runPipeline(ctx context.Context, s *session, cmds []Cmder) {
	for _, cmd := range cmds {
		k.run(ctx, s, cmd)
	}
}

// runTx runs commands in MULTI/EXEC on one session.
func (k *core) runTx(s *session, cmds []Cmder) error {
	multi := NewStatusCmd(context.Background(), "multi")
	if err := s.exec(multi.args, multi.readReply); err != nil {
		setCmdsErr(cmds, err)
		return err
	}
	queued := make([]bool, len(cmds))
	for i, cmd := range cmds {
		err := s.exec(cmd.Args(), func(r reply) error { return replyErr(r) })
		var re RedisError
		if err != nil && !errors.As(err, &re) {
			// Not a refusal by the store (an argument that cannot be
			// marshalled, a closed store): the transaction is dropped.
			discard := NewStatusCmd(context.Background(), "discard")
			if s.exec(discard.args, discard.readReply) != nil {
				s.dirty = true
			}
			cmd.SetErr(err)
			setCmdsErr(cmds, err)
			return err
		}
		cmd.SetErr(err)
		queued[i] = err == nil
	}
	err := s.exec([]interface{}{"exec"}, func(r reply) error {
		if r.kind() == kindNil {
			return TxFailedErr
		}
		if err := replyArray(r); err != nil {
			return err
		}
		j := 0
		for i, cmd := range cmds {
			if !queued[i] {
				continue
			}
			if j < r.len() {
				cmd.SetErr(cmd.readReply(r.at(j)))
			}
			j++
		}
		return nil
	})
	if err != nil {
		var re RedisError
		if !errors.As(err, &re) {
			s.dirty = true // no reply: the session may still be in MULTI
		}
		setCmdsErr(cmds, err)
		return err
	}
	return nil
}

// Pipeline returns a pipeline whose Exec runs its commands on one session.
func (c *Client) Pipeline() Pipeliner {
	return newPipeline(func(ctx context.Context, cmds []Cmder) error {
		s, err := c.c.get()
		if err != nil {
			setCmdsErr(cmds, err)
			return err
		}
		c.c.runPipeline(ctx, s, cmds)
		c.c.put(s)
		return nil
	})
}

// Pipelined runs the commands fn queues in one pipeline.
func (c *Client) Pipelined(ctx context.Context, fn func(Pipeliner) error) ([]Cmder, error) {
	return c.Pipeline().(*Pipeline).Pipelined(ctx, fn)
}

// TxPipeline returns a pipeline whose Exec runs its commands in
// MULTI/EXEC: all of them, atomically.
func (c *Client) TxPipeline() Pipeliner {
	return newPipeline(func(_ context.Context, cmds []Cmder) error {
		s, err := c.c.get()
		if err != nil {
			setCmdsErr(cmds, err)
			return err
		}
		err = c.c.runTx(s, cmds)
		c.c.put(s)
		return err
	})
}

// TxPipelined runs the commands fn queues in one transaction.
func (c *Client) TxPipelined(ctx context.Context, fn func(Pipeliner) error) ([]Cmder, error) {
	return c.TxPipeline().(*Pipeline).Pipelined(ctx, fn)
}

// ---------------------------------------------------------------- Conn

// Conn is one session of the store, for state that lasts between
// commands (SELECT, CLIENT SETNAME, WATCH), as go-redis's Conn is one
// connection. Close it to give the session back.
type Conn struct {
	cmdable
	k  *core
	mu sync.Mutex
	s  *session
}

// Conn takes a session of its own from the client.
func (c *Client) Conn() *Conn {
	cn := &Conn{k: c.c}
	cn.cmdable = cn.Process
	return cn
}

// Process runs a command on the Conn's session.
func (cn *Conn) Process(ctx context.Context, cmd Cmder) error {
	return cn.with(cmd, func(s *session) error {
		if err := ctx.Err(); err != nil {
			cmd.SetErr(err)
			return err
		}
		cn.k.run(ctx, s, cmd)
		switch cmd.Name() {
		case "select", "hello", "client", "multi", "reset":
			s.dirty = true // not for the pool once the Conn is closed
		}
		return cmd.Err()
	})
}

// with runs f holding the session, opened on first use.
func (cn *Conn) with(cmd Cmder, f func(s *session) error) error {
	cn.mu.Lock()
	defer cn.mu.Unlock()
	if cn.s == nil {
		if cn.k.closed.Load() {
			cmd.SetErr(ErrClosed)
			return ErrClosed
		}
		s, err := cn.k.get()
		if err != nil {
			cmd.SetErr(err)
			return err
		}
		cn.s = s
	}
	return f(cn.s)
}

// Do runs any command on the Conn's session.
func (cn *Conn) Do(ctx context.Context, args ...interface{}) *Cmd {
	cmd := NewCmd(ctx, args...)
	_ = cn.Process(ctx, cmd)
	return cmd
}

// Select switches the Conn's database.
func (cn *Conn) Select(ctx context.Context, index int) *StatusCmd {
	cmd := NewStatusCmd(ctx, "select", index)
	_ = cn.Process(ctx, cmd)
	return cmd
}

// ClientSetName names the Conn's session (CLIENT SETNAME).
func (cn *Conn) ClientSetName(ctx context.Context, name string) *BoolCmd {
	cmd := NewBoolCmd(ctx, "client", "setname", name)
	_ = cn.Process(ctx, cmd)
	return cmd
}

// Pipeline runs its commands on the Conn's session.
func (cn *Conn) Pipeline() Pipeliner {
	return newPipeline(func(ctx context.Context, cmds []Cmder) error {
		err := cn.with(cmds[0], func(s *session) error {
			cn.k.runPipeline(ctx, s, cmds)
			return nil
		})
		if err != nil {
			setCmdsErr(cmds, err)
		}
		return err
	})
}

// Pipelined runs the commands fn queues on the Conn's session.
func (cn *Conn) Pipelined(ctx context.Context, fn func(Pipeliner) error) ([]Cmder, error) {
	return cn.Pipeline().(*Pipeline).Pipelined(ctx, fn)
}

// TxPipeline runs its commands in MULTI/EXEC on the Conn's session.
func (cn *Conn) TxPipeline() Pipeliner {
	return newPipeline(func(_ context.Context, cmds []Cmder) error {
		err := cn.with(cmds[0], func(s *session) error { return cn.k.runTx(s, cmds) })
		if err != nil {
			setCmdsErr(cmds, err)
		}
		return err
	})
}

// TxPipelined runs the commands fn queues in one transaction on the
// Conn's session; it fails with TxFailedErr if a watched key changed.
func (cn *Conn) TxPipelined(ctx context.Context, fn func(Pipeliner) error) ([]Cmder, error) {
	return cn.TxPipeline().(*Pipeline).Pipelined(ctx, fn)
}

// Close gives the session back. A session whose state changed (SELECT,
// a name...) is freed instead of going back to the pool.
func (cn *Conn) Close() error {
	cn.mu.Lock()
	defer cn.mu.Unlock()
	if cn.s != nil {
		cn.s.dirty = true
		cn.k.put(cn.s)
		cn.s = nil
	}
	return nil
}

// ---------------------------------------------------------------- Tx

// Tx is the session of a Watch call: commands run at once on it, and
// TxPipelined runs a MULTI/EXEC that fails with TxFailedErr if a watched
// key changed.
type Tx struct {
	Conn
}

// Watch runs fn with a Tx that watches keys (go-redis's Client.Watch):
// read with tx's commands, then write with tx.TxPipelined. The watches
// end when fn returns.
func (c *Client) Watch(ctx context.Context, fn func(*Tx) error, keys ...string) error {
	tx := &Tx{Conn{k: c.c}}
	tx.cmdable = tx.Process
	defer tx.close()
	if len(keys) > 0 {
		if err := tx.Watch(ctx, keys...).Err(); err != nil {
			return err
		}
	}
	return fn(tx)
}

// Watch watches more keys.
func (tx *Tx) Watch(ctx context.Context, keys ...string) *StatusCmd {
	cmd := NewStatusCmd(ctx, stringsToArgs([]interface{}{"watch"}, keys)...)
	_ = tx.Process(ctx, cmd)
	return cmd
}

// Unwatch forgets the watched keys.
func (tx *Tx) Unwatch(ctx context.Context, keys ...string) *StatusCmd {
	cmd := NewStatusCmd(ctx, stringsToArgs([]interface{}{"unwatch"}, keys)...)
	_ = tx.Process(ctx, cmd)
	return cmd
}

// close drops the watches and gives the session back to the pool.
func (tx *Tx) close() {
	tx.mu.Lock()
	defer tx.mu.Unlock()
	if tx.s == nil {
		return
	}
	unwatch := NewStatusCmd(context.Background(), "unwatch")
	if tx.s.exec(unwatch.args, unwatch.readReply) != nil {
		tx.s.dirty = true
	}
	tx.k.put(tx.s)
	tx.s = nil
}

// Close ends the Tx early (Watch does it when fn returns).
func (tx *Tx) Close(context.Context) error {
	tx.close()
	return nil
}
