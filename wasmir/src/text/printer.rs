//! The printer: canonical text, custom form where the op has one, generic form otherwise (or
//! everywhere with `generic`). Iterative: an explicit task stack, never recursion on nesting.
use super::parser::is_generated_block_name;
use crate::dialect::{OpDef, Syntax, Traits, TypeConstraint};
use crate::ir::*;
use cranelift_entity::SecondaryMap;
use rustc_hash::{FxHashMap, FxHashSet};
use smallvec::SmallVec;
use std::fmt::Write;

/// Appends the decimal digits of `n` (what `write!(out, "{n}")` prints, without `fmt`).
fn push_u32(out: &mut String, mut n: u32) {
    let mut buf = [0u8; 10];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.push_str(std::str::from_utf8(&buf[i..]).expect("ASCII digits"));
}

#[derive(Clone, Copy, Default)]
pub struct PrintOptions {
    /// Print every op in generic form.
    pub generic: bool,
    /// Print `loc(…)` after each op whose location is known.
    pub debuginfo: bool,
}

#[derive(Clone, Copy, Default)]
enum VName {
    #[default]
    None,
    Num(u32),
    Named(Ident, u32),
    GroupNum(u32, u32),
    GroupNamed(Ident, u32, u32),
}

/// Printed names of one body's values and blocks.
#[derive(Default, Clone)]
struct Names {
    values: SecondaryMap<Value, VName>,
    blocks: SecondaryMap<Block, (Option<Ident>, u32)>,
}

/// Indentation stops growing after 64 levels of nesting.
const MAX_INDENT: usize = 2 * 64;

pub struct Printer<'a> {
    ctx: &'a Context,
    module: &'a Module,
    opts: PrintOptions,
    out: String,
    names: SecondaryMap<BodyId, Option<Box<Names>>>,
}

enum Task {
    Ops { body: BodyId, next: Option<Op>, indent: usize },
    Blocks { body: BodyId, region: Region, next: Option<Block>, indent: usize, owner: OpRef, first: bool },
    AfterRegion { op: OpRef, idx: usize, indent: usize },
}

/// Prints `module`.
pub fn print_module(ctx: &Context, module: &Module, opts: PrintOptions) -> String {
    let mut p = Printer { ctx, module, opts, out: String::new(), names: SecondaryMap::new() };
    p.print_op_tree(module.module_op(), 0);
    p.out
}

impl<'a> Printer<'a> {
    fn names(&mut self, body: BodyId) -> &Names {
        if self.names[body].is_none() {
            let n = compute_names(self.ctx, self.module, body);
            self.names[body] = Some(Box::new(n));
        }
        self.names[body].as_deref().expect("just computed")
    }

    fn print_op_tree(&mut self, root: OpRef, indent: usize) {
        let mut stack: Vec<Task> = Vec::new();
        self.print_op(root, indent, &mut stack);
        while let Some(t) = stack.pop() {
            match t {
                Task::Ops { body, next, indent } => {
                    let Some(op) = next else { continue };
                    stack.push(Task::Ops { body, next: self.module.body(body).next_op(op), indent });
                    self.print_op(OpRef { body, op }, indent, &mut stack);
                }
                Task::Blocks { body, region, next, indent, owner, first } => {
                    let Some(b) = next else { continue };
                    let bd = self.module.body(body);
                    stack.push(Task::Blocks { body, region, next: bd.next_block(b), indent, owner, first: false });
                    let label = if first { self.entry_label(owner, region, b) } else { Some(true) };
                    if let Some(with_args) = label {
                        self.print_block_label(body, b, indent.saturating_sub(2), with_args);
                    }
                    stack.push(Task::Ops { body, next: self.module.body(body).first_op(b), indent });
                }
                Task::AfterRegion { op, idx, indent } => {
                    self.indent(indent);
                    self.out.push('}');
                    let generic = self.is_generic(op);
                    let regions = self.module.body(op.body).regions(op.op);
                    if idx + 1 < regions.len() {
                        if generic {
                            self.out.push_str(", {\n");
                        } else {
                            let kw = self.def(op).and_then(|d| d.region_keywords.get(idx)).copied();
                            if let Some(kw) = kw {
                                self.out.push(' ');
                                self.out.push_str(kw);
                            }
                            self.out.push_str(" {\n");
                        }
                        self.push_region(op, idx + 1, indent, &mut stack);
                    } else {
                        if generic {
                            self.out.push(')');
                            self.generic_tail(op);
                        }
                        self.print_loc(op);
                        self.out.push('\n');
                        // An isolated op's body is printed exactly once: free its names now, so
                        // the next body reuses the memory.
                        let rb = self.module.regions_body(op);
                        if rb != op.body {
                            self.names[rb] = None;
                        }
                    }
                }
            }
        }
    }

    fn push_region(&mut self, op: OpRef, idx: usize, indent: usize, stack: &mut Vec<Task>) {
        let rb = self.module.regions_body(op);
        let r = self.module.body(op.body).regions(op.op)[idx];
        stack.push(Task::AfterRegion { op, idx, indent });
        let first = self.module.body(rb).first_block(r);
        stack.push(Task::Blocks { body: rb, region: r, next: first, indent: indent + 2, owner: op, first: true });
    }

    fn indent(&mut self, n: usize) {
        // Capped, so deeply nested regions print in space linear in their size.
        const SPACES: [u8; MAX_INDENT] = [b' '; MAX_INDENT];
        self.out.push_str(std::str::from_utf8(&SPACES[..n.min(MAX_INDENT)]).expect("ASCII spaces"));
    }

