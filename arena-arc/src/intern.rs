//! Interning: [`Interned`], the [`Intern`] trait that `#[arena(intern)]`
//! implements, and [`ArcStr::intern`].
//!
//! This module is safe code on top of the handles: an interned value is an
//! ordinary value of a cycle-aware pool, and its table holds weak handles.
//!
//! The table and its protocol are described once, in the docs of [`Intern`].

use alloc::vec::Vec;
use core::cmp::Ordering;
use core::fmt;
use core::hash::{BuildHasher, Hash, Hasher};
use core::ops::Deref;
use std::sync::{OnceLock, PoisonError};

#[cfg(loom)]
use loom::sync::{Mutex, MutexGuard};
#[cfg(not(loom))]
use std::sync::{Mutex, MutexGuard};

use hashbrown::{DefaultHashBuilder, HashTable};

use crate::allocator::Allocator;
use crate::chunk::RawWeakStr;
use crate::handles::{ArcSingle, ArcStr, WeakSingle};
use crate::index::IndexType;
use crate::pools::{ArenaAlloc, Pool};
use crate::stats::AllocatorStats;

/// How many shards a table has: locks are per shard, so that threads
/// interning different values rarely wait for each other.
const SHARDS: usize = 16;

/// The smallest table size at which a shard sweeps its dead entries: a
/// shard holds at most this many dead entries, or as many as it had live
/// ones at its previous sweep.
const MIN_SWEEP: usize = 16;

/// The chunk size of the pools behind [`ArcStr::intern`], in bytes.
const STR_CHUNK: usize = 4096;

// ---------------------------------------------------------------------------
// Interned
// ---------------------------------------------------------------------------

/// A handle to an interned value, made by `T::intern(value)` on a type with
/// `#[derive(ArenaAlloc)]` and `#[arena(intern)]` (see [`Intern`]).
///
/// Equal values interned anywhere in the process share one allocation, so
/// two `Interned` are equal exactly when they point to the same value:
/// `PartialEq`, `Eq` and `Hash` are **by address**, in O(1) whatever the
/// value's size. A type whose children are `Interned` therefore hashes and
/// compares in O(1) too, and interning a tree of such values costs O(1) per
/// node. `Ord` compares addresses as well: an order that is total and
/// consistent with `Eq` for as long as both values live, fit for sorted
/// maps and sets, but that says nothing about the values' contents and
/// differs from run to run. `Debug` and `Display` show the value.
///
/// `Interned` dereferences to `T`, clones with one atomic increment and is
/// 16 bytes with the default `u32` index, like [`ArcSingle`], which it
/// wraps: [`Interned::as_single`] and `From` give it back. `Send` and `Sync`
/// when `T` is. It does not implement `Borrow<T>`, since its hash is not
/// `T`'s.
///
/// # Examples
///
/// ```
/// use arena_arc::{ArenaAlloc, Interned};
///
/// #[derive(ArenaAlloc, PartialEq, Eq, Hash, Debug)]
/// #[arena(intern)]
/// enum Ty {
///     Int,
///     Ptr(Interned<Ty>),
/// }
///
/// let a = Ty::intern(Ty::Ptr(Ty::intern(Ty::Int)));
/// let b = Ty::intern(Ty::Ptr(Ty::intern(Ty::Int)));
/// assert!(Interned::ptr_eq(&a, &b)); // one allocation
/// assert_eq!(a, b); // compares addresses
/// assert_eq!(format!("{a:?}"), "Ptr(Int)"); // prints the value
/// ```
pub struct Interned<T, L: IndexType = u32> {
    handle: ArcSingle<T, L>,
}

impl<T, L: IndexType> Interned<T, L> {
    /// The value (same as dereferencing). An associated function, so that
    /// `interned.get(..)` stays `T`'s own method where it has one.
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::{ArenaAlloc, Interned};
    ///
    /// #[derive(ArenaAlloc, PartialEq, Eq, Hash)]
    /// #[arena(intern)]
    /// struct Name(String);
    ///
    /// let name = Name::intern(Name("x".into()));
    /// assert_eq!(Interned::get(&name).0, "x");
    /// ```
    #[inline(always)]
    #[must_use]
    pub fn get(this: &Self) -> &T {
        this.handle.get()
    }

