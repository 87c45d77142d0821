;; Harness self-test: `;;` comments, `not`, quoting, %t, and a continued RUN line.
;; RUN: not wasmir-translate --import-wasm %s -o %t \
;; RUN:   | wasmir-opt '--allow-unregistered-dialect' -
(module)