    fn def(&self, op: OpRef) -> Option<&'static OpDef> {
        self.ctx.op_def(self.module.body(op.body).opcode(op.op))
    }

    fn is_generic(&self, op: OpRef) -> bool {
        self.opts.generic || !self.def(op).is_some_and(|d| d.syntax != Syntax::GenericOnly && custom_fits(self.ctx, self.module, op, d))
    }

    /// Whether the entry block `b` of `region` needs its label: `None` if not, `Some(with_args)`
    /// if so (a function's custom form gives the entry arguments in its signature).
    fn entry_label(&self, owner: OpRef, region: Region, b: Block) -> Option<bool> {
        let body = self.module.body(self.module.regions_body(owner));
        let generic = self.is_generic(owner);
        let def = self.def(owner);
        let is_first_region = self.module.body(owner.body).regions(owner.op).first() == Some(&region);
        let sig_args = !generic && def.is_some_and(|d| d.syntax == Syntax::Function) && is_first_region;
        // A branch to the entry block (invalid, but printable) needs the label to refer to.
        let targeted = || {
            body.region_blocks(region)
                .flat_map(|blk| body.block_ops(blk))
                .any(|op| body.successors(op).iter().any(|&s| body.succ_block(s) == b))
        };
        // An empty entry block followed by others needs its label, or the next label would
        // start the region.
        let empty_before_others = body.first_op(b).is_none() && body.next_block(b).is_some();
        if !body.block_args(b).is_empty() {
            return if !sig_args {
                Some(true)
            } else if empty_before_others || targeted() {
                Some(false)
            } else {
                None
            };
        }
        if empty_before_others || targeted() {
            return Some(true);
        }
        if body.first_op(b).is_none() && body.next_block(b).is_none() {
            // An empty region prints as `{}`; a region holding one empty block needs its label,
            // unless the op's custom form always has that block.
            let implicit = !generic && (sig_args || def.is_some_and(|d| d.has(Traits::NO_TERMINATOR)));
            return (!implicit).then_some(true);
        }
        None
    }

    fn print_block_label(&mut self, body: BodyId, b: Block, indent: usize, with_args: bool) {
        self.indent(indent);
        self.write_block(body, b);
        let args: Vec<Value> = if with_args { self.module.body(body).block_args(b).to_vec() } else { Vec::new() };
        if !args.is_empty() {
            self.out.push('(');
            for (i, a) in args.iter().enumerate() {
                if i > 0 {
                    self.out.push_str(", ");
                }
                self.write_value(body, *a);
                self.out.push_str(": ");
                let t = self.module.body(body).value_type(*a);
                write_type(self.ctx, t, &mut self.out);
                self.write_opt_loc(self.module.body(body).arg_loc(*a));
            }
            self.out.push(')');
        }
        self.out.push_str(":\n");
    }

    fn write_block(&mut self, body: BodyId, b: Block) {
        let (name, n) = self.names(body).blocks[b];
        self.out.push('^');
        match name {
            Some(id) if n == 0 => self.out.push_str(self.ctx.str(id)),
            Some(id) => {
                let _ = write!(self.out, "{}_{n}", self.ctx.str(id));
            }
            None => {
                self.out.push_str("bb");
                push_u32(&mut self.out, n);
            }
        }
    }

    fn write_value(&mut self, body: BodyId, v: Value) {
        let vn = self.names(body).values[v];
        self.out.push('%');
        let ctx = self.ctx;
        // Hot: one call per operand and result, so no `fmt` machinery for the common names.
        let out = &mut self.out;
        match vn {
            VName::None => {
                let _ = write!(out, "<<unknown {v}>>");
            }
            VName::Num(n) => push_u32(out, n),
            VName::Named(id, 0) => out.push_str(ctx.str(id)),
            VName::Named(id, s) => {
                out.push_str(ctx.str(id));
                out.push('_');
                push_u32(out, s);
            }
            VName::GroupNum(n, i) => {
                push_u32(out, n);
                out.push('#');
                push_u32(out, i);
            }
            VName::GroupNamed(id, 0, i) => {
                out.push_str(ctx.str(id));
                out.push('#');
                push_u32(out, i);
            }
            VName::GroupNamed(id, s, i) => {
                out.push_str(ctx.str(id));
                out.push('_');
                push_u32(out, s);
                out.push('#');
                push_u32(out, i);
            }
        }
    }

    fn write_values(&mut self, body: BodyId, vals: impl Iterator<Item = Value>) {
        for (i, v) in vals.enumerate() {
            if i > 0 {
                self.out.push_str(", ");
            }
            self.write_value(body, v);
        }
    }

    fn write_results(&mut self, op: OpRef) {
        let b = self.module.body(op.body);
        let n = b.num_results(op.op);
        if n == 0 {
            return;
        }
        let first = b.result(op.op, 0);
        match self.names(op.body).values[first] {
            VName::GroupNum(k, _) => {
                let _ = write!(self.out, "%{k}:{n}");
            }
            VName::GroupNamed(id, s, _) => {
                let name = self.ctx.str(id);
                let _ = if s == 0 { write!(self.out, "%{name}:{n}") } else { write!(self.out, "%{name}_{s}:{n}") };
            }
            _ => self.write_values(op.body, b.results(op.op)),
        }
        self.out.push_str(" = ");
    }

    fn print_op(&mut self, op: OpRef, indent: usize, stack: &mut Vec<Task>) {
        self.indent(indent);
        self.write_results(op);
        let generic = self.is_generic(op);
        let has_regions = !self.module.body(op.body).regions(op.op).is_empty();
        if generic {
            self.generic_head(op);
            if has_regions {
                self.out.push_str(" ({\n");
                self.push_region(op, 0, indent, stack);
                return;
            }
            self.generic_tail(op);
        } else {
            let def = self.def(op).expect("custom form implies a definition");
            self.custom(op, def);
            let nonempty = self.custom_region_count(op, def);
            if nonempty > 0 {
                self.out.push_str(" {\n");
                self.push_region(op, 0, indent, stack);
                return;
            }
        }
        self.print_loc(op);
        self.out.push('\n');
    }

    /// Regions the custom form prints (a function declaration prints none).
    fn custom_region_count(&self, op: OpRef, def: &OpDef) -> usize {
        let b = self.module.body(op.body);
        let regions = b.regions(op.op);
        if def.syntax == Syntax::Function {
            let rb = self.module.body(self.module.regions_body(op));
            if regions.iter().all(|&r| rb.first_block(r).is_none()) {
                return 0;
            }
        }
        regions.len()
    }

    fn generic_head(&mut self, op: OpRef) {
        let b = self.module.body(op.body);
        let name = self.ctx.op_name(b.opcode(op.op));
        write_string(name, &mut self.out);
        self.out.push('(');
        let operands: Vec<Value> = b.operands(op.op).collect();
        self.write_values(op.body, operands.into_iter());
        self.out.push(')');
        let succs: Vec<Succ> = b.successors(op.op).to_vec();
        if !succs.is_empty() {
            self.out.push('[');
            for (i, s) in succs.iter().enumerate() {
                if i > 0 {
                    self.out.push_str(", ");
                }
                self.write_succ(op.body, *s);
            }
            self.out.push(']');
        }
    }

    fn generic_tail(&mut self, op: OpRef) {
        let b = self.module.body(op.body);
        let attrs = b.op(op.op).attrs;
        if !self.ctx.dict_entries(attrs).is_empty() {
            self.out.push(' ');
            write_attr(self.ctx, attrs, &mut self.out);
        }
        self.out.push_str(" : (");
        let ops: Vec<Type> = b.operands(op.op).map(|v| b.value_type(v)).collect();
        write_type_list(self.ctx, &ops, &mut self.out);
        self.out.push_str(") -> ");
        let res: Vec<Type> = b.results(op.op).map(|v| b.value_type(v)).collect();
        write_result_types(self.ctx, &res, &mut self.out);
    }

    fn write_succ(&mut self, body: BodyId, s: Succ) {
        let b = self.module.body(body);
        let blk = b.succ_block(s);
        let args: Vec<Value> = b.succ_args(s).collect();
        self.write_block(body, blk);
        if !args.is_empty() {
            self.out.push('(');
            self.write_values(body, args.into_iter());
            self.out.push(')');
        }
    }

    fn print_loc(&mut self, op: OpRef) {
        let loc = self.module.body(op.body).op(op.op).loc;
        self.write_opt_loc(Some(loc));
    }

    /// ` loc(…)` with --print-debuginfo, when the location is known.
    fn write_opt_loc(&mut self, loc: Option<Loc>) {
        let Some(loc) = loc.filter(|&l| self.opts.debuginfo && l != self.ctx.unknown_loc()) else { return };
        self.out.push_str(" loc(");
        write_loc(self.ctx, loc, &mut self.out);
        self.out.push(')');
    }

    /// Writes the custom form of `op` up to (not including) its regions.
    fn custom(&mut self, op: OpRef, def: &'static OpDef) {
        let ctx = self.ctx;
        let b = self.module.body(op.body);
        let data = b.op(op.op);
        self.out.push_str(def.printed_name());
        let owned: &[&str] = owned_attrs(def.syntax);
        match def.syntax {
            Syntax::GenericOnly => unreachable!("generic-only ops are printed generically"),
            Syntax::FixedOperands | Syntax::VariadicOperands | Syntax::TypeVarOperands => {
                let operands: SmallVec<[Value; 4]> = b.operands(op.op).collect();
                if !operands.is_empty() {
                    self.out.push(' ');
                    self.write_values(op.body, operands.iter().copied());
                }
                self.extra_attrs(data.attrs, owned);
                let b = self.module.body(op.body);
                if def.syntax == Syntax::VariadicOperands && !operands.is_empty() {
                    self.out.push_str(" : ");
                    let tys: Vec<Type> = operands.iter().map(|&v| b.value_type(v)).collect();
                    write_type_list(ctx, &tys, &mut self.out);
                } else if def.syntax == Syntax::TypeVarOperands {
                    let t = type_var(def, b, op.op);
                    self.out.push_str(" : ");
                    write_type(ctx, t, &mut self.out);
                }
            }
            Syntax::Constant => {
                self.out.push(' ');
                let v = ctx.dict_get(data.attrs, "value").expect("custom_fits checked");
                write_literal(ctx, v, &mut self.out);
                self.extra_attrs(data.attrs, owned);
            }
            Syntax::Call => {
                self.out.push(' ');
                let callee = ctx.dict_get(data.attrs, "callee").expect("custom_fits checked");
                write_attr(ctx, callee, &mut self.out);
                self.out.push('(');
                let operands: Vec<Value> = b.operands(op.op).collect();
                self.write_values(op.body, operands.iter().copied());
                self.out.push(')');
                self.extra_attrs(data.attrs, owned);
                let b = self.module.body(op.body);
                let params: Vec<Type> = operands.iter().map(|&v| b.value_type(v)).collect();
                let results: Vec<Type> = b.results(op.op).map(|v| b.value_type(v)).collect();
                self.out.push_str(" : (");
                write_type_list(ctx, &params, &mut self.out);
                self.out.push_str(") -> ");
                write_result_types(ctx, &results, &mut self.out);
            }
            Syntax::Branch | Syntax::CondBranch => {
                let operands: Vec<Value> = b.operands(op.op).collect();
                let succs: Vec<Succ> = b.successors(op.op).to_vec();
                self.out.push(' ');
                self.write_values(op.body, operands.iter().copied());
                for (i, s) in succs.iter().enumerate() {
                    if i > 0 || !operands.is_empty() {
                        self.out.push_str(", ");
                    }
                    self.write_succ(op.body, *s);
                }
                self.extra_attrs(data.attrs, owned);
            }
            Syntax::Switch => {
                let flag = b.operand(op.op, 0);
                let succs: Vec<Succ> = b.successors(op.op).to_vec();
                let cases = ctx.dict_get(data.attrs, "case_values").expect("custom_fits checked");
                let AttrData::Array(cases) = ctx.attr_data(cases) else { unreachable!("custom_fits checked") };
                self.out.push(' ');
                self.write_value(op.body, flag);
                self.out.push_str(", [");
                for (i, s) in succs.iter().enumerate() {
                    if i == 0 {
                        self.out.push_str("default: ");
                    } else {
                        self.out.push_str(", ");
                        write_literal(ctx, cases[i - 1], &mut self.out);
                        self.out.push_str(": ");
                    }
                    self.write_succ(op.body, *s);
                }
                self.out.push(']');
                self.extra_attrs(data.attrs, owned);
                self.out.push_str(" : ");
                let b = self.module.body(op.body);
                write_type(ctx, b.value_type(flag), &mut self.out);
            }
            Syntax::Function => {
                if let Some(v) = ctx.dict_get(data.attrs, "sym_visibility") {
                    if let AttrData::String(s) = ctx.attr_data(v) {
                        let _ = write!(self.out, " {}", ctx.str(*s));
                    }
                }
                self.out.push(' ');
                let name = ctx.dict_get(data.attrs, "sym_name").expect("custom_fits checked");
                let AttrData::String(name) = ctx.attr_data(name) else { unreachable!() };
                write_symbol(ctx.str(*name), &mut self.out);
                let fty = ctx.dict_get(data.attrs, "function_type").expect("custom_fits checked");
                let AttrData::Type(fty) = ctx.attr_data(fty) else { unreachable!() };
                let TypeData::Function { params, results } = ctx.type_data(*fty) else { unreachable!() };
                self.out.push('(');
                let rb = self.module.regions_body(op);
                let entry = b.regions(op.op).first().and_then(|&r| self.module.body(rb).first_block(r));
                match entry {
                    Some(e) => {
                        let args: Vec<Value> = self.module.body(rb).block_args(e).to_vec();
                        for (i, a) in args.iter().enumerate() {
                            if i > 0 {
                                self.out.push_str(", ");
                            }
                            self.write_value(rb, *a);
                            self.out.push_str(": ");
                            write_type(ctx, self.module.body(rb).value_type(*a), &mut self.out);
                            self.write_opt_loc(self.module.body(rb).arg_loc(*a));
                        }
                    }
                    None => write_type_list(ctx, params, &mut self.out),
                }
                self.out.push(')');
                if !results.is_empty() {
                    self.out.push_str(" -> ");
                    if results.len() == 1 && !matches!(ctx.type_data(results[0]), TypeData::Function { .. }) {
                        write_type(ctx, results[0], &mut self.out);
                    } else {
                        self.out.push('(');
                        write_type_list(ctx, results, &mut self.out);
                        self.out.push(')');
                    }
                }
                if let Some(e) = ctx.dict_get(data.attrs, "export") {
                    if let AttrData::String(s) = ctx.attr_data(e) {
                        self.out.push_str(" export ");
                        write_string(ctx.str(*s), &mut self.out);
                    }
                }
                if let Some(AttrData::Array(v)) = ctx.dict_get(data.attrs, "import").map(|a| ctx.attr_data(a)) {
                    self.out.push_str(" import");
                    for &x in v.iter() {
                        self.out.push(' ');
                        write_attr(ctx, x, &mut self.out);
                    }
                }
                self.extra_attrs(data.attrs, owned);
            }
            Syntax::Keyword => self.keyword_form(op, def),
            Syntax::SymbolRegion => {
                if let Some(n) = ctx.dict_get(data.attrs, "sym_name") {
                    if let AttrData::String(s) = ctx.attr_data(n) {
                        self.out.push(' ');
                        write_symbol(ctx.str(*s), &mut self.out);
                    }
                }
                self.extra_attrs(data.attrs, owned);
            }
        }
    }

    /// The keyword form (see [`Syntax::Keyword`]); `custom_fits` has checked the shape.
    fn keyword_form(&mut self, op: OpRef, def: &'static OpDef) {
        use crate::dialect::Sig;
        let ctx = self.ctx;
        let b = self.module.body(op.body);
        let attrs = b.op(op.op).attrs;
        for a in def.attrs.iter().filter(|a| a.positional) {
            let Some(v) = ctx.dict_get(attrs, a.name) else { continue };
            self.out.push(' ');
            match ctx.attr_data(v) {
                AttrData::String(s) if a.name == "sym_name" => write_symbol(ctx.str(*s), &mut self.out),
                _ => write_literal(ctx, v, &mut self.out),
            }
        }
        let operands: SmallVec<[Value; 4]> = b.operands(op.op).collect();
        if !operands.is_empty() {
            self.out.push(' ');
            self.write_values(op.body, operands.iter().copied());
        }
        for a in def.attrs.iter().filter(|a| !a.positional) {
            if (a.name == "type" && matches!(def.sig, Sig::TypeAttr | Sig::FuncType)) || (a.name == "fields" && def.sig == Sig::Fields) {
                continue;
            }
            let Some(v) = ctx.dict_get(attrs, a.name) else { continue };
            self.out.push(' ');
            self.out.push_str(a.name);
            match ctx.attr_data(v) {
                AttrData::Unit => {}
                AttrData::Array(items) => {
                    for &i in items.iter() {
                        self.out.push(' ');
                        write_literal(ctx, i, &mut self.out);
                    }
                }
                AttrData::Type(t) => {
                    self.out.push(' ');
                    write_type(ctx, *t, &mut self.out);
                }
                _ => {
                    self.out.push(' ');
                    write_literal(ctx, v, &mut self.out);
                }
            }
        }
        let b = self.module.body(op.body);
        let fixed = def.operands.iter().filter(|d| !d.variadic).count();
        match def.sig {
            Sig::None => {}
            Sig::Var => {
                self.out.push_str(" : ");
                write_type(ctx, type_var(def, b, op.op), &mut self.out);
            }
            Sig::TypeAttr | Sig::FuncType => {
                if let Some(AttrData::Type(t)) = ctx.dict_get(attrs, "type").map(|a| ctx.attr_data(a)) {
                    self.out.push_str(" : ");
                    write_type(ctx, *t, &mut self.out);
                }
            }
            Sig::Variadic => {
                let label = ctx.label_type();
                let tys: Vec<Type> =
                    operands[fixed.min(operands.len())..].iter().map(|&v| b.value_type(v)).filter(|&t| t != label).collect();
                if !tys.is_empty() {
                    self.out.push_str(" : ");
                    write_type_list(ctx, &tys, &mut self.out);
                }
            }
            Sig::Fields => {
                if let Some(AttrData::Array(items)) = ctx.dict_get(attrs, "fields").map(|a| ctx.attr_data(a)) {
                    let tys: Vec<Type> = items.iter().filter_map(|&a| match ctx.attr_data(a) {
                        AttrData::Type(t) => Some(*t),
                        _ => None,
                    }).collect();
                    if !tys.is_empty() {
                        self.out.push_str(" : ");
                        write_type_list(ctx, &tys, &mut self.out);
                    }
                }
            }
            Sig::Results => {
                let tys: Vec<Type> = b.results(op.op).map(|v| b.value_type(v)).collect();
                if !tys.is_empty() {
                    self.out.push_str(" : ");
                    write_type_list(ctx, &tys, &mut self.out);
                }
            }
        }
    }

    /// ` attributes {…}` with the entries the custom form does not spell itself.
    fn extra_attrs(&mut self, dict: Attr, owned: &[&str]) {
        let ctx = self.ctx;
        let extra: Vec<(Ident, Attr)> =
            ctx.dict_entries(dict).iter().copied().filter(|(k, _)| !owned.contains(&ctx.str(*k))).collect();
        if extra.is_empty() {
            return;
        }
        self.out.push_str(" attributes ");
        write_dict_entries(ctx, &extra, &mut self.out);
    }
}