    /// Whether both are the same interned value. For handles that come
    /// from the same table this is the same as `==`.
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::{ArenaAlloc, Interned};
    ///
    /// #[derive(ArenaAlloc, PartialEq, Eq, Hash)]
    /// #[arena(intern)]
    /// struct Name(String);
    ///
    /// let a = Name::intern(Name("a".into()));
    /// assert!(Interned::ptr_eq(&a, &Name::intern(Name("a".into()))));
    /// assert!(!Interned::ptr_eq(&a, &Name::intern(Name("b".into()))));
    /// ```
    #[inline]
    #[must_use]
    pub fn ptr_eq(this: &Self, other: &Self) -> bool {
        ArcSingle::ptr_eq(&this.handle, &other.handle)
    }

    /// The value's address, which its `Eq`, `Ord` and `Hash` compare.
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::{ArenaAlloc, Interned};
    ///
    /// #[derive(ArenaAlloc, PartialEq, Eq, Hash)]
    /// #[arena(intern)]
    /// struct Name(String);
    ///
    /// let a = Name::intern(Name("a".into()));
    /// assert_eq!(Interned::as_ptr(&a), &*a as *const Name);
    /// ```
    #[inline]
    #[must_use]
    pub fn as_ptr(this: &Self) -> *const T {
        ArcSingle::as_ptr(&this.handle)
    }

    /// The handle as an [`ArcSingle`] (a counted reference like any other;
    /// the value stays interned while either kind of handle lives).
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::{ArcSingle, ArenaAlloc, Interned};
    ///
    /// #[derive(ArenaAlloc, PartialEq, Eq, Hash)]
    /// #[arena(intern)]
    /// struct Name(String);
    ///
    /// let a = Name::intern(Name("a".into()));
    /// let single: ArcSingle<Name> = Interned::as_single(&a).clone();
    /// assert!(core::ptr::eq(&*single, &*a));
    /// let owned: ArcSingle<Name> = a.into();
    /// assert!(ArcSingle::ptr_eq(&single, &owned));
    /// ```
    #[inline]
    #[must_use]
    pub fn as_single(this: &Self) -> &ArcSingle<T, L> {
        &this.handle
    }
}

impl<T, L: IndexType> From<Interned<T, L>> for ArcSingle<T, L> {
    #[inline]
    fn from(interned: Interned<T, L>) -> Self {
        interned.handle
    }
}

impl<T, L: IndexType> Clone for Interned<T, L> {
    #[inline]
    fn clone(&self) -> Self {
        Interned {
            handle: self.handle.clone(),
        }
    }
}

impl<T, L: IndexType> Deref for Interned<T, L> {
    type Target = T;

    #[inline(always)]
    fn deref(&self) -> &T {
        self.handle.get()
    }
}

impl<T, L: IndexType> AsRef<T> for Interned<T, L> {
    #[inline]
    fn as_ref(&self) -> &T {
        self.handle.get()
    }
}

impl<T: fmt::Debug, L: IndexType> fmt::Debug for Interned<T, L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(Interned::get(self), f)
    }
}

impl<T: fmt::Display, L: IndexType> fmt::Display for Interned<T, L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(Interned::get(self), f)
    }
}

impl<T, L: IndexType> fmt::Pointer for Interned<T, L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Pointer::fmt(&Interned::as_ptr(self), f)
    }
}

impl<T, L: IndexType> PartialEq for Interned<T, L> {
    /// Whether both are the same value ([`Interned::ptr_eq`]).
    #[inline]
    fn eq(&self, other: &Self) -> bool {
        Interned::ptr_eq(self, other)
    }
}

impl<T, L: IndexType> Eq for Interned<T, L> {}

impl<T, L: IndexType> Hash for Interned<T, L> {
    /// Hashes the address.
    #[inline]
    fn hash<H: Hasher>(&self, state: &mut H) {
        core::ptr::hash(Interned::as_ptr(self), state)
    }
}

