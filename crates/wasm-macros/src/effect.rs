//! `#[wasm::effect(...)]`.
//!
//! The attribute lists effects in WasmIR's vocabulary, written as WasmIR writes them but without
//! quotes: `#[wasm::effect(reads(mem), trap)]`. The function is left as it is, with one item added
//! at the start of its body: a static `__WASMIR_EFFECTS` holding `<name>\0<effect>,<effect>\0`.
//! Inside the body, its path is the function's own path plus `::__WASMIR_EFFECTS`, which is how
//! the frontend finds a function's declaration in rustc's MIR (`rustc-wasmir` reads the static's
//! byte string and sets the `func.func`'s `effects = [...]`, which `--effect-check` verifies:
//! `rustc-frontend/src/lower/func/contracts.rs`); on wasm targets it is also
//! placed in the custom section `wasmir.effects` and kept (`#[used]`), so the declarations of a
//! linked module can be read from its binary.
use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Error, Ident, ItemFn, LitByteStr, Result, Token};

include!("../../wasm/src/effect/names.rs");

/// The custom section the records go to on wasm targets.
pub const SECTION: &str = "wasmir.effects";

/// One effect as written: `trap` or `reads(mem)`.
struct EffectName {
    text: String,
    span: Span,
}

impl Parse for EffectName {
    fn parse(input: ParseStream) -> Result<Self> {
        let head: Ident = input.call(syn::ext::IdentExt::parse_any)?;
        let mut span = head.span();
        let mut text = head.to_string();
        if input.peek(syn::token::Paren) {
            let content;
            let parens = syn::parenthesized!(content in input);
            let inner: Ident = content.call(syn::ext::IdentExt::parse_any)?;
            if !content.is_empty() {
                return Err(content.error("an effect has one argument: `reads(mem)`"));
            }
            text = format!("{text}({inner})");
            span = head.span().join(parens.span.close()).unwrap_or(span);
        }
        Ok(EffectName { text, span })
    }
}

/// The effects a name from another vocabulary most likely means, for the error message.
fn suggestion(name: &str) -> Option<&'static str> {
    Some(match name {
        "js_call" | "host" | "import" | "io" | "ffi" => "host_call",
        "atomic_read" | "atomic_load" => "atomic, reads(mem)",
        "atomic_write" | "atomic_store" => "atomic, writes(mem)",
        "panic" | "panics" | "abort" => "trap",
        "reads" | "read" | "memory_read" | "reads_mem" => "reads(mem)",
        "writes" | "write" | "memory_write" | "writes_mem" => "writes(mem)",
        "allocates" | "allocate" | "gc" => "alloc",
        "throw" | "exception" => "throws",
        "any" | "all" | "indirect_call" => "unknown",
        "none" => "pure",
        _ => return None,
    })
}

/// The validated list: each name in the vocabulary, none twice, `pure` only alone.
fn effect_names(attr: TokenStream) -> Result<Vec<String>> {
    let names =
        syn::parse::Parser::parse2(Punctuated::<EffectName, Token![,]>::parse_terminated, attr)?;
    let mut seen: Vec<&EffectName> = Vec::new();
    for name in &names {
        if name.text != "pure" && !EFFECT_NAMES.contains(&name.text.as_str()) {
            let mut message = format!("unknown effect `{}`", name.text);
            if let Some(meant) = suggestion(&name.text) {
                message.push_str(&format!(" (did you mean `{meant}`?)"));
            }
            message.push_str(&format!(
                "; the effects are: pure, {}",
                EFFECT_NAMES.join(", ")
            ));
            return Err(Error::new(name.span, message));
        }
        if let Some(first) = seen.iter().find(|n| n.text == name.text) {
            let mut error = Error::new(name.span, format!("effect `{}` listed twice", name.text));
            error.combine(Error::new(first.span, "first listed here"));
            return Err(error);
        }
        seen.push(name);
    }
    if let Some(pure) = names.iter().find(|n| n.text == "pure") {
        if names.len() > 1 {
            return Err(Error::new(
                pure.span,
                "`pure` means no effect and cannot be combined with other effects",
            ));
        }
        return Ok(Vec::new());
    }
    // WasmIR's order, so equal sets are recorded identically.
    Ok(EFFECT_NAMES
        .iter()
        .filter(|e| names.iter().any(|n| n.text == **e))
        .map(|e| e.to_string())
        .collect())
}

