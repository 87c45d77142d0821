;; Harness self-test: `;;` comments, quoting, %t, and a continued RUN line.
;; RUN: wasmir-translate --import-wasm %s -o %t \
;; RUN:   | wasmir-opt '--allow-unregistered-dialect' -
;; RUN: wasmir-translate --import-wasm %s \
;; RUN:   | wasmir-opt '--allow-unregistered-dialect' -
(module)
