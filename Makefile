# kv: developer entry points.
#   make run    build and start the kv shell (a redis-cli over an in-process store)
#   make test   install what the tests need if missing, then run every test
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

CARGO ?= cargo
# One target directory for every crate and every command below.
export CARGO_TARGET_DIR ?= $(CURDIR)/target
# Keep apt from asking questions (CI has no standard input).
export DEBIAN_FRONTEND := noninteractive

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
RUST_MIN := $(shell sed -n 's/^rust-version *= *"\(.*\)"/\1/p' Cargo.toml)

.PHONY: run test deps rust redis valgrind fmt lint clean help ffi header header-check ctest install examples golang golib gotest gobench pyvenv python pytest pybench

help:
	@echo "make run    build and start the kv shell"
	@echo "make test   install redis-server if missing, check Rust, run all tests"
	@echo "make ffi    build libkv.so and libkv.a (the C ABI, debug)"
	@echo "make header regenerate include/kv.h; make header-check fails on drift"
	@echo "make ctest  C/C++ tests of libkv under AddressSanitizer and valgrind, and the examples"
	@echo "make install PREFIX=/usr/local   libkv.so, libkv.a, kv.h, kv.hpp, kv.pc (release build)"
	@echo "make gotest the Go binding's tests (under -race) and examples/go"
	@echo "make gobench Go benchmark against a map, go-redis + redis-server, miniredis (bench/results/go.md)"
	@echo "make python the Python package (debug) into a venv, installed as pip install ./bindings/python does"
	@echo "make pytest stubtest, mypy and pytest of the Python binding"
	@echo "make pybench Python benchmark: dict, kv, fakeredis, redis-py + redis-server (bench/results/python.md)"
	@echo "make fmt    check formatting (cargo fmt --check)"
	@echo "make lint   cargo clippy with warnings as errors"
	@echo "make clean  remove build output"

run:
	$(CARGO) run -q -p kv-shell --bin kv

# Ends with one summary line over every test binary ("total: N passed, N
# failed, N skipped"), since cargo's own last line is that of the last
# binary it ran (often a doc-test run with nothing in it).
# The C/C++, Go and Python suites print "name: N passed, N failed" lines,
# counted too.
test: deps
	@mkdir -p $(CARGO_TARGET_DIR)
	$(CARGO) test --workspace 2>&1 | tee $(CARGO_TARGET_DIR)/test.log
	$(MAKE) --no-print-directory header-check ctest gotest pytest 2>&1 | tee $(CARGO_TARGET_DIR)/ctest.log
	@awk '/^test result:/ { for (i = 1; i <= NF; i++) { \
	    if ($$(i+1) ~ /^passed/) p += $$i; if ($$(i+1) ~ /^failed/) f += $$i; if ($$(i+1) ~ /^ignored/) s += $$i } } \
	  /^[a-z+-]+: [0-9]+ passed, [0-9]+ failed$$/ { p += $$2; f += $$4 } \
	  END { printf "total: %d passed, %d failed, %d skipped\n", p, f, s }' \
	  $(CARGO_TARGET_DIR)/test.log $(CARGO_TARGET_DIR)/ctest.log

deps: rust redis valgrind golang pyvenv

# A Rust toolchain is not installed from here: it must be there, recent enough.
rust:
	@command -v $(CARGO) >/dev/null || { \
	  echo "cargo not found: install a Rust toolchain >= $(RUST_MIN) (rustup.rs)" >&2; exit 1; }
	@have=$$(rustc --version | cut -d' ' -f2); \
	if [ "$$(printf '%s\n%s\n' "$(RUST_MIN)" "$$have" | sort -V | head -1)" != "$(RUST_MIN)" ]; then \
	  echo "rustc $$have is older than the $(RUST_MIN) this workspace needs: rustup update" >&2; exit 1; \
	fi; \
	echo "rust: rustc $$have (>= $(RUST_MIN))"

# The tests compare kv with a real redis-server and redis-cli (Debian's).
redis:
	@if command -v redis-server >/dev/null && command -v redis-cli >/dev/null; then \
	  echo "redis: $$(redis-server --version)"; \
	else \
	  set -x; \
	  $(SUDO) apt-get update; \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends redis-server redis-tools; \
	  redis-server --version; \
	fi

# The C tests run under valgrind (Debian's package) as well as ASan.
valgrind:
	@if command -v valgrind >/dev/null; then \
	  echo "valgrind: $$(valgrind --version)"; \
	else \
	  set -x; \
	  $(SUDO) apt-get update; \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends valgrind; \
	fi

