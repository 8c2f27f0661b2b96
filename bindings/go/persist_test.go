package kv

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func openDir(t *testing.T, opt Options) *Client {
	t.Helper()
	c, err := Open(&opt)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func writeData(t *testing.T, c *Client) {
	t.Helper()
	ok(t, c.Set(ctx, "k", "v\x00x", 0).Err())
	ok(t, c.Set(ctx, "ttl", "t", time.Hour).Err())
	ok(t, c.HSet(ctx, "h", "f", "hv").Err())
	ok(t, c.RPush(ctx, "l", "a", "b").Err())
	ok(t, c.ZAdd(ctx, "z", Z{Score: 2.5, Member: "m"}).Err())
}

func checkData(t *testing.T, c *Client, what string) {
	t.Helper()
	eq(t, what+" GET", c.Get(ctx, "k").Val(), "v\x00x")
	eq(t, what+" HGET", c.HGet(ctx, "h", "f").Val(), "hv")
	eq(t, what+" LRANGE", c.LRange(ctx, "l", 0, -1).Val(), []string{"a", "b"})
	eq(t, what+" ZSCORE", c.ZScore(ctx, "z", "m").Val(), 2.5)
	if ttl := c.TTL(ctx, "ttl").Val(); ttl < 59*time.Minute {
		t.Errorf("%s TTL: %v", what, ttl)
	}
}

// Data survives Close and Open in each mode (snapshots need a save).
func TestPersistModes(t *testing.T) {
	for _, m := range []struct {
		name string
		p    Persistence
		save bool
	}{
		{"snapshot", PersistSnapshot, true},
		{"default", PersistDefault, true},
		{"log", PersistLog, false},
		{"both", PersistBoth, false},
	} {
		t.Run(m.name, func(t *testing.T) {
			opt := Options{DataDir: t.TempDir(), Persistence: m.p, Fsync: FsyncAlways, SaveRules: []SaveRule{}}
			c := openDir(t, opt)
			writeData(t, c)
			if m.save {
				eq(t, "SAVE", c.Save(ctx).Val(), "OK")
			}
			ok(t, c.Close())
			c = openDir(t, opt)
			defer c.Close()
			checkData(t, c, m.name)
		})
	}
	// Snapshots without a save (and no save rules) keep nothing.
	opt := Options{DataDir: t.TempDir(), SaveRules: []SaveRule{}}
	c := openDir(t, opt)
	writeData(t, c)
	ok(t, c.Close())
	c = openDir(t, opt)
	defer c.Close()
	eq(t, "DBSIZE", c.DBSize(ctx).Val(), int64(0))
}

func TestSaveCommands(t *testing.T) {
	dir := t.TempDir()
	c := openDir(t, Options{DataDir: dir, SaveRules: []SaveRule{}})
	before, err := c.LastSave(ctx).Result()
	ok(t, err)
	if before < time.Now().Add(-time.Minute).Unix() {
		t.Errorf("LASTSAVE %d", before)
	}
	writeData(t, c)
	eq(t, "BGSAVE", c.BgSave(ctx).Val(), "Background saving started")
	ok(t, c.Close()) // waits for the save
	c = openDir(t, Options{DataDir: dir})
	checkData(t, c, "bgsave")

	backup := filepath.Join(t.TempDir(), "b")
	eq(t, "Backup", c.Backup(ctx, backup).Val(), "OK")
	ok(t, c.Close())
	eq(t, "Backup closed", c.Backup(ctx, backup).Err(), ErrClosed)
	c = openDir(t, Options{DataDir: backup})
	checkData(t, c, "backup")
	ok(t, c.Close())

	mem := openDir(t, Options{})
	defer mem.Close()
	eq(t, "SAVE in memory", mem.Save(ctx).Err(), error(RedisError("ERR no data directory configured (persistence is off)")))
	writeData(t, mem)
	err = mem.Backup(ctx, "/dev/null/x").Err()
	if err == nil || !strings.Contains(err.Error(), "/dev/null/x") {
		t.Errorf("backup under a file: %v", err)
	}
	// A pipeline queues them as any command.
	cmds, err := mem.Pipelined(ctx, func(p Pipeliner) error {
		p.LastSave(ctx)
		return nil
	})
	ok(t, err)
	eq(t, "pipelined LASTSAVE", len(cmds), 1)
}

func TestOpenFailures(t *testing.T) {
	dir := t.TempDir()
	ok(t, os.WriteFile(filepath.Join(dir, "snapshot.kvs"), []byte("not a snapshot, not at all"), 0o600))
	_, err := Open(&Options{DataDir: dir})
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "snapshot.kvs: corrupt at byte offset") {
		t.Errorf("garbage snapshot: %v", err)
	}
	// A real snapshot cut short.
	dir = t.TempDir()
	c := openDir(t, Options{DataDir: dir})
	writeData(t, c)
	ok(t, c.Save(ctx).Err())
	ok(t, c.Close())
	file := filepath.Join(dir, "snapshot.kvs")
	fi, err := os.Stat(file)
	ok(t, err)
	ok(t, os.Truncate(file, fi.Size()/2))
	if _, err := Open(&Options{DataDir: dir}); !errors.Is(err, ErrCorrupt) {
		t.Errorf("truncated snapshot: %v", err)
	}
	// NewClient never fails itself: every command returns the error.
	nc := NewClient(&Options{DataDir: dir})
	if err := nc.Get(ctx, "k").Err(); !errors.Is(err, ErrCorrupt) {
		t.Errorf("NewClient on a corrupt snapshot: %v", err)
	}
	// An unusable directory is an error, not ErrCorrupt.
	_, err = Open(&Options{DataDir: "/dev/null/kv"})
	if err == nil || errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "creating data directory /dev/null/kv") {
		t.Errorf("data dir under a file: %v", err)
	}
	for _, bad := range []Options{
		{DataDir: t.TempDir(), Persistence: 9},
		{DataDir: t.TempDir(), Fsync: -1},
		{DataDir: t.TempDir(), SaveRules: []SaveRule{{Seconds: 1, Changes: 0}}},
	} {
		if _, err := Open(&bad); err == nil {
			t.Errorf("%+v: opened", bad)
		}
	}
}

func TestLoadProgress(t *testing.T) {
	dir := t.TempDir()
	c := openDir(t, Options{DataDir: dir})
	writeData(t, c)
	ok(t, c.Save(ctx).Err())
	ok(t, c.Close())
	var calls []LoadProgress
	c = openDir(t, Options{DataDir: dir, OnLoadProgress: func(p LoadProgress) { calls = append(calls, p) }})
	defer c.Close()
	if len(calls) == 0 || !calls[len(calls)-1].Done {
		t.Fatalf("progress: %+v", calls)
	}
	last := calls[len(calls)-1]
	eq(t, "keys loaded", last.KeysLoaded, int64(5))
	eq(t, "path", last.Path, filepath.Join(dir, "snapshot.kvs"))
	eq(t, "bytes", last.BytesRead, last.BytesTotal)
}

// Save rules run on their own: `save 1 1` saves within about a second.
func TestSaveRules(t *testing.T) {
	dir := t.TempDir()
	c := openDir(t, Options{DataDir: dir, SaveRules: []SaveRule{{Seconds: 1, Changes: 1}}, AutoRewritePercentage: -1})
	defer c.Close()
	ok(t, c.Set(ctx, "k", "v", 0).Err())
	for i := 0; i < 100; i++ {
		if _, err := os.Stat(filepath.Join(dir, "snapshot.kvs")); err == nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
		c.Get(ctx, "k") // the rules are checked on callers' goroutines
	}
	t.Error("no automatic save")
}
