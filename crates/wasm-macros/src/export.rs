//! `#[wasm::export]`.
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Error, FnArg, ItemFn, LitStr, Result, ReturnType};

pub fn expand(attr: TokenStream, item: TokenStream) -> Result<TokenStream> {
    let function: ItemFn = syn::parse2(item)?;
    let export_name = export_name(attr, &function)?;
    let signature = &function.sig;
    if let Some(asyncness) = &signature.asyncness {
        return Err(Error::new(
            asyncness.span,
            "an async function cannot be exported: wasm exports are synchronous",
        ));
    }
    if !signature.generics.params.is_empty() {
        return Err(Error::new(
            signature.generics.span(),
            "a generic function cannot be exported: an export has one signature; export a wrapper for each instantiation",
        ));
    }
    if let Some(variadic) = &signature.variadic {
        return Err(Error::new(
            variadic.span(),
            "a variadic function cannot be exported",
        ));
    }
    if let Some(unsafety) = &signature.unsafety {
        return Err(Error::new(
            unsafety.span,
            "an unsafe function cannot be exported: the host cannot uphold its safety conditions",
        ));
    }

    let mut parameters = Vec::new();
    let mut checks = Vec::new();
    for (i, input) in signature.inputs.iter().enumerate() {
        let FnArg::Typed(typed) = input else {
            return Err(Error::new(
                input.span(),
                "a method cannot be exported: #[wasm::export] applies to free functions",
            ));
        };
        let ty = &typed.ty;
        parameters.push((format_ident!("arg{}", i), ty));
        checks.push(quote_spanned! {ty.span()=> crosses_the_wasm_abi::<#ty>(); });
    }
    let result = match &signature.output {
        ReturnType::Default => None,
        ReturnType::Type(_, ty) => {
            checks.push(quote_spanned! {ty.span()=> crosses_the_wasm_abi::<#ty>(); });
            Some(quote!(-> #ty))
        }
    };
    let function_name = &signature.ident;
    let names = parameters.iter().map(|(name, _)| name);
    let declarations = parameters.iter().map(|(name, ty)| quote!(#name: #ty));

    Ok(quote! {
        #function

        const _: () = {
            fn crosses_the_wasm_abi<T: ::wasm::abi::WasmAbi>() {}
            #[allow(dead_code)]
            fn signature_crosses_the_wasm_abi() {
                #(#checks)*
            }

            // The entry point the host calls: the C ABI passes each `WasmAbi` type as one wasm
            // value, and `export_name` makes it an export of the module.
            #[unsafe(export_name = #export_name)]
            extern "C" fn wasm_export_shim(#(#declarations),*) #result {
                #function_name(#(#names),*)
            }
        };
    })
}

/// `name = "..."`, or the function's own name.
fn export_name(attr: TokenStream, function: &ItemFn) -> Result<LitStr> {
    if attr.is_empty() {
        let name = function.sig.ident.to_string();
        let name = name.strip_prefix("r#").unwrap_or(&name).to_owned();
        return Ok(LitStr::new(&name, function.sig.ident.span()));
    }
    let mut name = None;
    let parser = syn::meta::parser(|meta| {
        if meta.path.is_ident("name") {
            let value: LitStr = meta.value()?.parse()?;
            if value.value().is_empty() || value.value().contains('\0') {
                return Err(Error::new(
                    value.span(),
                    "an export name is a non-empty string without NUL",
                ));
            }
            name = Some(value);
            Ok(())
        } else {
            Err(meta.error("#[wasm::export] takes only `name = \"...\"`"))
        }
    });
    syn::parse::Parser::parse2(parser, attr)?;
    name.ok_or_else(|| {
        Error::new(
            Span::call_site(),
            "#[wasm::export(name = \"...\")] needs a name",
        )
    })
}
