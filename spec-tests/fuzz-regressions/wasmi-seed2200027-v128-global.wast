;; Found by the exec target (seed 2200027 of the long run of 2026-12-04,
;; module exec-43b872c7fee18c8e.wasm: after call "8", the exported v128
;; global "\10" was 0x...fe on wasmint, another value on wasmi), reduced by
;; `wasm-tools shrink` (same disagreement: after the second call of "",
;; wasmint 0, wasmi 29307449114544588739051519). wasmtime 50.0.1 (its Python
;; package, the calls replayed and the global read through an added
;; accessor) gives 0, as wasmint: wasmi 2.0.0's bug, not ours.
(module
  (type (;0;) (func (result v128 v128 f32)))
  (type (;1;) (func (result v128)))
  (memory (;0;) 3 234 (pagesize 0x10000))
  (memory (;1;) i64 1588755 16164875 (pagesize 0x1))
  (global (;0;) (mut i32) i32.const 0)
  (global (;1;) f32 f32.const -0x1.7b030ep-123 (;=-0.000000000000000000000000000000000000139227;))
  (global (;2;) (mut f64) f64.const 0x0p+0 (;=0;))
  (global (;3;) (mut i32) i32.const 0)
  (global (;4;) (mut v128) v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000)
  (global (;5;) (mut i64) i64.const 0)
  (global (;6;) (mut i64) i64.const 0)
  (global (;7;) (mut i32) i32.const 0)
  (global (;8;) (mut i32) i32.const 5)
  (export "" (func 7))
  (export "\u{10}" (global 4))
  (func (;0;) (type 1) (result v128)
    unreachable
  )
  (func (;1;) (type 0) (result v128 v128 f32)
    unreachable
  )
  (func (;2;) (type 0) (result v128 v128 f32)
    v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
    v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
    f32.const 0x1.b71cp+43 (;=15087683000000;)
  )
  (func (;3;) (type 0) (result v128 v128 f32)
    unreachable
  )
  (func (;4;) (type 0) (result v128 v128 f32)
    unreachable
  )
  (func (;5;) (type 0) (result v128 v128 f32)
    unreachable
  )
  (func (;6;) (type 1) (result v128)
    unreachable
  )
  (func (;7;) (type 0) (result v128 v128 f32)
    global.get 8
    i32.eqz
    if ;; label = @1
      unreachable
    end
    global.get 8
    global.set 8
    block ;; label = @1
      block (type 0) (result v128 v128 f32) ;; label = @2
        v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
        global.get 1
        call 2
        v128.const i32x4 0xffadf837 0x86491d7d 0xb27e2a8b 0xf895d95c
        i64x2.all_true
        i32.load8_s offset=127736
        br_table 0 (;@2;) 2 2
        global.get 2
        return_call 4
        return_call 8
        v128.const i32x4 0x0634b876 0xfae7a582 0xf8bc0e10 0x5b36e0de
        i64x2.extract_lane 1
        i64.load8_u 1 offset=703305
        i64.load32_u 1 offset=650425
        v128.load64_splat 1 offset=1490313 align=2
        global.get 0
        if (type 1) (result v128) ;; label = @3
          call 0
        else
          global.get 0
          if (result i32) ;; label = @4
            global.get 2
            memory.size
            v128.load32x2_s offset=87503 align=4
            loop ;; label = @5
              global.get 8
              if ;; label = @6
                unreachable
              end
              global.get 8
              i32.const 1
              i32.sub
              global.set 8
              memory.size 1
              call 9
              memory.size 1
              block (type 0) (result v128 v128 f32) ;; label = @6
                block (type 1) (result v128) ;; label = @7
                  call 6
                end
                i32x4.extadd_pairwise_i16x8_u
                v128.not
                i64x2.all_true
                f64.load offset=143898 align=2
                call 8
                return_call 5
                block (result f64) ;; label = @7
                  return_call 7
                  block (result v128) ;; label = @8
                    i64.const 1
                    v128.load32x2_u 1 offset=435930
                    call 3
                    call 8
                    v128.const i32x4 0x4a0a4694 0xdb0f1a89 0xb9aaf2a0 0x324b5c0e
                    i64x2.neg
                    i32x4.extend_low_i16x8_s
                    return_call 7
                    v128.const i32x4 0xb67cb8b5 0x81860bde 0x870f64c6 0xcff60a22
                    i32x4.extadd_pairwise_i16x8_u
                    block (result v128) ;; label = @9
                      memory.size 1
                      global.get 1
                      loop (type 1) (result v128) ;; label = @10
                        global.get 8
                        if ;; label = @11
                          unreachable
                        end
                        global.get 8
                        i32.const 1
                        i32.sub
                        global.set 8
                        block (result i32) ;; label = @11
                          call 2
                          br 5 (;@6;)
                          call 3
                          loop (type 1) (result v128) ;; label = @12
                            global.get 8
                            i32.eqz
                            if ;; label = @13
                              unreachable
                            end
                            global.get 8
                            global.set 8
                            block (type 1) (result v128) ;; label = @13
                              v128.const i32x4 0xedd17cca 0xfc725b00 0x2ba6451c 0xd4659d64
                              global.get 1
                              block ;; label = @14
                                memory.size
                                v128.load64_zero offset=41285 align=1
                                i16x8.extadd_pairwise_i8x16_u
                                block (type 1) (result v128) ;; label = @15
                                  call 1
                                  return_call 2
                                  block (result i32) ;; label = @16
                                    call 3
                                    block (type 1) (result v128) ;; label = @17
                                      loop ;; label = @18
                                        global.get 8
                                        i32.eqz
                                        if ;; label = @19
                                          unreachable
                                        end
                                        global.get 8
                                        global.set 8
                                        br 13 (;@5;)
                                        i64.const 0
                                        block (type 0) (result v128 v128 f32) ;; label = @19
                                          i32.const 730337795
                                          i32.load16_s offset=975
                                          if (type 1) (result v128) ;; label = @20
                                            loop (result i64) ;; label = @21
                                              global.get 8
                                              i32.eqz
                                              if ;; label = @22
                                                unreachable
                                              end
                                              global.get 8
                                              global.set 8
                                              block (result i32) ;; label = @22
                                                return_call 3
                                                block (type 1) (result v128) ;; label = @23
                                                  br 9 (;@14;)
                                                  memory.size 1
                                                  block ;; label = @24
                                                    f32.const 0x1.fd36bcp-16 (;=0.000030351508;)
                                                    block (type 0) (result v128 v128 f32) ;; label = @25
                                                      return_call 7
                                                    end
                                                    i32.reinterpret_f32
                                                    global.get 3
                                                    i32.xor
                                                    global.set 3
                                                    global.get 4
                                                    v128.xor
                                                    global.set 4
                                                    global.get 4
                                                    v128.xor
                                                    global.set 4
                                                    i32.reinterpret_f32
                                                    global.get 3
                                                    i32.xor
                                                    global.set 3
                                                  end
                                                  global.get 5
                                                  i64.xor
                                                  global.set 5
                                                  v128.const i32x4 0x3dae5cdd 0xd9f250ad 0x818a7a67 0x7e91a964
                                                end
                                                global.get 4
                                                v128.xor
                                                global.set 4
                                                i32.reinterpret_f32
                                                global.get 3
                                                i32.xor
                                                global.set 3
                                                global.get 4
                                                v128.xor
                                                global.set 4
                                                global.get 4
                                                v128.xor
                                                global.set 4
                                                i32.const 0
                                              end
                                              global.get 7
                                              i32.xor
                                              global.set 7
                                              i64.const 1
                                            end
                                            global.get 5
                                            i64.xor
                                            global.set 5
                                            v128.const i32x4 0x47bca112 0x16551c20 0xa927e896 0x5f889627
                                          else
                                            v128.const i32x4 0x27d8817f 0x10fac02e 0x317fab4c 0xa5e5ae7e
                                          end
                                          v128.const i32x4 0xf65b0c44 0x16b5bbe8 0x23d28540 0x0f62175e
                                          f32.const -0x1.fffffep+112 (;=-10384593000000000000000000000000000;)
                                        end
                                        i32.reinterpret_f32
                                        global.get 3
                                        i32.xor
                                        global.set 3
                                        global.get 4
                                        v128.xor
                                        global.set 4
                                        global.get 4
                                        v128.xor
                                        global.set 4
                                        global.get 5
                                        i64.xor
                                        global.set 5
                                      end
                                      v128.const i32x4 0x00000000 0x10000000 0x0000007f 0x00000000
                                    end
                                    global.get 4
                                    v128.xor
                                    global.set 4
                                    drop
                                    global.get 4
                                    v128.xor
                                    global.set 4
                                    global.get 4
                                    v128.xor
                                    global.set 4
                                    i32.const 0
                                  end
                                  global.get 7
                                  i32.xor
                                  global.set 7
                                  i32.reinterpret_f32
                                  global.get 3
                                  i32.xor
                                  global.set 3
                                  global.get 4
                                  v128.xor
                                  global.set 4
                                  global.get 4
                                  v128.xor
                                  global.set 4
                                  i32.reinterpret_f32
                                  global.get 3
                                  i32.xor
                                  global.set 3
                                  global.get 4
                                  v128.xor
                                  global.set 4
                                end
                                global.get 4
                                v128.xor
                                global.set 4
                                global.get 4
                                v128.xor
                                global.set 4
                              end
                              i32.reinterpret_f32
                              global.get 3
                              i32.xor
                              global.set 3
                            end
                          end
                          v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
                          v128.xor
                          global.set 4
                          i32.reinterpret_f32
                          i32.const 0
                          i32.xor
                          global.set 3
                          global.get 4
                          v128.xor
                          global.set 4
                          global.get 4
                          v128.xor
                          global.set 4
                          i32.const -1025
                        end
                        global.get 7
                        i32.xor
                        global.set 7
                        v128.const i32x4 0x69255878 0x619cd997 0x12a41d5a 0xd6637a49
                      end
                      global.get 4
                      v128.xor
                      global.set 4
                      i32.reinterpret_f32
                      global.get 3
                      i32.xor
                      global.set 3
                      global.get 5
                      i64.xor
                      global.set 5
                      v128.const i32x4 0xe0000000 0xffffffff 0x20000000 0x00000000
                    end
                    global.get 4
                    v128.xor
                    global.set 4
                    global.get 4
                    v128.xor
                    global.set 4
                    i32.reinterpret_f32
                    global.get 3
                    i32.xor
                    global.set 3
                    global.get 4
                    v128.xor
                    global.set 4
                    global.get 4
                    v128.xor
                    global.set 4
                    global.get 4
                    v128.xor
                    global.set 4
                    i32.reinterpret_f32
                    global.get 3
                    i32.xor
                    global.set 3
                    global.get 4
                    v128.xor
                    global.set 4
                    global.get 4
                    v128.xor
                    global.set 4
                    i32.reinterpret_f32
                    global.get 3
                    i32.xor
                    global.set 3
                    global.get 4
                    v128.xor
                    global.set 4
                    global.get 4
                    v128.xor
                    global.set 4
                  end
                  global.get 4
                  v128.xor
                  global.set 4
                  i32.reinterpret_f32
                  global.get 3
                  i32.xor
                  global.set 3
                  global.get 4
                  v128.xor
                  global.set 4
                  global.get 4
                  v128.xor
                  global.set 4
                  f64.const 0x1.b8b47f6f3efacp-435 (;=0.000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000019402601639821462;)
                end
                i64.reinterpret_f64
                global.get 6
                i64.xor
                global.set 6
                i32.reinterpret_f32
                global.get 3
                i32.xor
                global.set 3
                global.get 4
                v128.xor
                global.set 4
                global.get 4
                v128.xor
                global.set 4
                i32.reinterpret_f32
                global.get 3
                i32.xor
                global.set 3
                global.get 4
                v128.xor
                global.set 4
                v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
                v128.xor
                global.set 4
                i64.reinterpret_f64
                global.get 6
                i64.xor
                global.set 6
                v128.const i32x4 0x0816ad8b 0xe8c740e4 0x0da7a6dc 0x02dff94e
                v128.const i32x4 0xf7ffffff 0xffffffff 0xffffffff 0x0003ffff
                f32.const 0x1.ed5036p-126 (;=0.000000000000000000000000000000000000022651837;)
              end
              i32.reinterpret_f32
              global.get 3
              i32.xor
              global.set 3
              global.get 4
              v128.xor
              global.set 4
              global.get 4
              v128.xor
              global.set 4
              global.get 5
              i64.xor
              global.set 5
              global.get 4
              v128.xor
              global.set 4
              global.get 5
              i64.xor
              global.set 5
            end
            global.get 4
            v128.xor
            global.set 4
            i64.reinterpret_f64
            global.get 6
            i64.xor
            global.set 6
            i32.const 0
          else
            i32.const 0
          end
          global.get 7
          i32.xor
          global.set 7
          v128.const i32x4 0x8042e845 0x232c29b5 0xb9bda5af 0x10654179
        end
        global.get 4
        v128.xor
        global.set 4
        global.get 4
        v128.xor
        global.set 4
        i32.reinterpret_f32
        global.get 3
        i32.xor
        global.set 3
        global.get 4
        v128.xor
        global.set 4
        global.get 4
        v128.xor
        global.set 4
        i32.reinterpret_f32
        global.get 3
        i32.xor
        global.set 3
        global.get 4
        v128.xor
        global.set 4
        global.get 4
        v128.xor
        global.set 4
        i64.reinterpret_f64
        global.get 6
        i64.xor
        global.set 6
        i32.reinterpret_f32
        i32.const 0
        i32.xor
        global.set 3
        v128.const i32x4 0x4c6cc405 0x5ae34b9e 0x67d183a6 0x7426fd5d
        f32.const -0x1.afa8a4p+29 (;=-905254000;)
      end
      i32.reinterpret_f32
      global.get 3
      i32.xor
      global.set 3
      global.get 4
      v128.xor
      global.set 4
      global.get 4
      v128.xor
      global.set 4
    end
    v128.const i32x4 0x1fffffff 0x00000000 0x00183e17 0x00000000
    v128.const i32x4 0x00000000 0xfffffe00 0x00f6a807 0x00000000
    f32.const 0x1p-63 (;=0.00000000000000000010842022;)
  )
  (func (;8;) (type 0) (result v128 v128 f32)
    unreachable
  )
  (func (;9;) (type 1) (result v128)
    unreachable
  )
)
(invoke "")
(assert_return (get "\10") (v128.const i64x2 0 0))
(invoke "")
(assert_return (get "\10") (v128.const i64x2 0 0))
