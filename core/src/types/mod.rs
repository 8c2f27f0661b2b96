//! Collection types and their encodings.

pub mod hash;
pub mod set;
