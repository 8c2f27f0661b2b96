//! kv's C ABI: `libkv.so` / `libkv.a`, declared by `include/kv.h`
//! (generated from this crate by cbindgen; `make header`).
//!
//! Handles are opaque and each has one destructor: `kv_config`
//! (kv_config_free), `kv_store` (kv_store_free), `kv_session`
//! (kv_session_free); replies (kv_reply_free) and value buffers
//! (kv_buf_free) too. Every export runs inside the wrapper in `guard`:
//! null handles and pointers are `KV_INVALID_ARGUMENT`, a closed store
//! `KV_CLOSED`, a caught panic `KV_PANIC`, and never unwinds into the host.
//! `kv_command` (printf-style) is C, in `src/command.c`, exported through
//! `command.rs`.
#![allow(non_camel_case_types)]
#![allow(clippy::missing_safety_doc)] // each export's doc has a "# Safety" section

pub mod buf;
pub mod collections;
#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
mod command;
pub mod config;
pub mod exec;
mod guard;
pub mod reply;
pub mod session;
pub mod status;
pub mod store;
pub mod strings;

pub use buf::kv_buf;
pub use config::kv_config;
pub use reply::{kv_reply, kv_reply_type};
pub use session::kv_session;
pub use status::kv_status;
pub use store::kv_store;
