;; SIMD and relaxed SIMD: v128 constants (also as a global initializer), lane-wise arithmetic,
;; shuffles and swizzles, lane extraction and replacement, every kind of v128 memory access
;; (full, extending, splat, zero, lane), reductions, conversions and relaxed ops.
;; RUN: wasmir-translate --import-wasm %s
;; RUN: wasmir-translate --import-wasm %s | wasmir-translate - --emit=wat
;; RUN: wasmir-translate --import-wasm %s | wasmir-run - --invoke add 0x00000004000000030000000200000001 0x0000000a0000000a0000000a0000000a
;; RUN: wasmir-translate --import-wasm %s | wasmir-run - --invoke interleave 0x0f0e0d0c0b0a09080706050403020100 0x1f1e1d1c1b1a19181716151413121110
;; RUN: wasmir-translate --import-wasm %s | wasmir-run - --invoke lanes 0x80000000000000000000000000001234
;; RUN: wasmir-translate --import-wasm %s | wasmir-run - --invoke loads
;; RUN: wasmir-translate --import-wasm %s | wasmir-run - --invoke reduce 0x000000ff0000000100000000ffffffff
;; RUN: wasmir-translate --import-wasm %s | wasmir-run - --invoke convert 2.5
;; RUN: wasmir-translate --import-wasm %s | wasmir-run - --invoke relaxed 0x0000000000000000000000000000000f
;; RUN: wasmir-translate --import-wasm %s | wasmir-run - --invoke oob
(module
  (memory $mem (export "memory") 1)
  (data (i32.const 0) "\00\01\02\03\04\05\06\07\08\09\0a\0b\0c\0d\0e\0f\f0\f1\f2\f3\f4\f5\f6\f7")
  (global $ones v128 (v128.const i32x4 1 1 1 1))
  (func (export "add") (param v128 v128) (result v128)
    (i32x4.add (local.get 0) (i32x4.mul (local.get 1) (global.get $ones))))
  (func (export "interleave") (param v128 v128) (result v128)
    (i8x16.swizzle
      (i8x16.shuffle 0 16 1 17 2 18 3 19 4 20 5 21 6 22 7 23 (local.get 0) (local.get 1))
      (v128.const i8x16 15 14 13 12 11 10 9 8 7 6 5 4 3 2 1 200)))
  (func (export "lanes") (param v128) (result i64)
    (i64.add
      (i64.extend_i32_s (i8x16.extract_lane_s 15 (local.get 0)))
      (i64x2.extract_lane 0
        (i64x2.replace_lane 1
          (i16x8.replace_lane 1 (local.get 0) (i32.const 0xabcd))
          (i64.const -1)))))
  (func (export "loads") (result v128)
    (v128.store offset=32 (i32.const 0) (v128.load8x8_s offset=16 (i32.const 0)))
    (v128.store32_lane offset=64 align=2 3 (i32.const 0) (v128.const i32x4 1 2 3 0x11223344))
    (v128.store8_lane 15 (i32.const 80) (v128.load8_splat (i32.const 5)))
    (v128.xor
      (v128.load16_lane 1 (i32.const 32) (v128.load32_zero offset=64 (i32.const 0)))
      (v128.or (v128.load16x4_u (i32.const 80)) (v128.load64_splat offset=1 align=1 (i32.const 0)))))
  (func (export "reduce") (param v128) (result i32)
    (i32.add
      (i32.add (i32x4.bitmask (local.get 0)) (i32.shl (i8x16.all_true (local.get 0)) (i32.const 8)))
      (i32.shl (v128.any_true (i64x2.shr_u (local.get 0) (i32.const 64))) (i32.const 12))))
  (func (export "convert") (param f32) (result v128)
    (i32x4.trunc_sat_f32x4_s
      (f32x4.add
        (f32x4.splat (local.get 0))
        (f32x4.demote_f64x2_zero (f64x2.convert_low_i32x4_s (v128.const i32x4 -1 1000 7 7))))))
  (func (export "relaxed") (param v128) (result v128)
    (i32x4.relaxed_dot_i8x16_i7x16_add_s
      (i8x16.relaxed_swizzle (local.get 0) (v128.const i8x16 0 0 0 0 1 1 1 1 2 2 2 2 3 3 3 3))
      (v128.const i8x16 1 2 3 4 1 2 3 4 1 2 3 4 1 2 3 4)
      (f32x4.relaxed_madd
        (v128.const f32x4 1 2 3 4) (v128.const f32x4 2 2 2 2) (v128.const f32x4 0.5 0.5 0.5 0.5))))
  (func (export "oob") (result v128)
    (v128.load offset=65530 (i32.const 0))))
