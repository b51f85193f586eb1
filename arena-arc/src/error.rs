//! [`AllocError`]: why a pool could not make a chunk.

use core::alloc::Layout;
use core::fmt;

/// A pool could not make the chunk an allocation needed: its
/// [allocation limit](crate::Allocator::set_allocation_limit) (or its
/// `#[arena]` struct's) would have been passed, or the global allocator
/// refused the memory.
///
/// The `_checked` methods ([`Allocator::alloc_value_checked`] and its
/// siblings, [`ArenaAlloc::alloc_checked`](crate::ArenaAlloc::alloc_checked),
/// and those of `#[arena]` structs) return it. Nothing was allocated, the
/// value given is dropped (a closure given is not called), and the pool and
/// every handle it made are as they were: the pool can go on allocating once
/// handles are dropped or the limit raised.
///
/// The other allocating methods panic with the same message when a limit
/// refuses, and call [`handle_alloc_error`](alloc::alloc::handle_alloc_error)
/// (which aborts) when the global allocator does, as `Vec` and `Box` do.
///
/// [`Allocator::alloc_value_checked`]: crate::Allocator::alloc_value_checked
///
/// # Examples
///
/// ```
/// use arena_arc::Allocator;
///
/// let mut pool: Allocator<u64, u32, 64> = Allocator::new();
/// pool.set_allocation_limit(Some(4096));
/// let err = pool.alloc_slice_copy_checked(&[0; 1000]).unwrap_err();
/// assert_eq!(err.limit(), Some(4096));
/// assert!(err.to_string().contains("allocation limit of 4096 bytes"));
/// // Nothing changed but the pool's first chunk, made before: a chunk of
/// // 64 slots fits the limit.
/// assert_eq!(*pool.alloc_value_checked(7).unwrap(), 7);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AllocError {
    kind: Kind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// The chunk would have taken live bytes past `limit`.
    Limit {
        limit: usize,
        live: usize,
        size: usize,
        align: usize,
    },
    /// The global allocator returned null.
    Memory { size: usize, align: usize },
}

impl AllocError {
    pub(crate) const fn limit_reached(limit: usize, live: usize, layout: Layout) -> Self {
        AllocError {
            kind: Kind::Limit {
                limit,
                live,
                size: layout.size(),
                align: layout.align(),
            },
        }
    }

    pub(crate) const fn out_of_memory(layout: Layout) -> Self {
        AllocError {
            kind: Kind::Memory {
                size: layout.size(),
                align: layout.align(),
            },
        }
    }

    /// The limit that refused the chunk, or `None` when the global
    /// allocator refused it.
    pub const fn limit(&self) -> Option<usize> {
        match self.kind {
            Kind::Limit { limit, .. } => Some(limit),
            Kind::Memory { .. } => None,
        }
    }

    /// Whether an allocation limit refused the chunk (rather than the global
    /// allocator).
    pub const fn is_limit(&self) -> bool {
        matches!(self.kind, Kind::Limit { .. })
    }

    /// The layout of the chunk that could not be made (its header included).
    pub const fn layout(&self) -> Layout {
        let (Kind::Limit { size, align, .. } | Kind::Memory { size, align }) = self.kind;
        match Layout::from_size_align(size, align) {
            Ok(layout) => layout,
            Err(_) => unreachable!(),
        }
    }

    /// Panics with this error's message (a limit), or calls
    /// `handle_alloc_error` (the global allocator): what the allocating
    /// methods that do not return an error do.
    #[cold]
    #[inline(never)]
    #[track_caller]
    pub(crate) fn raise(self) -> ! {
        match self.kind {
            Kind::Limit { .. } => panic!("{self}"),
            Kind::Memory { .. } => alloc::alloc::handle_alloc_error(self.layout()),
        }
    }
}

impl fmt::Display for AllocError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            Kind::Limit {
                limit, live, size, ..
            } => write!(
                f,
                "arena-arc: a chunk of {size} bytes would take the pool past its allocation \
                 limit of {limit} bytes ({live} bytes are live); drop handles or raise the \
                 limit with set_allocation_limit"
            ),
            Kind::Memory { size, .. } => write!(
                f,
                "arena-arc: the global allocator could not allocate a chunk of {size} bytes"
            ),
        }
    }
}

impl core::error::Error for AllocError {}

/// An error type with no values: converting an [`AllocError`] into it
/// raises the error (see [`AllocError::raise`]). The allocating paths are
/// generic over `E: From<AllocError>`; the methods that do not return an
/// error instantiate them with `Raise`, the `_checked` ones with
/// `AllocError`.
pub(crate) enum Raise {}

impl From<AllocError> for Raise {
    #[inline]
    #[track_caller]
    fn from(error: AllocError) -> Self {
        error.raise()
    }
}

/// `E` from a caller's closure, or an [`AllocError`] raised: the error type
/// of `try_alloc`, whose errors are the closure's.
pub(crate) struct RaiseOr<E>(pub(crate) E);

impl<E> From<AllocError> for RaiseOr<E> {
    #[inline]
    #[track_caller]
    fn from(error: AllocError) -> Self {
        error.raise()
    }
}

/// Unwraps a result whose error type has no values.
#[inline(always)]
pub(crate) fn never_fails<T>(result: Result<T, Raise>) -> T {
    match result {
        Ok(value) => value,
        Err(never) => match never {},
    }
}

/// A result of a placement step, raised on error.
pub(crate) trait OrRaise<T> {
    /// The value, or the error raised.
    fn or_raise(self) -> T;
}

impl<T> OrRaise<T> for Result<T, AllocError> {
    #[inline]
    #[track_caller]
    fn or_raise(self) -> T {
        match self {
            Ok(value) => value,
            Err(error) => error.raise(),
        }
    }
}
