;; Found by the exec target (seed 3130910 of the long run of 2026-12-04,
;; module exec-c2d1416f9f555bf6.wasm: after call "12", the exported i64
;; global "21" was 0 on wasmint, 131072 on wasmi), reduced by `wasm-tools
;; shrink` with a predicate that needs the disagreement three times in a
;; row (a first reduction lost it: wasmi's value here is not always the
;; same). After the call of "1": wasmint 0, wasmi 72340172838076673
;; (0x0101010101010101). wasmtime (its Python package, the calls replayed)
;; gives 0, as wasmint: wasmi 2.0.0's bug, not ours.
(module
  (type (;0;) (func))
  (type (;1;) (func (param f64) (result i64 f64)))
  (type (;2;) (func (param i32)))
  (table (;0;) 1892 3970 funcref)
  (memory (;0;) 87 209)
  (memory (;1;) 2 13)
  (global (;0;) (mut i64) i64.const 0)
  (global (;1;) (mut i32) i32.const 0)
  (global (;2;) (mut i32) i32.const 0)
  (global (;3;) (mut i64) i64.const 0)
  (export ":" (func 1))
  (export "1" (func 2))
  (export "5" (table 0))
  (export "" (global 0))
  (func (;0;) (type 0))
  (func (;1;) (type 2) (param i32))
  (func (;2;) (type 1) (param f64) (result i64 f64)
    (local i32 f64 i32 i32 f64 i32 i64 i32 f32)
    block ;; label = @1
      block ;; label = @2
        local.get 4
        br_if 0 (;@2;)
        local.get 4
        br_if 0 (;@2;)
        br 1 (;@1;)
      end
    end
    f64.const 0x1p+0 (;=1;)
    block ;; label = @1
      block ;; label = @2
        local.get 6
        br_if 0 (;@2;)
        local.get 6
        br_if 0 (;@2;)
        br 1 (;@1;)
      end
    end
    local.get 7
    call 0
    memory.size
    local.get 1
    if (type 2) (param i32) ;; label = @1
      local.set 8
      block ;; label = @2
        block ;; label = @3
          local.get 8
          br_if 0 (;@3;)
          local.get 8
          br_if 0 (;@3;)
          br 1 (;@2;)
        end
      end
    else
      i32.const 1
      i32.xor
      global.set 2
    end
    global.get 0
    i64.xor
    global.set 0
    i64.reinterpret_f64
    i64.const 0
    i64.xor
    global.set 3
    i64.const 0
    f64.const -0x1p+513 (;=-26815615859885194000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000;)
  )
)
(assert_return (invoke ":" (i32.const 0)))
(assert_return (invoke "1" (f64.const 0)) (i64.const 0) (f64.const -0x1p+513))
(assert_return (get "") (i64.const 0))
