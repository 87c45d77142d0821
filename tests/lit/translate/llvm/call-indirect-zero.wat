;; REQUIRES: llvm
;; `call_indirect` of table slot 0 through the indirect table: the call is of `inttoptr` of the
;; index, and LLVM's InstSimplify took a call of a null pointer for undefined behaviour and its
;; result for poison (the module returned an uninitialized local: 0 instead of -1), also when the
;; 0 arrives by inlining. The index passes through an empty inline assembly. Found by the spec
;; suite through --backend=llvm (call_indirect.wast, block.wast, memory_grow.wast and others).
;; RUN: wasmir-translate %s --import-wasm | wasmir-translate - --backend=llvm -O2 | wasmir-run - --invoke first
;; RUN: wasmir-translate %s --import-wasm | wasmir-translate - --backend=llvm -O2 | wasmir-run - --invoke inlined
;; RUN: wasmir-translate %s --import-wasm | wasmir-translate - --backend=llvm -O0 | wasmir-run - --invoke first
;; RUN: wasmir-translate %s --import-wasm | wasmir-translate - --backend=llvm -O2 --emit=wat
(module
  (type $f (func (param i32 i32 i32) (result i32)))
  (table funcref (elem $first $second))
  (func $first (param i32 i32 i32) (result i32) (local.get 0))
  (func $second (param i32 i32 i32) (result i32) (local.get 1))
  (func $dispatch (param i32) (result i32)
    (call_indirect (type $f) (i32.const -1) (i32.const 2) (i32.const 3) (local.get 0)))
  (func (export "first") (result i32)
    (call_indirect (type $f) (i32.const -1) (i32.const 2) (i32.const 3) (i32.const 0)))
  (func (export "inlined") (result i32)
    (i32.add (call $dispatch (i32.const 0)) (call $dispatch (i32.const 1))))
)
