package kv

// The native layer: libkv's store and session handles, the generic call
// and the typed fast paths. Every other file is plain Go.

/*
#cgo CFLAGS: -I${SRCDIR}/../../include
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kv.h"

// kv_exec with the arguments packed in one buffer (Go memory holding no
// pointers, which cgo lets C read during the call): argv is rebuilt here.
static kv_reply *kvgo_exec(kv_session *s, int argc, const char *data, const size_t *lens) {
	const char *stackv[16];
	const char **argv = stackv;
	if (argc > 16) {
		argv = malloc(sizeof(char *) * (size_t)argc);
		if (argv == NULL) return NULL;
	}
	size_t off = 0;
	for (int i = 0; i < argc; i++) {
		argv[i] = data ? data + off : NULL;
		off += lens[i];
	}
	kv_reply *r = kv_exec(s, argc, argv, lens);
	if (argv != stackv) free(argv);
	return r;
}

// kv_store_backup and its message in one call: the store keeps a failure's
// message per OS thread, and a goroutine may change threads between calls.
static kv_status kvgo_backup(const kv_store *st, const char *dir, char *msg, size_t cap) {
	kv_status rc = kv_store_backup(st, dir);
	if (rc != KV_OK && cap > 0) {
		const char *e = kv_store_error(st);
		snprintf(msg, cap, "%s", e ? e : kv_status_str(rc));
	}
	return rc;
}

// The hot paths take addresses as integers: cgo then adds no pointer
// checks to the call (they cost more than the rest of the crossing). The
// Go side passes only memory that cannot move during the call: heap
// buffers the session owns, and strings' bytes kept alive across it.
static int kvgo_get(uintptr_t s, uintptr_t key, size_t klen, uintptr_t dst, size_t cap, uintptr_t n) {
	return kv_get_into((kv_session *)s, (const char *)key, klen, (char *)dst, cap, (size_t *)n);
}

// The benchmarks' measure of GET inside libkv without the crossing: iters
// calls of kv_get_into from C over nkeys keys of klen bytes packed in keys.
static void kvgo_get_loop(uintptr_t s, uintptr_t keys, size_t klen, size_t nkeys, size_t iters, uintptr_t dst, size_t cap) {
	size_t n;
	for (size_t i = 0; i < iters; i++) {
		kv_get_into((kv_session *)s, (const char *)keys + (i % nkeys) * klen, klen, (char *)dst, cap, &n);
	}
}

static int kvgo_set(uintptr_t s, uintptr_t key, size_t klen, uintptr_t val, size_t vlen, uint64_t ttl_ms) {
	if (ttl_ms) return kv_set_px((kv_session *)s, (const char *)key, klen, (const char *)val, vlen, ttl_ms);
	return kv_set((kv_session *)s, (const char *)key, klen, (const char *)val, vlen);
}
*/
import "C"

import (
	"errors"
	"runtime"
	"strings"
	"time"
	"unsafe"
)

// storeHandle owns a kv_store. The handle is released by a cleanup once
// nothing refers to it, so sessions being opened never race with its free.
type storeHandle struct {
	ptr *C.kv_store
}

// openError is an Open that failed; a corrupt data file matches
// ErrCorrupt with errors.Is.
type openError struct {
	msg     string
	corrupt bool
}

func (e *openError) Error() string { return "kv: " + e.msg }

func (e *openError) Is(target error) bool { return e.corrupt && target == ErrCorrupt }

