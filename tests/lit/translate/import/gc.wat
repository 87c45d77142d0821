;; GC: recursive struct types with subtyping, arrays (packed and of references), i31, casts,
;; type tests, br_on_cast, and the extern/any conversions.
;; RUN: wasmir-translate --import-wasm %s
;; RUN: wasmir-translate --import-wasm %s | wasmir-translate - --emit=wat
;; RUN: wasmir-translate --import-wasm %s | wasmir-run - --invoke sum_list 4
;; RUN: wasmir-translate --import-wasm %s | wasmir-run - --invoke bytes 300
;; RUN: wasmir-translate --import-wasm %s | wasmir-run - --invoke classify 1
;; RUN: wasmir-translate --import-wasm %s | wasmir-run - --invoke classify 2
(module
  (rec
    (type $node (sub (struct (field $val i32) (field $next (ref null $node)))))
    (type $tagged (sub final $node (struct (field $val i32) (field $next (ref null $node)) (field $tag i8)))))
  (type $bytes (array (mut i8)))
  (type $objs (array (mut anyref)))
  (func $cons (param i32 (ref null $node)) (result (ref $node))
    (struct.new $node (local.get 0) (local.get 1)))
  (func (export "sum_list") (param $n i32) (result i32)
    (local $l (ref null $node)) (local $s i32) (local $nn (ref null $node))
    (block $done
      (loop $build
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $l (call $cons (local.get $n) (local.get $l)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $build)))
    (block $end
      (loop $walk
        (br_on_null $end (local.get $l))
        (local.set $nn)
        (local.set $s (i32.add (local.get $s) (struct.get $node $val (local.get $nn))))
        (local.set $l (struct.get $node $next (ref.as_non_null (local.get $nn))))
        (br $walk)))
    (local.get $s))
  (func (export "bytes") (param i32) (result i32)
    (local $a (ref $bytes))
    (local.set $a (array.new $bytes (local.get 0) (i32.const 4)))
    (array.set $bytes (local.get $a) (i32.const 1) (i32.const -1))
    (i32.add (array.get_u $bytes (local.get $a) (i32.const 0))
             (i32.add (array.get_s $bytes (local.get $a) (i32.const 1)) (array.len (local.get $a)))))
  (func (export "classify") (param i32) (result i32)
    (local $o anyref)
    (local.set $o
      (if (result anyref) (i32.eq (local.get 0) (i32.const 1))
        (then (struct.new $tagged (i32.const 7) (ref.null $node) (i32.const 3)))
        (else (ref.i31 (local.get 0)))))
    (block $is_node (result (ref $node))
      (br_on_cast $is_node anyref (ref $node) (local.get $o))
      (drop)
      (return (i31.get_s (ref.cast (ref i31) (any.convert_extern (extern.convert_any (local.get $o)))))))
    (struct.get $node $val)))