/// The attributes a custom form writes in its own syntax.
fn owned_attrs(s: Syntax) -> &'static [&'static str] {
    match s {
        // Every declared attribute; `keyword_fits` checks there are no others.
        Syntax::Keyword => &[],
        Syntax::Constant => &["value"],
        Syntax::Call => &["callee"],
        Syntax::Switch => &["case_values"],
        Syntax::Function => &["sym_name", "function_type", "sym_visibility", "export", "import"],
        Syntax::SymbolRegion => &["sym_name"],
        _ => &[],
    }
}

/// The type bound to the definition's type variable.
fn type_var(def: &OpDef, b: &Body, op: Op) -> Type {
    let pos = def.operands.iter().position(|o| o.ty == crate::dialect::TypeConstraint::Var);
    match pos {
        Some(i) if i < b.num_operands(op) => b.value_type(b.operand(op, i)),
        _ => b.value_type(b.result(op, 0)),
    }
}

/// Whether `op` has the shape its custom form can print exactly; otherwise the generic form is
/// used, so nothing is ever lost in printing (only invalid IR takes this path).
fn custom_fits(ctx: &Context, module: &Module, op: OpRef, def: &OpDef) -> bool {
    let b = module.body(op.body);
    let data = b.op(op.op);
    let nops = b.num_operands(op.op);
    let nres = b.num_results(op.op);
    let nsucc = b.successors(op.op).len();
    let nreg = b.regions(op.op).len();
    let attr = |k: &str| ctx.dict_get(data.attrs, k);
    let owned = owned_attrs(def.syntax);
    // Only the function and symbol-region forms read `attributes {…}`: in the others, an
    // attribute the syntax does not spell itself needs the generic form.
    let takes_attr_dict = matches!(def.syntax, Syntax::Function | Syntax::SymbolRegion | Syntax::Keyword);
    if !takes_attr_dict && ctx.dict_entries(data.attrs).iter().any(|(k, _)| !owned.contains(&ctx.str(*k))) {
        return false;
    }
    let is_str = |a: Option<Attr>| a.is_some_and(|a| matches!(ctx.attr_data(a), AttrData::String(_)));
    let fixed_results = || {
        def.results.len() == nres
            && def.results.iter().zip(b.results(op.op)).all(|(r, v)| match crate::ir::builder::fixed_type(ctx, r.ty) {
                Some(t) => t == b.value_type(v),
                None => r.ty == crate::dialect::TypeConstraint::Var,
            })
    };
    let no_extra = nsucc == 0 && nreg == 0;
    match def.syntax {
        Syntax::GenericOnly => false,
        Syntax::FixedOperands => {
            no_extra
                && nops == def.operands.len()
                && def.operands.iter().zip(b.operands(op.op)).all(|(d, v)| crate::ir::builder::fixed_type(ctx, d.ty) == Some(b.value_type(v)))
                && fixed_results()
        }
        Syntax::TypeVarOperands => {
            if !(no_extra && nops == def.operands.len() && def.results.len() == nres) {
                return false;
            }
            let t = type_var(def, b, op.op);
            def.operands.iter().zip(b.operands(op.op)).all(|(d, v)| match crate::ir::builder::fixed_type(ctx, d.ty) {
                Some(ft) => ft == b.value_type(v),
                None => b.value_type(v) == t,
            }) && def.results.iter().zip(b.results(op.op)).all(|(d, v)| match crate::ir::builder::fixed_type(ctx, d.ty) {
                Some(ft) => ft == b.value_type(v),
                None => b.value_type(v) == t,
            })
        }
        Syntax::Constant => {
            let Some(v) = attr("value") else { return false };
            no_extra
                && nops == 0
                && fixed_results()
                && match ctx.attr_data(v) {
                    AttrData::Int { ty, .. } | AttrData::Float { ty, .. } => Some(*ty) == b.results(op.op).next().map(|r| b.value_type(r)),
                    _ => false,
                }
        }
        Syntax::VariadicOperands => no_extra && nres == 0,
        Syntax::Call => {
            no_extra
                && attr("callee").is_some_and(|a| matches!(ctx.attr_data(a), AttrData::SymbolRef(p) if p.len() == 1))
        }
        Syntax::Branch => nreg == 0 && nsucc == 1 && nops == 0 && nres == 0,
        Syntax::CondBranch => nreg == 0 && nsucc == 2 && nops == 1 && nres == 0,
        Syntax::Switch => {
            nreg == 0
                && nsucc >= 1
                && nops == 1
                && nres == 0
                && attr("case_values").is_some_and(|a| match ctx.attr_data(a) {
                    AttrData::Array(v) => {
                        v.len() + 1 == nsucc
                            && v.iter().all(|x| matches!(ctx.attr_data(*x), AttrData::Int { ty, .. } if *ty == b.value_type(b.operand(op.op, 0))))
                    }
                    _ => false,
                })
        }
        Syntax::Function => {
            let fty_ok = attr("function_type").is_some_and(|a| matches!(ctx.attr_data(a), AttrData::Type(t) if matches!(ctx.type_data(*t), TypeData::Function { .. })));
            let vis_ok = attr("sym_visibility").is_none_or(|a| matches!(ctx.attr_data(a), AttrData::String(s) if matches!(ctx.str(*s), "private" | "nested")));
            let export_ok = attr("export").is_none_or(|a| is_str(Some(a)));
            let import_ok = attr("import").is_none_or(|a| matches!(ctx.attr_data(a), AttrData::Array(v) if v.len() == 2 && v.iter().all(|&x| is_str(Some(x)))));
            // Entry block arguments are printed as the parameters: they must match the signature.
            let args_ok = fty_ok && {
                let Some(AttrData::Type(t)) = attr("function_type").map(|a| ctx.attr_data(a)) else { return false };
                let TypeData::Function { params, .. } = ctx.type_data(*t) else { return false };
                let rb = module.body(module.regions_body(op));
                match b.regions(op.op).first().and_then(|&r| rb.first_block(r)) {
                    Some(e) => rb.block_args(e).iter().map(|&v| rb.value_type(v)).eq(params.iter().copied()),
                    None => true,
                }
            };
            nops == 0 && nres == 0 && nsucc == 0 && nreg == 1 && is_str(attr("sym_name")) && fty_ok && vis_ok && export_ok && import_ok && args_ok
        }
        Syntax::Keyword => keyword_fits(ctx, b, op.op, def),
        Syntax::SymbolRegion => {
            let rb = module.body(module.regions_body(op));
            nops == 0
                && nres == 0
                && nsucc == 0
                && nreg == 1
                && attr("sym_name").is_none_or(|a| is_str(Some(a)))
                && b.regions(op.op).iter().all(|&r| rb.first_block(r).is_some_and(|e| rb.next_block(e).is_none() && rb.block_args(e).is_empty()))
        }
    }
}

