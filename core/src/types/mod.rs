//! The collection types behind `Value`'s non-string variants, with their encodings.

pub mod bytes;
pub mod hash;
pub mod list;
pub mod set;
pub mod zset;
