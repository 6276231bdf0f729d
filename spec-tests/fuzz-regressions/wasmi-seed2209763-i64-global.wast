;; Found by the exec target (seed 2209763 of the long run of 2026-12-04,
;; module exec-d0e644f99a63257a.wasm: after call "", the exported i64
;; global was 0 on wasmint, 16711680 on wasmi), reduced by `wasm-tools
;; shrink` (same kind: wasmint 0, wasmi 255 after `(invoke "" (i32.const
;; 0))`). wasmtime (its Python package, the calls replayed) gives 0, as
;; wasmint: wasmi 2.0.0's bug, not ours.
(module
  (type (;0;) (func (result i64)))
  (type (;1;) (func))
  (type (;2;) (func (param i32)))
  (memory (;0;) 167634 1793211 (pagesize 0x1))
  (memory (;1;) 255 255 (pagesize 0x10000))
  (global (;0;) (mut f64) f64.const 0x0p+0 (;=0;))
  (global (;1;) (mut i64) i64.const 0)
  (global (;2;) i64 i64.const 0)
  (global (;3;) f32 f32.const 0x0p+0 (;=0;))
  (global (;4;) (mut i32) i32.const 0)
  (global (;5;) (mut f64) f64.const 0x1.9a61a92c2f468p-261 (;=0.0000000000000000000000000000000000000000000000000000000000000000000000000000004326322874716515;))
  (global (;6;) (mut i32) i32.const 0)
  (global (;7;) (mut i64) i64.const 0)
  (global (;8;) (mut i32) i32.const 0)
  (global (;9;) (mut i64) i64.const 0)
  (export "" (func 0))
  (export "'" (global 7))
  (elem (;0;) declare func)
  (func (;0;) (type 2) (param i32)
    (local f32 i32 i64 i32 i64 i32 i32 i32 i64 i32 i32 i32 i32 i32 i32 i32 i32 i32 i64 i32 f64)
    block (result i32) ;; label = @1
      i32.const 0
      local.set 4
      block ;; label = @2
        block ;; label = @3
          memory.size 1
          memory.size 1
          i32.add
          br_if 0 (;@3;)
          local.get 4
          br_if 0 (;@3;)
          br 1 (;@2;)
        end
      end
      local.get 5
      memory.size 1
      call 3
      memory.size 1
      local.get 2
      if (type 2) (param i32) ;; label = @2
        local.set 6
        block ;; label = @3
          block ;; label = @4
            local.get 6
            br_if 0 (;@4;)
            local.get 6
            br_if 0 (;@4;)
            nop
            br 1 (;@3;)
          end
        end
        local.get 7
        nop
        block ;; label = @3
          block ;; label = @4
            local.get 8
            br_if 0 (;@4;)
            local.get 8
            i32.const 0
            i32.le_s
            br_if 0 (;@4;)
            local.get 8
            i64.load32_u 1 offset=2208249
            local.set 9
            br 1 (;@3;)
          end
          i64.const 0
          local.set 9
        end
        local.get 9
        block ;; label = @3
          block ;; label = @4
            global.get 2
            global.set 1
          end
          call 1
        end
        global.get 3
        block (type 0) (result i64) ;; label = @3
          loop (result f64) ;; label = @4
            loop ;; label = @5
              global.get 5
              loop (type 0) (result i64) ;; label = @6
                loop ;; label = @7
                  memory.size
                  local.set 10
                  block ;; label = @8
                    block ;; label = @9
                      local.get 10
                      br_if 0 (;@9;)
                      local.get 10
                      br_if 0 (;@9;)
                      nop
                      br 1 (;@8;)
                    end
                  end
                  local.get 11
                  block ;; label = @8
                    block ;; label = @9
                      br 1 (;@8;)
                      global.get 4
                      br 3 (;@6;)
                      br_if 7 (;@2;)
                      call 2
                      local.get 2
                      local.set 12
                      block ;; label = @10
                        block ;; label = @11
                          local.get 12
                          br_if 0 (;@11;)
                          local.get 12
                          br_if 0 (;@11;)
                          br 1 (;@10;)
                        end
                        i32.const 0
                        local.set 13
                      end
                      call 1
                      block ;; label = @10
                        block ;; label = @11
                          local.get 14
                          br_if 0 (;@11;)
                          local.get 14
                          br_if 0 (;@11;)
                          local.get 14
                          i32.load8_s offset=146296
                          local.set 15
                          br 1 (;@10;)
                        end
                      end
                      block ;; label = @10
                        block ;; label = @11
                          local.get 16
                          br_if 0 (;@11;)
                          local.get 16
                          br_if 0 (;@11;)
                          nop
                          br 1 (;@10;)
                        end
                        i32.const 0
                        local.set 17
                      end
                      local.get 17
                      memory.size 1
                      br 8 (;@1;)
                      local.set 18
                      block ;; label = @10
                        block ;; label = @11
                          memory.size
                          br_if 0 (;@11;)
                          i32.const 0
                          br_if 0 (;@11;)
                          nop
                          br 1 (;@10;)
                        end
                      end
                      local.get 19
                      br 5 (;@4;)
                      nop
                      loop ;; label = @10
                        br 4 (;@6;)
                        return_call 2
                        block (result i32) ;; label = @11
                          block (result f32) ;; label = @12
                            f64.const 0x0p+0 (;=0;)
                            loop (result f32) ;; label = @13
                              loop (type 0) (result i64) ;; label = @14
                                call 1
                                call 1
                                block ;; label = @15
                                  block ;; label = @16
                                    br 1 (;@15;)
                                  end
                                  loop ;; label = @16
                                  end
                                end
                                return_call 2
                                memory.size 1
                                local.set 20
                                block ;; label = @15
                                  block ;; label = @16
                                    local.get 20
                                    br_if 0 (;@16;)
                                    local.get 20
                                    br_if 0 (;@16;)
                                    local.get 20
                                    f64.load offset=24856
                                    local.set 21
                                    br 1 (;@15;)
                                  end
                                  f64.const 0x0p+0 (;=0;)
                                  local.set 21
                                end
                                local.get 21
                                block ;; label = @15
                                  br 11 (;@4;)
                                  br 7 (;@8;)
                                  loop (type 1) ;; label = @16
                                    block (type 1) ;; label = @17
                                      memory.size 1
                                      call 3
                                    end
                                    call 1
                                    loop (type 0) (result i64) ;; label = @17
                                      loop (type 1) ;; label = @18
                                        return
                                        call 1
                                        return_call 2
                                        data.drop 0
                                        return_call 2
                                        memory.size 1
                                        global.set 4
                                        elem.drop 0
                                        global.get 3
                                        global.get 4
                                        br_if 8 (;@10;)
                                        local.get 1
                                        global.get 0
                                        global.set 5
                                        block (type 0) (result i64) ;; label = @19
                                          global.get 6
                                          global.set 6
                                          i64.const 0
                                        end
                                        global.get 7
                                        i64.xor
                                        global.set 7
                                        i32.reinterpret_f32
                                        global.get 8
                                        i32.xor
                                        global.set 8
                                        i32.reinterpret_f32
                                        i32.const 1
                                        i32.xor
                                        global.set 8
                                      end
                                      i64.const 1
                                    end
                                    global.get 7
                                    i64.xor
                                    global.set 7
                                  end
                                end
                                i64.reinterpret_f64
                                global.get 9
                                i64.xor
                                global.set 9
                                i64.const 0
                              end
                              global.get 7
                              i64.xor
                              global.set 7
                              f32.const -0x1.075aa6p+61 (;=-2372082800000000000;)
                            end
                            i32.reinterpret_f32
                            global.get 8
                            i32.xor
                            global.set 8
                            i64.reinterpret_f64
                            global.get 9
                            i64.xor
                            global.set 9
                            f32.const -0x1p+1 (;=-2;)
                          end
                          i32.reinterpret_f32
                          global.get 8
                          i32.xor
                          global.set 8
                          i32.const 0
                        end
                        global.get 6
                        i32.xor
                        global.set 6
                      end
                      i64.const 0
                      i64.xor
                      global.set 7
                    end
                  end
                  global.get 6
                  i32.xor
                  global.set 6
                end
                i64.const 0
              end
              global.get 7
              i64.xor
              global.set 7
              i64.reinterpret_f64
              global.get 9
              i64.xor
              global.set 9
            end
            f64.const -0x1.1ef8d3be095p-753 (;=-0.000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000023659894040141565;)
          end
          drop
          i64.const 0
        end
        global.get 7
        i64.xor
        global.set 7
        i32.reinterpret_f32
        global.get 8
        i32.xor
        global.set 8
        global.get 7
        i64.xor
        global.set 7
        i32.const -1679628022
        i32.xor
        global.set 6
      else
        global.get 6
        i32.xor
        global.set 6
      end
      global.get 7
      i64.xor
      global.set 7
      i32.const 0
    end
    global.get 6
    i32.xor
    global.set 6
  )
  (func (;1;) (type 1))
  (func (;2;) (type 1))
  (func (;3;) (type 2) (param i32))
  (data (;0;) (memory 1) (i32.const 4537323) "")
)
(invoke "" (i32.const 0))
(assert_return (get "'") (i64.const 0))
(invoke "" (i32.const 1))
(assert_return (get "'") (i64.const 0))