/// Whether the keyword form can print `op` exactly.
fn keyword_fits(ctx: &Context, b: &Body, op: Op, def: &OpDef) -> bool {
    use crate::dialect::{AttrKind, Sig};
    let attrs = b.op(op).attrs;
    let i64t = ctx.i64();
    let int_ok = |a: Attr| matches!(ctx.attr_data(a), AttrData::Int { ty, .. } if *ty == i64t);
    for (k, v) in ctx.dict_entries(attrs) {
        let name = ctx.str(*k);
        let Some(d) = def.attrs.iter().find(|d| d.name == name) else { return false };
        let ok = match (d.kind, ctx.attr_data(*v)) {
            (AttrKind::String, AttrData::String(_)) => true,
            (AttrKind::String, AttrData::Bytes(_)) => !d.positional || name != "sym_name",
            (AttrKind::Int, _) => int_ok(*v),
            (AttrKind::Unit, AttrData::Unit) | (AttrKind::Bool, AttrData::Bool(_)) => true,
            (AttrKind::SymbolRef, AttrData::SymbolRef(p)) => p.len() == 1,
            (AttrKind::Type | AttrKind::FunctionType, AttrData::Type(_)) if name == "type" && matches!(def.sig, Sig::TypeAttr | Sig::FuncType) => true,
            // A keyword's type is one token: a builtin name or a dialect type.
            (AttrKind::Type, AttrData::Type(t)) => !d.positional && !matches!(ctx.type_data(*t), TypeData::Function { .. } | TypeData::Unknown),
            (AttrKind::Array, AttrData::Array(items)) if name == "fields" && def.sig == Sig::Fields => {
                items.iter().all(|&i| matches!(ctx.attr_data(i), AttrData::Type(_)))
            }
            (AttrKind::Array, AttrData::Array(items)) => items.iter().all(|&i| match ctx.attr_data(i) {
                AttrData::String(_) | AttrData::Bytes(_) => true,
                AttrData::SymbolRef(p) => p.len() == 1,
                _ => int_ok(i),
            }),
            _ => false,
        };
        if !ok {
            return false;
        }
    }
    // A required positional attribute that is missing would shift the others.
    if def.attrs.iter().any(|d| d.positional && !d.optional && ctx.dict_get(attrs, d.name).is_none()) {
        return false;
    }
    if !b.successors(op).is_empty() || b.regions(op).len() > def.region_keywords.len() + 1 {
        return false;
    }
    if def.regions == crate::dialect::Count::Exact(0) && !b.regions(op).is_empty() {
        return false;
    }
    let type_attr = match ctx.dict_get(attrs, "type").map(|a| ctx.attr_data(a)) {
        Some(AttrData::Type(t)) => Some(*t),
        _ => None,
    };
    if matches!(def.sig, Sig::TypeAttr | Sig::FuncType) && type_attr.is_none() {
        return false;
    }
    let fixed = def.operands.iter().filter(|d| !d.variadic).count();
    let variadic = def.operands.last().is_some_and(|d| d.variadic);
    let nops = b.num_operands(op);
    if nops < fixed || (!variadic && nops != fixed) {
        return false;
    }
    let var = (def.sig == Sig::Var).then(|| type_var(def, b, op));
    let slot_ok = |c: TypeConstraint, t: Type| match c {
        TypeConstraint::Var => Some(t) == var,
        c => match crate::ir::builder::fixed_type(ctx, c) {
            Some(ft) => ft == t,
            // Read back as a placeholder typed by its definition: any type reads back.
            None => true,
        },
    };
    for (i, v) in b.operands(op).enumerate().take(fixed) {
        if !slot_ok(def.operands[i].ty, b.value_type(v)) {
            return false;
        }
    }
    // Untyped trailing operands (loop inits, a local's initial value) read back by their
    // definitions' types.
    let _ = variadic;
    let results: SmallVec<[Type; 2]> = b.results(op).map(|v| b.value_type(v)).collect();
    if def.sig == Sig::FuncType {
        let Some(TypeData::Function { params, results: fr }) = type_attr.map(|t| ctx.type_data(t)) else { return false };
        let tail: SmallVec<[Type; 4]> = b.operands(op).skip(fixed).map(|v| b.value_type(v)).collect();
        if params[..] != tail[..] || (!def.results.is_empty() && fr[..] != results[..]) {
            return false;
        }
    }
    let variadic_results = def.results.last().is_some_and(|d| d.variadic);
    if variadic_results {
        let fixed_res = def.results.len() - 1;
        if results.len() < fixed_res || (results.len() > fixed_res && !matches!(def.sig, Sig::Results | Sig::FuncType)) {
            return false;
        }
        def.results[..fixed_res].iter().zip(&results).all(|(d, &t)| crate::ir::builder::fixed_type(ctx, d.ty) == Some(t) || Some(t) == var)
    } else {
        if results.len() != def.results.len() {
            return false;
        }
        def.results.iter().zip(&results).all(|(d, &t)| match def.sig {
            Sig::Results | Sig::FuncType => true,
            _ => match d.ty {
                TypeConstraint::Var => Some(t) == var,
                c => crate::ir::builder::fixed_type(ctx, c).map_or(Some(t) == type_attr, |ft| ft == t),
            },
        })
    }
}

