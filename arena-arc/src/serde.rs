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
//!
//! [`ArenaAlloc`]: crate::ArenaAlloc
//! [`DeserializeSeed`]: ::serde::de::DeserializeSeed
//! [`PoolScope`]: crate::PoolScope
//!
//! Malformed input returns the deserializer's error; whatever was allocated
//! before the error is dropped with the partial value, so nothing leaks.
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
pub use self::de::{DeserializeIn, deserialize_in};

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

    /// Allocates the value in `T`'s per-thread pool (or the pool standing in
    /// for it, see [`PoolScope`]).
    impl<'de, T, L> Deserialize<'de> for ArcSingle<T, L>
    where
        T: ArenaAlloc<Index = L> + Deserialize<'de>,
        L: IndexType,
    {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            let value = T::deserialize(deserializer)?;
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
                return build(seq, len);
            }
            // Up to three (small) elements are kept in locals and go
            // straight into the pool: no `Vec` for pairs and triples.
            if core::mem::size_of::<T>() <= 64 {
                let Some(a) = seq.next_element()? else {
                    return Ok(ArcSlice::default());
                };
                let Some(b) = seq.next_element()? else {
                    return Ok(crate::pools::alloc_array([a]));
                };
                let Some(c) = seq.next_element()? else {
                    return Ok(crate::pools::alloc_array([a, b]));
                };
                let Some(d) = seq.next_element()? else {
                    return Ok(crate::pools::alloc_array([a, b, c]));
                };
                return collect(seq, Vec::from([a, b, c, d]));
            }
            collect(seq, Vec::new())
        }
    }

    /// How many elements a sequence's size hint is trusted for: as serde's
    /// own `Vec` impl, up to 1 MiB, and no more than the index type counts.
    fn trusted_len<T: ArenaAlloc>() -> usize {
        ((1 << 20) / core::mem::size_of::<T>().max(1)).min(T::Index::MAX_USIZE)
    }

    /// `seq`, which says it holds `len` elements, written in place into one
    /// slice; a `Vec` takes over if it holds more.
    fn build<'de, T, A>(mut seq: A, len: usize) -> Result<ArcSlice<T, T::Index>, A::Error>
    where
        T: ArenaAlloc + Deserialize<'de>,
        A: SeqAccess<'de>,
    {
        let mut slice = T::slice_builder(len);
        while let Some(item) = seq.next_element()? {
            if let Err(extra) = slice.try_push(item) {
                return collect(seq, slice.spill(extra));
            }
        }
        Ok(slice.finish())
    }

    /// The rest of `seq` after `items`, as one slice.
    fn collect<'de, T, A>(mut seq: A, mut items: Vec<T>) -> Result<ArcSlice<T, T::Index>, A::Error>
    where
        T: ArenaAlloc + Deserialize<'de>,
        A: SeqAccess<'de>,
    {
        let cap = seq.size_hint().unwrap_or(0).min(trusted_len::<T>());
        items.reserve(cap);
        // Each element is pushed where it was deserialized (a seed), rather
        // than returned through `Option<T>` and then moved.
        while let Some(()) = seq.next_element_seed(Push(&mut items))? {}
        if items.len() > T::Index::MAX_USIZE {
            return Err(A::Error::invalid_length(
                items.len(),
                &"at most as many elements as the index type can count",
            ));
        }
        Ok(T::alloc_vec(items))
    }

    /// Deserializes one `T` onto the end of a vector.
    struct Push<'a, T>(&'a mut Vec<T>);

    impl<'de, T: Deserialize<'de>> DeserializeSeed<'de> for Push<'_, T> {
        type Value = ();

        #[inline]
        fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
            self.0.push(T::deserialize(deserializer)?);
            Ok(())
        }
    }

    /// Allocates the text in the per-thread pool of `u8` (or the pool
    /// standing in for it, see [`PoolScope`]).
    impl<'de> Deserialize<'de> for ArcStr {
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

        fn visit_str<E: Error>(self, s: &str) -> Result<ArcStr, E> {
            if s.len() > <u32 as crate::index::private::Sealed>::MAX_USIZE {
                return Err(E::invalid_length(
                    s.len(),
                    &"a string of at most u32::MAX bytes",
                ));
            }
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
            DeserializeIn {
                target,
                value: PhantomData,
            }
        }
    }

    impl<A: ?Sized, V> fmt::Debug for DeserializeIn<'_, A, V> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.debug_struct("DeserializeIn")
                .field("target", &core::any::type_name::<A>())
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
            self.target.scope(|| V::deserialize(deserializer))
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
}
