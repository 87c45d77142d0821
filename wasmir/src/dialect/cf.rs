//! The `cf` dialect: unstructured control flow between blocks, with block arguments.
use super::TypeConstraint::*;
use super::*;
use crate::AttrData;

fn verify_switch(c: &mut OpChecker<'_>) {
    let n = c.num_successors();
    let flag_ty = c.operand_types().first().copied();
    let Some(cases) = c.attr("case_values") else { return };
    let values: Vec<crate::Attr> = match c.ctx.attr_data(cases) {
        AttrData::Array(v) => v.to_vec(),
        _ => {
            c.error("`case_values` must be an array of integers");
            return;
        }
    };
    if values.len() + 1 != n {
        c.error(format!(
            "{} case values but {} case successors (the first successor is the default)",
            values.len(),
            n.saturating_sub(1)
        ));
    }
    let mut seen = rustc_hash::FxHashSet::default();
    for v in values {
        match c.ctx.attr_data(v) {
            AttrData::Int { value, ty } => {
                if Some(*ty) != flag_ty {
                    c.error("case values must have the type of the flag");
                }
                if !seen.insert(*value) {
                    c.error(format!("case value {value} appears more than once"));
                }
            }
            _ => {
                c.error("`case_values` must be an array of integers");
            }
        }
    }
}

pub static OPS: &[OpDef] = &[
    OpDef {
        name: "cf.br",
        summary: "Jumps to a block, passing its arguments.",
        successors: Count::Exact(1),
        traits: Traits::TERMINATOR.union(Traits::PURE),
        syntax: Syntax::Branch,
        example: "cf.br ^loop(%i, %acc)",
        ..BASE
    },
    OpDef {
        name: "cf.cond_br",
        summary: "Jumps to the first block if the i32 condition is non-zero, else to the second.",
        operands: &[arg("condition", I32)],
        successors: Count::Exact(2),
        traits: Traits::TERMINATOR.union(Traits::PURE),
        syntax: Syntax::CondBranch,
        example: "cf.cond_br %c, ^then(%x), ^else",
        ..BASE
    },
    OpDef {
        name: "cf.switch",
        summary: "Jumps to the successor whose case value equals the flag, or to the default.",
        description: "The first successor is the default; `case_values` holds one integer per \
                      further successor, of the flag's type, all distinct.",
        operands: &[arg("flag", AnyInt)],
        attrs: &[AttrDef { name: "case_values", kind: AttrKind::Array, optional: false, doc: "one value per non-default successor", positional: false }],
        successors: Count::AtLeast(1),
        traits: Traits::TERMINATOR.union(Traits::PURE),
        syntax: Syntax::Switch,
        verify: Some(verify_switch),
        example: "cf.switch %flag, [default: ^other, 0: ^zero(%x), 1: ^one] : i32",
        ..BASE
    },
];

pub static DIALECT: Dialect = Dialect { name: "cf", summary: "Branches between blocks.", ops: &[OPS], types: &[] };