func openStore(opt *Options) (*storeHandle, error) {
	cfg := C.kv_config_new()
	defer C.kv_config_free(cfg)
	check := func(st C.enum_kv_status) error {
		if st == C.KV_OK {
			return nil
		}
		return &openError{msg: C.GoString(C.kv_config_error(cfg)), corrupt: st == C.KV_CORRUPT}
	}
	var sets []func() C.enum_kv_status
	set := func(on bool, f func() C.enum_kv_status) {
		if on {
			sets = append(sets, f)
		}
	}
	set(opt.Databases != 0, func() C.enum_kv_status { return C.kv_config_set_databases(cfg, C.size_t(opt.Databases)) })
	set(opt.ShardBits != 0, func() C.enum_kv_status { return C.kv_config_set_shard_bits(cfg, C.uint32_t(opt.ShardBits)) })
	set(opt.Hz != 0, func() C.enum_kv_status { return C.kv_config_set_hz(cfg, C.uint32_t(opt.Hz)) })
	set(opt.ExpiryThread, func() C.enum_kv_status { return C.kv_config_set_expiry_thread(cfg, true) })
	set(!opt.ManualClock.IsZero(), func() C.enum_kv_status {
		return C.kv_config_set_manual_clock(cfg, C.uint64_t(opt.ManualClock.UnixMilli()))
	})
	// Save rules first: a data directory set after them keeps them.
	set(opt.SaveRules != nil, func() C.enum_kv_status {
		rules := make([]C.kv_save_rule, len(opt.SaveRules))
		for i, r := range opt.SaveRules {
			if r.Seconds < 0 || r.Changes < 0 {
				return C.kv_config_set_save_rules(cfg, 1, nil) // refused: NULL with a count
			}
			rules[i] = C.kv_save_rule{seconds: C.uint64_t(r.Seconds), changes: C.uint64_t(r.Changes)}
		}
		var p *C.kv_save_rule
		if len(rules) > 0 {
			p = &rules[0]
		}
		return C.kv_config_set_save_rules(cfg, C.size_t(len(rules)), p)
	})
	set(opt.DataDir != "", func() C.enum_kv_status {
		dir := C.CString(opt.DataDir)
		defer C.free(unsafe.Pointer(dir))
		return C.kv_config_set_data_dir(cfg, dir)
	})
	set(opt.Persistence != PersistDefault, func() C.enum_kv_status {
		return C.kv_config_set_persistence(cfg, C.int(opt.Persistence-PersistOff))
	})
	set(opt.Fsync != FsyncDefault, func() C.enum_kv_status {
		return C.kv_config_set_fsync(cfg, C.int(opt.Fsync-FsyncAlways))
	})
	set(opt.AutoRewritePercentage != 0 || opt.AutoRewriteMinSize != 0, func() C.enum_kv_status {
		pct, min := int64(opt.AutoRewritePercentage), opt.AutoRewriteMinSize
		switch {
		case pct < 0:
			pct = 0
		case pct == 0:
			pct = 100
		}
		if min == 0 {
			min = 64 << 20
		}
		return C.kv_config_set_auto_rewrite(cfg, C.uint64_t(pct), C.uint64_t(min))
	})
	for _, f := range sets {
		if err := check(f()); err != nil {
			return nil, err
		}
	}
	if opt.OnLoadProgress != nil {
		st, release := setLoadProgress(cfg, opt.OnLoadProgress)
		defer release()
		if err := check(st); err != nil {
			return nil, err
		}
	}
	var ptr *C.kv_store
	if err := check(C.kv_store_open(cfg, &ptr)); err != nil {
		return nil, err
	}
	h := &storeHandle{ptr: ptr}
	runtime.AddCleanup(h, func(p *C.kv_store) {
		C.kv_store_close(p)
		C.kv_store_free(p)
	}, ptr)
	return h, nil
}

// backup writes a copy of the store into dir (kv_store_backup).
func (h *storeHandle) backup(dir string) error {
	cdir := C.CString(dir)
	defer C.free(unsafe.Pointer(cdir))
	var msg [512]C.char
	st := C.kvgo_backup(h.ptr, cdir, &msg[0], C.size_t(len(msg)))
	runtime.KeepAlive(h)
	switch st {
	case C.KV_OK:
		return nil
	case C.KV_CLOSED:
		return ErrClosed
	}
	return errors.New("kv: " + C.GoString(&msg[0]))
}

func (h *storeHandle) close() {
	C.kv_store_close(h.ptr)
	runtime.KeepAlive(h)
}

func (h *storeHandle) advanceClock(d time.Duration) error {
	st := C.kv_store_advance_clock(h.ptr, C.uint64_t(d.Milliseconds()))
	runtime.KeepAlive(h)
	if st != C.KV_OK {
		return errors.New("kv: the store runs on the system clock (see Options.ManualClock)")
	}
	return nil
}

// outParams holds no Go pointer, so cgo lets C write into it.
type outParams struct {
	n C.size_t
}

// session owns a kv_session (one goroutine at a time) and the buffers its
// calls reuse.
type session struct {
	ptr     *C.kv_session
	cleanup runtime.Cleanup
	data    []byte     // packed arguments
	lens    []C.size_t // their lengths
	buf     []byte     // scratch for the benchmarks' getLoop
	chunk   []byte     // Get's value chunk (see get)
	used    int        // how much of chunk is handed out as strings
	id      int64      // CLIENT ID, 0 until asked
	out     *outParams // the fast paths' out-parameters, allocated once
	dirty   bool       // its state changed (SELECT, MULTI...): not pooled
}

