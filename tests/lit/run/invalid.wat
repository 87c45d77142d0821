;; Modules that do not parse or do not validate are errors with wasmtime's message.
;; RUN: not wasmir-run %s
;; RUN: not wasmir-run %S/invalid-type.wat --invoke f
(module
  (func (export "f") (result i32)
    i32.const 1
