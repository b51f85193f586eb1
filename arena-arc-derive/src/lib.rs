//! Derive macros for [arena-arc](https://docs.rs/arena-arc). Use them
//! through `arena_arc` (its default `derive` feature re-exports them); the
//! documentation lives there.
//!
//! Laid out like thiserror's `impl/` crate: `ast` is the typed model of
//! the input, `attr` parses `#[arena(..)]`, `valid` cross-checks with
//! spanned errors, `expand` generates code. Every error is collected and
//! reported together, and on error a stub is still emitted so that one
//! mistake does not cascade into unrelated ones.

#![deny(missing_docs)]

mod ast;
mod attr;
mod expand;
mod valid;

use proc_macro::TokenStream;

/// `#[derive(ArenaAlloc)]`: a per-type pool and typed constructors. See
/// `arena_arc`'s documentation.
#[proc_macro_derive(ArenaAlloc, attributes(arena))]
pub fn derive_arena_alloc(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    expand::derive(&input).into()
}

/// `#[arena]`: turns a struct whose fields name element types into a struct
/// of typed pools. See `arena_arc`'s documentation.
#[proc_macro_attribute]
pub fn arena(args: TokenStream, input: TokenStream) -> TokenStream {
    let item = syn::parse_macro_input!(input as syn::Item);
    expand::arena(args.into(), item).into()
}