impl<T, L: IndexType> PartialOrd for Interned<T, L> {
    #[inline]
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<T, L: IndexType> Ord for Interned<T, L> {
    /// Compares addresses (see the type's docs).
    #[inline]
    fn cmp(&self, other: &Self) -> Ordering {
        Interned::as_ptr(self).cmp(&Interned::as_ptr(other))
    }
}

// ---------------------------------------------------------------------------
// The trait and the typed table
// ---------------------------------------------------------------------------

/// A type with a process-wide interning table: `#[arena(intern)]` next to
/// `#[derive(ArenaAlloc)]` implements it, on a type that is `Eq + Hash`
/// (and `Send + Sync`, since every thread shares the table).
///
/// Intern with [`ArenaAlloc::intern`] (`T::intern(value)`); see
/// [`Interned`] for the handle and [`ArenaAlloc::intern_stats`] for the
/// table's size. With `#[arena(intern)]` the type's generated constructors
/// intern too and return [`Interned`].
///
/// # The table
///
/// Each interned type has one table for the whole process, split in 16
/// shards picked by the value's hash. A shard is a mutex around
/// a hash table of *entries* and a pool ([`Allocator`]) that stores the
/// values. An entry is a value's hash and a **weak** handle to it: the
/// table keeps no value alive.
///
/// * **Interning** hashes the value (outside the lock), locks its shard and
///   looks for an entry with the same hash whose weak handle upgrades and
///   whose value is equal. The upgrade, under the lock, is what makes a hit
///   safe against the last handle to that value going on another thread at
///   the same moment: either it wins (the count was not zero, and the value
///   lives on with the new handle) or it sees zero (the value is being
///   dropped; the entry is *dead* and counts as absent). On a miss the
///   value is moved into the shard's pool and an entry is added. Two equal
///   values are never both alive in a table: an entry is only added under
///   the lock, after looking for a live equal one.
/// * **Dropping** an [`Interned`] is dropping an [`ArcSingle`]: the last one
///   drops the value (iteratively, as in any cycle-aware pool), without
///   touching the table. Its entry is dead from then on. The next value
///   added with the same hash takes a dead entry's place; the others are
///   removed when a shard's table has grown to twice its size after the
///   previous sweep (and to at least 16 entries), so a shard holds at most
///   the larger of 16 entries and twice the values that were alive at its
///   last sweep, and a dead value's memory goes back with its chunk once no
///   entry points into it.
/// * **No code of the user's runs under a shard lock** but `Eq::eq`:
///   hashing happens before locking, a value that was already interned is
///   dropped after unlocking, and so are the handles to values that had an
///   equal hash but were not equal. So a `Drop` may intern. An `Eq` that
///   interns a value of its own type deadlocks (or panics), as re-entering
///   any mutex does.
///
/// Values without drop glue (`#[derive(Clone, Copy)]` symbols and the
/// like, and the bytes of [`ArcStr::intern`]) live and die with their chunk,
/// as in any pool: such a value leaves the table once every value of its
/// chunk is unreferenced and the pool has moved on to a newer chunk.
///
/// # Examples
///
/// ```
/// use arena_arc::{ArenaAlloc, Interned};
///
/// #[derive(ArenaAlloc, PartialEq, Eq, Hash, Debug)]
/// #[arena(intern)]
/// enum Ty {
///     Bool,
///     Func(Interned<Ty>, Interned<Ty>),
/// }
///
/// // The constructors intern, and take values for `Interned` fields.
/// let not = Ty::func(Ty::Bool, Ty::bool());
/// assert!(Interned::ptr_eq(&not, &Ty::intern(Ty::Func(Ty::bool(), Ty::bool()))));
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no interning table",
    label = "not interned",
    note = "add `#[arena(intern)]` to the `#[derive(ArenaAlloc)]` type; it must be `Eq + Hash`"
)]
pub trait Intern: ArenaAlloc + Eq + Hash + Send + Sync {
    /// The type's table. Generated by the derive macro; call
    /// [`ArenaAlloc::intern`] instead.
    #[doc(hidden)]
    fn __intern_table() -> &'static InternTable<Self, Self::Pool>;
}

/// The interning table of a type `T` whose values live in pools `P`
/// (`#[arena(intern)]` declares one per type, as a `static`).
#[doc(hidden)]
pub struct InternTable<T, P: Pool<T>> {
    shards: Shards<WeakSingle<T, P::Index>, P>,
}

impl<T, L: IndexType, const N: usize> InternTable<T, Allocator<T, L, N>> {
    /// An empty table.
    #[cfg(not(loom))]
    pub const fn new() -> Self {
        InternTable {
            shards: Shards::new(),
        }
    }

