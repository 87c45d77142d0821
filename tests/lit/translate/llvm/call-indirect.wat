;; REQUIRES: llvm
;; call_indirect through table 0 (the C/Rust shape) with --backend=llvm: the call is a call of
;; `inttoptr` of the index, which LLVM's wasm32 target emits as `call_indirect` on wasm-ld's
;; `__indirect_function_table`; the link puts the module's table (limits, export) in its place
;; and writes the active element segments with the linked function indices. The functions the
;; segments name survive LLVM and wasm-ld though no code calls them. The engine checks each call
;; as wasm does: a null entry, a signature mismatch and an index out of bounds trap.
;; RUN: wasmir-translate %s --import-wasm | wasmir-translate - --backend=llvm -O2 --emit=wat
;; RUN: wasmir-translate %s --import-wasm | wasmir-translate - --backend=llvm -O2 | wasmir-run - --invoke apply 1 20
;; RUN: wasmir-translate %s --import-wasm | wasmir-translate - --backend=llvm -O2 | wasmir-run - --invoke apply 2 20
;; RUN: wasmir-translate %s --import-wasm | wasmir-translate - --backend=llvm -O0 | wasmir-run - --invoke apply 3 20
;; RUN: not wasmir-translate %s --import-wasm | wasmir-translate - --backend=llvm -O2 | wasmir-run - --invoke apply 0 20
;; RUN: not wasmir-translate %s --import-wasm | wasmir-translate - --backend=llvm -O2 | wasmir-run - --invoke apply 4 20
;; RUN: not wasmir-translate %s --import-wasm | wasmir-translate - --backend=llvm -O2 | wasmir-run - --invoke apply 6 20
;; RUN: not wasmir-translate %s --import-wasm | wasmir-translate - --backend=llvm -O2 | wasmir-run - --invoke apply -1 20
;; RUN: wasmir-translate %s --import-wasm | wasmir-translate - --backend=llvm -O2 | wasmir-run - --invoke sum 5
(module
  (type $un (func (param i32) (result i32)))
  (type $wide (func (param i64) (result i64)))
  (table $fns (export "fns") 6 10 funcref)
  ;; Slot 0 and 5 stay null; slot 4 holds a function of another type.
  (elem (table $fns) (i32.const 1) func $inc $double $square $wide)
  (func $inc (type $un) (i32.add (local.get 0) (i32.const 1)))
  (func $double (type $un) (i32.shl (local.get 0) (i32.const 1)))
  (func $square (type $un) (i32.mul (local.get 0) (local.get 0)))
  (func $wide (type $wide) (local.get 0))
  (func (export "apply") (param $slot i32) (param $x i32) (result i32)
    (call_indirect $fns (type $un) (local.get $x) (local.get $slot)))
  ;; The three functions applied in turn to x, in a loop over the slots.
  (func (export "sum") (param $x i32) (result i32)
    (local $slot i32) (local $acc i32)
    (local.set $slot (i32.const 1))
    (loop $next
      (local.set $acc
        (i32.add (local.get $acc) (call_indirect $fns (type $un) (local.get $x) (local.get $slot))))
      (local.set $slot (i32.add (local.get $slot) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get $slot) (i32.const 4))))
    (local.get $acc)))
