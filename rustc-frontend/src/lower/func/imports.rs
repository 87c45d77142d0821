//! Calls to the functions of the crate's `extern "C" { … }` blocks: wasm imports.
//!
//! Each is declared once, `func.func private @MODULE.NAME(…) import "MODULE" "NAME"`, with the
//! wasm signature its call's argument and result types give (scalars only, an `ExternRef` among
//! them: the host passes references in and out). Its effects are declared `["trap",
//! "host_call"]`: calling the host is what `host_call` means, and a host function may fail; the
//! frontend trusts it not to call back into the module (which `unknown`, WasmIR's default for an
//! import without a declaration, would allow), so that a function declared
//! `#[wasm::effect(host_call, trap)]` may call it and one declared `pure` may not.
use super::*;
use wasmir::effects::Effects;

impl FnLower<'_, '_, '_> {
    /// A call to an import of the crate (`bare`, a single name): lowered, or `false` when it is
    /// not one.
    pub(super) fn import_call(
        &mut self,
        bare: &str,
        dest: Place,
        args: &[Operand],
        target: Option<Block>,
    ) -> R<bool> {
        if self.inst.krate != Krate::User {
            return Ok(false);
        }
        let Some(import) = self
            .sh
            .items
            .imports
            .iter()
            .find(|i| i.fn_name == bare)
            .cloned()
        else {
            return Ok(false);
        };
        let mut params = Vec::new();
        for a in args {
            params.push(self.operand_ty(a)?);
        }
        let ret = self.operand_ty(&Operand::Copy(dest))?;
        let csig = sig_of(self.sh, &params, ret, self.span)?;
        let scalars = |t: Ty, sh: &mut Shared| {
            layout(sh, t, None).is_ok_and(|l| l.is_zst() || reg_scalar(&l).is_some())
        };
        if csig.sret || !params.iter().all(|&t| scalars(t, self.sh)) {
            return self.err(format!(
                "a call to the import `{bare}` passing or returning an aggregate (imports take and give scalars and `ExternRef`s)"
            ));
        }
        let symbol = format!("{}.{}", import.module, import.fn_name);
        self.declare_import(&symbol, &import, &csig);
        let mut vals = Vec::new();
        for (a, p) in args.iter().zip(&csig.params) {
            if p.is_some() {
                self.pass_arg(a, &mut vals)?;
            }
        }
        let dplace = self.place(dest)?.0;
        self.finish_call(&symbol, &vals, &csig, dplace, target);
        Ok(true)
    }

    /// The import's declaration at the module's end, unless the module has it.
    fn declare_import(&mut self, symbol: &str, import: &Import, csig: &Sig) {
        let (mbody, mblock) = self
            .module
            .module_block()
            .expect("the module has its block");
        let body = &self.module.bodies[mbody];
        let declared = body.block_ops(mblock).any(|op| {
            self.ctx
                .dict_get(body.op(op).attrs, "sym_name")
                .and_then(|a| self.ctx.attr_bytes(a))
                == Some(symbol.as_bytes())
        });
        if declared {
            return;
        }
        let params: Vec<Type> = csig
            .params
            .iter()
            .flatten()
            .map(|&s| wasm_ty(self.ctx, s))
            .collect();
        let results: Vec<Type> = csig.result.iter().map(|&s| wasm_ty(self.ctx, s)).collect();
        let fty = self.ctx.function_type(&params, &results);
        let names = [
            self.ctx.string_attr(&import.module),
            self.ctx.string_attr(&import.fn_name),
        ];
        let from = self.ctx.attr(wasmir::ir::AttrData::Array(
            names.to_vec().into_boxed_slice(),
        ));
        let effects = (Effects::TRAP | Effects::HOST_CALL).to_attr(self.ctx);
        let loc = self.b().loc;
        let mut b = Builder::at_module_end(self.ctx, self.module);
        b.loc = loc;
        b.func_decl(symbol, fty, &[("import", from), ("effects", effects)]);
    }
}