# The Go binding needs Go >= 1.24 (runtime.AddCleanup); it is not
# installed from here (Debian's golang-go is older): go.dev/dl.
GO ?= go
GO_MIN := 1.24
golang:
	@command -v $(GO) >/dev/null || { echo "go not found: install Go >= $(GO_MIN) (go.dev/dl)" >&2; exit 1; }
	@have=$$($(GO) env GOVERSION | sed 's/^go//'); \
	if [ "$$(printf '%s\n%s\n' "$(GO_MIN)" "$$have" | sort -V | head -1)" != "$(GO_MIN)" ]; then \
	  echo "go $$have is older than the $(GO_MIN) bindings/go needs" >&2; exit 1; \
	fi; \
	echo "go: go$$have (>= $(GO_MIN))"

# ---------------------------------------------------------------- Python
# A venv with the pinned tools of bindings/python/requirements-dev.txt
# (maturin, pytest, mypy, redis-py, hiredis, fakeredis, matplotlib), made
# once and again when that file changes.
PYDIR := bindings/python
PYENV := $(CARGO_TARGET_DIR)/pyenv
PY := $(PYENV)/bin/python
PY_MIN := 3.9
PYLOG := $(CARGO_TARGET_DIR)/pytest.log

pyvenv: $(PYENV)/.installed
$(PYENV)/.installed: $(PYDIR)/requirements-dev.txt
	@command -v python3 >/dev/null || { echo "python3 not found: install CPython >= $(PY_MIN)" >&2; exit 1; }
	@python3 -c 'import sys; sys.exit(sys.version_info < (3, 9))' || { echo "python3 is older than $(PY_MIN)" >&2; exit 1; }
	@python3 -m venv --help >/dev/null 2>&1 || { set -x; $(SUDO) apt-get update; \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3-venv; }
	python3 -m venv $(PYENV)
	$(PY) -m pip install -q --disable-pip-version-check -r $(PYDIR)/requirements-dev.txt
	@touch $@
	@echo "python: $$($(PY) --version) venv at $(PYENV)"

# The package is installed the way a user installs it, `pip install
# ./bindings/python` (pyproject.toml -> maturin -> wheel -> install), so
# every `make python` proves that path works. Two differences keep it cheap:
# the venv's pinned maturin instead of an isolated build environment fetched
# for each build, and a debug build (MATURIN_PEP517_ARGS) sharing
# CARGO_TARGET_DIR with cargo. For live edits of the Python sources use
# `maturin develop` in bindings/python with the venv active.
python: pyvenv
	PATH=$(abspath $(PYENV))/bin:$$PATH MATURIN_PEP517_ARGS="--profile dev" $(PY) -m pip install -q --disable-pip-version-check \
	  --no-build-isolation --no-deps --force-reinstall ./$(PYDIR)
	$(PY) -c 'import kv, kv._kv; assert kv.Store().execute("PING") == b"PONG"; print("python: kv", kv._kv.__version__, "installed")'

# The native module's stub against the module (mypy.stubtest), mypy over
# the package's sources ([tool.mypy] in pyproject.toml: strict), then
# pytest; ends with the
# "python: N passed, N failed" line make test counts.
pytest: python redis
	cd $(PYDIR) && $(abspath $(PY)) -m mypy.stubtest kv._kv
	cd $(PYDIR) && $(abspath $(PY)) -m mypy -p kv
	@cd $(PYDIR) && { $(abspath $(PY)) -m pytest -q -p no:cacheprovider tests > $(abspath $(PYLOG)) 2>&1 && rc=0 || rc=$$?; \
	  grep -E '^(FAILED|ERROR)|^E  ' $(abspath $(PYLOG)) | head -100 || true; tail -1 $(abspath $(PYLOG)); \
	  last=$$(tail -1 $(abspath $(PYLOG))); \
	  p=$$(echo "$$last" | grep -oE '[0-9]+ passed' | cut -d' ' -f1 || true); \
	  f=$$(echo "$$last" | grep -oE '[0-9]+ failed' | cut -d' ' -f1 || true); \
	  e=$$(echo "$$last" | grep -oE '[0-9]+ errors?' | cut -d' ' -f1 || true); \
	  echo "python: $${p:-0} passed, $$(( $${f:-0} + $${e:-0} )) failed"; \
	  if [ "$$rc" = 0 ] && [ -z "$$p" ]; then echo "pytest ran no test" >&2; exit 1; fi; exit $$rc; }

# A release build (maturin's default for pip) into the same venv (make
# python puts the debug one back),
# then bench/python/bench.py: bench/results/python.md and python.png.
pybench: pyvenv redis
	PATH=$(abspath $(PYENV))/bin:$$PATH $(PY) -m pip install -q --disable-pip-version-check \
	  --no-build-isolation --no-deps --force-reinstall ./$(PYDIR)
	$(PY) bench/python/bench.py --out bench/results

