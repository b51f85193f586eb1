//! The sealed [`IndexType`] trait: the integer types a handle stores its
//! offset and length in.

use core::fmt::Debug;
use core::hash::Hash;

pub(crate) mod private {
    /// Seals [`IndexType`](super::IndexType) and carries the conversions the
    /// unsafe code relies on.
    ///
    /// Only this crate can implement it, so the unsafe code may trust that
    /// `from_usize(n) == Some(l)` implies `to_usize(l) == n`.
    pub trait Sealed: Copy {
        /// The largest value of the type as a `usize`, saturating at
        /// `usize::MAX` for types wider than `usize`.
        const MAX_USIZE: usize;
        /// The value zero.
        const ZERO: Self;
        /// The value one.
        const ONE: Self;
        /// Converts back to `usize`. Lossless for every value produced by
        /// [`Sealed::from_usize`].
        fn to_usize(self) -> usize;
        /// Converts a `usize`, or `None` if it does not fit.
        fn from_usize(n: usize) -> Option<Self>;
        /// Converts a `usize` that the caller knows fits (an offset below a
        /// chunk size that was checked against [`Sealed::MAX_USIZE`] at
        /// compile time). Truncates otherwise; never used on unchecked values.
        fn from_usize_lossy(n: usize) -> Self;

        /// An offset and a length stored together in a slice handle: one
        /// integer twice as wide for `u16` and `u32`, so that the handle is
        /// a pointer plus one integer (two registers, one store each), a
        /// pair otherwise.
        type Span: Copy + PartialEq + Eq;
        /// The span of offset 0 and length 0.
        const ZERO_SPAN: Self::Span;
        /// Packs an offset and a length.
        fn span(offset: Self, len: Self) -> Self::Span;
        /// The offset of a span.
        fn span_offset(span: Self::Span) -> Self;
        /// The length of a span.
        fn span_len(span: Self::Span) -> Self;
    }
}

/// An unsigned integer type that handles use for offsets and lengths.
///
/// Implemented for `u16`, `u32`, `u64`, `u128` and `usize`, exactly as in
/// arena-arc 0.1.2. The trait is *sealed*: it cannot be implemented outside
/// this crate. The allocator's unsafe code trusts the index conversions, so a
/// user implementation that lied about them could make safe code read
/// uninitialised memory; sealing rules that out.
///
/// The index type sets the size of a slice handle: with `u16` or `u32` it
/// is 16 bytes on 64-bit targets (a pointer plus the offset and length
/// packed in one word), with `u64` or `usize` 24 bytes. A narrower type
/// limits how long a slice may be and how many elements a chunk may hold: the chunk size `N` of an
/// [`Allocator<T, L, N>`](crate::Allocator) must not exceed `L::MAX`, which is
/// checked at compile time.
///
/// A type of your own cannot be an index type, however complete its
/// conversions:
///
/// ```compile_fail,E0277
/// // error[E0277]: the trait bound `MyIndex: Sealed` is not satisfied
/// #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default)]
/// struct MyIndex(u32);
/// impl TryFrom<usize> for MyIndex {
///     type Error = std::num::TryFromIntError;
///     fn try_from(n: usize) -> Result<Self, Self::Error> { u32::try_from(n).map(MyIndex) }
/// }
/// impl From<MyIndex> for usize {
///     fn from(i: MyIndex) -> usize { i.0 as usize }
/// }
/// impl arena_arc::IndexType for MyIndex {}
/// ```
///
/// # Examples
///
/// ```
/// use arena_arc::{Allocator, ArcSlice};
///
/// // u16 offsets: slices of at most 65,535 elements.
/// let mut small: Allocator<u8, u16, 1024> = Allocator::new();
/// let bytes: ArcSlice<u8, u16> = small.alloc_slice_copy(b"hello");
/// assert_eq!(&*bytes, b"hello");
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an arena index type",
    label = "not an index type",
    note = "use one of `u16`, `u32`, `u64`, `u128` or `usize` as the index type"
)]
pub trait IndexType:
    private::Sealed
    + Copy
    + TryFrom<usize, Error: Debug>
    + TryInto<usize, Error: Debug>
    + PartialEq
    + Eq
    + PartialOrd
    + Ord
    + Hash
    + Debug
    + Default
    + Send
    + Sync
    + 'static
{
}

