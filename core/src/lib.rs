//! kv-core: Redis's data model and command semantics as an in-process
//! library.
//!
//! ```
//! use kv_core::{Reply, Store};
//! let store = Store::new();
//! let mut s = store.session();
//! assert_eq!(s.execute(&["SET", "k", "v"]), Reply::ok());
//! assert_eq!(s.execute(&["GET", "k"]), Reply::bulk("v"));
//! ```
//!
//! The locking scheme and the expiry design are described in [`keyspace`].

pub mod blocking;
pub mod cmd;
pub mod config;
mod dict;
pub mod errors;
mod fast;
pub mod glob;
pub mod keyspace;
pub mod longdouble;
pub mod num;
pub mod persist;
pub mod reply;
pub mod session;
mod shard;
mod store;
mod thin;
pub mod types;
pub mod value;

pub use blocking::InterruptHandle;
pub use config::{Clock, Config, ManualClock, SystemClock};
pub use dict::Slot;
pub use fast::{Error, ZAddFlags};
pub use reply::Reply;
pub use session::{Session, SessionState};
pub use store::Store;
pub use value::{Kind, StrEnc, Value};
