;; Found by the exec target (long run, seed 2019772), reduced by
;; `wasm-tools shrink` and by hand; wasmi and wasmtime agree (g = 0).
;; A `br_if` out of a block whose result must move down a slot copied it
;; from the accumulator (SpillR) while the value stayed there for the
;; fall-through path; the `call` after it spilled the accumulator, which
;; redirected the `global.get` to a slot, so the branch's copy read a
;; stale accumulator (the 9 of `$g5`). The same bug as
;; brif-return-accumulator.wast, on the path with moves; fixed in
;; src/compile/translate.rs (`br_on`: spill the carried values first).
(module
  (memory 1)
  (global $g0 i64 (i64.const 0))
  (global $g3 (export "g") (mut i64) (i64.const 0))
  (global $g5 (mut i32) (i32.const 9))
  (func $u (result i32) unreachable)
  (func (export "f") (result i32)
    global.get $g5
    global.set $g5
    global.get $g0
    block (result i64)
      memory.size
      global.get $g0
      memory.size
      br_if 0
      call $u
      br 1
    end
    i64.xor
    global.set $g3
    i32.const 1)
  ;; The same with an i32 carried under a float accumulator's value, and
  ;; with a value that must move across two slots.
  (func (export "f2") (param i32) (result i32)
    (local f32)
    f32.const 2.5
    local.set 1
    i32.const 7
    block (result i32)
      i32.const 1
      i32.const 40
      local.get 0
      br_if 0
      call $u
      br 1
    end
    i32.add))
(assert_return (invoke "f") (i32.const 1))
(assert_return (get "g") (i64.const 0))
(assert_return (invoke "f2" (i32.const 1)) (i32.const 47))
