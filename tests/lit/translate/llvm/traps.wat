;; REQUIRES: llvm
;; Where wasm traps, the LLVM backend traps too, by an explicit branch to `llvm.trap` rather than
;; LLVM's undefined behaviour: division by zero, INT_MIN / -1, float-to-integer conversion of NaN
;; or of a value out of range. INT_MIN rem -1 is 0; the `_sat` conversions clamp (NaN is 0);
;; `unreachable` traps.
;; RUN: not wasmir-translate %s --import-wasm | wasmir-translate - --backend=llvm -O2 | wasmir-run - --invoke div_s 7 0
;; RUN: not wasmir-translate %s --import-wasm | wasmir-translate - --backend=llvm -O2 | wasmir-run - --invoke div_s -2147483648 -1
;; RUN: wasmir-translate %s --import-wasm | wasmir-translate - --backend=llvm -O2 | wasmir-run - --invoke div_s -7 2
;; RUN: not wasmir-translate %s --import-wasm | wasmir-translate - --backend=llvm -O2 | wasmir-run - --invoke div_u64 1 0
;; RUN: wasmir-translate %s --import-wasm | wasmir-translate - --backend=llvm -O2 | wasmir-run - --invoke div_u64 -1 3
;; RUN: wasmir-translate %s --import-wasm | wasmir-translate - --backend=llvm -O2 | wasmir-run - --invoke rem_s -2147483648 -1
;; RUN: wasmir-translate %s --import-wasm | wasmir-translate - --backend=llvm -O0 | wasmir-run - --invoke rem_s -7 2
;; RUN: not wasmir-translate %s --import-wasm | wasmir-translate - --backend=llvm -O2 | wasmir-run - --invoke rem_u 5 0
;; RUN: not wasmir-translate %s --import-wasm | wasmir-translate - --backend=llvm -O2 | wasmir-run - --invoke trunc_s nan
;; RUN: not wasmir-translate %s --import-wasm | wasmir-translate - --backend=llvm -O2 | wasmir-run - --invoke trunc_s 2147483648
;; RUN: wasmir-translate %s --import-wasm | wasmir-translate - --backend=llvm -O2 | wasmir-run - --invoke trunc_s -2147483648.9
;; RUN: not wasmir-translate %s --import-wasm | wasmir-translate - --backend=llvm -O2 | wasmir-run - --invoke trunc_s -2147483649
;; RUN: not wasmir-translate %s --import-wasm | wasmir-translate - --backend=llvm -O2 | wasmir-run - --invoke trunc_u64 -1
;; RUN: wasmir-translate %s --import-wasm | wasmir-translate - --backend=llvm -O2 | wasmir-run - --invoke trunc_u64 -0.9
;; RUN: wasmir-translate %s --import-wasm | wasmir-translate - --backend=llvm -O2 | wasmir-run - --invoke trunc_sat nan
;; RUN: wasmir-translate %s --import-wasm | wasmir-translate - --backend=llvm -O2 | wasmir-run - --invoke trunc_sat 1e10
;; RUN: wasmir-translate %s --import-wasm | wasmir-translate - --backend=llvm -O2 | wasmir-run - --invoke trunc_sat -inf
;; RUN: not wasmir-translate %s --import-wasm | wasmir-translate - --backend=llvm -O2 | wasmir-run - --invoke unreachable
(module
  (func (export "div_s") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func (export "div_u64") (param i64 i64) (result i64) (i64.div_u (local.get 0) (local.get 1)))
  (func (export "rem_s") (param i32 i32) (result i32) (i32.rem_s (local.get 0) (local.get 1)))
  (func (export "rem_u") (param i32 i32) (result i32) (i32.rem_u (local.get 0) (local.get 1)))
  (func (export "trunc_s") (param f64) (result i32) (i32.trunc_f64_s (local.get 0)))
  (func (export "trunc_u64") (param f32) (result i64) (i64.trunc_f32_u (local.get 0)))
  (func (export "trunc_sat") (param f64) (result i32) (i32.trunc_sat_f64_s (local.get 0)))
  (func (export "unreachable") (unreachable)))
