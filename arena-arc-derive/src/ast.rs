//! The typed model of the macros' input.

use proc_macro2::{Ident, Span};
use syn::{
    DeriveInput, Fields, GenericArgument, Generics, ItemStruct, Member, PathArguments, Type,
    Visibility,
};

use crate::attr::{self, Errors, Position, TypeAttrs, VariantAttrs};

/// A type with `#[derive(ArenaAlloc)]`.
pub struct Input<'a> {
    pub ident: &'a Ident,
    pub vis: &'a Visibility,
    pub generics: &'a Generics,
    pub attrs: TypeAttrs,
    pub data: Data<'a>,
}

pub enum Data<'a> {
    Struct(Variant<'a>),
    Enum(Vec<Variant<'a>>),
}

/// A struct's body or an enum variant: one constructor.
pub struct Variant<'a> {
    /// The variant's name; `None` for a struct.
    pub ident: Option<&'a Ident>,
    pub style: Style,
    pub fields: Vec<Field<'a>>,
    pub attrs: VariantAttrs,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Unit,
    Tuple,
    Named,
}

pub struct Field<'a> {
    pub member: Member,
    /// The constructor parameter's name.
    pub param: Ident,
    pub ty: &'a Type,
    pub handle: Option<Handle<'a>>,
}

/// A field whose type is written `ArcSingle<U, L>` / `ArcSlice<U, L>` (or
/// the weak `WeakSingle` / `WeakSlice`, or `Interned<U, L>`), possibly inside `Option<..>`,
/// `OnceLock<..>` or `OnceCell<..>`, or an array `[_; N]` of those.
pub struct Handle<'a> {
    pub kind: HandleKind,
    /// Inside `Option`, `OnceLock` or `OnceCell`.
    pub optional: bool,
    /// An array of handles (or of optional handles).
    pub array: bool,
    pub elem: &'a Type,
    /// `None` when the default (`u32`) is used.
    pub index: Option<&'a Type>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum HandleKind {
    Single,
    Slice,
    /// `WeakSingle` or `WeakSlice`: only its index type is checked; a
    /// constructor takes it as it is.
    Weak,
    /// `Interned`: a constructor also takes a value to intern.
    Interned,
}

impl<'a> Input<'a> {
    pub fn from_syn(input: &'a DeriveInput, errors: &mut Errors) -> Option<Self> {
        let attrs = attr::type_attrs(&input.attrs, Position::DeriveType, errors);
        let data = match &input.data {
            syn::Data::Struct(data) => Data::Struct(Variant::from_fields(
                None,
                &data.fields,
                VariantAttrs::default(),
            )),
            syn::Data::Enum(data) => Data::Enum(
                data.variants
                    .iter()
                    .map(|v| {
                        let attrs = attr::variant_attrs(&v.attrs, errors);
                        Variant::from_fields(Some(&v.ident), &v.fields, attrs)
                    })
                    .collect(),
            ),
            syn::Data::Union(data) => {
                errors.push_spanned(
                    data.union_token,
                    "#[derive(ArenaAlloc)] does not support unions: the pool cannot know which \
                     field holds handles; use a struct or an enum",
                );
                return None;
            }
        };
        Some(Input {
            ident: &input.ident,
            vis: &input.vis,
            generics: &input.generics,
            attrs,
            data,
        })
    }

    pub fn variants(&self) -> &[Variant<'a>] {
        match &self.data {
            Data::Struct(v) => core::slice::from_ref(v),
            Data::Enum(vs) => vs,
        }
    }

    /// Whether the type has type, lifetime or const parameters.
    pub fn is_generic(&self) -> bool {
        !self.generics.params.is_empty()
    }
}