    /// An empty table (not `const` under loom, whose mutexes are not).
    #[cfg(loom)]
    pub fn new() -> Self {
        InternTable {
            shards: Shards::new(),
        }
    }
}

impl<T, L: IndexType, const N: usize> Default for InternTable<T, Allocator<T, L, N>> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Eq + Hash, P: Pool<T>> InternTable<T, P> {
    /// The value equal to `value`, interned now if there is none.
    pub fn intern(&self, value: T) -> Interned<T, P::Index> {
        let handle = self.shards.intern(
            value,
            |candidate: &ArcSingle<T, P::Index>, value: &T| **candidate == *value,
            |pool: &mut P, value: T| {
                let handle = pool.alloc_value(value);
                let weak = ArcSingle::downgrade(&handle);
                (handle, weak)
            },
        );
        Interned { handle }
    }

    /// How many entries the table has and what its pools hold.
    pub fn stats(&self) -> InternStats {
        self.shards.stats(P::stats)
    }

    /// Drops the dead entries now; returns how many there were.
    pub fn sweep(&self) -> usize {
        self.shards.sweep()
    }
}

impl<T, P: Pool<T>> fmt::Debug for InternTable<T, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InternTable").finish_non_exhaustive()
    }
}

/// What a generated constructor accepts for an `Interned<U, L>` field: an
/// [`Interned`] handle, or a `U` to intern.
///
/// # Examples
///
/// ```
/// use arena_arc::{ArenaAlloc, Interned, IntoInterned};
///
/// #[derive(ArenaAlloc, PartialEq, Eq, Hash, Debug)]
/// #[arena(intern)]
/// struct Sym(String);
///
/// fn sym(x: impl IntoInterned<Sym, u32>) -> Interned<Sym> {
///     x.into_interned()
/// }
/// let a = sym(Sym("a".into()));
/// assert!(Interned::ptr_eq(&a, &sym(a.clone())));
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot become an `Interned<{U}, {L}>`",
    label = "expected an `Interned<{U}, {L}>` or a `{U}` to intern",
    note = "`{U}` must have `#[arena(intern)]`, with the same index type `{L}`"
)]
pub trait IntoInterned<U, L: IndexType> {
    /// The handle, interning the value if it is one.
    fn into_interned(self) -> Interned<U, L>;
}

impl<U, L: IndexType> IntoInterned<U, L> for Interned<U, L> {
    #[inline]
    fn into_interned(self) -> Interned<U, L> {
        self
    }
}

impl<U: Intern + ArenaAlloc<Index = L>, L: IndexType> IntoInterned<U, L> for U {
    #[inline]
    fn into_interned(self) -> Interned<U, L> {
        U::intern(self)
    }
}

// ---------------------------------------------------------------------------
// The shards, shared by typed values and strings
// ---------------------------------------------------------------------------

/// A weak handle as a table's entry holds it.
trait WeakEntry {
    type Strong;
    fn upgrade(&self) -> Option<Self::Strong>;
    fn is_dead(&self) -> bool;
}

impl<T, L: IndexType> WeakEntry for WeakSingle<T, L> {
    type Strong = ArcSingle<T, L>;

    #[inline]
    fn upgrade(&self) -> Option<ArcSingle<T, L>> {
        WeakSingle::upgrade(self)
    }

    #[inline]
    fn is_dead(&self) -> bool {
        WeakSingle::is_dead(self)
    }
}

impl<L: IndexType> WeakEntry for RawWeakStr<L> {
    type Strong = ArcStr<L>;

    #[inline]
    fn upgrade(&self) -> Option<ArcStr<L>> {
        RawWeakStr::upgrade(self).map(ArcStr::from_inner)
    }

    #[inline]
    fn is_dead(&self) -> bool {
        RawWeakStr::is_dead(self)
    }
}

struct Entry<W> {
    hash: u64,
    weak: W,
}

struct Shard<W, P> {
    entries: HashTable<Entry<W>>,
    pool: P,
    /// Sweep dead entries before an insert that finds `entries.len()` at
    /// least this (twice the live entries after the previous sweep).
    sweep_at: usize,
}

