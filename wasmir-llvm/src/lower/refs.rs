//! Reference values and tables in LLVM IR.
//!
//! `externref` is `ptr addrspace(10)` and `funcref` `ptr addrspace(20)`, the types the wasm32
//! target gives wasm's references. They are only ever made and used through the target's
//! intrinsics (`llvm.wasm.ref.null.*`, `llvm.wasm.ref.is_null.*`, `llvm.wasm.table.*`): LLVM 22
//! cannot select a null constant of these types, so none is ever built.
//!
//! Each WasmIR table is an LLVM global `__wasmir.table.<index>` of type
//! `[0 x ptr addrspace(N)]` in address space 1, which the target turns into a wasm table; the
//! link replaces it by the module's table (see [`crate::link`]). `call_indirect` through the
//! indirect table (the first table of `funcref`, in a wasm32 module) is a call through `inttoptr`
//! of the index, which the target emits as
//! `call_indirect` on `__indirect_function_table` with the callee's type: the engine checks the
//! bounds, null and the signature, as wasm does. Through another table it is `table.get` and a
//! call of the `funcref`, which the target makes a `call_indirect` through its one-element
//! `__funcref_call_table`, with the same checks.
//!
//! Two things LLVM 22 has no direct form for go through scratch tables the generated code alone
//! uses: `ref.func` (inline assembly writes `ref.func f` into `__wasmir.ref_func`, `table.get`
//! reads it back) and `select` of references, which the target miscompiles (it cannot select
//! `select_cc` of references, and encodes `select` untyped): after LLVM's passes,
//! [`finish_references`] rewrites every such `select` into two `table.set`s into
//! `__wasmir.select.<type>` and a `table.get` at the chosen index. Each use writes and reads its
//! scratch table in a row, with no call in between, so the uses never see each other's values.
use super::{Decls, Lower, WASM_GLOBAL_SPACE, bug, fn_type, llvm_type};
use crate::Error::{self, Unsupported};
use crate::items::{Items, OTHER_BACKENDS, Table, ValType};
use inkwell::builder::Builder;
use inkwell::context::Context as LlContext;
use inkwell::intrinsics::Intrinsic;
use inkwell::module::{Linkage, Module as LlModule};
use inkwell::types::{AnyType, AnyTypeEnum, BasicType, BasicTypeEnum};
use inkwell::values::{AsValueRef, BasicMetadataValueEnum, BasicValue, BasicValueEnum, GlobalValue, InstructionOpcode, InstructionValue, IntValue, PointerValue};
use inkwell::{AddressSpace, GlobalVisibility, IntPredicate};
use wasmir::{AttrData, Op};
use wasmir_native::Trap;

/// LLVM's address space for `externref` values.
pub const EXTERNREF_SPACE: u16 = 10;
/// LLVM's address space for `funcref` values.
pub const FUNCREF_SPACE: u16 = 20;

/// The table the wasm32 target calls a `funcref` through. The target refers to it without
/// defining it, and LLVM 22 then fails to write the object ("undefined table symbol cannot be
/// weak"), so the module defines it; not internal, or LLVM's passes would delete it as unused
/// before the target uses it.
const FUNCREF_CALL_TABLE: &str = "__funcref_call_table";

/// The elements of each scratch table; the link gives the tables this size.
pub const SCRATCH_SIZE: u64 = 2;

/// The scratch table of `ref.func`.
const REF_FUNC_SCRATCH: &str = "__wasmir.ref_func";

/// The scratch table of `select` of a reference type.
fn select_scratch(kind: ValType) -> &'static str {
    if kind == ValType::FuncRef { "__wasmir.select.funcref" } else { "__wasmir.select.externref" }
}

/// The symbols of the scratch tables (see the module documentation).
pub fn scratch_symbols() -> [&'static str; 3] {
    [REF_FUNC_SCRATCH, select_scratch(ValType::FuncRef), select_scratch(ValType::ExternRef)]
}

/// The reference type of an LLVM type, when it is one.
fn ref_kind(t: AnyTypeEnum<'_>) -> Option<ValType> {
    let AnyTypeEnum::PointerType(p) = t else { return None };
    let space = p.get_address_space();
    if space == AddressSpace::from(EXTERNREF_SPACE) {
        Some(ValType::ExternRef)
    } else if space == AddressSpace::from(FUNCREF_SPACE) {
        Some(ValType::FuncRef)
    } else {
        None
    }
}