# ---------------------------------------------------------------- C ABI
# libkv.so / libkv.a (debug: the tests' build) and include/kv.h.
LIBDIR := $(CARGO_TARGET_DIR)/debug
CBUILD := $(CARGO_TARGET_DIR)/ctest
CWARN := -Wall -Wextra -Werror
CLIBS := -lpthread -ldl -lm
ASAN := -fsanitize=address,undefined -fno-omit-frame-pointer
VALGRIND := valgrind -q --leak-check=full --show-possibly-lost=no --errors-for-leak-kinds=definite,indirect --error-exitcode=99

ffi:
	$(CARGO) build -q -p kv-ffi

header:
	$(CARGO) run -q -p kv-ffi-header

header-check:
	$(CARGO) run -q -p kv-ffi-header -- --check

# Each suite prints its "name: N passed, N failed" line; ASan runs link
# libkv.a, valgrind runs link libkv.so.
ctest: ffi
	@mkdir -p $(CBUILD)
	cc -std=c99 $(CWARN) -pedantic -Iinclude tests/c/header_twice.c -o $(CBUILD)/header_c
	c++ -std=c++17 $(CWARN) -pedantic -Iinclude -x c++ tests/c/header_twice.c -o $(CBUILD)/header_cpp
	cc -std=c99 $(CWARN) -g $(ASAN) -Iinclude -Itests/c tests/c/test_api.c $(LIBDIR)/libkv.a $(CLIBS) -o $(CBUILD)/test_api_asan
	cc -std=c99 $(CWARN) -g $(ASAN) -D_DEFAULT_SOURCE -Iinclude tests/c/conformance.c $(LIBDIR)/libkv.a $(CLIBS) -o $(CBUILD)/conformance_asan
	cc -std=c99 $(CWARN) -g -Iinclude -Itests/c tests/c/test_api.c -L$(LIBDIR) -lkv $(CLIBS) -o $(CBUILD)/test_api
	cc -std=c99 $(CWARN) -g $(ASAN) -Iinclude -Itests/c tests/c/test_persist.c $(LIBDIR)/libkv.a $(CLIBS) -o $(CBUILD)/test_persist_asan
	cc -std=c99 $(CWARN) -g -Iinclude -Itests/c tests/c/test_persist.c -L$(LIBDIR) -lkv $(CLIBS) -o $(CBUILD)/test_persist
	cc -std=c99 $(CWARN) -g -D_DEFAULT_SOURCE -Iinclude tests/c/conformance.c -L$(LIBDIR) -lkv $(CLIBS) -o $(CBUILD)/conformance
	$(CBUILD)/test_api_asan
	$(CBUILD)/conformance_asan tests/conformance
	$(CBUILD)/test_persist_asan
	LD_LIBRARY_PATH=$(LIBDIR) $(VALGRIND) $(CBUILD)/test_api | sed 's/^c-api:/c-api-valgrind:/'
	LD_LIBRARY_PATH=$(LIBDIR) $(VALGRIND) $(CBUILD)/conformance tests/conformance | sed 's/^c-conformance:/c-conformance-valgrind:/'
	LD_LIBRARY_PATH=$(LIBDIR) $(VALGRIND) $(CBUILD)/test_persist | sed 's/^c-persist:/c-persist-valgrind:/'
	c++ -std=c++17 $(CWARN) -pedantic -g $(ASAN) -Iinclude -Itests/c tests/cpp/test_kv.cpp $(LIBDIR)/libkv.a $(CLIBS) -o $(CBUILD)/test_cpp_asan
	c++ -std=c++17 $(CWARN) -pedantic -g -Iinclude -Itests/c tests/cpp/test_kv.cpp -L$(LIBDIR) -lkv $(CLIBS) -o $(CBUILD)/test_cpp
	$(CBUILD)/test_cpp_asan
	LD_LIBRARY_PATH=$(LIBDIR) $(VALGRIND) $(CBUILD)/test_cpp | sed 's/^cpp:/cpp-valgrind:/'
	$(MAKE) --no-print-directory examples

# Installs (a debug build) into a scratch prefix and builds the examples
# from it with pkg-config, as a user would, then runs them.
examples:
	@rm -rf $(CBUILD)/prefix
	$(MAKE) --no-print-directory install PREFIX=$(CBUILD)/prefix PROFILE=debug
	export PKG_CONFIG_PATH=$(CBUILD)/prefix/lib/pkgconfig; \
	  $(MAKE) --no-print-directory -B -C examples/c run && $(MAKE) --no-print-directory -B -C examples/cpp run
	@echo "examples: 4 passed, 0 failed"

