//! Parsing `#[arena(..)]`: on a derived type, on its variants, on an
//! `#[arena]` struct and on its fields. Errors are collected, not returned
//! at the first one.

use proc_macro2::Span;
use syn::parse::ParseStream;
use syn::spanned::Spanned;
use syn::{Attribute, Expr, Lit, LitBool, LitInt, LitStr, Path, Token, Type};

/// A value with the span of its key, for duplicate-key errors.
pub struct Keyed<T> {
    pub value: T,
    pub key: Span,
}

/// The chunk size as written.
pub struct Chunk {
    /// `None` when the value is not an integer literal (already reported).
    pub value: Option<u128>,
    /// The tokens of the value, for errors.
    pub span: Span,
}

/// `#[arena(..)]` on a type with `#[derive(ArenaAlloc)]`, or the arguments
/// of `#[arena(..)]` on a struct of pools.
#[derive(Default)]
pub struct TypeAttrs {
    pub index: Option<Keyed<Type>>,
    pub chunk: Option<Keyed<Chunk>>,
    pub constructors: Option<Keyed<bool>>,
    pub prefix: Option<Keyed<LitStr>>,
    pub rename: Option<Keyed<LitStr>>,
    pub per_thread: Option<Keyed<bool>>,
    /// `intern`: a process-wide interning table (`T::intern`).
    pub intern: Option<Keyed<bool>>,
    /// `crate = "path"`: where generated code finds arena-arc (`None` in
    /// the value when the string is not a path, already reported).
    pub krate: Option<Keyed<Option<Path>>>,
}

/// `#[arena(..)]` on an enum variant.
#[derive(Default)]
pub struct VariantAttrs {
    pub rename: Option<Keyed<LitStr>>,
    pub skip: Option<Span>,
}

/// Which keys a position accepts.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Position {
    /// On a type deriving `ArenaAlloc`.
    DeriveType,
    /// The arguments of `#[arena(..)]` on a struct of pools.
    ArenaStruct,
    /// On a field of an `#[arena]` struct.
    ArenaField,
}

impl Position {
    fn keys(self) -> &'static str {
        match self {
            Position::DeriveType => {
                "`index`, `chunk`, `constructors`, `prefix`, `rename`, `per_thread`, `intern`, \
                 `crate`"
            }
            Position::ArenaStruct => "`index`, `chunk`, `crate`",
            Position::ArenaField => "`chunk`",
        }
    }

    fn accepts(self, key: &str) -> bool {
        match self {
            Position::DeriveType => matches!(
                key,
                "index"
                    | "chunk"
                    | "constructors"
                    | "prefix"
                    | "rename"
                    | "per_thread"
                    | "intern"
                    | "crate"
            ),
            Position::ArenaStruct => matches!(key, "index" | "chunk" | "crate"),
            Position::ArenaField => key == "chunk",
        }
    }
}

/// Collects errors.
#[derive(Default)]
pub struct Errors(Option<syn::Error>);

impl Errors {
    pub fn push(&mut self, error: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(error),
            None => self.0 = Some(error),
        }
    }

    pub fn push_spanned(&mut self, tokens: impl quote::ToTokens, message: impl std::fmt::Display) {
        self.push(syn::Error::new_spanned(tokens, message));
    }

    pub fn push_at(&mut self, span: Span, message: impl std::fmt::Display) {
        self.push(syn::Error::new(span, message));
    }

    pub fn into_compile_errors(self) -> proc_macro2::TokenStream {
        match self.0 {
            Some(error) => error.to_compile_error(),
            None => proc_macro2::TokenStream::new(),
        }
    }
}

fn set<T>(slot: &mut Option<Keyed<T>>, key: Span, name: &str, value: T, errors: &mut Errors) {
    if slot.is_some() {
        errors.push_at(key, format!("duplicate key `{name}` in #[arena(..)]"));
    } else {
        *slot = Some(Keyed { value, key });
    }
}

fn parse_bool(input: ParseStream<'_>) -> syn::Result<bool> {
    if input.is_empty() || input.peek(Token![,]) {
        return Ok(true);
    }
    input.parse::<Token![=]>()?;
    Ok(input.parse::<LitBool>()?.value)
}

fn parse_chunk(input: ParseStream<'_>, errors: &mut Errors) -> syn::Result<Chunk> {
    input.parse::<Token![=]>()?;
    let expr: Expr = input.parse()?;
    let span = expr.span();
    // A `$chunk:literal` or `$chunk:expr` of a `macro_rules!` arrives
    // wrapped in an invisible group.
    let mut inner = &expr;
    while let Expr::Group(group) = inner {
        inner = &group.expr;
    }
    let value = match inner {
        Expr::Lit(syn::ExprLit {
            lit: Lit::Int(int), ..
        }) => parse_int(int, errors),
        _ => {
            errors.push_spanned(
                &expr,
                "`chunk` must be an integer literal, such as `chunk = 1024`",
            );
            None
        }
    };
    Ok(Chunk { value, span })
}

fn parse_int(int: &LitInt, errors: &mut Errors) -> Option<u128> {
    if !matches!(int.suffix(), "" | "usize") {
        errors.push_spanned(
            int,
            "`chunk` is a number of elements: write it without a suffix",
        );
        return None;
    }
    match int.base10_parse::<u128>() {
        Ok(value) => Some(value),
        Err(err) => {
            errors.push(err);
            None
        }
    }
}

