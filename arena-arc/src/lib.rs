#![doc = include_str!("../README.md")]
#![no_std]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(unsafe_op_in_unsafe_fn, missing_docs)]
#![warn(missing_debug_implementations, rust_2018_idioms)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

mod allocator;
mod builder;
mod chunk;
mod error;
mod handles;
mod index;
#[cfg(feature = "std")]
mod intern;
mod pools;
mod scope;
#[cfg(feature = "serde")]
#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
pub mod serde;
mod stats;

#[doc(hidden)]
pub mod __private;

pub use crate::allocator::Allocator;
pub use crate::builder::SliceBuilder;
pub use crate::chunk::CHUNK_CACHE_LIMIT;
#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
pub use crate::chunk::trim_chunk_cache;
pub use crate::error::AllocError;
pub use crate::handles::{ArcSingle, ArcSlice, ArcStr, WeakSingle, WeakSlice, WeakStr};
pub use crate::index::IndexType;
#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
pub use crate::intern::{Intern, InternStats, Interned, IntoInterned, Symbol};
#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
pub use crate::pools::ArenaAlloc;
pub use crate::pools::{ArenaHas, ArenaType, IntoArcSingle, IntoArcSlice, Pool};
pub use crate::scope::PoolScope;
pub use crate::stats::AllocatorStats;
/// Derives [`ArenaType`], a per-thread pool ([`ArenaAlloc`], with `std`)
/// and typed constructors. See the crate docs.
///
/// # Examples
///
/// ```
/// use arena_arc::{ArcSingle, ArenaAlloc};
///
/// #[derive(ArenaAlloc, Debug)]
/// #[arena(chunk = 1024)]
/// enum Expr {
///     Num(f64),
///     Add(ArcSingle<Expr>, ArcSingle<Expr>),
/// }
///
/// let sum = Expr::add(Expr::Num(1.0), Expr::num(2.0));
/// assert!(matches!(&*sum, Expr::Add(a, _) if matches!(**a, Expr::Num(1.0))));
/// ```
#[cfg(feature = "derive")]
#[cfg_attr(docsrs, doc(cfg(feature = "derive")))]
pub use arena_arc_derive::ArenaAlloc;
/// Turns a struct whose fields name element types into a struct of typed
/// pools. See the crate docs.
///
/// # Examples
///
/// ```
/// use arena_arc::arena;
///
/// #[arena(index = u32, chunk = 4096)]
/// struct Text {
///     bytes: u8,
///     #[arena(chunk = 64)]
///     lines: u32,
/// }
///
/// let mut text = Text::new();
/// let hello = text.alloc_slice_copy(b"hello");
/// let starts = text.alloc_from_iter([0u32, 6]);
/// assert_eq!((&*hello, &*starts), (&b"hello"[..], &[0, 6][..]));
/// ```
#[cfg(feature = "derive")]
#[cfg_attr(docsrs, doc(cfg(feature = "derive")))]
pub use arena_arc_derive::arena;