/// A shard on a cache line of its own.
#[repr(align(128))]
struct Padded<T>(T);

struct Shards<W, P> {
    hasher: OnceLock<DefaultHashBuilder>,
    shards: [Padded<Mutex<Shard<W, P>>>; SHARDS],
}

impl<W: WeakEntry, P> Shard<W, P> {
    /// A handle to the live value of an entry with hash `hash` that `eq`
    /// accepts. Handles to live values with that hash that `eq` rejects
    /// are pushed on `unequal`, for the caller to drop after unlocking.
    #[inline]
    fn find_live(
        &self,
        hash: u64,
        mut eq: impl FnMut(&W::Strong) -> bool,
        unequal: &mut Vec<W::Strong>,
    ) -> Option<W::Strong> {
        let mut found = None;
        self.entries.find(hash, |entry| {
            if entry.hash != hash {
                return false;
            }
            // The upgrade is the hit's one atomic operation; it fails for a
            // dead entry, whose value is being or has been dropped.
            let Some(strong) = entry.weak.upgrade() else {
                return false;
            };
            if eq(&strong) {
                found = Some(strong);
                true
            } else {
                unequal.push(strong);
                false
            }
        });
        found
    }

    /// Adds an entry for a value just made, in a dead entry's place if one
    /// has the same hash; sweeps the dead entries first if the table has
    /// doubled since the previous sweep.
    #[cold]
    #[inline(never)]
    fn insert(&mut self, hash: u64, weak: W) {
        if let Some(dead) = self
            .entries
            .find_mut(hash, |entry| entry.hash == hash && entry.weak.is_dead())
        {
            // Dropping the old weak handle may free its chunk's memory; it
            // runs no code of the user's.
            dead.weak = weak;
            return;
        }
        if self.entries.len() >= self.sweep_at {
            self.sweep();
        }
        self.entries
            .insert_unique(hash, Entry { hash, weak }, |entry| entry.hash);
    }

    /// Drops the dead entries (which may free the memory of their values'
    /// chunks: no code of the user's runs); returns how many there were.
    fn sweep(&mut self) -> usize {
        let before = self.entries.len();
        self.entries.retain(|entry| !entry.weak.is_dead());
        self.sweep_at = (2 * self.entries.len()).max(MIN_SWEEP);
        before - self.entries.len()
    }
}

