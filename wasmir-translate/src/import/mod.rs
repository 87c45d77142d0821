//! wasm binary → WasmIR.
use crate::TranslateError;
use wasmir::{Context, Module};

pub fn import(_ctx: &mut Context, _bytes: &[u8]) -> Result<Module, TranslateError> {
    Err(TranslateError { message: "importer under construction".into(), offset: None })
}