func openSession(h *storeHandle) (*session, error) {
	var ptr *C.kv_session
	st := C.kv_session_open(h.ptr, &ptr)
	runtime.KeepAlive(h)
	switch st {
	case C.KV_OK:
	case C.KV_CLOSED:
		return nil, ErrClosed
	default:
		return nil, errors.New("kv: cannot open a session: " + C.GoString(C.kv_status_str(C.int(st))))
	}
	// Replies keep their RESP3 shapes (maps, doubles, booleans, sets), as
	// go-redis v9 sees them with its default protocol 3.
	C.kv_session_set_resp3_replies(ptr, true)
	s := &session{ptr: ptr, out: new(outParams)}
	s.cleanup = runtime.AddCleanup(s, func(p *C.kv_session) { C.kv_session_free(p) }, ptr)
	return s, nil
}

// free releases the session now rather than at the next collection.
func (s *session) free() {
	s.cleanup.Stop()
	C.kv_session_free(s.ptr)
	s.ptr = nil
}

// failure is the error of a call libkv refused (status other than OK/NIL).
func (s *session) failure(st C.enum_kv_status) error {
	switch st {
	case C.KV_CLOSED:
		return ErrClosed
	case C.KV_ERR, C.KV_WRONGTYPE:
		return RedisError(C.GoString(C.kv_session_error(s.ptr)))
	}
	msg := C.kv_session_error(s.ptr)
	if msg == nil {
		return errors.New("kv: " + C.GoString(C.kv_status_str(C.int(st))))
	}
	return errors.New("kv: " + C.GoString(msg))
}

// exec runs the packed arguments (see pack) and hands the reply to read
// before freeing it.
func (s *session) exec(args []interface{}, read func(reply) error) error {
	if err := s.pack(args); err != nil {
		return err
	}
	var data *C.char
	if len(s.data) > 0 {
		data = (*C.char)(unsafe.Pointer(&s.data[0]))
	}
	r := C.kvgo_exec(s.ptr, C.int(len(s.lens)), data, &s.lens[0])
	runtime.KeepAlive(s)
	if r == nil {
		return s.failure(C.kv_session_status(s.ptr))
	}
	defer C.kv_reply_free(r)
	return read(reply{r})
}

// pack writes the arguments into s.data/s.lens.
func (s *session) pack(args []interface{}) error {
	if len(args) == 0 {
		return errors.New("kv: empty command")
	}
	s.data = s.data[:0]
	s.lens = s.lens[:0]
	for _, a := range args {
		n := len(s.data)
		var err error
		if s.data, err = appendArg(s.data, a); err != nil {
			return err
		}
		s.lens = append(s.lens, C.size_t(len(s.data)-n))
	}
	return nil
}

func strPtr(s string) *C.char {
	return (*C.char)(unsafe.Pointer(unsafe.StringData(s)))
}

// addr is the address of a string's bytes for the hot paths' C shims;
// the caller keeps the string alive across the call (runtime.KeepAlive).
func addr(s string) C.uintptr_t {
	return C.uintptr_t(uintptr(unsafe.Pointer(unsafe.StringData(s))))
}

// Get's values are read straight into the memory of the strings it
// returns. Small ones share a chunk: each string is a slice of it, handed
// out once and never written again, so one allocation serves many Gets
// (Go's allocator costs more than the rest of a Get's Go side). The price
// is that a small string kept alive keeps its whole chunk alive: at most
// valueChunk bytes, so a value of n bytes pins no more than valueChunk/n
// times its size.
const (
	valueChunk    = 1024 // the chunk small values are carved from
	maxChunkValue = 128  // larger values get an allocation of their own
)

