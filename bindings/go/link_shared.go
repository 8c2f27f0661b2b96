//go:build kv_shared

package kv

// With -tags kv_shared, libkv.so is linked instead; it must be found at
// run time (rpath, LD_LIBRARY_PATH or the system's library path).

// #cgo LDFLAGS: -L${SRCDIR}/lib -lkv -lpthread -ldl -lm
import "C"
