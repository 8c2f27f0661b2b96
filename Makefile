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

.PHONY: run test deps rust redis fmt lint clean help

help:
	@echo "make run    build and start the kv shell"
	@echo "make test   install redis-server if missing, check Rust, run all tests"
	@echo "make fmt    check formatting (cargo fmt --check)"
	@echo "make lint   cargo clippy with warnings as errors"
	@echo "make clean  remove build output"

run:
	$(CARGO) run -q -p kv-shell --bin kv

# Ends with one summary line over every test binary ("total: N passed, N
# failed, N skipped"), since cargo's own last line is that of the last
# binary it ran (often a doc-test run with nothing in it).
test: deps
	@mkdir -p $(CARGO_TARGET_DIR)
	$(CARGO) test --workspace 2>&1 | tee $(CARGO_TARGET_DIR)/test.log
	@awk '/^test result:/ { for (i = 1; i <= NF; i++) { \
	    if ($$(i+1) ~ /^passed/) p += $$i; if ($$(i+1) ~ /^failed/) f += $$i; if ($$(i+1) ~ /^ignored/) s += $$i } } \
	  END { printf "total: %d passed, %d failed, %d skipped\n", p, f, s }' $(CARGO_TARGET_DIR)/test.log

deps: rust redis

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