/// The suffix of the intrinsics for a reference type: `llvm.wasm.table.get.<suffix>`.
fn suffix(kind: ValType) -> &'static str {
    if kind == ValType::FuncRef { "funcref" } else { "externref" }
}

/// The table global `symbol` holding `kind`, made on first use. Hidden (not internal), so that
/// wasm-ld can export it by name for the link to find.
fn table_global<'ll>(ll: &'ll LlContext, m: &LlModule<'ll>, symbol: &str, kind: ValType) -> GlobalValue<'ll> {
    if let Some(g) = m.get_global(symbol) {
        return g;
    }
    let ty = llvm_type(ll, kind).array_type(0);
    let g = m.add_global(ty, Some(AddressSpace::from(WASM_GLOBAL_SPACE)), symbol);
    // Undefined contents: the table starts empty, and LLVM cannot write null references.
    g.set_initializer(&ty.get_undef());
    g.set_linkage(Linkage::External);
    g.set_visibility(GlobalVisibility::Hidden);
    g
}

/// Calls the non-overloaded intrinsic `name`.
fn call_intrinsic<'ll>(m: &LlModule<'ll>, builder: &Builder<'ll>, name: &str, args: &[BasicValueEnum<'ll>]) -> Result<Option<BasicValueEnum<'ll>>, Error> {
    let f = Intrinsic::find(name).and_then(|i| i.get_declaration(m, &[])).ok_or_else(|| format!("internal error: LLVM has no intrinsic `{name}`"))?;
    let args: Vec<BasicMetadataValueEnum> = args.iter().map(|&a| a.into()).collect();
    Ok(builder.build_call(f, &args, "").map_err(bug)?.try_as_basic_value().basic())
}

/// Functions named by element segments must reach the linked module with their own index, even
/// when no code calls them: they become hidden (visible to wasm-ld, never exported), and their
/// addresses go into `llvm.used` (`lower::keep_used`), which wasm-ld keeps.
pub(super) fn elem_functions<'ll>(items: &Items, decls: &Decls<'ll>) -> Vec<PointerValue<'ll>> {
    let mut used = Vec::new();
    for f in items.functions.iter().filter(|f| items.in_elems(&f.name)) {
        let fv = decls.functions[&f.name];
        if f.import.is_none() && f.export.is_none() {
            fv.set_linkage(Linkage::External);
            fv.as_global_value().set_visibility(GlobalVisibility::Hidden);
        }
        used.push(fv.as_global_value().as_pointer_value());
    }
    used
}

/// After LLVM's passes, before the object is written: every `select` of references becomes
/// table operations on the scratch table (the wasm32 target of LLVM 22 crashes on some and
/// encodes the others without their type), and a null reference constant, which the target
/// cannot select either, is reported instead of crashing LLVM.
pub fn finish_references<'ll>(ll: &'ll LlContext, m: &LlModule<'ll>) -> Result<(), Error> {
    let builder = ll.create_builder();
    let mut f = m.get_first_function();
    while let Some(func) = f {
        f = func.get_next_function();
        for bb in func.get_basic_blocks() {
            let mut next = bb.get_first_instruction();
            while let Some(i) = next {
                next = i.get_next_instruction();
                check_no_null_ref(i, func.get_name().to_string_lossy().as_ref())?;
                if i.get_opcode() == InstructionOpcode::Select
                    && let Some(kind) = ref_kind(i.get_type())
                {
                    builder.position_before(&i);
                    expand_select(ll, m, &builder, i, kind)?;
                }
            }
        }
    }
    Ok(())
}

