;; Errors before anything runs: a missing or non-function export (exit 1, listing the exported
;; functions), arguments that do not fit the signature (exit 2, a usage error), bad flags.
;; RUN: not wasmir-run %s --invoke nope
;; RUN: not wasmir-run %s --invoke mem
;; RUN: not wasmir-run %s --invoke add 1
;; RUN: not wasmir-run %s --invoke add 1 2 --fuel 10
;; RUN: not wasmir-run %s --invoke add 1 two
;; RUN: not wasmir-run %s --invoke add 1 4294967296
;; RUN: not wasmir-run %s --invoke fl 0x1p3
;; RUN: not wasmir-run %s --invoke fl 1e39
;; RUN: not wasmir-run %s --invoke fl nan:0x800000
;; RUN: not wasmir-run %s --invoke v 0x1234
;; RUN: not wasmir-run %s --invoke r null
;; RUN: not wasmir-run %s 1 2
;; RUN: not wasmir-run %s --invoke add --fuel lots 1 2
;; RUN: not wasmir-run %S/does-not-exist.wasm
(module
  (memory (export "mem") 1)
  (func (export "add") (param i32 i32) (result i32)
    (i32.add (local.get 0) (local.get 1)))
  (func (export "fl") (param f32) (result f32)
    (local.get 0))
  (func (export "v") (param v128))
  (func (export "r") (param (ref func)))
)
