//! The collection types behind `Value`'s non-string variants.

pub mod list;
