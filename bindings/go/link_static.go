//go:build !kv_shared

package kv

// By default libkv.a is linked into the Go binary, which then needs no
// libkv.so at run time. It is looked up in ./lib (where `make golib` puts
// it) and in any directory named by CGO_LDFLAGS=-L... .

// #cgo LDFLAGS: -L${SRCDIR}/lib -l:libkv.a -lpthread -ldl -lm
import "C"