/// Assigns printed names to the values and blocks of `body`, in print order.
fn compute_names(ctx: &Context, module: &Module, body_id: BodyId) -> Names {
    let body = module.body(body_id);
    let mut names = Names::default();
    // Regions in print order: roots, then nested regions as they are met (an explicit stack).
    let mut used: FxHashMap<Ident, u32> = FxHashMap::default();
    let mut all_named: FxHashSet<Ident> = FxHashSet::default();
    let mut counter = 0u32;
    let mut order: Vec<Region> = Vec::new();
    let mut stack: Vec<Region> = body.roots().iter().rev().copied().collect();
    if body.roots().is_empty() {
        // The top body holds the module op in a block: name nothing there.
        return names;
    }
    while let Some(r) = stack.pop() {
        order.push(r);
        // Nested regions of ops in this region, in reverse so the first is handled first.
        let mut nested: Vec<Region> = Vec::new();
        for b in body.region_blocks(r) {
            for op in body.block_ops(b) {
                if body.inner_body(op).is_none() {
                    nested.extend_from_slice(body.regions(op));
                }
            }
        }
        stack.extend(nested.into_iter().rev());
    }
    let _ = &order;
    // Named values first so that suffixes never collide with a name used later.
    for v in (0..body.num_values()).map(|i| Value::from_u32(i as u32)) {
        if let Some(n) = body.value_name(v) {
            all_named.insert(n);
        }
    }
    // `used[n]` is the next free suffix of name `n` (suffixes are handed out in increasing order,
    // so a name repeated k times costs O(k), not O(k²)).
    let unique = |n: Ident, used: &mut FxHashMap<Ident, u32>| -> u32 {
        let mut s = used.get(&n).copied().unwrap_or(0);
        while s > 0 && ctx.lookup_ident(&format!("{}_{s}", ctx.str(n))).is_some_and(|i| all_named.contains(&i)) {
            s += 1;
        }
        used.insert(n, s + 1);
        s
    };
    // Walk values in print order, respecting that nested regions print inside their op.
    let mut walk: Vec<(Region, Option<Block>, Option<Op>)> = Vec::new();
    for &r in body.roots().iter().rev() {
        walk.push((r, None, None));
    }
    let name_value = |v: Value, names: &mut Names, used: &mut FxHashMap<Ident, u32>, counter: &mut u32| {
        names.values[v] = match body.value_name(v) {
            Some(n) => VName::Named(n, unique(n, used)),
            None => {
                *counter += 1;
                VName::Num(*counter - 1)
            }
        };
    };
    while let Some((r, blk, op)) = walk.pop() {
        // (region, None, None): start the region.
        let (b, next_op) = match (blk, op) {
            (None, _) => match body.first_block(r) {
                Some(b) => {
                    name_blocks(ctx, body, r, &mut names);
                    for &a in body.block_args(b) {
                        name_value(a, &mut names, &mut used, &mut counter);
                    }
                    (b, body.first_op(b))
                }
                None => continue,
            },
            (Some(b), o) => (b, o),
        };
        let Some(o) = next_op else {
            // Next block of the region.
            if let Some(nb) = body.next_block(b) {
                for &a in body.block_args(nb) {
                    name_value(a, &mut names, &mut used, &mut counter);
                }
                walk.push((r, Some(nb), body.first_op(nb)));
            }
            continue;
        };
        walk.push((r, Some(b), body.next_op(o)));
        let n = body.num_results(o);
        if n > 1 {
            let first = body.value_name(body.result(o, 0));
            let same = first.is_some_and(|f| body.results(o).all(|v| body.value_name(v) == Some(f)));
            let none = body.results(o).all(|v| body.value_name(v).is_none());
            if none {
                for (i, v) in body.results(o).enumerate() {
                    names.values[v] = VName::GroupNum(counter, i as u32);
                }
                counter += 1;
            } else if same {
                let f = first.expect("same implies named");
                let s = unique(f, &mut used);
                for (i, v) in body.results(o).enumerate() {
                    names.values[v] = VName::GroupNamed(f, s, i as u32);
                }
            } else {
                for v in body.results(o) {
                    name_value(v, &mut names, &mut used, &mut counter);
                }
            }
        } else {
            for v in body.results(o) {
                name_value(v, &mut names, &mut used, &mut counter);
            }
        }
        // Nested regions print right after the op's head: name them before the op's siblings.
        if body.inner_body(o).is_none() {
            for &nr in body.regions(o).iter().rev() {
                walk.push((nr, None, None));
            }
        }
    }
    names
}

