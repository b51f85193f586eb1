//! Code generation. Generated code names everything by absolute path
//! (`::arena_arc::..`, or the path given with `crate = ".."`, and
//! `::core::..`), so user items called `Option`, `Allocator` or `Vec` cannot
//! interfere, and hides helpers in `const _: () = { .. };`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Item, ItemStruct, Member, Type};

use crate::ast::{ArenaStruct, HandleKind, Input, Style, Variant};
use crate::attr::{self, Errors, Position, TypeAttrs};
use crate::valid::{self, Checked};

/// `#[derive(ArenaAlloc)]`.
pub fn derive(input: &syn::DeriveInput) -> TokenStream {
    let mut errors = Errors::default();
    let Some(parsed) = Input::from_syn(input, &mut errors) else {
        return errors.into_compile_errors();
    };
    let checked = valid::check_derive(&parsed, &mut errors);
    // Even with errors, the impls are emitted (with defaults in place of
    // invalid settings), so uses of the type elsewhere still type-check and
    // only the real mistakes are reported.
    let errors = errors.into_compile_errors();
    let impls = derive_impls(&parsed, &checked);
    quote! {
        #errors
        #impls
    }
}

fn derive_impls(input: &Input<'_>, checked: &Checked) -> TokenStream {
    let ident = input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let index = &checked.config.index;
    let chunk = checked.config.chunk as usize;
    let krate = &checked.config.krate;
    let self_ty = quote!(#ident #ty_generics);

    let per_thread = checked.per_thread.then(|| {
        quote! {
            #[automatically_derived]
            impl #krate::ArenaAlloc for #ident {
                type Pool = #krate::Allocator<#ident, #index, #chunk>;
                #[inline(always)]
                fn __per_thread() -> #krate::__private::PoolKey<Self::Pool> {
                    #krate::__private::thread_local! {
                        static POOL: #krate::__private::PerThreadPool<
                            #krate::Allocator<#ident, #index, #chunk>,
                        > = const { #krate::__private::PerThreadPool::new() };
                    }
                    #krate::__private::PoolKey::local(&POOL)
                }
            }
        }
    });
    // Spanned on the type's name: a type that is not `Eq + Hash` (or
    // `Send + Sync`) is reported there, naming the missing impl.
    let intern = checked.intern.then(|| {
        let span = ident.span();
        let name = quote_spanned!(span=> #ident);
        quote_spanned! {span=>
            #[automatically_derived]
            impl #krate::Intern for #name {
                #[inline(always)]
                fn __intern_table() -> &'static #krate::__private::InternTable<
                    Self,
                    <Self as #krate::ArenaAlloc>::Pool,
                > {
                    static TABLE: #krate::__private::InternTable<
                        #ident,
                        #krate::Allocator<#ident, #index, #chunk>,
                    > = #krate::__private::InternTable::new();
                    &TABLE
                }
            }
        }
    });
    let checks = (!input.is_generic()).then(|| index_checks(input, krate));
    let constructors = constructors(input, checked);

    quote! {
        #[doc(hidden)]
        #[allow(non_upper_case_globals, unused_qualifications, clippy::all)]
        const _: () = {
            #[automatically_derived]
            impl #impl_generics #krate::ArenaType for #self_ty #where_clause {
                type Index = #index;
                const CHUNK: usize = #chunk;
            }

            #[automatically_derived]
            impl #impl_generics #krate::__private::DeclaredIndex for #self_ty #where_clause {}

            #per_thread
            #intern
            #checks
        };
        #constructors
    }
}

