//! serde support (feature `serde`).
//!
//! * [`ArcSlice<T, L>`](ArcSlice) serializes as a sequence, [`ArcSingle<T,
//!   L>`](ArcSingle) as its value, [`ArcStr`] as a string.
//! * With `std`, they also deserialize when `T` has a per-thread pool
//!   ([`ArenaAlloc`], e.g. `#[derive(Deserialize, ArenaAlloc)]`): the values
//!   are allocated in `T`'s per-thread pool, so trees load straight into
//!   arenas. A slice whose length the format gives up front is written in
//!   place; otherwise it is collected in a `Vec` first and then moved in
//!   with one copy (its elements may themselves allocate in the same pool).
//! * With `std`, an [`Interned<T, L>`](crate::Interned) serializes as its
//!   value and deserializes by interning it in `T`'s table, and a
//!   [`Symbol`](crate::Symbol) serializes as a string and deserializes by
//!   interning the text (text straight into symbols).
//! * [`DeserializeIn`] (a [`DeserializeSeed`]) and [`deserialize_in`] load
//!   into an explicit [`Allocator`](crate::Allocator) or `#[arena]` struct
//!   instead: every handle deserialized meanwhile on this thread goes into
//!   the pool of its element type there (see [`PoolScope`]).
//! * [`DeserializeLimits`] bounds what a document may allocate (see
//!   [below](#limits-for-untrusted-input)).
//!
//! [`ArenaAlloc`]: crate::ArenaAlloc
//! [`DeserializeSeed`]: ::serde::de::DeserializeSeed
//! [`PoolScope`]: crate::PoolScope
//!
//! Malformed input returns the deserializer's error; whatever was allocated
//! before the error is dropped with the partial value, so nothing leaks.
//!
//! # Limits for untrusted input
//!
//! A document can ask for far more memory than it takes to send (a length
//! prefix of 2<sup>40</sup>, a long array of small numbers each becoming a
//! large node). [`DeserializeLimits`] caps what one load may allocate, in
//! bytes and in elements: [`DeserializeIn::with_limits`] and
//! [`deserialize_in_with_limits`] for explicit pools, [`with_limits`] for
//! the per-thread pools (around a plain `serde_json::from_str`). The limits
//! count every element the handles' `Deserialize` impls allocate (`ArcSingle`
//! 1, `ArcSlice` its length, `ArcStr` and `Symbol` their bytes, `Interned`
//! 1), including the elements of a slice staged in a `Vec` while its length
//! is unknown, and each is checked *before* its memory is taken: a load that
//! goes past a limit ends in the deserializer's error, whose message names
//! the limit to raise, and the pools stay usable. Memory that serde or the
//! format allocate themselves (a `String` to unescape into, the buffer of a
//! `#[serde(untagged)]` enum, a plain `Vec<T>` field) is not counted: bound
//! the input's size too (`std::io::Read::take`).
//!
//! ```
//! use arena_arc::serde::{with_limits, DeserializeLimits};
//! use arena_arc::ArcSlice;
//!
//! let limits = DeserializeLimits::new().max_elements(4);
//! let small: ArcSlice<u32> = with_limits(limits, || serde_json::from_str("[1, 2, 3, 4]")).unwrap();
//! assert_eq!(small, [1, 2, 3, 4]);
//! let err = with_limits(limits, || serde_json::from_str::<ArcSlice<u32>>("[1, 2, 3, 4, 5]"))
//!     .unwrap_err();
//! assert!(err.to_string().contains("more than 4 elements (raise DeserializeLimits::max_elements)"));
//! ```
//!
//! # Examples
//!
//! ```
//! use arena_arc::{ArcSlice, ArcSingle, ArenaAlloc};
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(ArenaAlloc, Serialize, Deserialize, Debug, PartialEq)]
//! #[serde(untagged)]
//! enum Expr {
//!     Num(f64),
//!     Neg { neg: ArcSingle<Expr> },
//!     Sum(ArcSlice<Expr>),
//! }
//!
//! let expr: ArcSingle<Expr> = serde_json::from_str(r#"[1.5, {"neg": 2.0}, [3.0]]"#).unwrap();
//! let Expr::Sum(terms) = &*expr else { panic!("not a sum") };
//! assert_eq!(terms.len(), 3);
//! assert_eq!(serde_json::to_string(&expr).unwrap(), r#"[1.5,{"neg":2.0},[3.0]]"#);
//!
//! // Malformed input is an error, not a panic or a leak.
//! assert!(serde_json::from_str::<ArcSingle<Expr>>("[1.0, {\"neg\": }]").is_err());
//! ```

use ::serde::ser::{Serialize, Serializer};

use crate::handles::{ArcSingle, ArcSlice, ArcStr};
use crate::index::IndexType;

#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
pub use self::de::{
    DeserializeIn, DeserializeLimits, deserialize_in, deserialize_in_with_limits, with_limits,
};

