;; An invalid module is rejected with the validator's message and offset; so is a malformed
;; binary, and a proposal the importer does not accept (stack switching).
;; RUN: not wasmir-translate --import-wasm %s
;; RUN: not wasmir-translate --import-wasm %S/stack-switching.wat
;; RUN: not wasmir-translate --import-wasm %S/truncated.wasm
;; RUN: not wasmir-translate --import-wasm %S/missing.wasm
(module
  (func (result i32)
    i64.const 1))