/// `crate = "path"`: a string literal holding a module path (no generic
/// arguments), as `#[serde(crate = "..")]`. Its tokens carry the literal's
/// span, so an unresolved path is reported on the literal.
fn parse_crate(input: ParseStream<'_>, errors: &mut Errors) -> syn::Result<Option<Path>> {
    const EXAMPLE: &str = "such as `crate = \"my_framework::arena\"`";
    input.parse::<Token![=]>()?;
    let expr: Expr = input.parse()?;
    let Expr::Lit(syn::ExprLit {
        lit: Lit::Str(lit), ..
    }) = &expr
    else {
        errors.push_spanned(
            &expr,
            format!("`crate` takes a string literal holding a path, {EXAMPLE}"),
        );
        return Ok(None);
    };
    if let Ok(path) = lit.parse_with(Path::parse_mod_style) {
        return Ok(Some(path));
    }
    let message = if lit.parse::<Path>().is_ok() {
        format!(
            "`crate = {:?}` has generic arguments; write the path of the module arena-arc is \
             reachable at, {EXAMPLE}",
            lit.value()
        )
    } else {
        format!(
            "`crate = {:?}` is not a path; write the path arena-arc is reachable at, {EXAMPLE}",
            lit.value()
        )
    };
    errors.push_spanned(lit, message);
    Ok(None)
}

/// Parses the contents of one `#[arena(..)]` (or the macro arguments) into
/// `attrs`, reporting keys `position` does not accept.
pub fn parse_type_args(
    input: ParseStream<'_>,
    position: Position,
    attrs: &mut TypeAttrs,
    errors: &mut Errors,
) -> syn::Result<()> {
    let parser = syn::meta::parser(|meta| {
        let key = meta
            .path
            .get_ident()
            .map(|i| i.to_string())
            .unwrap_or_default();
        let span = meta.path.span();
        if !position.accepts(&key) {
            errors.push_at(
                span,
                format!(
                    "unknown key `{}` in #[arena(..)]; expected {}",
                    quote::ToTokens::to_token_stream(&meta.path),
                    position.keys()
                ),
            );
            // Skip the value so that the following keys are still checked.
            if meta.input.peek(Token![=]) {
                meta.input.parse::<Token![=]>()?;
                meta.input.parse::<Expr>()?;
            } else if meta.input.peek(syn::token::Paren) {
                let _content;
                syn::parenthesized!(_content in meta.input);
            }
            return Ok(());
        }
        match key.as_str() {
            "index" => {
                let ty: Type = meta.value()?.parse()?;
                set(&mut attrs.index, span, "index", ty, errors);
            }
            "chunk" => {
                let chunk = parse_chunk(meta.input, errors)?;
                set(&mut attrs.chunk, span, "chunk", chunk, errors);
            }
            "constructors" => {
                let on = parse_bool(meta.input)?;
                set(&mut attrs.constructors, span, "constructors", on, errors);
            }
            "per_thread" => {
                let on = parse_bool(meta.input)?;
                set(&mut attrs.per_thread, span, "per_thread", on, errors);
            }
            "intern" => {
                let on = parse_bool(meta.input)?;
                set(&mut attrs.intern, span, "intern", on, errors);
            }
            "prefix" => {
                let lit: LitStr = meta.value()?.parse()?;
                set(&mut attrs.prefix, span, "prefix", lit, errors);
            }
            "rename" => {
                let lit: LitStr = meta.value()?.parse()?;
                set(&mut attrs.rename, span, "rename", lit, errors);
            }
            "crate" => {
                let path = parse_crate(meta.input, errors)?;
                set(&mut attrs.krate, span, "crate", path, errors);
            }
            _ => unreachable!("checked by `accepts`"),
        }
        Ok(())
    });
    syn::parse::Parser::parse2(parser, input.parse()?)
}

/// All `#[arena(..)]` attributes among `attrs`, merged.
pub fn type_attrs(attrs: &[Attribute], position: Position, errors: &mut Errors) -> TypeAttrs {
    let mut parsed = TypeAttrs::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident("arena")) {
        let result = attr.parse_args_with(|input: ParseStream<'_>| {
            parse_type_args(input, position, &mut parsed, errors)
        });
        if let Err(err) = result {
            errors.push(err);
        }
    }
    parsed
}

/// `#[arena(rename = "..")]` / `#[arena(skip)]` on a variant.
pub fn variant_attrs(attrs: &[Attribute], errors: &mut Errors) -> VariantAttrs {
    let mut parsed = VariantAttrs::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident("arena")) {
        let result = attr.parse_nested_meta(|meta| {
            let span = meta.path.span();
            if meta.path.is_ident("rename") {
                let lit: LitStr = meta.value()?.parse()?;
                set(&mut parsed.rename, span, "rename", lit, errors);
            } else if meta.path.is_ident("skip") {
                if parsed.skip.replace(span).is_some() {
                    errors.push_at(span, "duplicate key `skip` in #[arena(..)]");
                }
            } else {
                errors.push_at(
                    span,
                    format!(
                        "unknown key `{}` in #[arena(..)] on a variant; expected `rename` or `skip`",
                        quote::ToTokens::to_token_stream(&meta.path)
                    ),
                );
                if meta.input.peek(Token![=]) {
                    meta.input.parse::<Token![=]>()?;
                    meta.input.parse::<Expr>()?;
                }
            }
            Ok(())
        });
        if let Err(err) = result {
            errors.push(err);
        }
    }
    parsed
}
