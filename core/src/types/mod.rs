//! The collection types' in-memory representations.

pub mod hash;