impl<W, P> Shards<W, P> {
    /// The shard a hash belongs to: bits the hash table does not use for
    /// tables of fewer than 2^32 entries (it takes the low bits for the
    /// bucket and the top 7 for the tag).
    #[inline]
    fn shard(&self, hash: u64) -> MutexGuard<'_, Shard<W, P>> {
        let index = (hash >> 32) as usize % SHARDS;
        // A panic under the lock (an `Eq` that panics, or the pool's panic
        // on a value too large for a chunk) leaves the shard consistent:
        // entries are only changed after the value is made, by operations
        // that do not call back into user code.
        self.shards[index]
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The process-wide hash of `key` (seeded randomly once per table, so
    /// that inputs cannot be chosen to collide).
    #[inline]
    fn hash<K: Hash + ?Sized>(&self, key: &K) -> u64 {
        self.hasher
            .get_or_init(DefaultHashBuilder::default)
            .hash_one(key)
    }

    /// What the table holds: its entries, live and dead (not swept yet),
    /// and its pools' statistics added up.
    fn stats(&self, pool_stats: impl Fn(&P) -> AllocatorStats) -> InternStats
    where
        W: WeakEntry,
    {
        let mut total = InternStats::default();
        for shard in &self.shards {
            let shard = shard.0.lock().unwrap_or_else(PoisonError::into_inner);
            let dead = shard.entries.iter().filter(|e| e.weak.is_dead()).count();
            total.entries += shard.entries.len();
            total.dead_entries += dead;
            total.live_entries += shard.entries.len() - dead;
            total.pools.add(&pool_stats(&shard.pool));
        }
        total
    }

    /// Drops every shard's dead entries now, and the table memory they
    /// took; returns how many there were.
    fn sweep(&self) -> usize
    where
        W: WeakEntry,
    {
        let mut swept = 0;
        for shard in &self.shards {
            let mut shard = shard.0.lock().unwrap_or_else(PoisonError::into_inner);
            swept += shard.sweep();
            shard.entries.shrink_to_fit(|entry| entry.hash);
        }
        swept
    }
}

impl<W: WeakEntry, P> Shards<W, P> {
    /// The live value equal to `key` (by `eq`), or the one `make` makes of
    /// it, with its entry. `key` is hashed before the lock is taken and
    /// dropped after it is released on a hit.
    #[inline]
    fn intern<K: Hash>(
        &self,
        key: K,
        eq: impl Fn(&W::Strong, &K) -> bool,
        make: impl FnOnce(&mut P, K) -> (W::Strong, W),
    ) -> W::Strong {
        let hash = self.hash(&key);
        // Handles to values with the same hash that are not equal: dropped
        // after the guard (declared later, dropped first), since dropping
        // one may drop its value, which runs the user's code.
        let mut unequal = Vec::new();
        let hit = {
            let mut shard = self.shard(hash);
            match shard.find_live(hash, |candidate| eq(candidate, &key), &mut unequal) {
                Some(hit) => hit,
                None => return insert_cold(&mut shard, hash, key, make),
            }
        };
        // Unlocked: the duplicate is dropped now (and `unequal` after it).
        drop(key);
        hit
    }
}

/// The miss path of [`Shards::intern`]: allocates the value and inserts its
/// entry. Out of line, so that the hit path's code does not change with
/// the allocator's.
#[cold]
#[inline(never)]
fn insert_cold<W: WeakEntry, P, K>(
    shard: &mut Shard<W, P>,
    hash: u64,
    key: K,
    make: impl FnOnce(&mut P, K) -> (W::Strong, W),
) -> W::Strong {
    let (strong, weak) = make(&mut shard.pool, key);
    shard.insert(hash, weak);
    strong
}

impl<W, T, L: IndexType, const N: usize> Shard<W, Allocator<T, L, N>> {
    /// An empty shard, its pool counting per value (see
    /// [`Allocator::break_cycles`]).
    const fn new() -> Self {
        Shard {
            entries: HashTable::new(),
            pool: Allocator::new_breaking_cycles(),
            sweep_at: MIN_SWEEP,
        }
    }
}

impl<W, T, L: IndexType, const N: usize> Shards<W, Allocator<T, L, N>> {
    /// An empty table.
    #[cfg(not(loom))]
    const fn new() -> Self {
        Shards {
            hasher: OnceLock::new(),
            shards: [const { Padded(Mutex::new(Shard::new())) }; SHARDS],
        }
    }

    /// An empty table (not `const` under loom, whose mutexes are not).
    #[cfg(loom)]
    fn new() -> Self {
        Shards {
            hasher: OnceLock::new(),
            shards: core::array::from_fn(|_| Padded(Mutex::new(Shard::new()))),
        }
    }
}

// ---------------------------------------------------------------------------
// Statistics
// ---------------------------------------------------------------------------

/// What an interning table holds, returned by
/// [`ArenaAlloc::intern_stats`] and [`ArcStr::intern_stats`].
///
/// # Examples
///
/// ```
/// use arena_arc::ArenaAlloc;
///
/// #[derive(ArenaAlloc, PartialEq, Eq, Hash)]
/// #[arena(intern)]
/// struct Label(String);
///
/// let a = Label::intern(Label("a".into()));
/// let again = Label::intern(Label("a".into()));
/// let stats = Label::intern_stats();
/// assert_eq!(stats.entries, 1);
/// assert_eq!(stats.pools.allocations, 1); // the second was a hit
/// drop((a, again));
/// assert!(Label::intern_stats().pools.live_chunks >= 1); // the current chunk
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct InternStats {
    /// Entries in the table: one per live interned value, plus the entries
    /// of values dropped since the table last swept (`live_entries +
    /// dead_entries`). Each of the table's 16 shards holds at most the
    /// larger of 16 entries and twice the values alive at its last sweep (a
    /// shard sweeps when an entry is added), so interning and dropping
    /// values one at a time never makes it hold more than 256.
    /// [`ArenaAlloc::intern_sweep`] and [`ArcStr::intern_sweep`] drop the
    /// dead ones at once.
    pub entries: usize,
    /// Entries whose value is alive: the distinct values interned now (a
    /// snapshot: other threads may be interning and dropping meanwhile).
    pub live_entries: usize,
    /// Entries of values dropped since their shard last swept: they keep
    /// the memory of their values' chunks (not the values) until swept.
    pub dead_entries: usize,
    /// The statistics of the pools that hold the values, added up over
    /// the table's shards.
    pub pools: AllocatorStats,
}

impl fmt::Display for InternStats {
    /// One line, for logs: `12 entries (10 live, 2 dead); ` and the pools'
    /// statistics.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} entries ({} live, {} dead); {}",
            self.entries, self.live_entries, self.dead_entries, self.pools
        )
    }
}

