//! `u128` and `i128`: 16 bytes aligned to 16 (wasm32, rustc 1.96), held in memory as two `i64`
//! halves, the low one first. Arithmetic works on the halves: add and subtract with a carry,
//! the low 128 bits of a product from 32-bit partial products, shifts by selects between the
//! amounts below and above 64, comparisons on the high halves then the low ones. Division and
//! remainder, which rustc's code generation leaves to compiler_builtins (`__udivti3`,
//! `__umodti3`, `__divti3`, `__modti3`), are refused.
use super::*;

/// A 128-bit value: its low and high halves (`i64`s).
#[derive(Clone, Copy)]
struct Wide {
    lo: Value,
    hi: Value,
}

const I64: Scalar = Scalar::Int {
    bits: 64,
    signed: false,
};

/// Whether `t` is `u128` or `i128`, and if so whether it is signed.
fn wide_int(names: &Interner, t: Ty) -> Option<bool> {
    match names.ty_kind(t) {
        TyKind::Int(IntTy::U128) => Some(false),
        TyKind::Int(IntTy::I128) => Some(true),
        _ => None,
    }
}

impl FnLower<'_, '_, '_> {
    fn is_wide(&self, t: Ty) -> Option<bool> {
        wide_int(self.sh.names, t)
    }

    fn i64c(&mut self, v: i64) -> Value {
        self.b().i64_const(v)
    }

    fn load_wide(&mut self, a: Value) -> Wide {
        let lo = self.load(I64, a);
        let at = self.add_offset(a, 8);
        let hi = self.load(I64, at);
        Wide { lo, hi }
    }

    fn store_wide(&mut self, a: Value, w: Wide) {
        self.store(I64, a, w.lo);
        let at = self.add_offset(a, 8);
        self.store(I64, at, w.hi);
    }

    /// A 128-bit operand, or a narrower integer operand widened (`signed`: by its sign).
    fn wide_operand(&mut self, op: &Operand) -> R<(Wide, Option<bool>)> {
        match self.operand(op)? {
            (Val::Mem(a), t) if let Some(signed) = self.is_wide(t) => {
                Ok((self.load_wide(a), Some(signed)))
            }
            (Val::Scalar(v, s @ Scalar::Int { signed, .. }), _) => {
                let lo = self.int_to_int(v, s, I64);
                let hi = if signed {
                    let c = self.i64c(63);
                    self.op2("wasm.i64.shr_s", lo, c)
                } else {
                    self.i64c(0)
                };
                Ok((Wide { lo, hi }, None))
            }
            (_, t) => self.err(format!("`{}` as a 128-bit integer", self.show(t))),
        }
    }

    fn select64(&mut self, c: Value, a: Value, b: Value) -> Value {
        let i64t = self.ctx.i64();
        self.create1("wasm.select", &[c, a, b], i64t, &[])
    }

    /// `x + y` and whether the high half carried out (unsigned overflow).
    fn wide_add(&mut self, x: Wide, y: Wide) -> Wide {
        let lo = self.op2("wasm.i64.add", x.lo, y.lo);
        let carry = self.op2("wasm.i64.lt_u", lo, x.lo);
        let carry = self.op1("wasm.i64.extend_i32_u", carry);
        let hi = self.op2("wasm.i64.add", x.hi, y.hi);
        let hi = self.op2("wasm.i64.add", hi, carry);
        Wide { lo, hi }
    }

    fn wide_sub(&mut self, x: Wide, y: Wide) -> Wide {
        let lo = self.op2("wasm.i64.sub", x.lo, y.lo);
        let borrow = self.op2("wasm.i64.lt_u", x.lo, y.lo);
        let borrow = self.op1("wasm.i64.extend_i32_u", borrow);
        let hi = self.op2("wasm.i64.sub", x.hi, y.hi);
        let hi = self.op2("wasm.i64.sub", hi, borrow);
        Wide { lo, hi }
    }

    /// The full 128-bit product of two unsigned 64-bit values, from 32-bit halves.
    fn mul_64x64(&mut self, x: Value, y: Value) -> Wide {
        let mask = self.i64c(0xffff_ffff);
        let c32 = self.i64c(32);
        let x0 = self.op2("wasm.i64.and", x, mask);
        let x1 = self.op2("wasm.i64.shr_u", x, c32);
        let y0 = self.op2("wasm.i64.and", y, mask);
        let y1 = self.op2("wasm.i64.shr_u", y, c32);
        let p00 = self.op2("wasm.i64.mul", x0, y0);
        let p01 = self.op2("wasm.i64.mul", x0, y1);
        let p10 = self.op2("wasm.i64.mul", x1, y0);
        let p11 = self.op2("wasm.i64.mul", x1, y1);
        let p00h = self.op2("wasm.i64.shr_u", p00, c32);
        let p01l = self.op2("wasm.i64.and", p01, mask);
        let p10l = self.op2("wasm.i64.and", p10, mask);
        let mid = self.op2("wasm.i64.add", p00h, p01l);
        let mid = self.op2("wasm.i64.add", mid, p10l);
        let p00l = self.op2("wasm.i64.and", p00, mask);
        let midl = self.op2("wasm.i64.shl", mid, c32);
        let lo = self.op2("wasm.i64.or", p00l, midl);
        let p01h = self.op2("wasm.i64.shr_u", p01, c32);
        let p10h = self.op2("wasm.i64.shr_u", p10, c32);
        let midh = self.op2("wasm.i64.shr_u", mid, c32);
        let hi = self.op2("wasm.i64.add", p11, p01h);
        let hi = self.op2("wasm.i64.add", hi, p10h);
        let hi = self.op2("wasm.i64.add", hi, midh);
        Wide { lo, hi }
    }

    /// The low 128 bits of `x * y` (the same for signed and unsigned operands).
    fn wide_mul(&mut self, x: Wide, y: Wide) -> Wide {
        let p = self.mul_64x64(x.lo, y.lo);
        let a = self.op2("wasm.i64.mul", x.lo, y.hi);
        let b = self.op2("wasm.i64.mul", x.hi, y.lo);
        let hi = self.op2("wasm.i64.add", p.hi, a);
        let hi = self.op2("wasm.i64.add", hi, b);
        Wide { lo: p.lo, hi }
    }

    /// `x << n`, `x >> n` (logical or arithmetic) with `n` taken modulo 128.
    fn wide_shift(&mut self, op: BinOp, x: Wide, n: Value, ns: Scalar, signed: bool) -> Wide {
        let n = self.int_to_int(n, ns, I64);
        let m127 = self.i64c(127);
        let n = self.op2("wasm.i64.and", n, m127);
        let m63 = self.i64c(63);
        let s = self.op2("wasm.i64.and", n, m63);
        let c64 = self.i64c(64);
        let big = self.op2("wasm.i64.ge_u", n, c64);
        let inv = self.op2("wasm.i64.sub", m63, s);
        let one = self.i64c(1);
        let zero = self.i64c(0);
        if matches!(op, BinOp::Shl | BinOp::ShlUnchecked) {
            // Bits moving from the low half into the high one: `lo >> (64 - s)`, in two steps so
            // that `s == 0` moves none.
            let lo_s = self.op2("wasm.i64.shl", x.lo, s);
            let hi_s = self.op2("wasm.i64.shl", x.hi, s);
            let cross = self.op2("wasm.i64.shr_u", x.lo, one);
            let cross = self.op2("wasm.i64.shr_u", cross, inv);
            let hi_small = self.op2("wasm.i64.or", hi_s, cross);
            let lo = self.select64(big, zero, lo_s);
            let hi = self.select64(big, lo_s, hi_small);
            return Wide { lo, hi };
        }
        let shr = if signed {
            "wasm.i64.shr_s"
        } else {
            "wasm.i64.shr_u"
        };
        let hi_s = self.op2(shr, x.hi, s);
        let lo_s = self.op2("wasm.i64.shr_u", x.lo, s);
        let cross = self.op2("wasm.i64.shl", x.hi, one);
        let cross = self.op2("wasm.i64.shl", cross, inv);
        let lo_small = self.op2("wasm.i64.or", lo_s, cross);
        let fill = if signed {
            self.op2("wasm.i64.shr_s", x.hi, m63)
        } else {
            zero
        };
        let lo = self.select64(big, hi_s, lo_small);
        let hi = self.select64(big, fill, hi_s);
        Wide { lo, hi }
    }

    /// `x < y` as an `i32` boolean.
    fn wide_lt(&mut self, x: Wide, y: Wide, signed: bool) -> Value {
        let hi_lt = self.op2(
            if signed {
                "wasm.i64.lt_s"
            } else {
                "wasm.i64.lt_u"
            },
            x.hi,
            y.hi,
        );
        let hi_eq = self.op2("wasm.i64.eq", x.hi, y.hi);
        let lo_lt = self.op2("wasm.i64.lt_u", x.lo, y.lo);
        let both = self.op2("wasm.i32.and", hi_eq, lo_lt);
        self.op2("wasm.i32.or", hi_lt, both)
    }

    /// Whether the signs of `a[0]` and `a[1]` differ and so do those of `b[0]` and `b[1]`.
    fn both_signs_differ(&mut self, a: [Value; 2], b: [Value; 2]) -> Value {
        let p = self.op2("wasm.i64.xor", a[0], a[1]);
        let q = self.op2("wasm.i64.xor", b[0], b[1]);
        let c = self.op2("wasm.i64.and", p, q);
        let z = self.i64c(0);
        self.op2("wasm.i64.lt_s", c, z)
    }

    fn wide_eq(&mut self, x: Wide, y: Wide) -> Value {
        let lo = self.op2("wasm.i64.eq", x.lo, y.lo);
        let hi = self.op2("wasm.i64.eq", x.hi, y.hi);
        self.op2("wasm.i32.and", lo, hi)
    }

    /// A comparison of 128-bit operands (`None` when they are not 128-bit).
    pub(super) fn wide_compare(&mut self, op: BinOp, a: &Operand, b: &Operand) -> R<Option<Value>> {
        let at = self.operand_ty(a)?;
        let Some(signed) = self.is_wide(at) else {
            return Ok(None);
        };
        let (x, _) = self.wide_operand(a)?;
        let (y, _) = self.wide_operand(b)?;
        Ok(Some(match op {
            BinOp::Eq => self.wide_eq(x, y),
            BinOp::Ne => {
                let e = self.wide_eq(x, y);
                self.op1("wasm.i32.eqz", e)
            }
            BinOp::Lt => self.wide_lt(x, y, signed),
            BinOp::Gt => self.wide_lt(y, x, signed),
            BinOp::Le => {
                let g = self.wide_lt(y, x, signed);
                self.op1("wasm.i32.eqz", g)
            }
            BinOp::Ge => {
                let l = self.wide_lt(x, y, signed);
                self.op1("wasm.i32.eqz", l)
            }
            BinOp::Cmp => {
                let g = self.wide_lt(y, x, signed);
                let l = self.wide_lt(x, y, signed);
                let d = self.op2("wasm.i32.sub", g, l);
                self.op1("wasm.i32.extend8_s", d)
            }
            _ => return self.err(format!("the 128-bit operation {op:?} held as a scalar")),
        }))
    }

    /// `switchInt` on a 128-bit value: a chain of comparisons, one block per value. False when
    /// the discriminant is narrower.
    pub(super) fn wide_switch(
        &mut self,
        discr: &Operand,
        values: &[u128],
        targets: &[Block],
        otherwise: Block,
    ) -> R<bool> {
        let t = self.operand_ty(discr)?;
        if self.is_wide(t).is_none() {
            return Ok(false);
        }
        let (x, _) = self.wide_operand(discr)?;
        for (&v, &target) in values.iter().zip(targets) {
            let lo = self.i64c(v as u64 as i64);
            let hi = self.i64c((v >> 64) as u64 as i64);
            let eq = self.wide_eq(x, Wide { lo, hi });
            let next = self.new_block();
            let to = self.blocks[target.index()];
            self.cond_br(eq, to, next);
            self.cur = next;
        }
        self.br(otherwise);
        Ok(true)
    }

    /// A cast of a 128-bit operand to a narrower integer (its low bits); `None` for others.
    pub(super) fn wide_to_scalar(
        &mut self,
        kind: CastKind,
        op: &Operand,
        to: Scalar,
    ) -> R<Option<Value>> {
        let t = self.operand_ty(op)?;
        if self.is_wide(t).is_none() {
            return Ok(None);
        }
        match (kind, to) {
            (CastKind::IntToInt, Scalar::Int { .. }) => {
                let (x, _) = self.wide_operand(op)?;
                Ok(Some(self.int_to_int(x.lo, I64, to)))
            }
            _ => self.err(format!("the cast {kind:?} of a 128-bit integer")),
        }
    }

    /// A 128-bit integer constant in a slot of its own (`None` for other constants).
    pub(super) fn wide_const(&mut self, k: &ConstKind) -> R<Option<(Val, Ty)>> {
        let ConstKind::Int(bits, ity @ (IntTy::U128 | IntTy::I128)) = k else {
            return Ok(None);
        };
        let ty = self.sh.names.ty(TyKind::Int(*ity));
        let a = self.stack_slot(16, 16);
        let lo = self.i64c(*bits as u64 as i64);
        let hi = self.i64c((*bits >> 64) as u64 as i64);
        self.store_wide(a, Wide { lo, hi });
        Ok(Some((Val::Mem(a), ty)))
    }

    /// Rvalues producing a 128-bit integer, or a `(u128, bool)`/`(i128, bool)` checked result,
    /// into `dest`. False when `rv` is not one of these.
    pub(super) fn wide_rvalue(&mut self, dest: Place, dty: Ty, rv: &Rvalue) -> R<bool> {
        if let Rvalue::BinaryOp(
            op @ (BinOp::AddWithOverflow | BinOp::SubWithOverflow | BinOp::MulWithOverflow),
            a,
            b,
        ) = rv
        {
            let at = self.operand_ty(a)?;
            let Some(signed) = self.is_wide(at) else {
                return Ok(false);
            };
            let (x, _) = self.wide_operand(a)?;
            let (y, _) = self.wide_operand(b)?;
            let (r, ov) = match op {
                // Signed: the operands' signs agree (add) or differ (sub) and the result's
                // differs from the first operand's.
                BinOp::AddWithOverflow => {
                    let r = self.wide_add(x, y);
                    let ov = if signed {
                        self.both_signs_differ([x.hi, r.hi], [y.hi, r.hi])
                    } else {
                        self.wide_lt(r, x, false)
                    };
                    (r, ov)
                }
                BinOp::SubWithOverflow => {
                    let r = self.wide_sub(x, y);
                    let ov = if signed {
                        self.both_signs_differ([x.hi, y.hi], [x.hi, r.hi])
                    } else {
                        self.wide_lt(x, y, false)
                    };
                    (r, ov)
                }
                _ => return self.err("128-bit multiplication with an overflow check"),
            };
            let dl = self.layout(dty)?;
            let [o0, o1] = dl.offsets[..] else {
                return self.err(format!("a checked result of type `{}`", self.show(dty)));
            };
            let d = self.place_addr(dest)?;
            let a0 = self.add_offset(d, o0);
            self.store_wide(a0, r);
            let a1 = self.add_offset(d, o1);
            let flag = Scalar::Int {
                bits: 8,
                signed: false,
            };
            self.store(flag, a1, ov);
            return Ok(true);
        }
        let Some(signed) = self.is_wide(dty) else {
            return Ok(false);
        };
        let r = match rv {
            Rvalue::BinaryOp(op, a, b) => {
                let (x, _) = self.wide_operand(a)?;
                match op {
                    BinOp::Shl | BinOp::ShlUnchecked | BinOp::Shr | BinOp::ShrUnchecked => {
                        let (n, ns, _) = self.scalar(b)?;
                        self.wide_shift(*op, x, n, ns, signed)
                    }
                    _ => {
                        let (y, _) = self.wide_operand(b)?;
                        match op {
                            BinOp::Add | BinOp::AddUnchecked => self.wide_add(x, y),
                            BinOp::Sub | BinOp::SubUnchecked => self.wide_sub(x, y),
                            BinOp::Mul | BinOp::MulUnchecked => self.wide_mul(x, y),
                            BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor => {
                                let name = match op {
                                    BinOp::BitAnd => "wasm.i64.and",
                                    BinOp::BitOr => "wasm.i64.or",
                                    _ => "wasm.i64.xor",
                                };
                                let lo = self.op2(name, x.lo, y.lo);
                                let hi = self.op2(name, x.hi, y.hi);
                                Wide { lo, hi }
                            }
                            BinOp::Div | BinOp::Rem => {
                                let f = match (op, signed) {
                                    (BinOp::Div, false) => "__udivti3",
                                    (BinOp::Div, true) => "__divti3",
                                    (_, false) => "__umodti3",
                                    (_, true) => "__modti3",
                                };
                                return self.err(format!(
                                    "128-bit division and remainder (compiler_builtins' `{f}`)"
                                ));
                            }
                            _ => return self.err(format!("the 128-bit operation {op:?}")),
                        }
                    }
                }
            }
            Rvalue::UnaryOp(UnOp::Not, a) => {
                let (x, _) = self.wide_operand(a)?;
                let m1 = self.i64c(-1);
                let lo = self.op2("wasm.i64.xor", x.lo, m1);
                let hi = self.op2("wasm.i64.xor", x.hi, m1);
                Wide { lo, hi }
            }
            Rvalue::UnaryOp(UnOp::Neg, a) => {
                let (x, _) = self.wide_operand(a)?;
                let z = self.i64c(0);
                self.wide_sub(Wide { lo: z, hi: z }, x)
            }
            Rvalue::Cast(CastKind::IntToInt, a, _) => self.wide_operand(a)?.0,
            Rvalue::Cast(kind, ..) => {
                return self.err(format!("the cast {kind:?} to a 128-bit integer"));
            }
            _ => return Ok(false),
        };
        let d = self.place_addr(dest)?;
        self.store_wide(d, r);
        Ok(true)
    }
}
