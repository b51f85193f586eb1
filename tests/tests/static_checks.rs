//! Compile-time facts: thread-safety bounds and handle sizes.

use std::cell::Cell;
use std::mem::size_of;
use std::rc::Rc;

use arena_arc::{Allocator, ArcSingle, ArcSlice, ArcStr, Interned, SliceBuilder};
use static_assertions::{assert_eq_size, assert_impl_all, assert_not_impl_any, const_assert};

assert_impl_all!(ArcSlice<u8>: Send, Sync, Clone, Default);
assert_impl_all!(ArcSingle<String>: Send, Sync, Clone);
assert_impl_all!(ArcStr: Send, Sync, Clone, Default);
assert_impl_all!(ArcSlice<u8, u16>: Send, Sync);

// `Cell` is `Send` but not `Sync`: a shared handle must be neither.
assert_not_impl_any!(ArcSlice<Cell<u8>>: Send, Sync);
assert_not_impl_any!(ArcSingle<Cell<u8>>: Send, Sync);
assert_not_impl_any!(ArcSlice<Rc<u8>>: Send, Sync);
// An interned handle is an `ArcSingle`: shared across threads when `T` is
// `Send + Sync`, and as small.
assert_impl_all!(Interned<String>: Send, Sync, Clone, Eq, Ord, std::hash::Hash);
assert_not_impl_any!(Interned<Cell<u8>>: Send, Sync);
assert_not_impl_any!(Interned<Rc<u8>>: Send, Sync);
// Its hash is the address's, not the value's: no `Borrow<T>`.
assert_not_impl_any!(Interned<String>: std::borrow::Borrow<String>);
assert_eq_size!(Interned<String>, ArcSingle<String>, [usize; 2]);
assert_eq_size!(Option<Interned<String>>, Interned<String>);
// A slice builder moves to another thread like the handle it becomes, and
// is shared like a `Vec` of its elements.
assert_impl_all!(SliceBuilder<String>: Send, Sync);
assert_impl_all!(SliceBuilder<std::sync::Mutex<u8>>: Send, Sync);
assert_not_impl_any!(SliceBuilder<Cell<u8>>: Send, Sync);
assert_not_impl_any!(SliceBuilder<Rc<u8>>: Send, Sync);

// The allocator can move to a worker thread when `T: Send + Sync`.
assert_impl_all!(Allocator<u64>: Send, Sync, Default);
assert_impl_all!(Allocator<String, u16, 1024>: Send);
assert_not_impl_any!(Allocator<Rc<u8>>: Send, Sync);
assert_not_impl_any!(Allocator<Cell<u8>>: Send, Sync);

// Handles are as small as `Arc<[T]>`, with a niche for `Option`.
assert_eq_size!(ArcSlice<u64>, [usize; 2]);
assert_eq_size!(Option<ArcSlice<u64>>, [usize; 2]);
assert_eq_size!(ArcSlice<u8>, std::sync::Arc<[u8]>);
assert_eq_size!(ArcStr, [usize; 2]);
assert_eq_size!(Option<ArcStr>, [usize; 2]);
const_assert!(size_of::<ArcSingle<u64>>() <= 16);
const_assert!(size_of::<Option<ArcSingle<u64>>>() <= 16);
const_assert!(size_of::<ArcSlice<u64, u16>>() <= 16);
// Single handles store a full-word offset whatever `L`: never above 16.
const_assert!(size_of::<ArcSingle<u64, u128>>() <= 16);
const_assert!(size_of::<Option<ArcSingle<u64, u16>>>() <= 16);

#[test]
fn sizes_on_this_target() {
    assert_eq!(size_of::<ArcSlice<u64>>(), 2 * size_of::<usize>());
    assert_eq!(
        size_of::<Option<ArcSingle<[u8; 100]>>>(),
        size_of::<ArcSingle<[u8; 100]>>()
    );
}
