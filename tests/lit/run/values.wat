;; wasmir-run: arguments are parsed by the parameter types, results printed one per line in a
;; form that parses back to the same bits.
;; RUN: wasmir-run %s --invoke add 2 3
;; RUN: wasmir-run %s --invoke add -1 4294967295
;; RUN: wasmir-run %s --invoke add 0x7fffffff 1
;; RUN: wasmir-run %s --invoke mul64 0x7fff_ffff_ffff_ffff 2
;; RUN: wasmir-run %s --invoke mul64 -9223372036854775808 18446744073709551615
;; RUN: wasmir-run %s --invoke fpair 1.5 -0
;; RUN: wasmir-run %s --invoke fpair nan -nan:0x1
;; RUN: wasmir-run %s --invoke fpair 0x7f800001 0xfff8000000000000
;; RUN: wasmir-run %s --invoke fpair -inf 0.1
;; RUN: wasmir-run %s --invoke fdiv 1 0
;; RUN: wasmir-run %s --invoke fdiv -1 inf
;; RUN: wasmir-run %s --invoke fdiv 1e300 1e-300
;; RUN: wasmir-run %s --invoke fneg nan:0x200000
;; RUN: wasmir-run %s --invoke swap 1 2
;; RUN: wasmir-run %s --invoke splat 1
;; RUN: wasmir-run %s --invoke vadd 0x000000ff_00000001_00000002_00000003 \
;; RUN:   0x00000001_00000001_00000001_ffffffff
;; RUN: wasmir-run %s --invoke refs null ref.extern:7
;; RUN: wasmir-run %s --invoke i31 ref.i31:-5
;; RUN: wasmir-run %s --invoke gc 3
;; RUN: wasmir-run %s --invoke nothing
;; RUN: wasmir-run %s
;; RUN: wasmir-run %S/answer.wasm --invoke answer
(module
  (type $pt (struct (field i32)))
  (func (export "add") (param i32 i32) (result i32)
    (i32.add (local.get 0) (local.get 1)))
  (func (export "mul64") (param i64 i64) (result i64)
    (i64.mul (local.get 0) (local.get 1)))
  (func (export "fpair") (param f32 f64) (result f32 f64)
    (local.get 0) (local.get 1))
  (func (export "fdiv") (param f64 f64) (result f64)
    (f64.div (local.get 0) (local.get 1)))
  (func (export "fneg") (param f32) (result f32)
    (f32.neg (local.get 0)))
  (func (export "swap") (param i32 i64) (result i64 i32)
    (local.get 1) (local.get 0))
  (func (export "splat") (param i32) (result v128)
    (i32x4.splat (local.get 0)))
  (func (export "vadd") (param v128 v128) (result v128)
    (i32x4.add (local.get 0) (local.get 1)))
  (func $f (export "refs") (param funcref externref) (result externref funcref funcref)
    (local.get 1) (local.get 0) (ref.func $f))
  (func (export "i31") (param anyref) (result i32 anyref)
    (i31.get_s (ref.cast i31ref (local.get 0))) (local.get 0))
  (func (export "gc") (param i32) (result anyref i32)
    (struct.new $pt (local.get 0))
    (struct.get $pt 0 (struct.new $pt (local.get 0))))
  (func (export "nothing"))
)
