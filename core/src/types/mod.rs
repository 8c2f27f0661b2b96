//! Collection types and their encodings.

pub mod set;