fn name_blocks(ctx: &Context, body: &Body, r: Region, names: &mut Names) {
    let given = |b: Block| body.block_name(b).filter(|&id| !is_generated_block_name(ctx.str(id)));
    let named: FxHashSet<Ident> = body.region_blocks(r).filter_map(given).collect();
    // Next free suffix of each name; a suffixed name never clashes with a name given as is.
    let mut next: FxHashMap<Ident, u32> = FxHashMap::default();
    for (pos, b) in body.region_blocks(r).enumerate() {
        names.blocks[b] = match given(b) {
            Some(id) => {
                let mut s = next.get(&id).copied().unwrap_or(0);
                while s > 0 && ctx.lookup_ident(&format!("{}_{s}", ctx.str(id))).is_some_and(|i| named.contains(&i)) {
                    s += 1;
                }
                next.insert(id, s + 1);
                (Some(id), s)
            }
            // Unnamed blocks are numbered by position, so a number does not depend on whether
            // another block keeps its name (an entry block whose label is not printed loses it).
            None => (None, pos as u32),
        };
    }
}

// ---------------- types, attributes, locations ----------------

pub fn type_to_string(ctx: &Context, t: Type) -> String {
    let mut s = String::new();
    write_type(ctx, t, &mut s);
    s
}

/// Writes a type. Nested function types are written with an explicit stack.
pub fn write_type(ctx: &Context, t: Type, out: &mut String) {
    enum W {
        T(Type),
        S(&'static str),
    }
    fn push_list(stack: &mut Vec<W>, tys: &[Type]) {
        for (i, &t) in tys.iter().enumerate().rev() {
            stack.push(W::T(t));
            if i > 0 {
                stack.push(W::S(", "));
            }
        }
    }
    let mut stack = vec![W::T(t)];
    while let Some(w) = stack.pop() {
        let t = match w {
            W::S(s) => {
                out.push_str(s);
                continue;
            }
            W::T(t) => t,
        };
        match ctx.type_data(t) {
            TypeData::Int(w) => {
                let _ = write!(out, "i{w}");
            }
            TypeData::Float(FloatKind::F32) => out.push_str("f32"),
            TypeData::Float(FloatKind::F64) => out.push_str("f64"),
            TypeData::V128 => out.push_str("v128"),
            TypeData::Ref(h) => out.push_str(h.ref_name()),
            TypeData::RefTo { nullable, exact, heap } => {
                out.push_str("!wasm.ref<");
                if *nullable {
                    out.push_str("null ");
                }
                if *exact {
                    out.push_str("exact ");
                }
                match heap {
                    crate::ir::RefHeap::Abstract(h) => out.push_str(h.heap_name()),
                    crate::ir::RefHeap::Defined(id) => write_symbol(ctx.str(*id), out),
                }
                out.push('>');
            }
            TypeData::Function { params, results } => {
                // `(params) -> result` or `(params) -> (results)`, as `write_result_types`.
                out.push('(');
                if results.len() == 1 && !matches!(ctx.type_data(results[0]), TypeData::Function { .. }) {
                    stack.push(W::T(results[0]));
                } else {
                    stack.push(W::S(")"));
                    push_list(&mut stack, results);
                    stack.push(W::S("("));
                }
                stack.push(W::S(") -> "));
                push_list(&mut stack, params);
            }
            TypeData::Owned { kind, inner } => {
                out.push_str("!own.");
                out.push_str(kind.name());
                out.push('<');
                stack.push(W::S(">"));
                stack.push(W::T(*inner));
            }
            TypeData::Cm(c) => {
                use crate::ir::CmType;
                let mut sym_path = |name: &str, path: &[crate::ir::Ident]| {
                    out.push_str("!cm.");
                    out.push_str(name);
                    out.push('<');
                    for (i, &id) in path.iter().enumerate() {
                        if i > 0 {
                            out.push_str("::");
                        }
                        write_symbol(ctx.str(id), out);
                    }
                    out.push('>');
                };
                match c {
                    CmType::Named(p) => sym_path("type", p),
                    CmType::Own(p) => sym_path("own", p),
                    CmType::Borrow(p) => sym_path("borrow", p),
                    CmType::Prim(p) => {
                        out.push_str("!cm.");
                        out.push_str(p.name());
                    }
                    CmType::List(t) | CmType::Option(t) => {
                        out.push_str(if matches!(c, CmType::List(_)) { "!cm.list<" } else { "!cm.option<" });
                        stack.push(W::S(">"));
                        stack.push(W::T(*t));
                    }
                    CmType::Tuple(ts) => {
                        out.push_str("!cm.tuple<");
                        stack.push(W::S(">"));
                        push_list(&mut stack, ts);
                    }
                    CmType::Result { ok, err } => {
                        out.push_str("!cm.result");
                        match (ok, err) {
                            (None, None) => {}
                            (Some(o), None) => {
                                out.push('<');
                                stack.push(W::S(">"));
                                stack.push(W::T(*o));
                            }
                            (o, Some(e)) => {
                                out.push('<');
                                stack.push(W::S(">"));
                                stack.push(W::T(*e));
                                stack.push(W::S(", "));
                                match o {
                                    Some(o) => stack.push(W::T(*o)),
                                    None => stack.push(W::S("_")),
                                }
                            }
                        }
                    }
                }
            }
            TypeData::Opaque(id) => {
                out.push('!');
                out.push_str(ctx.str(*id));
            }
            TypeData::Unknown => out.push_str("<<unknown type>>"),
        }
    }
}

fn write_type_list(ctx: &Context, tys: &[Type], out: &mut String) {
    for (i, &t) in tys.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write_type(ctx, t, out);
    }
}