/// The record: `<function name>\0<effect>,<effect>\0`.
pub fn record(function: &str, effects: &[String]) -> Vec<u8> {
    let mut bytes =
        Vec::with_capacity(function.len() + 2 + effects.iter().map(|e| e.len() + 1).sum::<usize>());
    bytes.extend_from_slice(function.as_bytes());
    bytes.push(0);
    bytes.extend_from_slice(effects.join(",").as_bytes());
    bytes.push(0);
    bytes
}

pub fn expand(attr: TokenStream, item: TokenStream) -> Result<TokenStream> {
    let effects = effect_names(attr)?;
    let mut function: ItemFn = syn::parse2(item).map_err(|e| {
        Error::new(
            e.span(),
            "#[wasm::effect] applies to a function with a body",
        )
    })?;
    let name = function.sig.ident.to_string();
    let bytes = record(name.strip_prefix("r#").unwrap_or(&name), &effects);
    let len = bytes.len();
    let literal = LitByteStr::new(&bytes, Span::call_site());
    let declaration: syn::Stmt = syn::parse_quote! {
        #[allow(dead_code, non_upper_case_globals)]
        #[cfg_attr(target_family = "wasm", unsafe(link_section = #SECTION), used)]
        static __WASMIR_EFFECTS: [u8; #len] = *#literal;
    };
    function.block.stmts.insert(0, declaration);
    Ok(quote!(#function))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expand_text(attr: &str, item: &str) -> std::result::Result<String, String> {
        let attr: TokenStream = attr.parse().unwrap();
        let item: TokenStream = item.parse().unwrap();
        expand(attr, item)
            .map(|t| t.to_string())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn records_the_set_in_wasmir_order() {
        let out = expand_text("trap, reads(mem), unknown", "fn f() -> u32 { 1 }").unwrap();
        assert!(out.contains(r#"b"f\0reads(mem),trap,unknown\0""#), "{out}");
        assert!(out.contains("wasmir.effects"), "{out}");
        let out = expand_text("pure", "pub fn g(x: u8) -> u8 { x }").unwrap();
        assert!(out.contains(r#"b"g\0\0""#), "{out}");
        assert!(out.contains("[u8 ; 3usize]"), "{out}");
    }

    #[test]
    fn refuses_what_wasmir_would_not_accept() {
        let unknown = expand_text("js_call, atomic_read", "fn f() {}").unwrap_err();
        assert!(
            unknown.starts_with("unknown effect `js_call` (did you mean `host_call`?)"),
            "{unknown}"
        );
        assert!(unknown.contains("reads(mem), writes(mem)"), "{unknown}");
        let twice = expand_text("trap, trap", "fn f() {}").unwrap_err();
        assert_eq!(twice, "effect `trap` listed twice");
        let pure = expand_text("pure, alloc", "fn f() {}").unwrap_err();
        assert!(pure.starts_with("`pure` means no effect"), "{pure}");
        assert!(expand_text("reads(mem, table)", "fn f() {}").is_err());
        assert!(
            expand_text("trap", "struct S;")
                .unwrap_err()
                .contains("applies to a function")
        );
    }

    #[test]
    fn record_layout() {
        assert_eq!(
            record("f", &["trap".into(), "alloc".into()]),
            b"f\0trap,alloc\0"
        );
        assert_eq!(record("f", &[]), b"f\0\0");
    }
}
