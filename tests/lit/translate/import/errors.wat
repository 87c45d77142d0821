;; An invalid module is rejected with the validator's message and offset; constructs the dialect
;; does not hold yet are refused by name.
;; RUN: not wasmir-translate --import-wasm %s
;; RUN: not wasmir-translate --import-wasm %S/gc-types.wat
;; RUN: not wasmir-translate --import-wasm %S/simd.wat
;; RUN: not wasmir-translate --import-wasm %S/missing.wasm
(module
  (func (result i32)
    i64.const 1))
