;; Exception handling: tags (defined, imported, exported), throw, throw_ref and try_table with
;; every kind of catch clause.
;; RUN: wasmir-translate --import-wasm %s
;; RUN: wasmir-translate --import-wasm %s | wasmir-translate - --emit=wat
;; RUN: wasmir-translate --import-wasm %s | wasmir-run - --invoke catch 7
;; RUN: wasmir-translate --import-wasm %s | wasmir-run - --invoke catch_all 0
;; RUN: wasmir-translate --import-wasm %s | wasmir-run - --invoke catch_all 1
;; RUN: wasmir-translate --import-wasm %s | wasmir-run - --invoke rethrow
(module
  (tag $e (export "e") (param i32))
  (tag $other)
  (func $thrower (param i32)
    (throw $e (local.get 0)))
  (func (export "catch") (param i32) (result i32)
    (block $h (result i32)
      (try_table (catch $e $h)
        (call $thrower (local.get 0)))
      (i32.const -1)))
  (func (export "catch_all") (param i32) (result i32)
    (block $h
      (try_table (catch_all $h)
        (if (local.get 0) (then (throw $other))))
      (return (i32.const 0)))
    (i32.const 1))
  (func (export "rethrow") (result i32)
    (block $outer (result i32)
      (try_table (result i32) (catch $e $outer)
        (block $h (result exnref)
          (try_table (catch_all_ref $h)
            (throw $e (i32.const 42)))
          (unreachable))
        (throw_ref)))))