macro_rules! impl_index_type {
    ($($ty:ty => $span:tt),*) => {$(
        impl private::Sealed for $ty {
            impl_index_type!(@span $ty => $span);
            const MAX_USIZE: usize = if (<$ty>::MAX as u128) < (usize::MAX as u128) {
                <$ty>::MAX as usize
            } else {
                usize::MAX
            };
            const ZERO: Self = 0;
            const ONE: Self = 1;
            #[inline(always)]
            fn to_usize(self) -> usize {
                // Lossless for every value that `from_usize` produced, which
                // are the only values the crate ever stores.
                self as usize
            }
            #[inline(always)]
            fn from_usize(n: usize) -> Option<Self> {
                <$ty>::try_from(n).ok()
            }
            #[inline(always)]
            fn from_usize_lossy(n: usize) -> Self {
                n as $ty
            }
        }
        impl IndexType for $ty {}
    )*};
    // Already a register each: a pair.
    (@span $ty:ty => pair) => {
        type Span = ($ty, $ty);
        const ZERO_SPAN: ($ty, $ty) = (0, 0);
        #[inline(always)]
        fn span(offset: Self, len: Self) -> ($ty, $ty) {
            (offset, len)
        }
        #[inline(always)]
        fn span_offset(span: ($ty, $ty)) -> Self {
            span.0
        }
        #[inline(always)]
        fn span_len(span: ($ty, $ty)) -> Self {
            span.1
        }
    };
    // Both halves in one integer of twice the width: offset low, length high.
    (@span $ty:ty => $wide:ty) => {
        type Span = $wide;
        const ZERO_SPAN: $wide = 0;
        #[inline(always)]
        fn span(offset: Self, len: Self) -> $wide {
            (offset as $wide) | ((len as $wide) << <$ty>::BITS)
        }
        #[inline(always)]
        fn span_offset(span: $wide) -> Self {
            span as $ty
        }
        #[inline(always)]
        fn span_len(span: $wide) -> Self {
            (span >> <$ty>::BITS) as $ty
        }
    };
}

impl_index_type!(u16 => u32, u32 => u64, u64 => pair, u128 => pair, usize => pair);

/// Converts `n` to the index type `L`, panicking with a message that names
/// the limit when it does not fit.
#[inline]
#[track_caller]
pub(crate) fn to_index<L: IndexType>(n: usize, what: &str) -> L {
    match L::from_usize(n) {
        Some(l) => l,
        None => index_overflow::<L>(n, what),
    }
}

#[cold]
#[inline(never)]
#[track_caller]
fn index_overflow<L: IndexType>(n: usize, what: &str) -> ! {
    panic!(
        "{what} {n} does not fit the index type `{}` (at most {}); use a wider index type",
        core::any::type_name::<L>(),
        L::MAX_USIZE
    )
}

#[cfg(test)]
mod tests {
    use super::private::Sealed;
    use super::*;

    #[test]
    fn max_usize_saturates() {
        assert_eq!(u16::MAX_USIZE, 65_535);
        assert_eq!(u32::MAX_USIZE, u32::MAX as usize);
        assert_eq!(u128::MAX_USIZE, usize::MAX);
        assert_eq!(usize::MAX_USIZE, usize::MAX);
    }

    #[test]
    fn round_trip() {
        for n in [0usize, 1, 65_535] {
            assert_eq!(u16::from_usize(n).unwrap().to_usize(), n);
            assert_eq!(u128::from_usize(n).unwrap().to_usize(), n);
        }
        assert_eq!(u16::from_usize(65_536), None);
    }

    #[test]
    #[should_panic(expected = "length 70000 does not fit the index type `u16` (at most 65535)")]
    fn to_index_panics_with_limit() {
        let _: u16 = to_index(70_000, "length");
    }
}