/// `select c, x, y` of references: `x` and `y` into the scratch table, then the element at
/// `c ? 0 : 1`.
fn expand_select<'ll>(ll: &'ll LlContext, m: &LlModule<'ll>, builder: &Builder<'ll>, i: InstructionValue<'ll>, kind: ValType) -> Result<(), Error> {
    let operand = |k| match i.get_operand(k) {
        Some(inkwell::values::Operand::Value(v)) => Ok(v),
        _ => Err(bug("a select without its operands")),
    };
    let (c, x, y) = (operand(0)?, operand(1)?, operand(2)?);
    let BasicValueEnum::IntValue(c) = c else { return Err(bug("a select of references on a vector condition")) };
    let scratch = table_global(ll, m, select_scratch(kind), kind).as_pointer_value().into();
    let i32t = ll.i32_type();
    let set = format!("llvm.wasm.table.set.{}", suffix(kind));
    call_intrinsic(m, builder, &set, &[scratch, i32t.const_zero().into(), x])?;
    call_intrinsic(m, builder, &set, &[scratch, i32t.const_int(1, false).into(), y])?;
    let index = builder.build_select(c, i32t.const_zero(), i32t.const_int(1, false), "").map_err(bug)?;
    let r = call_intrinsic(m, builder, &format!("llvm.wasm.table.get.{}", suffix(kind)), &[scratch, index])?.ok_or_else(|| bug("table.get without its result"))?;
    let r = r.as_instruction_value().ok_or_else(|| bug("table.get is not an instruction"))?;
    i.replace_all_uses_with(&r);
    i.erase_from_basic_block();
    Ok(())
}

/// Refuses an instruction with a null `ptr addrspace(10|20)` operand.
fn check_no_null_ref(i: InstructionValue<'_>, function: &str) -> Result<(), Error> {
    use inkwell::llvm_sys::core::{LLVMGetNumOperands, LLVMGetOperand, LLVMGetPointerAddressSpace, LLVMGetTypeKind, LLVMIsAConstantPointerNull, LLVMTypeOf};
    use inkwell::llvm_sys::LLVMTypeKind;
    let v = i.as_value_ref();
    // Plain reads of the instruction's operands, through the C API (some operands, such as
    // metadata, have no inkwell value type).
    let found = unsafe {
        (0..LLVMGetNumOperands(v).max(0) as u32).any(|k| {
            let o = LLVMGetOperand(v, k);
            if o.is_null() || LLVMIsAConstantPointerNull(o).is_null() {
                return false;
            }
            let t = LLVMTypeOf(o);
            LLVMGetTypeKind(t) == LLVMTypeKind::LLVMPointerTypeKind && matches!(LLVMGetPointerAddressSpace(t), 10 | 20)
        })
    };
    if found {
        return Err(format!("internal error: @{function}: LLVM's passes left a null reference constant, which LLVM 22's wasm32 target cannot compile; {OTHER_BACKENDS}").into());
    }
    Ok(())
}