# make install PREFIX=... [PROFILE=release|debug] [DESTDIR=...]
PREFIX ?= /usr/local
PROFILE ?= release
VERSION := $(shell sed -n 's/^version *= *"\(.*\)"/\1/p' Cargo.toml | head -1)
install:
	$(CARGO) build -q -p kv-ffi $(if $(filter release,$(PROFILE)),--release)
	install -d $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include
	install -m 755 $(CARGO_TARGET_DIR)/$(PROFILE)/libkv.so $(DESTDIR)$(PREFIX)/lib/
	install -m 644 $(CARGO_TARGET_DIR)/$(PROFILE)/libkv.a $(DESTDIR)$(PREFIX)/lib/
	install -m 644 include/kv.h include/kv.hpp $(DESTDIR)$(PREFIX)/include/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' ffi-c/kv.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/kv.pc

# ---------------------------------------------------------------- Go
# bindings/go links libkv.a from bindings/go/lib (libkv.so with -tags
# kv_shared): golib points it at the one build the C tests use.
GODIR := bindings/go
GOLOG := $(CARGO_TARGET_DIR)/gotest.log

golib: ffi
	@mkdir -p $(GODIR)/lib
	ln -sf $(LIBDIR)/libkv.a $(GODIR)/lib/libkv.a
	ln -sf $(LIBDIR)/libkv.so $(GODIR)/lib/libkv.so

# Generated code up to date, gofmt and go vet clean, the tests under the
# race detector (static libkv), again over libkv.so, then the example.
# -count=1: go's test cache does not see libkv.a change.
gotest: golang golib
	cd $(GODIR) && $(GO) run ./internal/gen -check
	@cd $(GODIR) && bad=$$(gofmt -l . ../../examples/go ../../bench/go); \
	  if [ -n "$$bad" ]; then echo "gofmt needed: $$bad" >&2; exit 1; fi
	cd $(GODIR) && $(GO) vet ./...
	cd examples/go && $(GO) vet ./...
	@cd $(GODIR) && { $(GO) test -count=1 -race -v ./... > $(GOLOG) 2>&1; rc=$$?; \
	  grep -E '^(--- FAIL|FAIL|ok|panic)|_test.go:[0-9]+:' $(GOLOG) | grep -v '^ *conformance_test.go:[0-9]*: [0-9]* commands' || true; \
	  echo "go: $$(grep -c -- '--- PASS' $(GOLOG)) passed, $$(grep -c -- '--- FAIL' $(GOLOG)) failed"; exit $$rc; }
	@cd $(GODIR) && { LD_LIBRARY_PATH=$(LIBDIR) $(GO) test -count=1 -tags kv_shared -v ./... > $(GOLOG).shared 2>&1; rc=$$?; \
	  grep -E '^(--- FAIL|FAIL|ok|panic)' $(GOLOG).shared || true; \
	  echo "go-shared: $$(grep -c -- '--- PASS' $(GOLOG).shared) passed, $$(grep -c -- '--- FAIL' $(GOLOG).shared) failed"; exit $$rc; }
	cd examples/go && $(GO) run .
	@echo "go-examples: 1 passed, 0 failed"

# Needs the Go module proxy (go-redis, miniredis) and a redis-server.
gobench: golang redis
	$(CARGO) build -q --release -p kv-ffi
	@mkdir -p $(GODIR)/lib
	ln -sf $(CARGO_TARGET_DIR)/release/libkv.a $(GODIR)/lib/libkv.a
	cd bench/go && $(GO) test -count=1 -run '^$$' -bench . -benchtime 1s -timeout 30m . | tee $(CARGO_TARGET_DIR)/gobench.log
	cd $(GODIR) && $(GO) test -count=1 -run '^$$' -bench Internal -benchmem . | tee -a $(CARGO_TARGET_DIR)/gobench.log
	cd bench/go && $(GO) run ./report < $(CARGO_TARGET_DIR)/gobench.log > ../results/go.md
	ln -sf $(LIBDIR)/libkv.a $(GODIR)/lib/libkv.a

fmt:
	$(CARGO) fmt --all --check || { echo "run 'cargo fmt --all' to fix" >&2; exit 1; }

lint:
	$(CARGO) clippy --workspace --all-targets -- -D warnings

# The core report (bench/results/core.md): kv against HashMap, hashbrown
# and a redis-server it starts. Criterion benches: cargo bench -p kv-bench.
.PHONY: bench
bench: redis
	$(CARGO) run --release -p kv-bench --bin core-report

clean:
	$(CARGO) clean
