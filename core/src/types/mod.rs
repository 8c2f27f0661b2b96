//! The collection types a key can hold, with Redis's encodings.

pub mod zset;