fn write_result_types(ctx: &Context, tys: &[Type], out: &mut String) {
    if tys.len() == 1 && !matches!(ctx.type_data(tys[0]), TypeData::Function { .. }) {
        write_type(ctx, tys[0], out);
    } else {
        out.push('(');
        write_type_list(ctx, tys, out);
        out.push(')');
    }
}

/// Writes a string literal with escapes.
pub fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(out, "\\{:02X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Writes a byte string as a string literal: printable ASCII as is, every other byte as `\XX`.
pub fn write_bytes(b: &[u8], out: &mut String) {
    out.reserve(b.len() + 2);
    out.push('"');
    for &c in b {
        match c {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            0x20..=0x7e => out.push(c as char),
            _ => {
                let _ = write!(out, "\\{c:02x}");
            }
        }
    }
    out.push('"');
}

/// Whether an attribute key can be written bare: the lexer must read it as one word
/// (`[a-zA-Z_][a-zA-Z0-9_$.]*`) and not as the name of a registered op.
fn is_bare_key(ctx: &Context, key: &str) -> bool {
    let mut chars = key.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '$' | '.'))
        && ctx.lookup_custom_op(key).and_then(|c| ctx.op_def(c)).is_none()
}

fn is_bare_name(s: &str) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if c.is_ascii_alphabetic() || matches!(c, '_' | '$' | '.' | '-') => {}
        Some(c) if c.is_ascii_digit() => return s.bytes().all(|b| b.is_ascii_digit()),
        _ => return false,
    }
    chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '$' | '.' | '-'))
}