// ---------------------------------------------------------------------------
// Strings
// ---------------------------------------------------------------------------

/// The table of [`ArcStr::intern`].
#[cfg(not(loom))]
static STRINGS: Shards<RawWeakStr<u32>, Allocator<u8, u32, STR_CHUNK>> = Shards::new();

// Under loom, whose mutexes are not `const`, made on first use (in a model).
#[cfg(loom)]
loom::lazy_static! {
    static ref STRINGS: Shards<RawWeakStr<u32>, Allocator<u8, u32, STR_CHUNK>> = Shards::new();
}

impl ArcStr {
    /// The string equal to `s`, shared by everyone who interns it:
    /// same-content strings interned anywhere in the process share one
    /// allocation ([`ArcStr::ptr_eq`]), for symbol tables.
    ///
    /// The result is an ordinary [`ArcStr`] (comparing by content).
    /// The bytes are dropped with their chunk once no handle refers to
    /// any string of it (see [`ArcStr::intern_stats`]). The empty string
    /// allocates nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::ArcStr;
    ///
    /// let a = ArcStr::intern("println");
    /// let b = ArcStr::intern(&String::from("println"));
    /// assert!(ArcStr::ptr_eq(&a, &b));
    /// assert!(!ArcStr::ptr_eq(&a, &ArcStr::intern("print")));
    /// ```
    pub fn intern(s: &str) -> ArcStr {
        if s.is_empty() {
            return ArcStr::empty();
        }
        STRINGS.intern(
            s,
            |candidate: &ArcStr, s: &&str| candidate.as_str() == *s,
            |pool: &mut Allocator<u8, u32, STR_CHUNK>, s: &str| {
                let text = pool.alloc_str(s);
                let weak = text.downgrade_raw();
                (text, weak)
            },
        )
    }

    /// What the table of [`ArcStr::intern`] holds.
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::ArcStr;
    ///
    /// let _name = ArcStr::intern("a name only this example interns");
    /// let stats = ArcStr::intern_stats();
    /// assert!(stats.entries >= 1);
    /// assert!(stats.pools.bytes_used >= "a name only this example interns".len());
    /// ```
    pub fn intern_stats() -> InternStats {
        STRINGS.stats(Allocator::stats)
    }

    /// Drops the dead entries of the table of [`ArcStr::intern`] now (those
    /// of strings nobody holds any more), with the memory they kept: the
    /// table shrinks to its live strings. Returns how many entries were
    /// dropped. The table sweeps itself as it grows; this is for after a
    /// burst (a file's identifiers dropped with its syntax tree).
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::ArcStr;
    ///
    /// let burst: Vec<ArcStr> = (0..1000).map(|i| ArcStr::intern(&format!("tmp{i}"))).collect();
    /// drop(burst);
    /// ArcStr::intern_sweep();
    /// assert!(ArcStr::intern_stats().dead_entries < 1000);
    /// ```
    pub fn intern_sweep() -> usize {
        STRINGS.sweep()
    }
}

// ---------------------------------------------------------------------------
// Symbol
// ---------------------------------------------------------------------------

