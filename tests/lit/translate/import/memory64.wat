;; Memory64, multi-memory, table64 and custom page sizes: addresses are i64 where the memory is,
;; every access names its memory.
;; RUN: wasmir-translate --import-wasm %s
;; RUN: wasmir-translate --import-wasm %s | wasmir-translate - --emit=wat
;; RUN: wasmir-translate --import-wasm %s | wasmir-run - --invoke copy 1234
(module
  (memory $big i64 1)
  (memory $small 1 1)
  (memory $tiny 10 (pagesize 1))
  (table $t64 i64 2 funcref)
  (func (export "copy") (param i32) (result i64)
    (i32.store $small (i32.const 8) (local.get 0))
    (memory.copy $big $small (i64.const 16) (i32.const 8) (i32.const 4))
    (i32.store8 $tiny (i32.const 9) (i32.const 1))
    (i64.add
      (i64.load32_u $big (i64.const 16))
      (i64.add (i64.extend_i32_u (i32.load8_u $tiny (i32.const 9)))
               (i64.add (memory.size $big) (table.size $t64))))))