pub fn write_symbol(s: &str, out: &mut String) {
    out.push('@');
    if is_bare_name(s) {
        out.push_str(s);
    } else {
        write_string(s, out);
    }
}

/// Writes a float's bits in the literal syntax the lexer reads back exactly.
pub fn write_float(bits: u64, kind: FloatKind, out: &mut String) {
    let (sign_bit, exp_mask, mant_bits) = match kind {
        FloatKind::F32 => (1u64 << 31, 0xffu64 << 23, 23u32),
        FloatKind::F64 => (1u64 << 63, 0x7ffu64 << 52, 52u32),
    };
    let neg = bits & sign_bit != 0;
    let mant = bits & ((1u64 << mant_bits) - 1);
    if bits & exp_mask == exp_mask {
        if neg {
            out.push('-');
        }
        if mant == 0 {
            out.push_str("inf");
        } else if mant == 1u64 << (mant_bits - 1) {
            out.push_str("nan");
        } else {
            let _ = write!(out, "nan:0x{mant:x}");
        }
        return;
    }
    let _ = match kind {
        FloatKind::F32 => write!(out, "{:?}", f32::from_bits(bits as u32)),
        FloatKind::F64 => write!(out, "{:?}", f64::from_bits(bits)),
    };
}

/// A number without its type suffix (the context gives the type).
fn write_literal(ctx: &Context, a: Attr, out: &mut String) {
    match ctx.attr_data(a) {
        AttrData::Int { value, .. } => {
            let _ = write!(out, "{value}");
        }
        AttrData::Float { bits, ty } => write_float(*bits, ctx.float_kind(*ty).unwrap_or(FloatKind::F64), out),
        _ => write_attr(ctx, a, out),
    }
}

fn write_dict_entries(ctx: &Context, entries: &[(Ident, Attr)], out: &mut String) {
    out.push('{');
    for (i, (k, v)) in entries.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let key = ctx.str(*k);
        if is_bare_key(ctx, key) {
            out.push_str(key);
        } else {
            write_string(key, out);
        }
        if !matches!(ctx.attr_data(*v), AttrData::Unit) {
            out.push_str(" = ");
            write_attr(ctx, *v, out);
        }
    }
    out.push('}');
}

/// Writes an attribute. Nested arrays and dictionaries are written with an explicit stack.
pub fn write_attr(ctx: &Context, a: Attr, out: &mut String) {
    enum W {
        A(Attr),
        S(&'static str),
        Key(Ident),
    }
    let mut stack = vec![W::A(a)];
    while let Some(w) = stack.pop() {
        let a = match w {
            W::S(s) => {
                out.push_str(s);
                continue;
            }
            W::Key(k) => {
                let key = ctx.str(k);
                if is_bare_key(ctx, key) {
                    out.push_str(key);
                } else {
                    write_string(key, out);
                }
                continue;
            }
            W::A(a) => a,
        };
        match ctx.attr_data(a) {
            AttrData::Unit => out.push_str("unit"),
            AttrData::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            AttrData::Int { value, ty } => {
                let _ = write!(out, "{value}");
                if *ty != ctx.i64() {
                    out.push_str(" : ");
                    write_type(ctx, *ty, out);
                }
            }
            AttrData::Float { bits, ty } => {
                write_float(*bits, ctx.float_kind(*ty).unwrap_or(FloatKind::F64), out);
                if *ty != ctx.f64() {
                    out.push_str(" : ");
                    write_type(ctx, *ty, out);
                }
            }
            AttrData::String(s) => write_string(ctx.str(*s), out),
            AttrData::Bytes(b) => write_bytes(b, out),
            AttrData::Type(t) => write_type(ctx, *t, out),
            AttrData::SymbolRef(path) => {
                for (i, s) in path.iter().enumerate() {
                    if i > 0 {
                        out.push_str("::");
                    }
                    write_symbol(ctx.str(*s), out);
                }
            }
            AttrData::Array(items) => {
                out.push('[');
                stack.push(W::S("]"));
                for (i, it) in items.iter().enumerate().rev() {
                    stack.push(W::A(*it));
                    if i > 0 {
                        stack.push(W::S(", "));
                    }
                }
            }
            AttrData::Dict(entries) => {
                out.push('{');
                stack.push(W::S("}"));
                for (i, (k, v)) in entries.iter().enumerate().rev() {
                    if !matches!(ctx.attr_data(*v), AttrData::Unit) {
                        stack.push(W::A(*v));
                        stack.push(W::S(" = "));
                    }
                    stack.push(W::Key(*k));
                    if i > 0 {
                        stack.push(W::S(", "));
                    }
                }
            }
            AttrData::Opaque(id) => {
                out.push('#');
                out.push_str(ctx.str(*id));
            }
        }
    }
}

/// Writes a location (without the `loc(` wrapper), iteratively.
pub fn write_loc(ctx: &Context, l: Loc, out: &mut String) {
    enum W {
        L(Loc),
        S(&'static str),
    }
    let mut stack = vec![W::L(l)];
    while let Some(w) = stack.pop() {
        let l = match w {
            W::S(s) => {
                out.push_str(s);
                continue;
            }
            W::L(l) => l,
        };
        match ctx.loc_data(l) {
            LocData::Unknown => out.push_str("unknown"),
            LocData::FileLineCol { file, line, col } => {
                write_string(ctx.str(*file), out);
                let _ = write!(out, ":{line}:{col}");
            }
            LocData::Name { name, child } => {
                write_string(ctx.str(*name), out);
                if *child != ctx.unknown_loc() {
                    out.push('(');
                    stack.push(W::S(")"));
                    stack.push(W::L(*child));
                }
            }
            LocData::CallSite { callee, caller } => {
                out.push_str("callsite(");
                stack.push(W::S(")"));
                stack.push(W::L(*caller));
                stack.push(W::S(" at "));
                stack.push(W::L(*callee));
            }
            LocData::Fused { locs, metadata } => {
                out.push_str("fused");
                if let Some(m) = metadata {
                    out.push('<');
                    write_attr(ctx, *m, out);
                    out.push('>');
                }
                out.push('[');
                stack.push(W::S("]"));
                for (i, x) in locs.iter().enumerate().rev() {
                    stack.push(W::L(*x));
                    if i > 0 {
                        stack.push(W::S(", "));
                    }
                }
            }
        }
    }
}