/// As a sequence of its elements.
impl<T: Serialize, L: IndexType> Serialize for ArcSlice<T, L> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

/// As its value.
impl<T: Serialize, L: IndexType> Serialize for ArcSingle<T, L> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        (**self).serialize(serializer)
    }
}

/// As a string.
impl<L: IndexType> Serialize for ArcStr<L> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self)
    }
}

/// As a string.
#[cfg(feature = "std")]
impl Serialize for crate::Symbol {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self)
    }
}

/// As its value.
#[cfg(feature = "std")]
impl<T: Serialize, L: IndexType> Serialize for crate::Interned<T, L> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        (**self).serialize(serializer)
    }
}

#[cfg(feature = "std")]
mod de {
    use alloc::vec::Vec;
    use core::fmt;
    use core::marker::PhantomData;

    use ::serde::de::{
        Deserialize, DeserializeSeed, Deserializer, Error, SeqAccess, Unexpected, Visitor,
    };

    use crate::handles::{ArcSingle, ArcSlice, ArcStr};
    use crate::index::IndexType;
    use crate::index::private::Sealed as _;
    use crate::pools::ArenaAlloc;
    use crate::scope::PoolScope;

    /// Limits on what one load may allocate through the handles'
    /// `Deserialize` impls, for documents from untrusted sources. The
    /// default (and [`new`](DeserializeLimits::new)) is unlimited.
    ///
    /// * **Elements**: each `ArcSingle` value counts 1, each `ArcSlice` its
    ///   length, each `ArcStr` and `Symbol` its length in bytes, each
    ///   `Interned` value 1.
    /// * **Bytes**: `size_of::<T>()` per element of a value or slice of `T`,
    ///   the length of each `ArcStr` and `Symbol`.
    ///
    /// A slice whose length is not known up front (JSON) counts its
    /// elements as they arrive, while they are staged in a `Vec`, so a huge
    /// array fails early rather than after being collected. A length the
    /// format claims up front (a binary format's prefix) reserves no more
    /// than the limits still allow. What is allocated and then dropped
    /// during the load (a `#[serde(untagged)]` enum's failed variants)
    /// stays counted; interning counts the value even when an equal one
    /// exists already (so that whether a document fits does not depend on
    /// what other threads interned).
    ///
    /// Apply them with [`DeserializeIn::with_limits`] or
    /// [`deserialize_in_with_limits`] (explicit pools) or [`with_limits`]
    /// (any deserialization a closure runs on this thread, per-thread pools
    /// included). Going past one is the deserializer's error, built with
    /// [`Error::custom`], whose message names the limit, e.g. `arena-arc:
    /// the document needs more than 1048576 bytes (raise
    /// DeserializeLimits::max_bytes)`.
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::serde::DeserializeLimits;
    ///
    /// const UPLOADS: DeserializeLimits = DeserializeLimits::new()
    ///     .max_bytes(16 << 20)
    ///     .max_elements(1_000_000);
    /// assert_eq!(UPLOADS.byte_limit(), Some(16 << 20));
    /// assert_eq!(UPLOADS.element_limit(), Some(1_000_000));
    /// assert_eq!(DeserializeLimits::default(), DeserializeLimits::new());
    /// assert_eq!(DeserializeLimits::new().byte_limit(), None);
    /// ```
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
    pub struct DeserializeLimits {
        bytes: Option<usize>,
        elements: Option<usize>,
    }

    impl DeserializeLimits {
        /// No limits (the same as `Default`).
        ///
        /// # Examples
        ///
        /// ```
        /// use arena_arc::serde::DeserializeLimits;
        ///
        /// let none = DeserializeLimits::new();
        /// assert_eq!((none.byte_limit(), none.element_limit()), (None, None));
        /// ```
        #[must_use]
        pub const fn new() -> Self {
            DeserializeLimits {
                bytes: None,
                elements: None,
            }
        }

        /// At most `bytes` bytes: `size_of::<T>()` per element of the values
        /// and slices, plus the text of the strings.
        ///
        /// # Examples
        ///
        /// ```
        /// use arena_arc::serde::{deserialize_in_with_limits, DeserializeLimits};
        /// use arena_arc::{Allocator, ArcSlice};
        ///
        /// let mut pool: Allocator<u64, u32, 64> = Allocator::new();
        /// let limits = DeserializeLimits::new().max_bytes(16); // two u64s
        /// let mut json = serde_json::Deserializer::from_str("[1, 2, 3]");
        /// let err = deserialize_in_with_limits::<_, ArcSlice<u64>, _>(&mut pool, limits, &mut json)
        ///     .unwrap_err();
        /// assert!(err.to_string().contains("more than 16 bytes"));
        /// ```
        #[must_use]
        pub const fn max_bytes(self, bytes: usize) -> Self {
            DeserializeLimits {
                bytes: Some(bytes),
                ..self
            }
        }

