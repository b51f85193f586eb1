//! Cross-checks of the parsed input, with errors on the offending tokens.
//! Each check also yields a usable value (a default when the input is
//! wrong), so that expansion can still emit a stub.

use std::collections::BTreeMap;

use proc_macro2::{Ident, Span};
use quote::{ToTokens, format_ident};
use syn::{Path, Type};

use crate::ast::{ArenaStruct, Input, Variant};
use crate::attr::{Chunk, Errors, Keyed};

/// Default chunk size, as `Allocator`'s.
pub const DEFAULT_CHUNK: u128 = 256;

/// The checked pool configuration of a derived type or `#[arena]` struct.
pub struct Config {
    /// The index type (`u32` when absent or invalid).
    pub index: Type,
    /// The largest value the index type holds.
    max: u128,
    /// The chunk size (the default when absent or invalid).
    pub chunk: u128,
    /// The path of arena-arc in generated code (`::arena_arc` when absent
    /// or invalid).
    pub krate: Path,
}

const INDEX_TYPES: &str = "`u16`, `u32`, `u64`, `u128` or `usize`";

/// The largest value of a supported index type, by name.
fn index_max(ty: &Type) -> Option<u128> {
    let Type::Path(path) = ty else { return None };
    if path.qself.is_some() {
        return None;
    }
    let segment = path.path.segments.last()?;
    if !segment.arguments.is_empty() {
        return None;
    }
    // `usize` is checked against the target's width by the runtime's own
    // compile-time assertion; here we only know it is at least 16 bits.
    match segment.ident.to_string().as_str() {
        "u16" => Some(u16::MAX as u128),
        "u32" => Some(u32::MAX as u128),
        "u64" | "usize" => Some(u64::MAX as u128),
        "u128" => Some(u128::MAX),
        _ => None,
    }
}

pub fn config(
    index: Option<&Keyed<Type>>,
    chunk: Option<&Keyed<Chunk>>,
    krate: Option<&Keyed<Option<Path>>>,
    errors: &mut Errors,
) -> Config {
    let (index, max) = match index {
        None => (syn::parse_quote!(u32), u32::MAX as u128),
        Some(Keyed { value: ty, .. }) => match index_max(ty) {
            Some(max) => (ty.clone(), max),
            None => {
                errors.push_spanned(
                    ty,
                    format!(
                        "`{}` is not an index type; use {INDEX_TYPES}",
                        ty.to_token_stream()
                    ),
                );
                (syn::parse_quote!(u32), u32::MAX as u128)
            }
        },
    };
    let krate = match krate {
        Some(Keyed {
            value: Some(path), ..
        }) => path.clone(),
        _ => syn::parse_quote!(::arena_arc),
    };
    let mut config = Config {
        index,
        max,
        chunk: DEFAULT_CHUNK,
        krate,
    };
    if let Some(chunk) = chunk {
        config.chunk = check_chunk(&config, &chunk.value, errors);
    }
    config
}

/// A field-level chunk size under `config`'s index type.
pub fn check_chunk(config: &Config, chunk: &Chunk, errors: &mut Errors) -> u128 {
    let Some(value) = chunk.value else {
        return DEFAULT_CHUNK;
    };
    if value == 0 {
        errors.push_at(chunk.span, "`chunk` must be at least 1");
        return DEFAULT_CHUNK;
    }
    if value > config.max {
        errors.push_at(
            chunk.span,
            format!(
                "chunk = {value} does not fit the index type `{}` (at most {}); \
                 use a wider index type (`index = u32`) or a smaller chunk",
                config.index.to_token_stream(),
                config.max
            ),
        );
        return DEFAULT_CHUNK.min(config.max);
    }
    if value > isize::MAX as u128 {
        errors.push_at(chunk.span, "`chunk` must be at most isize::MAX");
        return DEFAULT_CHUNK;
    }
    value
}

/// Everything expansion needs to know about a derived type.
pub struct Checked {
    pub config: Config,
    /// Whether to give the type a per-thread pool.
    pub per_thread: bool,
    /// Whether to give the type an interning table.
    pub intern: bool,
    /// The constructor of each variant (`None`: none generated).
    pub constructors: Vec<Option<Ident>>,
}

