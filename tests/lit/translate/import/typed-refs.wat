;; Typed function references and tail calls: call_ref, return_call, return_call_ref,
;; return_call_indirect, ref.func with its precise type, br_on_non_null, non-null locals.
;; RUN: wasmir-translate --import-wasm %s
;; RUN: wasmir-translate --import-wasm %s | wasmir-translate - --emit=wat
;; RUN: wasmir-translate --import-wasm %s | wasmir-run - --invoke apply 5
;; RUN: wasmir-translate --import-wasm %s | wasmir-run - --invoke count 100000
;; RUN: wasmir-translate --import-wasm %s | wasmir-run - --invoke pick 0
(module
  (type $i2i (func (param i32) (result i32)))
  (table $t 1 funcref)
  (elem declare func $double $down)
  (elem (table $t) (i32.const 0) func $double)
  (func $double (type $i2i) (i32.mul (local.get 0) (i32.const 2)))
  (func (export "apply") (param i32) (result i32)
    (call_ref $i2i (local.get 0) (ref.func $double)))
  (func $down (param i32 i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (local.get 1))
      (else (return_call $down (i32.sub (local.get 0) (i32.const 1)) (i32.add (local.get 1) (i32.const 1))))))
  (func (export "count") (param i32) (result i32)
    (return_call $down (local.get 0) (i32.const 0)))
  (func (export "pick") (param i32) (result i32)
    (local $f (ref null $i2i))
    (local.set $f
      (block $got (result (ref $i2i))
        (br_on_non_null $got (ref.func $double))
        (return_call_indirect $t (type $i2i) (i32.const 21) (local.get 0))))
    (return_call_ref $i2i (i32.const 4) (local.get $f))))