        /// At most `elements` elements: 1 per value, the length of each
        /// slice, the length in bytes of each string.
        ///
        /// # Examples
        ///
        /// ```
        /// use arena_arc::serde::{with_limits, DeserializeLimits};
        /// use arena_arc::ArcStr;
        ///
        /// let limits = DeserializeLimits::new().max_elements(5);
        /// let ok: ArcStr = with_limits(limits, || serde_json::from_str(r#""hello""#)).unwrap();
        /// assert_eq!(ok, "hello");
        /// assert!(with_limits(limits, || serde_json::from_str::<ArcStr>(r#""hello!""#)).is_err());
        /// ```
        #[must_use]
        pub const fn max_elements(self, elements: usize) -> Self {
            DeserializeLimits {
                elements: Some(elements),
                ..self
            }
        }

        /// The limit in bytes, if any.
        ///
        /// # Examples
        ///
        /// ```
        /// use arena_arc::serde::DeserializeLimits;
        ///
        /// assert_eq!(DeserializeLimits::new().max_bytes(4096).byte_limit(), Some(4096));
        /// assert_eq!(DeserializeLimits::new().byte_limit(), None);
        /// ```
        #[must_use]
        pub const fn byte_limit(&self) -> Option<usize> {
            self.bytes
        }

        /// The limit in elements, if any.
        ///
        /// # Examples
        ///
        /// ```
        /// use arena_arc::serde::DeserializeLimits;
        ///
        /// assert_eq!(DeserializeLimits::new().max_elements(10).element_limit(), Some(10));
        /// assert_eq!(DeserializeLimits::new().element_limit(), None);
        /// ```
        #[must_use]
        pub const fn element_limit(&self) -> Option<usize> {
            self.elements
        }
    }

    /// Runs `f` with `limits` applied to every deserialization of handles it
    /// runs on this thread (into the per-thread pools, into explicit pools
    /// through [`DeserializeIn`], or by any other means), and returns what
    /// `f` returns. Everything `f` loads shares one budget: call it once per
    /// document. Other threads, those `f` spawns included, are not limited.
    ///
    /// Calls nest: inside, the tighter of `limits` and what is left of the
    /// enclosing budget applies, and what the inner call allocated counts
    /// against the enclosing budget too. The enclosing budget is back in
    /// place when `f` returns or panics.
    ///
    /// # Examples
    ///
    /// Plain `serde_json::from_str` into the per-thread pools:
    ///
    /// ```
    /// use arena_arc::serde::{with_limits, DeserializeLimits};
    /// use arena_arc::{ArcSingle, ArcSlice, ArenaAlloc};
    /// use serde::Deserialize;
    ///
    /// #[derive(ArenaAlloc, Deserialize, Debug)]
    /// enum Expr {
    ///     Num(f64),
    ///     Sum(ArcSlice<Expr>),
    /// }
    ///
    /// let limits = DeserializeLimits::new().max_elements(3);
    /// let doc = r#"{"Sum": [{"Num": 1.0}, {"Num": 2.0}]}"#; // 3 values
    /// let sum: ArcSingle<Expr> = with_limits(limits, || serde_json::from_str(doc)).unwrap();
    /// # let _ = sum;
    /// let doc = r#"{"Sum": [{"Num": 1.0}, {"Num": 2.0}, {"Num": 3.0}]}"#; // 4 values
    /// let err = with_limits(limits, || serde_json::from_str::<ArcSingle<Expr>>(doc)).unwrap_err();
    /// assert!(err.to_string().starts_with(
    ///     "arena-arc: the document needs more than 3 elements (raise DeserializeLimits::max_elements)"
    /// ));
    /// // Outside, no limits.
    /// assert!(serde_json::from_str::<ArcSingle<Expr>>(doc).is_ok());
    /// ```
    pub fn with_limits<R>(limits: DeserializeLimits, f: impl FnOnce() -> R) -> R {
        let outer = budget::get();
        let start = outer.narrowed(limits);
        budget::set(start);
        let _restore = budget::Restore { outer, start };
        f()
    }

    /// The thread-local budget that [`with_limits`] sets and the
    /// `Deserialize` impls below draw on.
    mod budget {
        use core::cell::Cell;
        use core::fmt;

        use super::DeserializeLimits;

        std::thread_local! {
            /// What is left on this thread. `const`-initialised, no
            /// destructor: always there, even in other thread-local
            /// destructors.
            static BUDGET: Cell<Budget> = const { Cell::new(Budget::UNLIMITED) };
        }

        pub(super) fn get() -> Budget {
            BUDGET.with(Cell::get)
        }

        pub(super) fn set(budget: Budget) {
            BUDGET.with(|cell| cell.set(budget));
        }