/// Method names of `ArenaAlloc` and `ArenaType` a constructor would shadow.
const RESERVED: &[&str] = &[
    "alloc",
    "alloc_slice",
    "alloc_from_iter",
    "alloc_vec",
    "alloc_slice_copy",
    "alloc_slice_clone",
    "alloc_cyclic",
    "alloc_in",
    "alloc_slice_in",
    "alloc_from_iter_in",
    "alloc_cyclic_in",
    "slice_builder",
    "slice_builder_in",
    "pool_stats",
    "set_allocation_limit",
    "allocation_limit",
    "allocated_bytes",
    "alloc_checked",
    "alloc_slice_copy_checked",
    "intern",
    "intern_stats",
    "intern_sweep",
];

pub fn check_derive(input: &Input<'_>, errors: &mut Errors) -> Checked {
    let attrs = &input.attrs;
    let config = config(
        attrs.index.as_ref(),
        attrs.chunk.as_ref(),
        attrs.krate.as_ref(),
        errors,
    );

    let per_thread = match &attrs.per_thread {
        Some(Keyed { value: true, key }) if input.is_generic() => {
            errors.push_at(
                *key,
                format!(
                    "a per-thread pool needs a concrete `'static` type, but `{}` has generic or \
                     lifetime parameters; drop `per_thread` and allocate with the `_in` \
                     constructors and an explicit `Allocator`",
                    input.ident
                ),
            );
            false
        }
        Some(Keyed { value, .. }) => *value,
        None => !input.is_generic(),
    };

    let intern = match &attrs.intern {
        Some(Keyed { value: true, key }) if input.is_generic() => {
            errors.push_at(
                *key,
                format!(
                    "an interning table is one `static` per type, but `{}` has generic or \
                     lifetime parameters; intern a concrete type (a non-generic wrapper)",
                    input.ident
                ),
            );
            false
        }
        // Not generic: the per-thread pool is on unless turned off.
        Some(Keyed { value: true, .. }) => match &attrs.per_thread {
            Some(Keyed { value: false, key }) => {
                errors.push_at(
                    *key,
                    "`per_thread = false` contradicts `intern`: interning keeps the type's \
                     values in process-wide pools and needs the `ArenaAlloc` impl that \
                     `per_thread` turns off; remove one of the two",
                );
                false
            }
            _ => true,
        },
        Some(Keyed { value: false, .. }) | None => false,
    };

    if let (Some(rename), crate::ast::Data::Enum(_)) = (&attrs.rename, &input.data) {
        errors.push_at(
            rename.key,
            "`rename` on an enum has nothing to rename; put #[arena(rename = \"..\")] on a variant",
        );
    }

    let enabled = attrs.constructors.as_ref().is_none_or(|c| c.value);
    let prefix = attrs
        .prefix
        .as_ref()
        .map(|p| p.value.value())
        .unwrap_or_default();
    if let Some(p) = &attrs.prefix
        && !prefix.is_empty()
        && syn::parse_str::<Ident>(&format!("{prefix}x")).is_err()
    {
        errors.push_spanned(
            &p.value,
            "`prefix` must start an identifier, such as \"new_\"",
        );
    }

    let mut constructors = Vec::new();
    let mut seen: BTreeMap<String, Span> = BTreeMap::new();
    for variant in input.variants() {
        let mut name = constructor_name(input, variant, &prefix, enabled, errors);
        if let Some((ident, span)) = name.clone() {
            let text = ident.to_string();
            let bare = text.trim_start_matches("r#");
            // A clashing constructor is reported and left out, so the only
            // error is ours (not a duplicate definition as well).
            if RESERVED.contains(&bare) {
                name = None;
                errors.push_at(
                    span,
                    format!(
                        "the constructor `{bare}` would shadow `ArenaAlloc::{bare}`; rename it \
                         with #[arena(rename = \"..\")] or add a #[arena(prefix = \"..\")]"
                    ),
                );
            } else if seen.insert(bare.to_owned(), span).is_some() {
                name = None;
                errors.push_at(
                    span,
                    format!(
                        "two constructors are named `{bare}`; rename one with \
                         #[arena(rename = \"..\")]"
                    ),
                );
            }
        }
        constructors.push(name.map(|(ident, _)| ident));
    }
    Checked {
        config,
        per_thread,
        intern,
        constructors,
    }
}

