package kv

import (
	"context"
	"sync"
)

// ScanIterator walks every page of a SCAN-family command.
type ScanIterator struct {
	mu  sync.Mutex
	cmd *ScanCmd
	pos int
}

// Iterator returns an iterator that starts with this page and fetches the
// next ones with the same arguments.
func (c *ScanCmd) Iterator() *ScanIterator {
	return &ScanIterator{cmd: c}
}

// Err is the error that stopped the iteration, if any.
func (it *ScanIterator) Err() error {
	it.mu.Lock()
	defer it.mu.Unlock()
	return it.cmd.Err()
}

// Next advances to the next element, fetching pages as needed; false at
// the end or on an error.
func (it *ScanIterator) Next(ctx context.Context) bool {
	it.mu.Lock()
	defer it.mu.Unlock()
	if it.cmd.Err() != nil {
		return false
	}
	for {
		if it.pos < len(it.cmd.page) {
			it.pos++
			return true
		}
		if it.cmd.cursor == 0 {
			return false
		}
		// The cursor is the argument after the command (and key).
		args := append([]interface{}(nil), it.cmd.args...)
		i := 1
		switch it.cmd.Name() {
		case "hscan", "sscan", "zscan":
			i = 2
		}
		args[i] = it.cmd.cursor
		next := NewScanCmd(ctx, it.cmd.client, args...)
		if err := it.cmd.client(ctx, next); err != nil && err != Nil {
			it.cmd.err = err
			return false
		}
		it.cmd, it.pos = next, 0
	}
}

// Val is the current element.
func (it *ScanIterator) Val() string {
	it.mu.Lock()
	defer it.mu.Unlock()
	if it.pos == 0 || it.pos > len(it.cmd.page) {
		return ""
	}
	return it.cmd.page[it.pos-1]
}
