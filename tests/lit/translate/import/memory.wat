;; Loads and stores of every width with offsets and alignment, memory size/grow/fill/copy/init,
;; data.drop, and active and passive data segments.
;; RUN: wasmir-translate --import-wasm %s
;; RUN: wasmir-translate --import-wasm %s | wasmir-translate - --emit=wat
;; RUN: wasmir-translate --import-wasm %s | wasmir-run - --invoke roundtrip 305419896
;; RUN: wasmir-translate --import-wasm %s | wasmir-run - --invoke bulk
;; RUN: wasmir-translate --import-wasm %s | wasmir-run - --invoke oob
(module
  (memory $mem (export "memory") 1 2)
  (data $hello (i32.const 8) "hello")
  (data $later "\01\02\03\04")
  (func (export "roundtrip") (param i32) (result i64)
    (i32.store offset=16 (i32.const 0) (local.get 0))
    (i64.store8 offset=24 (i32.const 0) (i64.const 255))
    (i32.store16 align=1 (i32.const 32) (i32.const 0x1234))
    (i64.add
      (i64.add (i64.load32_u offset=16 (i32.const 0)) (i64.load8_s offset=24 (i32.const 0)))
      (i64.extend_i32_u (i32.load16_u align=1 (i32.const 32)))))
  (func (export "bulk") (result i32)
    (memory.fill (i32.const 100) (i32.const 7) (i32.const 4))
    (memory.copy (i32.const 200) (i32.const 100) (i32.const 4))
    (memory.init $later (i32.const 300) (i32.const 0) (i32.const 4))
    (data.drop $later)
    (drop (memory.grow (i32.const 1)))
    (i32.add (i32.add (i32.load (i32.const 200)) (i32.load (i32.const 300))) (memory.size)))
  (func (export "oob") (result i32)
    (i32.load (i32.const 131070))))
