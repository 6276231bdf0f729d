;; Found by the exec target (long run, seed 1006240), reduced by
;; `wasm-tools shrink` and line deletion; wasmi and wasmtime agree on 64.
;; A `br_if` out of the function returned its result from the accumulator
;; (ReturnR) while the value stayed there for the fall-through path; the
;; `global.get` after it claimed the accumulator, whose spill redirected
;; the `i64.clz` to a slot, so the return read a stale accumulator (0).
;; Fixed in src/compile/translate.rs (`br_on`: spill a function's results
;; before a conditional return).
(module
  (memory 1)
  (global (mut i64) (i64.const 5))
  (func (export "f") (param i64) (result i64) (local i64 funcref i32 i64)
    local.get 4
    i64.clz
    memory.size
    br_if 0
    global.get 0
    unreachable)
  (func (export "g") (param i32) (result i32)
    local.get 0
    i32.const 1
    i32.add
    local.get 0
    br_if 0
    global.get 0
    drop
    i32.const 1
    i32.add)
  (func (export "h") (param f64 i32) (result f64)
    local.get 0
    f64.neg
    local.get 1
    br_if 0
    f64.const 2
    f64.add))
(assert_return (invoke "f" (i64.const 0)) (i64.const 64))
(assert_return (invoke "g" (i32.const 1)) (i32.const 2))
(assert_return (invoke "g" (i32.const 0)) (i32.const 2))
(assert_return (invoke "h" (f64.const 1) (i32.const 1)) (f64.const -1))
(assert_return (invoke "h" (f64.const 1) (i32.const 0)) (f64.const 1))