impl<'ll> Lower<'ll, '_> {
    /// The zero of a local's type: null for references (through the intrinsic, as LLVM cannot
    /// compile a null reference constant).
    pub(super) fn zero(&self, ty: BasicTypeEnum<'ll>) -> Result<BasicValueEnum<'ll>, Error> {
        match ref_kind(ty.as_any_type_enum()) {
            Some(kind) => self.ref_null(kind),
            None => Ok(ty.const_zero()),
        }
    }

    fn ref_null(&self, kind: ValType) -> Result<BasicValueEnum<'ll>, Error> {
        let name = if kind == ValType::FuncRef { "llvm.wasm.ref.null.func" } else { "llvm.wasm.ref.null.extern" };
        self.call1(name, &[], &[])
    }

    /// The reference type of a WasmIR value.
    fn kind_of(&self, v: wasmir::Value) -> Result<ValType, Error> {
        ValType::of(self.ctx, self.b.value_type(v)).map_err(|e| Unsupported(format!("@{}: {e}; {OTHER_BACKENDS}", self.name)))
    }

    /// The table an op names by `key`, with its index.
    fn table_named(&self, op: Op, key: &str) -> Result<(usize, &Table), Error> {
        let name = match self.attr_of(op, key) {
            Some(AttrData::SymbolRef(p)) => self.ctx.str(p[0]).to_string(),
            _ => return Err(format!("@{}: a table op without its table", self.name).into()),
        };
        self.items.table(&name).ok_or_else(|| Error::Failed(format!("@{}: @{name} is not a table the llvm backend lowers", self.name)))
    }

    /// The table an op names by `key`: its LLVM global and its element type.
    fn table_of(&self, op: Op, key: &str) -> Result<(GlobalValue<'ll>, ValType), Error> {
        let (index, table) = self.table_named(op, key)?;
        Ok((table_global(self.ll, self.m, &Table::symbol(index), table.elem), table.elem))
    }

    /// Table ops, reference ops and `call_indirect`; `false` when `name` is none of them.
    pub(super) fn reference_op(&mut self, op: Op, name: &str) -> Result<bool, Error> {
        let b = self.b;
        let arg = |i: usize| self.get(b.operand(op, i));
        let v = match name {
            "wasm.ref.null" => Some(self.ref_null(self.kind_of(b.result(op, 0))?)?),
            "wasm.ref.is_null" => {
                let kind = self.kind_of(b.operand(op, 0))?;
                let f = if kind == ValType::FuncRef { "llvm.wasm.ref.is_null.func" } else { "llvm.wasm.ref.is_null.extern" };
                Some(self.call1(f, &[], &[arg(0)?])?)
            }
            "wasm.ref.func" => Some(self.ref_func(op)?),
            "wasm.table.get" => {
                let (t, elem) = self.table_of(op, "table")?;
                let t = t.as_pointer_value().into();
                // The engine traps on an index out of bounds, but LLVM deletes a `table.get`
                // whose result is unused: the check is made explicit.
                let index = self.int(b.operand(op, 0))?;
                let size = self.call1("llvm.wasm.table.size", &[], &[t])?.into_int_value();
                let out = self.builder.build_int_compare(IntPredicate::UGE, index, size, "").map_err(bug)?;
                self.trap_if(out, Trap::OutOfBounds)?;
                Some(self.call1(&format!("llvm.wasm.table.get.{}", suffix(elem)), &[], &[t, index.into()])?)
            }
            "wasm.table.set" => {
                let (t, elem) = self.table_of(op, "table")?;
                let f = format!("llvm.wasm.table.set.{}", suffix(elem));
                self.call(self.intrinsic(&f, &[])?, &[t.as_pointer_value().into(), arg(0)?, arg(1)?])?;
                None
            }
            "wasm.table.size" => {
                let (t, _) = self.table_of(op, "table")?;
                Some(self.call1("llvm.wasm.table.size", &[], &[t.as_pointer_value().into()])?)
            }
            "wasm.table.grow" => {
                let (t, elem) = self.table_of(op, "table")?;
                let f = format!("llvm.wasm.table.grow.{}", suffix(elem));
                Some(self.call1(&f, &[], &[t.as_pointer_value().into(), arg(0)?, arg(1)?])?)
            }
            "wasm.table.fill" => {
                let (t, elem) = self.table_of(op, "table")?;
                let f = format!("llvm.wasm.table.fill.{}", suffix(elem));
                self.call(self.intrinsic(&f, &[])?, &[t.as_pointer_value().into(), arg(0)?, arg(1)?, arg(2)?])?;
                None
            }
            "wasm.table.copy" => {
                let (dst, _) = self.table_of(op, "dst")?;
                let (src, _) = self.table_of(op, "src")?;
                let f = self.intrinsic("llvm.wasm.table.copy", &[])?;
                self.call(f, &[dst.as_pointer_value().into(), src.as_pointer_value().into(), arg(0)?, arg(1)?, arg(2)?])?;
                None
            }
            "wasm.call_indirect" => {
                self.call_indirect(op)?;
                None
            }
            _ => return Ok(false),
        };
        if let Some(v) = v {
            self.set(op, v);
        }
        Ok(true)
    }

    /// `wasm.ref.func @f`: inline assembly writes `ref.func f` into the scratch table, from
    /// which `table.get` reads it (LLVM 22 has no other way to name a function as a `funcref`;
    /// the function is an operand of the assembly, so LLVM keeps it and its signature).
    fn ref_func(&mut self, op: Op) -> Result<BasicValueEnum<'ll>, Error> {
        let f = match self.attr_of(op, "function") {
            Some(AttrData::SymbolRef(p)) => self.ctx.str(p[0]).to_string(),
            _ => return Err(format!("@{}: a `wasm.ref.func` without its function", self.name).into()),
        };
        crate::items::check_assembler_name(&f).map_err(|e| Unsupported(format!("`wasm.ref.func @{f:?}` (in @{}): {e}; {OTHER_BACKENDS}", self.name)))?;
        let fv = *self.decls.functions.get(&f).ok_or_else(|| format!("@{}: @{f} is not a function the llvm backend lowers", self.name))?;
        let scratch = table_global(self.ll, self.m, REF_FUNC_SCRATCH, ValType::FuncRef).as_pointer_value();
        let ptr = self.ll.ptr_type(AddressSpace::default());
        let table_ptr = self.ll.ptr_type(AddressSpace::from(WASM_GLOBAL_SPACE));
        let asm_ty = self.ll.void_type().fn_type(&[ptr.into(), table_ptr.into()], false);
        let asm = self.ll.create_inline_asm(asm_ty, "i32.const 0\nref.func $0\ntable.set $1".into(), "s,s".into(), true, false, None, false);
        self.builder.build_indirect_call(asm_ty, asm, &[fv.as_global_value().as_pointer_value().into(), scratch.into()], "").map_err(bug)?;
        self.call1("llvm.wasm.table.get.funcref", &[], &[scratch.into(), self.ll.i32_type().const_zero().into()])
    }

    /// `wasm.call_indirect`: through the indirect table, a call of `inttoptr` of the index;
    /// through another, a call of the `funcref` `table.get` reads. Either way the engine checks
    /// the bounds, null and the signature, and traps as wasm does. Several results come back as
    /// one struct, as from a direct call.
    fn call_indirect(&mut self, op: Op) -> Result<(), Error> {
        let b = self.b;
        if self.attr_of(op, "typedef").is_some() {
            return Err(Unsupported(format!("`wasm.call_indirect` (in @{}) with a `typedef` (a GC type's identity) is not supported by the llvm backend; {OTHER_BACKENDS}", self.name)));
        }
        let Some(AttrData::Type(fty)) = self.attr_of(op, "type") else { return Err(format!("@{}: a `wasm.call_indirect` without its type", self.name).into()) };
        let wasmir::TypeData::Function { params, results } = self.ctx.type_data(*fty) else { return Err(format!("@{}: a `wasm.call_indirect` whose type is not a function type", self.name).into()) };
        let at = |e: String| Unsupported(format!("@{}: {e}; {OTHER_BACKENDS}", self.name));
        let params = params.iter().map(|&t| ValType::of(self.ctx, t)).collect::<Result<Vec<_>, _>>().map_err(at)?;
        let results = results.iter().map(|&t| ValType::of(self.ctx, t)).collect::<Result<Vec<_>, _>>().map_err(at)?;
        let fnty = fn_type(self.ll, &params, &results);
        let index: IntValue<'ll> = self.int(b.operand(op, 0))?;
        let callee = if self.table_named(op, "table")?.1.indirect {
            // The call goes through the target's own table, which the link makes this one. The
            // index passes through an empty inline assembly (a `local.get`/`local.set`) that LLVM
            // cannot see through: InstSimplify takes a call of a null pointer for undefined
            // behaviour and its result for poison, whatever `null_pointer_is_valid` says, and
            // index 0 is an ordinary table slot.
            let it = index.get_type();
            let asm_ty = it.fn_type(&[it.into()], false);
            let asm = self.ll.create_inline_asm(asm_ty, "local.get $1\nlocal.set $0".into(), "=r,r".into(), false, false, None, false);
            let opaque = self.builder.build_indirect_call(asm_ty, asm, &[index.into()], "").map_err(bug)?;
            let index = opaque.try_as_basic_value().basic().ok_or_else(|| bug("an inline assembly without its result"))?.into_int_value();
            self.builder.build_int_to_ptr(index, self.ll.ptr_type(AddressSpace::default()), "").map_err(bug)?
        } else {
            table_global(self.ll, self.m, FUNCREF_CALL_TABLE, ValType::FuncRef);
            let (t, _) = self.table_of(op, "table")?;
            self.call1("llvm.wasm.table.get.funcref", &[], &[t.as_pointer_value().into(), index.into()])?.into_pointer_value()
        };
        let args: Vec<BasicMetadataValueEnum> = b.operands(op).skip(1).map(|v| self.get(v).map(Into::into)).collect::<Result<_, _>>()?;
        let r = self.builder.build_indirect_call(fnty, callee, &args, "").map_err(bug)?.try_as_basic_value().basic();
        self.set_results(op, r)
    }
}