// get is GET's fast path: the value, or found=false for a missing key.
// One crossing for a value that fits what is left of the session's chunk;
// a larger one is read again into an allocation of its size.
func (s *session) get(key string) (val string, found bool, err error) {
	if len(s.chunk)-s.used < maxChunkValue {
		s.chunk, s.used = make([]byte, valueChunk), 0
	}
	// An offset into the chunk rather than a reslice of it: no pointer
	// written to the session (and no GC write barrier) per Get.
	buf := s.chunk[s.used:]
	for {
		st := C.kvgo_get(C.uintptr_t(uintptr(unsafe.Pointer(s.ptr))), addr(key), C.size_t(len(key)),
			C.uintptr_t(uintptr(unsafe.Pointer(&buf[0]))), C.size_t(len(buf)),
			C.uintptr_t(uintptr(unsafe.Pointer(&s.out.n))))
		runtime.KeepAlive(key)
		runtime.KeepAlive(buf)
		switch st {
		case C.KV_OK:
		case C.KV_NIL:
			return "", false, nil
		default:
			return "", false, s.failure(C.enum_kv_status(st))
		}
		n := int(s.out.n)
		switch {
		case n == 0:
			return "", true, nil
		case n > len(buf):
			// Did not fit: again into a buffer of its size (the value may
			// have grown meanwhile, hence the loop).
			buf = make([]byte, n)
			continue
		case &buf[0] != &s.chunk[s.used]:
			return unsafe.String(&buf[0], n), true, nil
		case n <= maxChunkValue:
			// These n bytes of the chunk become the string, and are never
			// handed to C again.
			s.used += n
			return unsafe.String(&buf[0], n), true, nil
		default:
			// Fit in the chunk but too large to pin it: a copy of its own,
			// and the chunk's space is reused.
			return string(buf[:n]), true, nil
		}
	}
}

// set is SET's fast path (SET key value [PX ttl]).
func (s *session) set(key string, val []byte, ttl time.Duration) error {
	var ms int64
	if ttl > 0 {
		ms = max(ttl.Milliseconds(), 1)
	}
	var vp uintptr
	if len(val) > 0 {
		vp = uintptr(unsafe.Pointer(&val[0]))
	}
	st := C.kvgo_set(C.uintptr_t(uintptr(unsafe.Pointer(s.ptr))), addr(key), C.size_t(len(key)),
		C.uintptr_t(vp), C.size_t(len(val)), C.uint64_t(ms))
	runtime.KeepAlive(key)
	runtime.KeepAlive(val)
	if st != C.KV_OK {
		return s.failure(C.enum_kv_status(st))
	}
	return nil
}

// reply is a borrowed view of a kv_reply, valid until it is freed.
type reply struct{ p *C.kv_reply }

type replyKind int

const (
	kindString   replyKind = C.KV_REPLY_STRING
	kindArray    replyKind = C.KV_REPLY_ARRAY
	kindInteger  replyKind = C.KV_REPLY_INTEGER
	kindNil      replyKind = C.KV_REPLY_NIL
	kindStatus   replyKind = C.KV_REPLY_STATUS
	kindError    replyKind = C.KV_REPLY_ERROR
	kindDouble   replyKind = C.KV_REPLY_DOUBLE
	kindBool     replyKind = C.KV_REPLY_BOOL
	kindMap      replyKind = C.KV_REPLY_MAP
	kindSet      replyKind = C.KV_REPLY_SET
	kindVerbatim replyKind = C.KV_REPLY_VERB
)

func (r reply) kind() replyKind { return replyKind(r.p._type) }
func (r reply) integer() int64  { return int64(r.p.integer) }
func (r reply) double() float64 { return float64(r.p.dval) }

// text copies the bytes of a string, status, error, double or verbatim
// reply.
func (r reply) text() string {
	if r.p.str == nil {
		return ""
	}
	return cString(r.p.str, r.p.len)
}

// cString copies n bytes of C memory into a Go string.
func cString(p *C.char, n C.size_t) string {
	return strings.Clone(unsafe.String((*byte)(unsafe.Pointer(p)), int(n)))
}

// format is a verbatim reply's format ("txt").
func (r reply) format() string { return C.GoStringN(&r.p.vtype[0], 3) }

// len is the number of elements of an array, set or map (a map counts
// keys and values).
func (r reply) len() int { return int(r.p.elements) }

func (r reply) at(i int) reply {
	return reply{unsafe.Slice(r.p.element, r.p.elements)[i]}
}

// getLoop runs iters GETs inside libkv in one crossing (benchmarks):
// keys holds the keys, klen bytes each.
func (s *session) getLoop(keys []byte, klen, iters int) {
	if len(s.buf) < valueChunk {
		s.buf = make([]byte, valueChunk)
	}
	C.kvgo_get_loop(C.uintptr_t(uintptr(unsafe.Pointer(s.ptr))), C.uintptr_t(uintptr(unsafe.Pointer(&keys[0]))),
		C.size_t(klen), C.size_t(len(keys)/klen), C.size_t(iters),
		C.uintptr_t(uintptr(unsafe.Pointer(&s.buf[0]))), C.size_t(len(s.buf)))
	runtime.KeepAlive(keys)
	runtime.KeepAlive(s)
}

// cgoNoop is the cheapest call into libkv: the benchmarks' measure of a
// cgo crossing.
func cgoNoop() { C.kv_status_str(0) }