        /// What is left of a budget in bytes and in elements.
        #[derive(Clone, Copy)]
        pub(super) struct Budget {
            bytes: Meter,
            elements: Meter,
        }

        /// One limit and what is left of it. `limit == usize::MAX` is no
        /// limit (nothing can need more than `usize::MAX` bytes): such a
        /// meter is never charged.
        #[derive(Clone, Copy)]
        struct Meter {
            limit: usize,
            left: usize,
        }

        impl Meter {
            const UNLIMITED: Meter = Meter {
                limit: usize::MAX,
                left: usize::MAX,
            };

            fn is_unlimited(self) -> bool {
                self.limit == usize::MAX
            }

            /// The tighter of this meter and a new limit of `max`.
            fn narrowed(self, max: Option<usize>) -> Meter {
                match max {
                    Some(max) if max < self.left => Meter {
                        limit: max,
                        left: max,
                    },
                    _ => self,
                }
            }

            /// This (enclosing) meter after an inner one went from `start`
            /// to `end`: what was spent inside is spent here too.
            fn after(self, start: Meter, end: Meter) -> Meter {
                if self.is_unlimited() {
                    return self;
                }
                let spent = start.left.saturating_sub(end.left);
                Meter {
                    limit: self.limit,
                    left: self.left.saturating_sub(spent),
                }
            }

            fn take(&mut self, amount: usize, unit: Unit) -> Result<(), Exceeded> {
                if self.is_unlimited() {
                    return Ok(());
                }
                match self.left.checked_sub(amount) {
                    Some(left) => {
                        self.left = left;
                        Ok(())
                    }
                    None => Err(Exceeded {
                        limit: self.limit,
                        unit,
                    }),
                }
            }

            fn give_back(&mut self, amount: usize) {
                if !self.is_unlimited() {
                    self.left = self.left.saturating_add(amount).min(self.limit);
                }
            }
        }

        impl Budget {
            const UNLIMITED: Budget = Budget {
                bytes: Meter::UNLIMITED,
                elements: Meter::UNLIMITED,
            };

            /// The budget inside a nested [`with_limits`](super::with_limits).
            pub(super) fn narrowed(self, limits: DeserializeLimits) -> Budget {
                Budget {
                    bytes: self.bytes.narrowed(limits.byte_limit()),
                    elements: self.elements.narrowed(limits.element_limit()),
                }
            }

            fn after(self, start: Budget, end: Budget) -> Budget {
                Budget {
                    bytes: self.bytes.after(start.bytes, end.bytes),
                    elements: self.elements.after(start.elements, end.elements),
                }
            }
        }

        /// Puts the enclosing budget back (less what was spent meanwhile)
        /// when a [`with_limits`](super::with_limits) ends, by return or by
        /// panic.
        pub(super) struct Restore {
            pub(super) outer: Budget,
            pub(super) start: Budget,
        }

        impl Drop for Restore {
            fn drop(&mut self) {
                set(self.outer.after(self.start, get()));
            }
        }

        /// A load went past a limit: the error's message.
        #[derive(Debug)]
        pub(super) struct Exceeded {
            limit: usize,
            unit: Unit,
        }

        #[derive(Debug, Clone, Copy)]
        enum Unit {
            Bytes,
            Elements,
        }

        impl fmt::Display for Exceeded {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let (unit, setter) = match self.unit {
                    Unit::Bytes => ("bytes", "max_bytes"),
                    Unit::Elements => ("elements", "max_elements"),
                };
                write!(
                    f,
                    "arena-arc: the document needs more than {} {unit} \
                     (raise DeserializeLimits::{setter})",
                    self.limit
                )
            }
        }

        /// Charges `elements` elements taking `bytes` bytes, all or nothing.
        /// The unlimited case, the common one, is one thread-local load
        /// and two comparisons; the rest is out of line.
        #[inline]
        pub(super) fn charge<E: ::serde::de::Error>(
            bytes: usize,
            elements: usize,
        ) -> Result<(), E> {
            if unlimited() {
                return Ok(());
            }
            match charge_limited(bytes, elements) {
                Ok(()) => Ok(()),
                Err(exceeded) => Err(refused(exceeded)),
            }
        }

        /// The serde error for a limit passed (out of line, as it is rare).
        #[cold]
        #[inline(never)]
        fn refused<E: ::serde::de::Error>(exceeded: Exceeded) -> E {
            E::custom(exceeded)
        }

        /// Whether this thread has no limit in force.
        #[inline(always)]
        fn unlimited() -> bool {
            BUDGET.with(|cell| {
                let budget = cell.get();
                budget.bytes.is_unlimited() && budget.elements.is_unlimited()
            })
        }

