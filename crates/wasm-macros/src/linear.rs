//! `#[wasm::linear]`.
use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::punctuated::Punctuated;
use syn::{Error, Fields, ItemStruct, Path, Result, Token};

const MUST_USE: &str =
    "a linear value must be consumed: pass it to a method that takes it by value";

pub fn expand(attr: TokenStream, item: TokenStream) -> Result<TokenStream> {
    if !attr.is_empty() {
        return Err(Error::new_spanned(
            attr,
            "#[wasm::linear] takes no arguments",
        ));
    }
    let mut item: ItemStruct = syn::parse2(item.clone()).map_err(|_| {
        Error::new_spanned(
            first_token(&item),
            "#[wasm::linear] applies to a struct (wrap an enum in a struct to make it linear)",
        )
    })?;
    refuse_copy_and_clone_derives(&item)?;
    if !item.attrs.iter().any(|a| a.path().is_ident("must_use")) {
        item.attrs.push(syn::parse_quote!(#[must_use = #MUST_USE]));
    }

    let name = &item.ident;
    let (impl_generics, type_generics, where_clause) = item.generics.split_for_impl();
    let (field_types, field_reads) = fields_of(&item.fields);
    // A hand-written `impl Clone` escapes the derive check; for a type without generics, make it
    // a compile error at the type's name (a trait implemented twice for `Clone` types becomes
    // ambiguous). A generic type can only be checked per instantiation, which the macro cannot
    // see: for those, only the derive check applies.
    let not_clone = item.generics.params.is_empty().then(|| {
        quote_spanned! {name.span()=>
            const _: () = {
                trait LinearTypesCannotImplementClone<Marker> {
                    fn check() {}
                }
                impl<T: ?Sized> LinearTypesCannotImplementClone<()> for T {}
                struct IsClone;
                impl<T: ?Sized + ::core::clone::Clone> LinearTypesCannotImplementClone<IsClone> for T {}
                let _ = <#name as LinearTypesCannotImplementClone<_>>::check;
            };
        }
    });

    Ok(quote! {
        #item

        // SAFETY: not `Copy`/`Clone` (derives refused above; a hand-written `Clone` impl of a
        // non-generic type fails the check below), and consumed through `into_fields` or
        // reported when dropped.
        unsafe impl #impl_generics ::wasm::Linear for #name #type_generics #where_clause {}

        impl #impl_generics ::core::ops::Drop for #name #type_generics #where_clause {
            fn drop(&mut self) {
                ::wasm::linear::dropped_implicitly(::core::any::type_name::<Self>());
            }
        }

        impl #impl_generics #name #type_generics #where_clause {
            /// Consumes the value and gives its fields back, in declaration order, without the
            /// implicit-drop report: the way a consuming method ends.
            #[allow(dead_code, unused_variables, unused_unsafe, clippy::unused_unit)]
            #[inline]
            fn into_fields(self) -> (#(#field_types,)*) {
                let this = ::core::mem::ManuallyDrop::new(self);
                // SAFETY: each field is read exactly once and `this` is never dropped, so every
                // field ends up owned exactly once, by the tuple. `read_unaligned` also serves
                // packed structs.
                unsafe { (#(::core::ptr::read_unaligned(&raw const (*this).#field_reads),)*) }
            }
        }

        #not_clone
    })
}

/// A linear type cannot be `Copy` (used twice implicitly) or `Clone` (duplicated explicitly).
fn refuse_copy_and_clone_derives(item: &ItemStruct) -> Result<()> {
    for attr in item.attrs.iter().filter(|a| a.path().is_ident("derive")) {
        let derived = attr.parse_args_with(Punctuated::<Path, Token![,]>::parse_terminated)?;
        for path in derived {
            let Some(last) = path.segments.last() else {
                continue;
            };
            if last.ident == "Copy" || last.ident == "Clone" {
                return Err(Error::new_spanned(
                    &path,
                    format!(
                        "a linear type cannot derive `{}`: its values must be used exactly once, and a copy would be a second use",
                        last.ident
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// The field types and the expressions naming the fields (`a`, `0`), in declaration order.
fn fields_of(fields: &Fields) -> (Vec<&syn::Type>, Vec<TokenStream>) {
    fields
        .iter()
        .enumerate()
        .map(|(i, field)| {
            let member = match &field.ident {
                Some(ident) => quote!(#ident),
                None => {
                    let index = syn::Index::from(i);
                    quote!(#index)
                }
            };
            (&field.ty, member)
        })
        .unzip()
}

/// The first token of an item, for errors about the item as a whole.
fn first_token(item: &TokenStream) -> TokenStream {
    item.clone().into_iter().take(1).collect()
}