/// An interned string that compares and hashes by address: a symbol for
/// identifiers, keywords and field names, made by [`Symbol::new`] (or
/// `From<&str>`), in the table of [`ArcStr::intern`].
///
/// Equal texts interned anywhere in the process share one allocation, so
/// `==` and `Hash` need only the address: O(1) whatever the length, where
/// [`ArcStr`] compares and hashes its bytes. A symbol dereferences to `str`,
/// prints its text (`Debug` quotes it, like `str`), orders by its text
/// (which, its equality being the text's, is consistent with `Eq`), and
/// converts into the [`ArcStr`] it wraps. It does not implement
/// `Borrow<str>`, since its hash is not the text's. 16 bytes, `Send + Sync`;
/// the text is freed when no symbol or `ArcStr` of it is left (see
/// [`ArcStr::intern_stats`]).
///
/// With `serde`, a symbol serializes as a string and deserializes by
/// interning the text it is given: `Vec<Symbol>`, or a struct with `Symbol`
/// fields, loads straight into the table, with no `String` per value.
///
/// # Examples
///
/// ```
/// use std::collections::HashMap;
/// use arena_arc::Symbol;
///
/// let main = Symbol::new("main");
/// let again: Symbol = String::from("main").into();
/// assert_eq!(main, again); // one allocation: compared by address
/// assert!(Symbol::ptr_eq(&main, &again));
///
/// let mut arity: HashMap<Symbol, usize> = HashMap::new();
/// arity.insert(main.clone(), 0);
/// assert_eq!(arity[&Symbol::new("main")], 0);
/// assert_eq!(format!("{main} {main:?}"), r#"main "main""#);
/// assert!(Symbol::new("a") < Symbol::new("b")); // by text
/// ```
#[derive(Clone, Default)]
pub struct Symbol {
    text: ArcStr,
}

impl Symbol {
    /// The symbol of `text`: interned now if nobody holds it.
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::Symbol;
    ///
    /// assert_eq!(Symbol::new("x").as_str(), "x");
    /// ```
    #[must_use]
    pub fn new(text: &str) -> Symbol {
        Symbol {
            text: ArcStr::intern(text),
        }
    }

    /// The text (same as dereferencing).
    #[inline]
    #[must_use]
    pub fn as_str(&self) -> &str {
        self.text.as_str()
    }

    /// The interned [`ArcStr`] behind the symbol.
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::{ArcStr, Symbol};
    ///
    /// let s = Symbol::new("id");
    /// assert!(ArcStr::ptr_eq(Symbol::as_arc_str(&s), &ArcStr::intern("id")));
    /// ```
    #[inline]
    #[must_use]
    pub fn as_arc_str(this: &Self) -> &ArcStr {
        &this.text
    }

    /// Whether both are the same symbol: the same as `==`.
    #[inline]
    #[must_use]
    pub fn ptr_eq(this: &Self, other: &Self) -> bool {
        ArcStr::ptr_eq(&this.text, &other.text)
    }
}

impl Deref for Symbol {
    type Target = str;

    #[inline(always)]
    fn deref(&self) -> &str {
        self.text.as_str()
    }
}

impl AsRef<str> for Symbol {
    fn as_ref(&self) -> &str {
        self.text.as_str()
    }
}

impl fmt::Debug for Symbol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Symbol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.as_str(), f)
    }
}

impl fmt::Pointer for Symbol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Pointer::fmt(&self.text, f)
    }
}

impl PartialEq for Symbol {
    /// Whether both are the same symbol ([`Symbol::ptr_eq`]).
    #[inline]
    fn eq(&self, other: &Self) -> bool {
        Symbol::ptr_eq(self, other)
    }
}

impl Eq for Symbol {}

impl PartialEq<str> for Symbol {
    /// Compares the text.
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Symbol {
    /// Compares the text.
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl Hash for Symbol {
    /// Hashes the address.
    #[inline]
    fn hash<H: Hasher>(&self, state: &mut H) {
        core::ptr::hash(self.text.as_ptr(), state)
    }
}

impl PartialOrd for Symbol {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Symbol {
    /// Compares the text (equal texts are the same symbol, so this agrees
    /// with `Eq`); the same symbol compares equal without reading it.
    fn cmp(&self, other: &Self) -> Ordering {
        if Symbol::ptr_eq(self, other) {
            return Ordering::Equal;
        }
        self.as_str().cmp(other.as_str())
    }
}

impl From<&str> for Symbol {
    fn from(text: &str) -> Self {
        Symbol::new(text)
    }
}

impl From<alloc::string::String> for Symbol {
    fn from(text: alloc::string::String) -> Self {
        Symbol::new(&text)
    }
}

impl From<Symbol> for ArcStr {
    /// The interned text (still interned while the `ArcStr` lives).
    fn from(symbol: Symbol) -> Self {
        symbol.text
    }
}