/// Compile-time checks that each handle field's index type is the one its
/// element type's pool uses (when the element type has a pool).
fn index_checks(input: &Input<'_>, krate: &syn::Path) -> TokenStream {
    let checks = input
        .variants()
        .iter()
        .flat_map(|v| &v.fields)
        .filter_map(|f| {
            let handle = f.handle.as_ref()?;
            let elem = handle.elem;
            let index = handle_index(handle.index);
            let span = handle.index.map_or_else(|| f.ty.span(), |i| i.span());
            Some(quote_spanned! {span=>
                (&#krate::__private::Probe::<#elem, #index>::new()).check_index().same();
            })
        });
    quote! {
        #[allow(dead_code, clippy::needless_borrow)]
        fn __arena_index_checks() {
            #[allow(unused_imports)]
            use #krate::__private::{CheckArenaIndex as _, CheckNoArenaIndex as _};
            #(#checks)*
        }
    }
}

/// Whether a per-thread constructor takes values for this handle field
/// (and converts them): a bare strong handle, not an optional, array, or
/// weak one.
fn converts(handle: &crate::ast::Handle<'_>) -> bool {
    !handle.optional && !handle.array && handle.kind != HandleKind::Weak
}

fn handle_index(index: Option<&Type>) -> TokenStream {
    match index {
        Some(ty) => quote!(#ty),
        None => quote!(u32),
    }
}

/// The typed constructors: `Expr::add(a, b)` (per-thread pool) and
/// `Expr::add_in(&mut pool, a, b)`.
fn constructors(input: &Input<'_>, checked: &Checked) -> TokenStream {
    let ident = input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let methods = input
        .variants()
        .iter()
        .zip(&checked.constructors)
        .filter_map(|(variant, name)| {
            let name = name.as_ref()?;
            Some(constructor(input, variant, name, checked))
        })
        .collect::<Vec<_>>();
    if methods.is_empty() {
        return TokenStream::new();
    }
    quote! {
        #[automatically_derived]
        #[allow(clippy::too_many_arguments, clippy::self_named_constructors)]
        impl #impl_generics #ident #ty_generics #where_clause {
            #(#methods)*
        }
    }
}

fn constructor(
    input: &Input<'_>,
    variant: &Variant<'_>,
    name: &syn::Ident,
    checked: &Checked,
) -> TokenStream {
    let index = &checked.config.index;
    let krate = &checked.config.krate;
    let per_thread = checked.per_thread;
    let ident = input.ident;
    let vis = input.vis;
    let (_, ty_generics, _) = input.generics.split_for_impl();
    let self_ty = quote!(#ident #ty_generics);
    let path = match variant.ident {
        Some(v) => quote!(#ident::#v),
        None => quote!(#ident),
    };
    let build = |values: &[TokenStream]| {
        let members = variant.fields.iter().map(|f| &f.member);
        match variant.style {
            Style::Unit => quote!(#path),
            _ => quote!(#path { #(#members: #values,)* }),
        }
    };
    let what = match variant.ident {
        Some(v) => format!("`{ident}::{v}`"),
        None => format!("a `{ident}`"),
    };
    let in_name = format_ident!("{}_in", name.to_string().trim_start_matches("r#"));

    // `_in`: parameters of the fields' own types.
    let in_params = variant.fields.iter().map(|f| {
        let (p, ty) = (&f.param, f.ty);
        quote!(#p: #ty)
    });
    let in_values: Vec<_> = variant
        .fields
        .iter()
        .map(|f| {
            let p = &f.param;
            quote!(#p)
        })
        .collect();
    let in_value = build(&in_values);
    let in_doc = format!("Allocates {what} in `pool`. Generated by `#[derive(ArenaAlloc)]`.");
    let in_method = quote! {
        #[doc = #in_doc]
        #[inline]
        #[track_caller]
        #vis fn #in_name<const __N: usize>(
            pool: &mut #krate::Allocator<#self_ty, #index, __N>,
            #(#in_params),*
        ) -> #krate::ArcSingle<#self_ty, #index> {
            #krate::__private::build_in(pool, move || #in_value)
        }
    };
    if !per_thread {
        return in_method;
    }

    // Per-thread: handle fields also accept values to allocate.
    let params = variant.fields.iter().map(|f| {
        let (p, ty) = (&f.param, f.ty);
        match &f.handle {
            Some(h) if converts(h) => {
                let elem = h.elem;
                let index = handle_index(h.index);
                let conversion = match h.kind {
                    HandleKind::Single => quote!(#krate::IntoArcSingle<#elem, #index>),
                    HandleKind::Interned => quote!(#krate::IntoInterned<#elem, #index>),
                    _ => quote!(#krate::IntoArcSlice<#elem, #index>),
                };
                quote_spanned!(f.ty.span()=> #p: impl #conversion)
            }
            _ => quote!(#p: #ty),
        }
    });
    let values: Vec<_> = variant
        .fields
        .iter()
        .map(|f| {
            let p = &f.param;
            match &f.handle {
                Some(h) if converts(h) => match h.kind {
                    HandleKind::Single => quote!(#krate::IntoArcSingle::into_arc_single(#p)),
                    HandleKind::Interned => quote!(#krate::IntoInterned::into_interned(#p)),
                    _ => quote!(#krate::IntoArcSlice::into_arc_slice(#p)),
                },
                _ => quote!(#p),
            }
        })
        .collect();
    let converted = variant.fields.iter().zip(&values).map(|(f, value)| {
        let p = &f.param;
        quote!(let #p = #value;)
    });
    let value = build(&in_values);
    let (doc, attrs, ret, body) = if checked.intern {
        let doc = format!(
            "Interns {what} (see `Intern`). Handle fields also accept values to allocate \
             or intern. Generated by `#[derive(ArenaAlloc)]` with `#[arena(intern)]`."
        );
        let ret = quote!(#krate::Interned<#self_ty, #index>);
        let body = quote!(<#self_ty as #krate::ArenaAlloc>::intern(#value));
        (doc, quote!(), ret, body)
    } else {
        let doc = format!(
            "Allocates {what} in this thread's pool. Handle fields also accept values \
             to allocate. Generated by `#[derive(ArenaAlloc)]`."
        );
        let ret = quote!(#krate::ArcSingle<#self_ty, #index>);
        // The hot path reserves a cell and builds the value straight into
        // it; the cold one builds it into the slot it makes.
        let body = quote! {
            match <#self_ty as #krate::ArenaAlloc>::__reserve() {
                ::core::option::Option::Some(cell) => cell.write(#value),
                ::core::option::Option::None => {
                    #krate::__private::alloc_with_cold(move || #value)
                }
            }
        };
        (doc, quote!(#[track_caller]), ret, body)
    };
    quote! {
        #[doc = #doc]
        #[inline]
        #attrs
        #vis fn #name(#(#params),*) -> #ret {
            // Converted first: a conversion may allocate in this same pool.
            #(#converted)*
            #body
        }
        #in_method
    }
}

/// `#[arena(..)]` on a struct.
pub fn arena(args: TokenStream, item: Item) -> TokenStream {
    let mut errors = Errors::default();
    let mut attrs = TypeAttrs::default();
    let parsed = syn::parse::Parser::parse2(
        |input: syn::parse::ParseStream<'_>| {
            attr::parse_type_args(input, Position::ArenaStruct, &mut attrs, &mut errors)
        },
        args,
    );
    if let Err(err) = parsed {
        errors.push(err);
    }
    let item = match item {
        Item::Struct(item) => item,
        other => {
            errors.push_spanned(
                &other,
                "#[arena] goes on a struct whose fields name element types, such as \
                 `struct AstArena { exprs: Expr, text: u8 }`",
            );
            let errors = errors.into_compile_errors();
            return quote!(#errors #other);
        }
    };
    let arena = ArenaStruct::from_syn(&item, attrs, &mut errors);
    let (config, chunks, dispatch) = valid::check_arena(&arena, &mut errors);
    let errors = errors.into_compile_errors();
    let expanded = arena_impls(&arena, &config, &chunks, &dispatch);
    quote! {
        #errors
        #expanded
    }
}

fn arena_impls(
    arena: &ArenaStruct<'_>,
    config: &valid::Config,
    chunks: &[u128],
    dispatch: &[bool],
) -> TokenStream {
    let index = &config.index;
    let krate = &config.krate;
    let item: &ItemStruct = arena.item;
    let ident = &item.ident;
    let vis = &item.vis;
    let (impl_generics, ty_generics, where_clause) = item.generics.split_for_impl();
    let self_ty = quote!(#ident #ty_generics);

    // The struct, with each field's type replaced by its pool.
    let mut rewritten = item.clone();
    for (field, (pool, chunk)) in rewritten
        .fields
        .iter_mut()
        .zip(arena.pools.iter().zip(chunks))
    {
        field.attrs.retain(|a| !a.path().is_ident("arena"));
        let elem = pool.elem;
        let chunk = *chunk as usize;
        let doc = format!(
            "The pool of `{}` (chunk size {chunk}).",
            quote::ToTokens::to_token_stream(elem)
        );
        field.attrs.push(syn::parse_quote!(#[doc = #doc]));
        field.ty = syn::parse_quote_spanned!(elem.span()=>
            #krate::Allocator<#elem, #index, #chunk>
        );
    }

    let members: Vec<&Member> = arena.pools.iter().map(|p| &p.member).collect();
    let has_impls = arena
        .pools
        .iter()
        .zip(chunks)
        .zip(dispatch)
        .filter(|(_, d)| **d)
        .map(|((pool, chunk), _)| {
            let elem = pool.elem;
            let member = &pool.member;
            let chunk = *chunk as usize;
            quote! {
                #[automatically_derived]
                impl #impl_generics #krate::ArenaHas<#elem> for #self_ty #where_clause {
                    type Index = #index;
                    type Pool = #krate::Allocator<#elem, #index, #chunk>;
                    #[inline]
                    fn pool_mut(&mut self) -> &mut Self::Pool {
                        #krate::Allocator::break_cycles(&mut self.#member);
                        &mut self.#member
                    }
                }
            }
        });
    let checks =
        if item.generics.params.is_empty() {
            // Each pool's scope nests the next one's in a closure, so they close
            // in the reverse order of opening (also when `f` panics). The fields
            // are borrowed first, so that the closures capture locals (whatever
            // the user's edition says about capturing fields).
            let fields = (0..arena.pools.len())
                .map(|i| quote::format_ident!("__pool_{}", i))
                .collect::<Vec<_>>();
            let borrows = arena.pools.iter().zip(&fields).map(|(pool, field)| {
                let member = &pool.member;
                quote! { let #field = &mut self.#member; }
            });
            let nested = arena.pools.iter().zip(&fields).rev().fold(
                quote! { f() },
                |inner, (pool, field)| {
                    let elem = pool.elem;
                    quote! {
                        (&#krate::__private::Probe::<#elem, #index>::new())
                            .scope_in(#field, || #inner)
                    }
                },
            );
            let scope = quote! {
                #[automatically_derived]
                impl #krate::PoolScope for #self_ty {
                    #[allow(clippy::needless_borrow, clippy::redundant_closure)]
                    fn scope<__R>(&mut self, f: impl ::core::ops::FnOnce() -> __R) -> __R {
                        #[allow(unused_imports)]
                        use #krate::__private::{ScopeArenaAlloc as _, ScopeNone as _};
                        #(#borrows)*
                        #nested
                    }
                }
            };
            let checks = arena.pools.iter().map(|pool| {
                let elem = pool.elem;
                quote_spanned! {elem.span()=>
                    (&#krate::__private::Probe::<#elem, #index>::new()).check_index().same();
                }
            });
            quote! {
                #[doc(hidden)]
                const _: () = {
                    #[allow(dead_code, clippy::needless_borrow)]
                    fn __arena_index_checks() {
                        #[allow(unused_imports)]
                        use #krate::__private::{CheckArenaIndex as _, CheckNoArenaIndex as _};
                        #(#checks)*
                    }
                };
                #scope
            }
        } else {
            TokenStream::new()
        };
    let new_doc = format!("An empty `{ident}`: no memory is allocated until the first allocation.");
    let t = quote!(__T);
    let has = quote!(#krate::ArenaHas<#t, Index = #index>);
    let pool = quote!(<Self as #krate::ArenaHas<#t>>::pool_mut(self));
    quote! {
        #rewritten

        #[automatically_derived]
        #[allow(dead_code)]
        impl #impl_generics #self_ty #where_clause {
            #[doc = #new_doc]
            #[must_use]
            #vis fn new() -> Self {
                Self { #(#members: #krate::Allocator::new(),)* }
            }

            /// Allocates `value` in the pool of its type.
            #[inline]
            #[track_caller]
            #vis fn alloc<#t>(&mut self, value: #t) -> #krate::ArcSingle<#t, #index>
            where
                Self: #has,
            {
                #krate::Pool::alloc_value(#pool, value)
            }

            /// Allocates the items of `iter`, as one slice, in the pool of
            /// their type.
            #[inline]
            #[track_caller]
            #vis fn alloc_from_iter<#t, __I>(&mut self, iter: __I) -> #krate::ArcSlice<#t, #index>
            where
                Self: #has,
                __I: ::core::iter::IntoIterator<Item = #t>,
            {
                #krate::Pool::alloc_from_iter(#pool, iter)
            }

            /// Allocates a copy of `src` in the pool of its element type.
            #[inline]
            #[track_caller]
            #vis fn alloc_slice_copy<#t>(&mut self, src: &[#t]) -> #krate::ArcSlice<#t, #index>
            where
                Self: #has,
                #t: ::core::marker::Copy,
            {
                #krate::Pool::alloc_slice_copy(#pool, src)
            }

            /// Allocates clones of `src` in the pool of its element type.
            #[inline]
            #[track_caller]
            #vis fn alloc_slice_clone<#t>(&mut self, src: &[#t]) -> #krate::ArcSlice<#t, #index>
            where
                Self: #has,
                #t: ::core::clone::Clone,
            {
                #krate::Pool::alloc_slice_clone(#pool, src)
            }

            /// The pool of `T` (also reachable as a field).
            #[inline]
            #vis fn pool<#t>(&mut self) -> &mut <Self as #krate::ArenaHas<#t>>::Pool
            where
                Self: #has,
            {
                #pool
            }

            /// Sets (or with `None` removes) the allocation limit of the
            /// struct as a whole: its pools together may hold at most `limit`
            /// bytes of chunks (see `Allocator::set_allocation_limit`; each
            /// pool may also have a limit of its own).
            #vis fn set_allocation_limit(&mut self, limit: ::core::option::Option<usize>) {
                #krate::__private::set_arena_limit(
                    &mut [#(&mut self.#members as &mut dyn #krate::__private::ArenaMember),*],
                    limit,
                )
            }

            /// The allocation limit of the struct as a whole.
            #vis fn allocation_limit(&self) -> ::core::option::Option<usize> {
                #krate::__private::arena_limit(
                    &[#(&self.#members as &dyn #krate::__private::ArenaMember),*],
                )
            }

            /// The bytes of chunk memory the struct's pools hold together,
            /// which its limit bounds.
            #vis fn allocated_bytes(&self) -> usize {
                #krate::__private::arena_held_bytes(
                    &[#(&self.#members as &dyn #krate::__private::ArenaMember),*],
                )
            }

            /// Allocates `value` in the pool of its type, or returns an
            /// error if the chunk it needs cannot be made (a limit, or the
            /// global allocator): see `Allocator::alloc_value_checked`.
            #[inline]
            #vis fn alloc_checked<#t>(
                &mut self,
                value: #t,
            ) -> ::core::result::Result<#krate::ArcSingle<#t, #index>, #krate::AllocError>
            where
                Self: #has,
            {
                #krate::Pool::alloc_value_checked(#pool, value)
            }

            /// Allocates a copy of `src` in the pool of its element type, or
            /// returns an error if the chunk it needs cannot be made.
            #[inline]
            #[track_caller]
            #vis fn alloc_slice_copy_checked<#t>(
                &mut self,
                src: &[#t],
            ) -> ::core::result::Result<#krate::ArcSlice<#t, #index>, #krate::AllocError>
            where
                Self: #has,
                #t: ::core::marker::Copy,
            {
                #krate::Pool::alloc_slice_copy_checked(#pool, src)
            }

            /// Allocates clones of `src` in the pool of its element type, or
            /// returns an error if the chunk it needs cannot be made.
            #[inline]
            #[track_caller]
            #vis fn alloc_slice_clone_checked<#t>(
                &mut self,
                src: &[#t],
            ) -> ::core::result::Result<#krate::ArcSlice<#t, #index>, #krate::AllocError>
            where
                Self: #has,
                #t: ::core::clone::Clone,
            {
                #krate::Pool::alloc_slice_clone_checked(#pool, src)
            }
        }

        #[automatically_derived]
        impl #impl_generics ::core::default::Default for #self_ty #where_clause {
            fn default() -> Self {
                Self::new()
            }
        }

        #(#has_impls)*
        #checks
    }
}

#[cfg(test)]
mod tests {
    use quote::quote;

    /// With `crate = ".."`, no generated code names `arena_arc`: a framework
    /// that re-exports it under another name needs nothing else.
    #[test]
    fn crate_path_replaces_arena_arc_everywhere() {
        let input: syn::DeriveInput = syn::parse_quote! {
            #[arena(crate = "my_framework::arena", chunk = 64)]
            enum Expr {
                Num(f64),
                Add(ArcSingle<Expr>, ArcSingle<Expr>),
                Call { name: ArcSlice<u8>, args: ArcSlice<Expr> },
            }
        };
        let derived = super::derive(&input).to_string();
        assert!(derived.contains("my_framework :: arena :: __private"));
        assert!(!derived.contains("arena_arc"), "{derived}");

        let generic: syn::DeriveInput = syn::parse_quote! {
            #[arena(crate = "my_framework::arena")]
            struct Pair<T> { a: T, b: ArcSingle<T> }
        };
        let derived = super::derive(&generic).to_string();
        assert!(!derived.contains("arena_arc"), "{derived}");

        for item in [
            quote!(
                struct Ast {
                    exprs: Expr,
                    #[arena(chunk = 8)]
                    text: u8,
                }
            ),
            quote!(
                struct Pools<U> {
                    items: U,
                }
            ),
        ] {
            let expanded = super::arena(
                quote!(crate = "my_framework::arena", index = u64),
                syn::parse2(item).unwrap(),
            )
            .to_string();
            assert!(expanded.contains("my_framework :: arena :: Allocator"));
            assert!(!expanded.contains("arena_arc"), "{expanded}");
        }
    }
}