        /// [`charge`] under a limit.
        #[cold]
        #[inline(never)]
        fn charge_limited(bytes: usize, elements: usize) -> Result<(), Exceeded> {
            BUDGET.with(|cell| {
                let mut budget = cell.get();
                budget
                    .bytes
                    .take(bytes, Unit::Bytes)
                    .and_then(|()| budget.elements.take(elements, Unit::Elements))?;
                cell.set(budget);
                Ok(())
            })
        }

        /// Charges `count` elements of `T`.
        #[inline]
        pub(super) fn charge_slots<T, E: ::serde::de::Error>(count: usize) -> Result<(), E> {
            // Saturating: a product past `usize::MAX` is past any limit.
            charge(core::mem::size_of::<T>().saturating_mul(count), count)
        }

        /// Charges room for up to `wanted` elements of `T`, as many as the
        /// budget allows, and returns how many that is.
        pub(super) fn reserve<T>(wanted: usize) -> usize {
            if unlimited() {
                return wanted;
            }
            BUDGET.with(|cell| {
                let mut budget = cell.get();
                let by_bytes = match core::mem::size_of::<T>() {
                    0 => usize::MAX,
                    size => budget.bytes.left / size,
                };
                let granted = wanted.min(by_bytes).min(budget.elements.left);
                // Cannot fail: `granted` fits both meters.
                let _ = budget
                    .bytes
                    .take(granted * core::mem::size_of::<T>(), Unit::Bytes);
                let _ = budget.elements.take(granted, Unit::Elements);
                cell.set(budget);
                granted
            })
        }

