package kv

// Options.OnLoadProgress: libkv calls a C function pointer with a user
// data pointer; this file's exported Go function is that pointer, and the
// user data holds a cgo.Handle of the Go callback (in C memory: a handle
// is an integer, not a pointer Go could move).

/*
#include <stdlib.h>
#include <stdint.h>
#include "kv.h"
extern void kvgoProgress(kv_load_progress *p, void *user_data);
*/
import "C"

import (
	"runtime/cgo"
	"time"
	"unsafe"
)

//export kvgoProgress
func kvgoProgress(p *C.kv_load_progress, userData unsafe.Pointer) {
	f := cgo.Handle(*(*C.uintptr_t)(userData)).Value().(func(LoadProgress))
	lp := LoadProgress{
		Path:        C.GoString(p.path),
		BytesRead:   int64(p.bytes_read),
		BytesTotal:  int64(p.bytes_total),
		KeysLoaded:  int64(p.keys_loaded),
		KeysExpired: int64(p.keys_expired),
		Elapsed:     time.Duration(p.elapsed_ms) * time.Millisecond,
		Done:        bool(p.done),
	}
	if p.warning != nil {
		lp.Warning = C.GoString(p.warning)
	}
	f(lp)
}

// setLoadProgress gives cfg the callback f; the returned function
// releases what it took, once the store is open.
func setLoadProgress(cfg *C.kv_config, f func(LoadProgress)) (C.enum_kv_status, func()) {
	h := cgo.NewHandle(f)
	ud := (*C.uintptr_t)(C.malloc(C.size_t(unsafe.Sizeof(C.uintptr_t(0)))))
	*ud = C.uintptr_t(h)
	st := C.kv_config_set_load_progress(cfg, C.kv_load_progress_fn(C.kvgoProgress), unsafe.Pointer(ud))
	return st, func() {
		C.kv_config_set_load_progress(cfg, nil, nil)
		C.free(unsafe.Pointer(ud))
		h.Delete()
	}
}
