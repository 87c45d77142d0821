;; REQUIRES: llvm
;; Integer and float arithmetic through --backend=llvm (imported from wat, so the functions come
;; in structured form and go through lower-to-cfg), run in wasmtime. Shift counts are taken
;; modulo the width, rotates wrap around, clz/ctz of 0 are the width, min/max propagate NaN and
;; order -0 below +0, nearest rounds half to even.
;; RUN: wasmir-translate %s --import-wasm | wasmir-translate - --backend=llvm -O2 | wasmir-run - --invoke shifts 1 33
;; RUN: wasmir-translate %s --import-wasm | wasmir-translate - --backend=llvm -O2 | wasmir-run - --invoke shifts -8 65
;; RUN: wasmir-translate %s --import-wasm | wasmir-translate - --backend=llvm -O0 | wasmir-run - --invoke shifts -8 65
;; RUN: wasmir-translate %s --import-wasm | wasmir-translate - --backend=llvm -O2 | wasmir-run - --invoke clz 0
;; RUN: wasmir-translate %s --import-wasm | wasmir-translate - --backend=llvm -O2 | wasmir-run - --invoke ctz_popcnt 0x00f0
;; RUN: wasmir-translate %s --import-wasm | wasmir-translate - --backend=llvm -O2 | wasmir-run - --invoke ctz_popcnt 0
;; RUN: wasmir-translate %s --import-wasm | wasmir-translate - --backend=llvm -O2 | wasmir-run - --invoke rot64 0x8000000000000001 68
;; RUN: wasmir-translate %s --import-wasm | wasmir-translate - --backend=llvm -O2 | wasmir-run - --invoke mixed 7 -3
;; RUN: wasmir-translate %s --import-wasm | wasmir-translate - --backend=llvm -O2 | wasmir-run - --invoke fmin 0 -0
;; RUN: wasmir-translate %s --import-wasm | wasmir-translate - --backend=llvm -O2 | wasmir-run - --invoke fmin nan 1
;; RUN: wasmir-translate %s --import-wasm | wasmir-translate - --backend=llvm -O2 | wasmir-run - --invoke fmax 0 -0
;; RUN: wasmir-translate %s --import-wasm | wasmir-translate - --backend=llvm -O2 | wasmir-run - --invoke fround 2.5
;; RUN: wasmir-translate %s --import-wasm | wasmir-translate - --backend=llvm -O2 | wasmir-run - --invoke fround -3.5
;; RUN: wasmir-translate %s --import-wasm | wasmir-translate - --backend=llvm -O2 | wasmir-run - --invoke fcmp nan 1
;; RUN: wasmir-translate %s --import-wasm | wasmir-translate - --backend=llvm -Oz | wasmir-run - --invoke convert -1 3000000000
(module
  (func (export "shifts") (param i32 i32) (result i32)
    ;; (x << n) + (x >>s n) + (x >>u n), each count modulo 32
    (i32.add
      (i32.add (i32.shl (local.get 0) (local.get 1)) (i32.shr_s (local.get 0) (local.get 1)))
      (i32.shr_u (local.get 0) (local.get 1))))
  (func (export "clz") (param i32) (result i32)
    (i32.clz (local.get 0)))
  (func (export "ctz_popcnt") (param i32) (result i32)
    ;; ctz * 100 + popcnt
    (i32.add (i32.mul (i32.ctz (local.get 0)) (i32.const 100)) (i32.popcnt (local.get 0))))
  (func (export "rot64") (param i64 i64) (result i64)
    (i64.xor (i64.rotl (local.get 0) (local.get 1)) (i64.rotr (local.get 0) (local.get 1))))
  (func (export "mixed") (param i32 i32) (result i64)
    ;; sign and zero extension, wrap, extend8_s, select, eqz
    (i64.add
      (i64.add (i64.extend_i32_s (local.get 1)) (i64.extend_i32_u (local.get 1)))
      (i64.extend8_s
        (select (i64.const 0x1ff) (i64.const 3) (i32.eqz (i32.wrap_i64 (i64.extend_i32_s (local.get 0))))))))
  (func (export "fmin") (param f64 f64) (result f64)
    (f64.min (local.get 0) (local.get 1)))
  (func (export "fmax") (param f64 f64) (result f64)
    (f64.max (local.get 0) (local.get 1)))
  (func (export "fround") (param f32) (result f32)
    ;; nearest * 1000 + ceil * 100 + floor * 10 + trunc, plus copysign(sqrt|x|, -x) / 1000
    (f32.add
      (f32.add
        (f32.add (f32.mul (f32.nearest (local.get 0)) (f32.const 1000)) (f32.mul (f32.ceil (local.get 0)) (f32.const 100)))
        (f32.add (f32.mul (f32.floor (local.get 0)) (f32.const 10)) (f32.trunc (local.get 0))))
      (f32.div (f32.copysign (f32.sqrt (f32.abs (local.get 0))) (f32.neg (local.get 0))) (f32.const 1000))))
  (func (export "fcmp") (param f64 f64) (result i32)
    ;; eq, ne, lt, ge as bits 3..0
    (i32.or
      (i32.or (i32.shl (f64.eq (local.get 0) (local.get 1)) (i32.const 3)) (i32.shl (f64.ne (local.get 0) (local.get 1)) (i32.const 2)))
      (i32.or (i32.shl (f64.lt (local.get 0) (local.get 1)) (i32.const 1)) (f64.ge (local.get 0) (local.get 1)))))
  (func (export "convert") (param i32 i64) (result f64)
    (f64.add
      (f64.add (f64.convert_i32_u (local.get 0)) (f64.convert_i32_s (local.get 0)))
      (f64.add
        (f64.promote_f32 (f32.demote_f64 (f64.convert_i64_u (local.get 1))))
        (f64.reinterpret_i64 (i64.shr_u (i64.reinterpret_f64 (f64.promote_f32 (f32.reinterpret_i32 (i32.const 0x3fc00000)))) (i64.const 0)))))))
