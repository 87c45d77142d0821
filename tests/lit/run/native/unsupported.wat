;; What the native subset does not cover is refused with a message naming it (exit 1), and
;; the module runs with wasmtime, the default backend.
;; RUN: not wasmir-run --backend=cranelift %s --invoke call 1
;; RUN: wasmir-run %s --invoke call 1
;; RUN: not wasmir-run --backend=bogus %s --invoke call 1
(module
  (type $t (func (param i32) (result i32)))
  (table 1 funcref)
  (elem (i32.const 0) $id)
  (func $id (param i32) (result i32) (local.get 0))
  (func (export "call") (param i32) (result i32)
    (call_indirect (type $t) (local.get 0) (i32.const 0))))
