//! Code shared by the examples (and unit-tested here).

pub mod calc;
pub mod json;
