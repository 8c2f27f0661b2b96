package kv

import "errors"

// Error is the interface of the errors Redis replies with (go-redis's
// redis.Error): their Error() is Redis's text, such as
// "WRONGTYPE Operation against a key holding the wrong kind of value".
type Error interface {
	error
	// RedisError marks the error as a reply of the store.
	RedisError()
}

// RedisError is an error reply of the store; its text is Redis's.
type RedisError string

func (e RedisError) Error() string { return string(e) }

// RedisError implements Error.
func (RedisError) RedisError() {}

// Nil is the error of a command whose reply is nil: a missing key for
// Get, an empty list for BLPop after its timeout.
const Nil = RedisError("kv: nil")

// TxFailedErr is the error of a transaction aborted because a watched key
// changed (EXEC replied nil).
const TxFailedErr = RedisError("kv: transaction failed")

// ErrClosed is the error of every call on a closed client, and of a
// blocking call the closing interrupted.
var ErrClosed = errors.New("kv: client is closed")

// ErrCorrupt matches (errors.Is) the error of an Open whose data
// directory holds a file that is not valid; the error's text names the
// file and the byte offset of the first problem.
var ErrCorrupt = errors.New("kv: corrupt data file")

// storeClosed is the text of the core's reply to calls cut short by Close.
const storeClosed = "ERR store closed"

// HasErrorPrefix reports whether err is a Redis error whose text starts
// with prefix (e.g. "WRONGTYPE"), as go-redis's function of that name.
func HasErrorPrefix(err error, prefix string) bool {
	var e Error
	if !errors.As(err, &e) {
		return false
	}
	msg := e.Error()
	return len(msg) >= len(prefix) && msg[:len(prefix)] == prefix
}
