;; REQUIRES: llvm
;; Reference values and table ops through --backend=llvm: externref is `ptr addrspace(10)` and
;; funcref `ptr addrspace(20)`, made and used only through LLVM's `llvm.wasm.ref.*` and
;; `llvm.wasm.table.*` intrinsics on tables that are LLVM globals in address space 1
;; (`+reference-types` is added to the target features). Several tables: call_indirect through
;; a table other than the first funcref one is a `table.get` and a call of the funcref.
;; table.get checks its bounds explicitly (LLVM may delete an unused one). `ref.func` and
;; `select` of references go through scratch tables (LLVM 22 has no ref.func, and miscompiles
;; reference selects). Passive and declarative segments are kept.
;; RUN: wasmir-translate %s --import-wasm | wasmir-translate - --backend=llvm -O2 --emit=wat
;; RUN: wasmir-translate %s --import-wasm | wasmir-translate - --backend=llvm -O2 | wasmir-run - --invoke stash ref.extern:7 1
;; RUN: wasmir-translate %s --import-wasm | wasmir-translate - --backend=llvm -O0 | wasmir-run - --invoke stash ref.extern:7 0
;; RUN: not wasmir-translate %s --import-wasm | wasmir-translate - --backend=llvm -O2 | wasmir-run - --invoke stash ref.extern:7 2
;; RUN: wasmir-translate %s --import-wasm | wasmir-translate - --backend=llvm -O2 | wasmir-run - --invoke pick ref.extern:1 ref.extern:2 5
;; RUN: wasmir-translate %s --import-wasm | wasmir-translate - --backend=llvm -O0 | wasmir-run - --invoke pick ref.extern:1 ref.extern:2 0
;; RUN: wasmir-translate %s --import-wasm | wasmir-translate - --backend=llvm -O2 | wasmir-run - --invoke is_null null
;; RUN: wasmir-translate %s --import-wasm | wasmir-translate - --backend=llvm -O2 | wasmir-run - --invoke is_null ref.extern:3
;; RUN: wasmir-translate %s --import-wasm | wasmir-translate - --backend=llvm -O2 | wasmir-run - --invoke grow 3
;; RUN: wasmir-translate %s --import-wasm | wasmir-translate - --backend=llvm -O2 | wasmir-run - --invoke grow 20
;; RUN: wasmir-translate %s --import-wasm | wasmir-translate - --backend=llvm -O2 | wasmir-run - --invoke call_other 1 21
;; RUN: not wasmir-translate %s --import-wasm | wasmir-translate - --backend=llvm -O0 | wasmir-run - --invoke call_other 2 21
;; RUN: not wasmir-translate %s --import-wasm | wasmir-translate - --backend=llvm -O2 | wasmir-run - --invoke call_other 3 21
;; RUN: wasmir-translate %s --import-wasm | wasmir-translate - --backend=llvm -O2 | wasmir-run - --invoke install 8
;; RUN: wasmir-translate %s --import-wasm | wasmir-translate - --backend=llvm -O0 | wasmir-run - --invoke fill_copy 0 3
;; RUN: not wasmir-translate %s --import-wasm | wasmir-translate - --backend=llvm -O2 | wasmir-run - --invoke fill_copy 1 3
;; RUN: wasmir-translate %s --import-wasm | wasmir-translate - --backend=llvm -O2 | wasmir-run - --invoke maybe_get 0
;; RUN: wasmir-translate %s --import-wasm | wasmir-translate - --backend=llvm -O2 | wasmir-run - --invoke maybe_get 1
;; RUN: wasmir-translate %s --import-wasm | wasmir-translate - --backend=llvm -O2 | wasmir-run - --invoke same ref.extern:4
;; RUN: not wasmir-translate %s --import-wasm | wasmir-translate - --backend=llvm -O2 | wasmir-run - --invoke probe 2
(module
  (type $un (func (param i32) (result i32)))
  (table $fns 4 funcref)
  (table $objs 2 10 externref)
  (table $more 3 funcref)
  (elem (table $fns) (i32.const 0) func $inc)
  (elem (table $more) (i32.const 1) funcref (ref.func $double) (ref.null func))
  (elem $spare funcref (ref.func $inc))
  (elem declare func $double)
  (func $inc (type $un) (i32.add (local.get 0) (i32.const 1)))
  (func $double (type $un) (i32.mul (local.get 0) (i32.const 2)))
  ;; Stores the reference at index i, returns the one at index 0.
  (func (export "stash") (param externref i32) (result externref)
    (table.set $objs (local.get 1) (local.get 0))
    (table.get $objs (i32.const 0)))
  (func (export "pick") (param externref externref i32) (result externref)
    (select (result externref) (local.get 0) (local.get 1) (local.get 2)))
  (func (export "is_null") (param externref) (result i32)
    (ref.is_null (local.get 0)))
  ;; Grows by n (the maximum is 10), returns the size.
  (func (export "grow") (param i32) (result i32)
    (drop (table.grow $objs (ref.null extern) (local.get 0)))
    (table.size $objs))
  (func (export "call_other") (param i32 i32) (result i32)
    (call_indirect $more (type $un) (local.get 1) (local.get 0)))
  ;; ref.func into slot 2 of $fns, then called through it.
  (func (export "install") (param i32) (result i32)
    (table.set $fns (i32.const 2) (ref.func $double))
    (call_indirect $fns (type $un) (local.get 0) (i32.const 2)))
  ;; $more[i..i+n] = $inc, $fns[1..4] = $more[0..3], then $fns[3](100).
  (func (export "fill_copy") (param i32 i32) (result i32)
    (table.fill $more (local.get 0) (ref.func $inc) (local.get 1))
    (table.copy $fns $more (i32.const 1) (i32.const 0) (i32.const 3))
    (call_indirect $fns (type $un) (i32.const 100) (i32.const 3)))
  ;; A funcref local, null unless set on one path: the join is a phi of references.
  (func (export "maybe_get") (param i32) (result i32)
    (local $r funcref)
    (if (local.get 0) (then (local.set $r (table.get $fns (i32.const 0)))))
    (ref.is_null (local.get $r)))
  ;; The reference goes through a table and back through a direct call.
  (func $through (param externref) (result externref)
    (table.set $objs (i32.const 1) (local.get 0))
    (table.get $objs (i32.const 1)))
  (func (export "same") (param externref) (result externref)
    (call $through (local.get 0)))
  ;; An unused table.get still traps out of bounds.
  (func (export "probe") (param i32)
    (drop (table.get $objs (local.get 0)))))
