;; Imports of every kind, globals with initializers, tables with element segments (active,
;; passive, declarative), call_indirect, ref.func, table ops, exports of every kind, the start
;; function and a custom section.
;; RUN: wasmir-translate --import-wasm %s
;; RUN: wasmir-translate --import-wasm %s | wasmir-translate - --emit=wat
;; RUN: wasmir-translate --import-wasm %s | wasmir-run - --invoke dispatch 1 20
;; RUN: wasmir-translate --import-wasm %s | wasmir-run - --invoke dispatch 2 20
;; RUN: wasmir-translate --import-wasm %s | wasmir-run - --invoke tables
(module
  (import "spectest" "print_i32" (func $print (param i32)))
  (import "spectest" "global_i32" (global $base i32))
  (import "spectest" "memory" (memory 1 2))
  (import "spectest" "table" (table $imported 10 20 funcref))
  (global $counter (export "counter") (mut i32) (global.get $base))
  (global $ref (mut funcref) (ref.null func))
  (table $t 4 funcref)
  (table $ext (export "ext") 2 externref)
  (type $binop (func (param i32) (result i32)))
  (elem (table $t) (i32.const 0) func $double $square)
  (elem $passive func $double)
  (elem declare func $square)
  (func $double (type $binop) (i32.mul (local.get 0) (i32.const 2)))
  (func $square (type $binop) (i32.mul (local.get 0) (local.get 0)))
  (func $init (global.set $counter (i32.add (global.get $counter) (i32.const 1))))
  (start $init)
  (func (export "dispatch") (param i32 i32) (result i32)
    (call $print (local.get 0))
    (call_indirect $t (type $binop) (local.get 1) (i32.sub (local.get 0) (i32.const 1))))
  (func (export "tables") (result i32)
    (table.init $t $passive (i32.const 2) (i32.const 0) (i32.const 1))
    (elem.drop $passive)
    (global.set $ref (ref.func $square))
    (table.set $t (i32.const 3) (global.get $ref))
    (drop (table.grow $t (ref.null func) (i32.const 2)))
    (table.fill $t (i32.const 4) (ref.null func) (i32.const 2))
    (table.copy $t $t (i32.const 0) (i32.const 2) (i32.const 1))
    (i32.add (table.size $t) (ref.is_null (table.get $t (i32.const 5)))))
  (@custom "note" "kept verbatim"))
