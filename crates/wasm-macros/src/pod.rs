//! `#[derive(Pod)]`.
use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Error, Result};

pub fn expand(input: TokenStream) -> Result<TokenStream> {
    let input: DeriveInput = syn::parse2(input)?;
    let name = &input.ident;
    let fields = match &input.data {
        Data::Struct(data) => &data.fields,
        Data::Enum(data) => {
            return Err(Error::new(
                data.enum_token.span,
                "Pod cannot be derived for an enum: not every bit pattern is a valid discriminant",
            ));
        }
        Data::Union(data) => {
            return Err(Error::new(
                data.union_token.span,
                "Pod cannot be derived for a union: its padding depends on the variant; implement `wasm::Pod` by hand (unsafe)",
            ));
        }
    };
    if !input.generics.params.is_empty() {
        return Err(Error::new(
            input.generics.span(),
            "Pod cannot be derived for a generic type: whether it has padding depends on the type arguments; implement `wasm::Pod` by hand (unsafe) for each instantiation",
        ));
    }
    check_repr(&input)?;

    let field_checks = fields.iter().map(|field| {
        let ty = &field.ty;
        quote_spanned! {ty.span()=> assert_field_is_pod::<#ty>(); }
    });
    let field_sizes = fields.iter().map(|field| {
        let ty = &field.ty;
        quote! { + ::core::mem::size_of::<#ty>() }
    });
    let padding_message = format!(
        "`{name}` has padding (its size is not the sum of its fields' sizes), so it cannot be Pod: reorder the fields or add explicit padding fields"
    );
    let padding_check = quote_spanned! {name.span()=>
        assert!(::core::mem::size_of::<#name>() == 0 #(#field_sizes)*, #padding_message);
    };
    Ok(quote! {
        const _: () = {
            fn assert_field_is_pod<T: ::wasm::Pod>() {}
            #[allow(dead_code)]
            fn fields_are_pod() {
                #(#field_checks)*
            }
            #padding_check
        };
        // SAFETY: checked above at compile time: `repr(C)`/`repr(transparent)` (fields laid out
        // as declared), every field `Pod`, and no padding (the size is the sum of the fields').
        unsafe impl ::wasm::Pod for #name {}
    })
}

/// Pod needs a layout fixed by the language: `repr(C)` or `repr(transparent)`.
fn check_repr(input: &DeriveInput) -> Result<()> {
    let mut fixed = false;
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("repr")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("C") || meta.path.is_ident("transparent") {
                fixed = true;
            }
            // `packed`, `align(N)`: their effect on padding is caught by the size check.
            if meta.input.peek(syn::token::Paren) {
                let _content;
                syn::parenthesized!(_content in meta.input);
            }
            Ok(())
        })?;
    }
    if fixed {
        return Ok(());
    }
    Err(Error::new(
        input.ident.span(),
        "Pod requires `#[repr(C)]` or `#[repr(transparent)]`: Rust's default layout may reorder fields and is not stable",
    ))
}