/// The constructor name of `variant`, with the span to blame for clashes.
fn constructor_name(
    input: &Input<'_>,
    variant: &Variant<'_>,
    prefix: &str,
    enabled: bool,
    errors: &mut Errors,
) -> Option<(Ident, Span)> {
    if !enabled || variant.attrs.skip.is_some() {
        return None;
    }
    let rename = match variant.ident {
        Some(_) => variant.attrs.rename.as_ref(),
        None => input.attrs.rename.as_ref(),
    };
    if let Some(rename) = rename {
        let lit = &rename.value;
        return match syn::parse_str::<Ident>(&lit.value()) {
            Ok(ident) => Some((Ident::new(&ident.to_string(), lit.span()), lit.span())),
            Err(_) => {
                errors.push_spanned(lit, "`rename` must be an identifier");
                None
            }
        };
    }
    let source = variant.ident.unwrap_or(input.ident);
    let name = format!("{prefix}{}", snake_case(&source.to_string()));
    Some((identifier(&name, source.span()), source.span()))
}

/// `name` as an identifier, raw if it is a keyword (`r#let`), with a
/// trailing underscore for the keywords that cannot be raw (`self_`).
fn identifier(name: &str, span: Span) -> Ident {
    if matches!(name, "self" | "super" | "crate" | "_") {
        return format_ident!("{name}_", span = span);
    }
    match syn::parse_str::<Ident>(name) {
        Ok(_) => Ident::new(name, span),
        Err(_) => Ident::new_raw(name, span),
    }
}

/// `CallFn` -> `call_fn`, `HTTPRequest` -> `http_request`.
pub fn snake_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_uppercase() {
            let prev = i.checked_sub(1).map(|j| chars[j]);
            let next = chars.get(i + 1);
            let boundary = match prev {
                None | Some('_') => false,
                Some(p) if p.is_lowercase() || p.is_ascii_digit() => true,
                Some(p) => p.is_uppercase() && next.is_some_and(|n| n.is_lowercase()),
            };
            if boundary {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Checks an `#[arena]` struct; returns its configuration and the chunk
/// size of each pool.
/// Returns the configuration, each pool's chunk size, and whether each pool
/// gets an `ArenaHas` impl (not the duplicates, already reported).
pub fn check_arena(arena: &ArenaStruct<'_>, errors: &mut Errors) -> (Config, Vec<u128>, Vec<bool>) {
    let config = config(
        arena.attrs.index.as_ref(),
        arena.attrs.chunk.as_ref(),
        arena.attrs.krate.as_ref(),
        errors,
    );
    let chunks = arena
        .pools
        .iter()
        .map(|pool| match &pool.chunk {
            Some(chunk) => check_chunk(&config, &chunk.value, errors),
            None => config.chunk,
        })
        .collect();
    let mut seen: BTreeMap<String, &Type> = BTreeMap::new();
    let mut dispatch = Vec::new();
    for pool in &arena.pools {
        let key = pool.elem.to_token_stream().to_string();
        dispatch.push(!seen.contains_key(&key));
        if let Some(first) = seen.get(&key) {
            errors.push_spanned(
                pool.elem,
                format!(
                    "`{key}` already has a pool in this arena (field `{}`); allocation picks the \
                     pool by element type, so each type may appear once",
                    first_field_name(arena, first)
                ),
            );
        } else {
            seen.insert(key, pool.elem);
        }
    }
    if arena.pools.is_empty() {
        errors.push_spanned(
            &arena.item.ident,
            "an #[arena] struct needs at least one field naming an element type",
        );
    }
    (config, chunks, dispatch)
}

fn first_field_name(arena: &ArenaStruct<'_>, ty: &Type) -> String {
    arena
        .pools
        .iter()
        .find(|p| std::ptr::eq(p.elem, ty))
        .map(|p| p.member.to_token_stream().to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::snake_case;

    #[test]
    fn snake_case_splits_words() {
        assert_eq!(snake_case("Add"), "add");
        assert_eq!(snake_case("CallFn"), "call_fn");
        assert_eq!(snake_case("HTTPRequest"), "http_request");
        assert_eq!(snake_case("Vec2D"), "vec2_d");
        assert_eq!(snake_case("already_snake"), "already_snake");
    }
}
