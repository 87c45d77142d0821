;; An invalid module is rejected with the validator's message and offset; features the importer
;; does not accept (stack switching) are refused by the validator, and instructions
;; the dialect does not hold yet (wide arithmetic) are refused by name.
;; RUN: not wasmir-translate --import-wasm %s
;; RUN: not wasmir-translate --import-wasm %S/stack-switching.wat
;; RUN: not wasmir-translate --import-wasm %S/wide.wat
;; RUN: not wasmir-translate --import-wasm %S/missing.wasm
(module
  (func (result i32)
    i64.const 1))
