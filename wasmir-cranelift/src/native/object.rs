//! Relocatable objects for the host with cranelift-object: the functions and entry points of
//! [`super`]'s ABI, and the data an embedder needs to instantiate the module.
use cranelift_module::{DataDescription, Linkage, Module as _};
use cranelift_object::{ObjectBuilder, ObjectModule};
use wasmir::{Context, Module};

/// Compiles `module` to a relocatable object for the host (ELF on Linux).
pub fn emit(ctx: &Context, module: &Module) -> Result<Vec<u8>, String> {
    let isa = super::host_isa(true)?;
    let program = super::compile(ctx, module, isa.as_ref())?;
    let builder = ObjectBuilder::new(isa, "wasmir", cranelift_module::default_libcall_names()).map_err(|e| format!("internal error: Cranelift: {e}"))?;
    let mut m = ObjectModule::new(builder);
    super::define(&mut m, &program)?;

    for (name, bytes) in program.image.object_data() {
        let id = m.declare_data(name, Linkage::Export, false, false).map_err(|e| format!("internal error: Cranelift: {e}"))?;
        let mut d = DataDescription::new();
        d.set_align(8);
        d.define(bytes.into_boxed_slice());
        m.define_data(id, &d).map_err(|e| format!("internal error: Cranelift: {e}"))?;
    }
    m.finish().emit().map_err(|e| format!("cannot write the object: {e}"))
}

#[cfg(test)]
mod tests {
    use object::{Object, ObjectSymbol};

    #[test]
    fn object_has_the_abi_symbols() {
        let mut ctx = wasmir::Context::new();
        let text = "wasm.memory @mem min 1\n\
                    func.func @add(%a: i32, %b: i32) -> i32 export \"add\" {\n\
                    %s = wasm.i32.add %a, %b\n\
                    func.return %s : i32\n\
                    }\n";
        let module = wasmir::parse(&mut ctx, text, Default::default()).expect("parses");
        let bytes = super::emit(&ctx, &module).expect("compiles");
        let file = object::File::parse(&*bytes).expect("a valid object");
        let names: Vec<&str> = file.symbols().filter_map(|s| s.name().ok()).collect();
        for want in ["wasmir_func_add", "wasmir_entry_add", "wasmir_start", "wasmir_layout", "wasmir_globals_init", "wasmir_segments"] {
            assert!(names.contains(&want), "{want} missing from {names:?}");
        }
        let entry = file.symbols().find(|s| s.name() == Ok("wasmir_entry_add")).expect("entry");
        assert!(entry.is_global() && entry.is_definition());
    }
}
