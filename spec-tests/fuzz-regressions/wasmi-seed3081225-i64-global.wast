;; Found by the exec target (seed 3081225 of the long run of 2026-12-04,
;; module exec-42d9a7932d2e3e17.wasm: after call "2", the exported i64
;; global "13" was 8978436 on wasmint, 10158084 on wasmi), reduced by
;; `wasm-tools shrink` (same kind: after the first call, wasmint 1, wasmi
;; 19). wasmtime (its Python package, the calls replayed) gives 1 then 0,
;; as wasmint: wasmi 2.0.0's bug, not ours.
(module
  (type (;0;) (func))
  (type (;1;) (func (param i32) (result i64 i32)))
  (type (;2;) (func (param i64) (result i64)))
  (memory (;0;) 1 148)
  (memory (;1;) i64 18 46)
  (global (;0;) (mut i32) i32.const 0)
  (global (;1;) i32 i32.const 0)
  (global (;2;) (mut i64) i64.const 0)
  (global (;3;) (mut i32) i32.const 0)
  (export "" (func 1))
  (export "'" (global 2))
  (func (;0;) (type 0))
  (func (;1;) (type 2) (param i64) (result i64)
    (local i32 i32 i32 i32 i32 i32 i32 i64 i64 i64 i32 i64 i64 i32)
    call 0
    block ;; label = @1
      block ;; label = @2
        local.get 1
        br_if 0 (;@2;)
        i32.const 0
        br_if 0 (;@2;)
        br 1 (;@1;)
      end
    end
    block ;; label = @1
      block ;; label = @2
        local.get 3
        br_if 0 (;@2;)
        i32.const 0
        br_if 0 (;@2;)
        br 1 (;@1;)
      end
    end
    block ;; label = @1
      block ;; label = @2
        local.get 5
        br_if 0 (;@2;)
        local.get 5
        br_if 0 (;@2;)
        br 1 (;@1;)
      end
    end
    block ;; label = @1
      block ;; label = @2
        local.get 7
        br_if 0 (;@2;)
        local.get 7
        br_if 0 (;@2;)
        br 1 (;@1;)
      end
    end
    i64.const 1
    call 0
    block ;; label = @1
      block ;; label = @2
        memory.size 1
        memory.size 1
        i64.le_u
        br_if 0 (;@2;)
        i32.const 1
        br_if 0 (;@2;)
        br 1 (;@1;)
      end
    end
    local.get 10
    memory.size
    global.get 1
    global.get 0
    i32.eqz
    if (type 1) (param i32) (result i64 i32) ;; label = @1
      global.get 3
      i32.xor
      global.set 3
      i64.const 1
      i32.const 1
    else
      memory.grow
      local.set 11
      block ;; label = @2
        block ;; label = @3
          local.get 11
          br_if 0 (;@3;)
          local.get 11
          br_if 0 (;@3;)
          br 1 (;@2;)
        end
      end
      local.get 12
      local.get 0
      block (type 2) (param i64) (result i64) ;; label = @2
        local.set 13
        block ;; label = @3
          block ;; label = @4
            i32.const 1
            br_if 0 (;@4;)
            i32.const 1
            br_if 0 (;@4;)
            br 1 (;@3;)
          end
        end
        i32.const 0
        global.set 3
        i64.const 0
      end
      global.get 2
      i64.xor
      global.set 2
      i32.const 0
    end
    global.get 3
    i32.xor
    global.set 3
    global.get 2
    i64.xor
    global.set 2
    global.get 3
    i32.xor
    global.set 3
    global.get 2
    i64.xor
    global.set 2
  )
)
(assert_return (invoke "" (i64.const 0)) (i64.const 1))
(assert_return (get "'") (i64.const 1))
(assert_return (invoke "" (i64.const 1)) (i64.const 1))
(assert_return (get "'") (i64.const 0))