        /// Gives back `count` elements of `T` charged but not used.
        pub(super) fn refund<T>(count: usize) {
            if count == 0 || unlimited() {
                return;
            }
            BUDGET.with(|cell| {
                let mut budget = cell.get();
                budget.bytes.give_back(count * core::mem::size_of::<T>());
                budget.elements.give_back(count);
                cell.set(budget);
            });
        }
    }

    /// Allocates the value in `T`'s per-thread pool (or the pool standing in
    /// for it, see [`PoolScope`]).
    impl<'de, T, L> Deserialize<'de> for ArcSingle<T, L>
    where
        T: ArenaAlloc<Index = L> + Deserialize<'de>,
        L: IndexType,
    {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            let value = T::deserialize(deserializer)?;
            budget::charge_slots::<T, D::Error>(1)?;
            Ok(T::alloc(value))
        }
    }

    /// Interns the value in `T`'s table: equal values deserialized anywhere
    /// share one allocation.
    impl<'de, T, L> Deserialize<'de> for crate::Interned<T, L>
    where
        T: crate::Intern + ArenaAlloc<Index = L> + Deserialize<'de>,
        L: IndexType,
    {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            let value = T::deserialize(deserializer)?;
            // Counted even when an equal value is interned already: whether
            // a document fits must not depend on what others interned.
            budget::charge_slots::<T, D::Error>(1)?;
            Ok(T::intern(value))
        }
    }

    /// From a sequence, allocated as one slice in `T`'s per-thread pool (or
    /// the pool standing in for it, see [`PoolScope`]).
    impl<'de, T, L> Deserialize<'de> for ArcSlice<T, L>
    where
        T: ArenaAlloc<Index = L> + Deserialize<'de>,
        L: IndexType,
    {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            deserializer.deserialize_seq(SliceVisitor(PhantomData))
        }
    }

    struct SliceVisitor<T>(PhantomData<fn() -> T>);

    impl<'de, T> Visitor<'de> for SliceVisitor<T>
    where
        T: ArenaAlloc + Deserialize<'de>,
    {
        type Value = ArcSlice<T, T::Index>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a sequence")
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            // A length known up front (binary formats): each element goes
            // straight into its slot, no `Vec`.
            if let Some(len) = seq.size_hint()
                && len <= trusted_len::<T>()
            {
                // The room reserved is capped at what the budget of
                // `with_limits` allows, and charged now: a claimed length
                // is only a hint (serde's word), so a document is never
                // refused on a claim alone, but a lying prefix (2^40) gets
                // no more room than the limits allow, and lying prefixes
                // nested in each other cannot each take the whole budget
                // anew. An honest length is charged exactly what its
                // elements would be; the room not used is given back.
                let room = budget::reserve::<T>(len);
                return build(seq, room);
            }
            // Up to three (small) elements are kept in locals and go
            // straight into the pool: no `Vec` for pairs and triples. Each
            // is charged as it arrives.
            if core::mem::size_of::<T>() <= 64 {
                let Some(a) = seq.next_element()? else {
                    return Ok(ArcSlice::default());
                };
                budget::charge_slots::<T, A::Error>(1)?;
                let Some(b) = seq.next_element()? else {
                    return Ok(crate::pools::alloc_array([a]));
                };
                budget::charge_slots::<T, A::Error>(1)?;
                let Some(c) = seq.next_element()? else {
                    return Ok(crate::pools::alloc_array([a, b]));
                };
                budget::charge_slots::<T, A::Error>(1)?;
                let Some(d) = seq.next_element()? else {
                    return Ok(crate::pools::alloc_array([a, b, c]));
                };
                budget::charge_slots::<T, A::Error>(1)?;
                return collect(seq, Vec::from([a, b, c, d]), 4);
            }
            collect(seq, Vec::new(), 0)
        }
    }

    /// How many elements a sequence's size hint is trusted for: as serde's
    /// own `Vec` impl, up to 1 MiB, and no more than the index type counts.
    fn trusted_len<T: ArenaAlloc>() -> usize {
        ((1 << 20) / core::mem::size_of::<T>().max(1)).min(T::Index::MAX_USIZE)
    }

    /// `seq`, written in place into one slice with room for `room`
    /// elements (charged already); a `Vec` takes over if it holds more.
    fn build<'de, T, A>(mut seq: A, room: usize) -> Result<ArcSlice<T, T::Index>, A::Error>
    where
        T: ArenaAlloc + Deserialize<'de>,
        A: SeqAccess<'de>,
    {
        let mut slice = T::slice_builder(room);
        while let Some(item) = seq.next_element()? {
            let extra = if slice.len() < room {
                match slice.try_push(item) {
                    Ok(()) => continue,
                    Err(extra) => extra,
                }
            } else {
                // Past the room paid for: charged before it takes a place.
                budget::charge_slots::<T, A::Error>(1)?;
                item
            };
            let items = slice.spill(extra);
            let paid = room.max(items.len());
            return collect(seq, items, paid);
        }
        budget::refund::<T>(room - slice.len());
        Ok(slice.finish())
    }

    /// The rest of `seq` after `items`, as one slice; `paid` elements
    /// (`items.len()` or more) are charged already.
    fn collect<'de, T, A>(
        mut seq: A,
        mut items: Vec<T>,
        mut paid: usize,
    ) -> Result<ArcSlice<T, T::Index>, A::Error>
    where
        T: ArenaAlloc + Deserialize<'de>,
        A: SeqAccess<'de>,
    {
        // As in `visit_seq`, the room a claimed length reserves is capped
        // at what the limits allow, and charged.
        let cap = seq.size_hint().unwrap_or(0).min(trusted_len::<T>());
        let cap = budget::reserve::<T>(cap);
        paid += cap;
        items.reserve(cap);
        // Each element is pushed where it was deserialized (a seed), rather
        // than returned through `Option<T>` and then moved; it is charged
        // (past the room paid for) before it takes a place in the `Vec`.
        while let Some(()) = seq.next_element_seed(Push(&mut items, &mut paid))? {}
        budget::refund::<T>(paid - items.len());
        if items.len() > T::Index::MAX_USIZE {
            return Err(A::Error::invalid_length(
                items.len(),
                &"at most as many elements as the index type can count",
            ));
        }
        Ok(T::alloc_vec(items))
    }

    /// Deserializes one `T` onto the end of a vector, charging it to the
    /// budget unless the room it takes is paid for (`.1`, elements).
    struct Push<'a, T>(&'a mut Vec<T>, &'a mut usize);

    impl<'de, T: Deserialize<'de>> DeserializeSeed<'de> for Push<'_, T> {
        type Value = ();

        #[inline]
        fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
            let item = T::deserialize(deserializer)?;
            if self.0.len() >= *self.1 {
                budget::charge_slots::<T, D::Error>(1)?;
                *self.1 += 1;
            }
            self.0.push(item);
            Ok(())
        }
    }

    /// Allocates the text in the per-thread pool of `u8` (or the pool
    /// standing in for it, see [`PoolScope`]).
    impl<'de> Deserialize<'de> for ArcStr {
        #[inline]
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            deserializer.deserialize_str(StrVisitor)
        }
    }

    struct StrVisitor;

    impl Visitor<'_> for StrVisitor {
        type Value = ArcStr;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string")
        }

        #[inline]
        fn visit_str<E: Error>(self, s: &str) -> Result<ArcStr, E> {
            if s.len() > <u32 as crate::index::private::Sealed>::MAX_USIZE {
                return Err(E::invalid_length(
                    s.len(),
                    &"a string of at most u32::MAX bytes",
                ));
            }
            budget::charge(s.len(), s.len())?;
            Ok(crate::handles::alloc_str_per_thread(s))
        }

        fn visit_bytes<E: Error>(self, bytes: &[u8]) -> Result<ArcStr, E> {
            match core::str::from_utf8(bytes) {
                Ok(s) => self.visit_str(s),
                Err(_) => Err(E::invalid_value(Unexpected::Bytes(bytes), &self)),
            }
        }
    }

    /// Interns the text: equal strings deserialized anywhere share one
    /// allocation, and the text goes straight from the deserializer into the
    /// table (no `String`, when the format lends it).
    impl<'de> Deserialize<'de> for crate::Symbol {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            deserializer.deserialize_str(SymbolVisitor)
        }
    }

    struct SymbolVisitor;

    impl Visitor<'_> for SymbolVisitor {
        type Value = crate::Symbol;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string")
        }

        fn visit_str<E: Error>(self, s: &str) -> Result<crate::Symbol, E> {
            if s.len() > <u32 as crate::index::private::Sealed>::MAX_USIZE {
                return Err(E::invalid_length(
                    s.len(),
                    &"a string of at most u32::MAX bytes",
                ));
            }
            // Counted even when the text is interned already (see
            // `Interned`).
            budget::charge(s.len(), s.len())?;
            Ok(crate::Symbol::new(s))
        }

        fn visit_bytes<E: Error>(self, bytes: &[u8]) -> Result<crate::Symbol, E> {
            match core::str::from_utf8(bytes) {
                Ok(s) => self.visit_str(s),
                Err(_) => Err(E::invalid_value(Unexpected::Bytes(bytes), &self)),
            }
        }
    }

    /// A [`DeserializeSeed`] that loads a `V` with `target` standing in for
    /// the per-thread pools of its element types (see [`PoolScope`]): the
    /// handles `V` holds, at any depth, are allocated in `target`.
    /// [`DeserializeIn::with_limits`] also bounds what the load may allocate
    /// (see [`DeserializeLimits`]).
    ///
    /// # Examples
    ///
    /// Into an explicit pool:
    ///
    /// ```
    /// use arena_arc::{Allocator, ArcSlice, ArenaAlloc};
    /// use arena_arc::serde::DeserializeIn;
    /// use serde::de::DeserializeSeed;
    ///
    /// let mut pool: Allocator<u32, u32, 4096> = Allocator::new();
    /// let mut json = serde_json::Deserializer::from_str("[[1, 2], [3]]");
    /// let rows: Vec<ArcSlice<u32>> =
    ///     DeserializeIn::new(&mut pool).deserialize(&mut json).unwrap();
    /// assert_eq!(rows, [vec![1, 2], vec![3]]);
    /// assert_eq!(pool.stats().elements, 3);
    /// ```
    ///
    /// Into an `#[arena]` struct: a whole tree lands in it.
    ///
    /// ```
    /// use arena_arc::{arena, ArcSingle, ArcSlice, ArenaAlloc};
    /// use serde::Deserialize;
    ///
    /// #[derive(ArenaAlloc, Deserialize, Debug)]
    /// enum Expr {
    ///     Num(f64),
    ///     Call { name: ArcSlice<u8>, args: ArcSlice<Expr> },
    /// }
    ///
    /// #[arena(chunk = 1024)]
    /// struct Ast {
    ///     exprs: Expr,
    ///     text: u8,
    /// }
    ///
    /// let mut ast = Ast::new();
    /// let json = r#"{"Call": {"name": [102], "args": [{"Num": 1.0}, {"Num": 2.0}]}}"#;
    /// let call: ArcSingle<Expr> =
    ///     arena_arc::serde::deserialize_in(&mut ast, &mut serde_json::Deserializer::from_str(json))
    ///         .unwrap();
    /// assert_eq!(ast.exprs.stats().elements, 3);
    /// assert_eq!(ast.text.stats().elements, 1);
    /// # let _ = call;
    /// ```
    pub struct DeserializeIn<'a, A: ?Sized, V> {
        target: &'a mut A,
        limits: DeserializeLimits,
        value: PhantomData<fn() -> V>,
    }

    impl<'a, A: PoolScope + ?Sized, V> DeserializeIn<'a, A, V> {
        /// A seed loading a `V` into `target`.
        ///
        /// # Examples
        ///
        /// ```
        /// use arena_arc::{Allocator, ArcSlice};
        /// use arena_arc::serde::DeserializeIn;
        /// use serde::de::DeserializeSeed;
        ///
        /// let mut pool: Allocator<i8, u32, 64> = Allocator::new();
        /// let seed = DeserializeIn::<_, ArcSlice<i8>>::new(&mut pool);
        /// let small = seed.deserialize(&mut serde_json::Deserializer::from_str("[-1, 1]")).unwrap();
        /// assert_eq!(small, [-1, 1]);
        /// ```
        pub fn new(target: &'a mut A) -> Self {
            Self::with_limits(target, DeserializeLimits::new())
        }

        /// A seed loading a `V` into `target`, allocating no more than
        /// `limits` allow (see [`DeserializeLimits`]; inside a
        /// [`with_limits`], the tighter of the two applies).
        ///
        /// # Examples
        ///
        /// ```
        /// use arena_arc::serde::{DeserializeIn, DeserializeLimits};
        /// use arena_arc::{Allocator, ArcSlice};
        /// use serde::de::DeserializeSeed;
        ///
        /// let mut pool: Allocator<u16, u32, 64> = Allocator::new();
        /// let limits = DeserializeLimits::new().max_elements(3);
        /// let three = DeserializeIn::<_, Vec<ArcSlice<u16>>>::with_limits(&mut pool, limits)
        ///     .deserialize(&mut serde_json::Deserializer::from_str("[[1, 2], [3]]"))
        ///     .unwrap();
        /// assert_eq!(three, [vec![1, 2], vec![3]]);
        /// let err = DeserializeIn::<_, Vec<ArcSlice<u16>>>::with_limits(&mut pool, limits)
        ///     .deserialize(&mut serde_json::Deserializer::from_str("[[1, 2], [3, 4]]"))
        ///     .unwrap_err();
        /// assert!(err.to_string().contains("DeserializeLimits::max_elements"));
        /// // The pool goes on working.
        /// assert_eq!(pool.alloc_slice_copy(&[5, 6]), [5, 6]);
        /// ```
        pub fn with_limits(target: &'a mut A, limits: DeserializeLimits) -> Self {
            DeserializeIn {
                target,
                limits,
                value: PhantomData,
            }
        }
    }

    impl<A: ?Sized, V> fmt::Debug for DeserializeIn<'_, A, V> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.debug_struct("DeserializeIn")
                .field("target", &core::any::type_name::<A>())
                .field("limits", &self.limits)
                .field("value", &core::any::type_name::<V>())
                .finish()
        }
    }

    impl<'de, A, V> DeserializeSeed<'de> for DeserializeIn<'_, A, V>
    where
        A: PoolScope + ?Sized,
        V: Deserialize<'de>,
    {
        type Value = V;

        fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<V, D::Error> {
            let target = self.target;
            with_limits(self.limits, || {
                target.scope(|| V::deserialize(deserializer))
            })
        }
    }

    /// Deserializes a `V` with `target` standing in for the per-thread pools
    /// of its element types: shorthand for
    /// `DeserializeIn::new(target).deserialize(deserializer)`.
    ///
    /// # Errors
    ///
    /// The deserializer's error, for malformed input; what was allocated
    /// before it is dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::{Allocator, ArcStr};
    ///
    /// let mut text: Allocator<u8, u32, 4096> = Allocator::new();
    /// let words: Vec<ArcStr> = arena_arc::serde::deserialize_in(
    ///     &mut text,
    ///     &mut serde_json::Deserializer::from_str(r#"["arena", "arc"]"#),
    /// )
    /// .unwrap();
    /// assert_eq!(words, ["arena", "arc"]);
    /// assert_eq!(text.stats().elements, 8);
    /// ```
    pub fn deserialize_in<'de, A, V, D>(target: &mut A, deserializer: D) -> Result<V, D::Error>
    where
        A: PoolScope + ?Sized,
        V: Deserialize<'de>,
        D: Deserializer<'de>,
    {
        DeserializeIn::new(target).deserialize(deserializer)
    }

    /// Deserializes a `V` with `target` standing in for the per-thread pools
    /// of its element types, allocating no more than `limits` allow:
    /// shorthand for
    /// `DeserializeIn::with_limits(target, limits).deserialize(deserializer)`.
    ///
    /// # Errors
    ///
    /// The deserializer's error, for malformed input and for a document
    /// that needs more than `limits` allow (the message names the limit);
    /// what was allocated before it is dropped, and `target` stays usable.
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::serde::{deserialize_in_with_limits, DeserializeLimits};
    /// use arena_arc::{Allocator, ArcStr};
    ///
    /// let mut text: Allocator<u8, u32, 4096> = Allocator::new();
    /// let limits = DeserializeLimits::new().max_bytes(8);
    /// let json = r#"["arena", "arc"]"#; // 8 bytes of text
    /// let words: Vec<ArcStr> =
    ///     deserialize_in_with_limits(&mut text, limits, &mut serde_json::Deserializer::from_str(json))
    ///         .unwrap();
    /// assert_eq!(words, ["arena", "arc"]);
    /// let json = r#"["arena", "arcs"]"#;
    /// let err = deserialize_in_with_limits::<_, Vec<ArcStr>, _>(
    ///     &mut text,
    ///     limits,
    ///     &mut serde_json::Deserializer::from_str(json),
    /// )
    /// .unwrap_err();
    /// assert!(err.to_string().starts_with(
    ///     "arena-arc: the document needs more than 8 bytes (raise DeserializeLimits::max_bytes)"
    /// ));
    /// ```
    pub fn deserialize_in_with_limits<'de, A, V, D>(
        target: &mut A,
        limits: DeserializeLimits,
        deserializer: D,
    ) -> Result<V, D::Error>
    where
        A: PoolScope + ?Sized,
        V: Deserialize<'de>,
        D: Deserializer<'de>,
    {
        DeserializeIn::with_limits(target, limits).deserialize(deserializer)
    }
}
