#![doc = include_str!("../../README.md")]
#![no_std]
#![deny(unsafe_op_in_unsafe_fn, missing_docs)]
#![warn(missing_debug_implementations, rust_2018_idioms)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

mod allocator;
mod chunk;
mod handles;
mod index;
mod stats;

pub use crate::allocator::Allocator;
pub use crate::handles::{ArcSingle, ArcSlice, ArcStr};
pub use crate::index::IndexType;
pub use crate::stats::AllocatorStats;