impl<'a> Variant<'a> {
    fn from_fields(ident: Option<&'a Ident>, fields: &'a Fields, attrs: VariantAttrs) -> Self {
        let style = match fields {
            Fields::Unit => Style::Unit,
            Fields::Unnamed(_) => Style::Tuple,
            Fields::Named(_) => Style::Named,
        };
        let fields = fields
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let (member, param) = match &f.ident {
                    Some(name) => (Member::Named(name.clone()), name.clone()),
                    None => (
                        Member::Unnamed(i.into()),
                        Ident::new(&format!("_{i}"), Span::call_site()),
                    ),
                };
                Field {
                    member,
                    param,
                    ty: &f.ty,
                    handle: Handle::of(&f.ty),
                }
            })
            .collect();
        Variant {
            ident,
            style,
            fields,
            attrs,
        }
    }
}

impl<'a> Handle<'a> {
    /// Recognises `ArcSingle<U>`, `ArcSingle<U, L>`, `ArcSlice<..>`,
    /// `WeakSingle<..>`, `WeakSlice<..>`, `Interned<..>` (any path ending in those names) and
    /// `Option`, `OnceLock` or `OnceCell` of them.
    pub fn of(ty: &'a Type) -> Option<Self> {
        if let Type::Array(array) = ty {
            let mut handle = Handle::of(&array.elem)?;
            if handle.array {
                return None;
            }
            handle.array = true;
            return Some(handle);
        }
        let (name, args) = last_segment(ty)?;
        match name.to_string().as_str() {
            "ArcSingle" | "ArcSlice" | "WeakSingle" | "WeakSlice" | "Interned" => {
                let kind = match name.to_string().as_str() {
                    "ArcSingle" => HandleKind::Single,
                    "ArcSlice" => HandleKind::Slice,
                    "Interned" => HandleKind::Interned,
                    _ => HandleKind::Weak,
                };
                let mut types = args.into_iter();
                let elem = types.next()?;
                let index = types.next();
                Some(Handle {
                    kind,
                    optional: false,
                    array: false,
                    elem,
                    index,
                })
            }
            "Option" | "OnceLock" | "OnceCell" => {
                let inner = args.into_iter().next()?;
                let mut handle = Handle::of(inner)?;
                if handle.optional || handle.array {
                    return None;
                }
                handle.optional = true;
                Some(handle)
            }
            _ => None,
        }
    }
}

/// The last path segment of `ty` and its type arguments.
fn last_segment(ty: &Type) -> Option<(&Ident, Vec<&Type>)> {
    let Type::Path(path) = ty else { return None };
    if path.qself.is_some() {
        return None;
    }
    let segment = path.path.segments.last()?;
    let args = match &segment.arguments {
        PathArguments::AngleBracketed(args) => args
            .args
            .iter()
            .filter_map(|a| match a {
                GenericArgument::Type(t) => Some(t),
                _ => None,
            })
            .collect(),
        PathArguments::None => Vec::new(),
        PathArguments::Parenthesized(_) => return None,
    };
    Some((&segment.ident, args))
}

/// A struct with `#[arena(..)]`: a struct of pools.
pub struct ArenaStruct<'a> {
    pub item: &'a ItemStruct,
    pub attrs: TypeAttrs,
    pub pools: Vec<PoolField<'a>>,
}

/// One field of an `#[arena]` struct: a pool of `elem`.
pub struct PoolField<'a> {
    pub member: Member,
    pub elem: &'a Type,
    pub chunk: Option<attr::Keyed<attr::Chunk>>,
}

impl<'a> ArenaStruct<'a> {
    pub fn from_syn(item: &'a ItemStruct, attrs: TypeAttrs, errors: &mut Errors) -> Self {
        let pools = item
            .fields
            .iter()
            .enumerate()
            .map(|(i, field)| {
                let field_attrs = attr::type_attrs(&field.attrs, Position::ArenaField, errors);
                PoolField {
                    member: match &field.ident {
                        Some(name) => Member::Named(name.clone()),
                        None => Member::Unnamed(i.into()),
                    },
                    elem: &field.ty,
                    chunk: field_attrs.chunk,
                }
            })
            .collect();
        ArenaStruct { item, attrs, pools }
    }
}
