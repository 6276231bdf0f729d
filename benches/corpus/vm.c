// A bytecode VM: a `switch` dispatch loop (br_table in wasm) running a small
// stack-machine program with registers, jumps and calls. Per round the
// program loops 1000 times, about 40k VM instructions.
#include "bench.h"

enum {
    OP_HALT, OP_PUSH, OP_LOAD, OP_STORE, OP_ADD, OP_SUB, OP_MUL, OP_AND,
    OP_XOR, OP_SHL, OP_SHR, OP_LT, OP_EQ, OP_JZ, OP_JMP, OP_DUP, OP_DROP,
    OP_SWAP, OP_CALL, OP_RET, OP_DIVU, OP_REMU, OP_NOT, OP_INC,
};

// Registers: r0 counter, r1 accumulator, r2 random state, r3 scratch.
static const i32 program[] = {
    // 0: while (r0 != 0) {
    OP_LOAD, 0, OP_JZ, -1,  // target patched by vm_init
    //   r2 = r2 * 1103515245 + 12345
    OP_LOAD, 2, OP_PUSH, 1103515245, OP_MUL, OP_PUSH, 12345, OP_ADD, OP_STORE, 2,
    //   r1 ^= mixer(r2 >> 7)
    OP_LOAD, 2, OP_PUSH, 7, OP_SHR, OP_CALL, -1, OP_LOAD, 1, OP_XOR, OP_STORE, 1,
    //   r1 += r0 & 255
    OP_LOAD, 0, OP_PUSH, 255, OP_AND, OP_LOAD, 1, OP_ADD, OP_STORE, 1,
    //   r0 -= 1 }
    OP_LOAD, 0, OP_PUSH, 1, OP_SUB, OP_STORE, 0, OP_JMP, 0,
};

// Subroutine mixer(x) = ((x * 31) ^ (x >> 3)) % 1000003 + (x < 4096).
static const i32 mixer[] = {
    OP_DUP, OP_PUSH, 31, OP_MUL, OP_SWAP, OP_DUP, OP_PUSH, 3, OP_SHR, OP_SWAP,
    OP_STORE, 3, OP_XOR, OP_PUSH, 1000003, OP_REMU, OP_LOAD, 3, OP_PUSH, 4096,
    OP_LT, OP_ADD, OP_RET,
};

#define CODE_MAX 128
static i32 code[CODE_MAX];
static i32 code_len;

// Lays out program, mixer and halt, patching the jump and call targets.
static void vm_init(void) {
    i32 n = 0;
    for (u32 i = 0; i < sizeof program / sizeof program[0]; i++) code[n++] = program[i];
    i32 mixer_at = n;
    for (u32 i = 0; i < sizeof mixer / sizeof mixer[0]; i++) code[n++] = mixer[i];
    i32 halt_at = n;
    code[n++] = OP_LOAD;
    code[n++] = 1;
    code[n++] = OP_HALT;
    code[3] = halt_at;      // OP_JZ target
    code[20] = mixer_at;    // OP_CALL target
    code_len = n;
}

static u32 vm_run(u32 iterations, u32 seed) {
    u32 stack[64], regs[4] = {iterations, 0, seed, 0};
    i32 calls[16];
    i32 sp = 0, csp = 0, pc = 0;
    for (;;) {
        i32 op = code[pc++];
        switch (op) {
        case OP_HALT: return stack[sp - 1];
        case OP_PUSH: stack[sp++] = (u32)code[pc++]; break;
        case OP_LOAD: stack[sp++] = regs[code[pc++] & 3]; break;
        case OP_STORE: regs[code[pc++] & 3] = stack[--sp]; break;
        case OP_ADD: sp--; stack[sp - 1] += stack[sp]; break;
        case OP_SUB: sp--; stack[sp - 1] -= stack[sp]; break;
        case OP_MUL: sp--; stack[sp - 1] *= stack[sp]; break;
        case OP_AND: sp--; stack[sp - 1] &= stack[sp]; break;
        case OP_XOR: sp--; stack[sp - 1] ^= stack[sp]; break;
        case OP_SHL: sp--; stack[sp - 1] <<= stack[sp] & 31; break;
        case OP_SHR: sp--; stack[sp - 1] >>= stack[sp] & 31; break;
        case OP_LT: sp--; stack[sp - 1] = stack[sp - 1] < stack[sp]; break;
        case OP_EQ: sp--; stack[sp - 1] = stack[sp - 1] == stack[sp]; break;
        case OP_JZ: {
            i32 target = code[pc++];
            if (stack[--sp] == 0) pc = target;
            break;
        }
        case OP_JMP: pc = code[pc]; break;
        case OP_DUP: stack[sp] = stack[sp - 1]; sp++; break;
        case OP_DROP: sp--; break;
        case OP_SWAP: { u32 t = stack[sp - 1]; stack[sp - 1] = stack[sp - 2]; stack[sp - 2] = t; break; }
        case OP_CALL: calls[csp++] = pc + 1; pc = code[pc]; break;
        case OP_RET: pc = calls[--csp]; break;
        case OP_DIVU: sp--; stack[sp - 1] = stack[sp] ? stack[sp - 1] / stack[sp] : 0; break;
        case OP_REMU: sp--; stack[sp - 1] = stack[sp] ? stack[sp - 1] % stack[sp] : 0; break;
        case OP_NOT: stack[sp - 1] = ~stack[sp - 1]; break;
        case OP_INC: stack[sp - 1]++; break;
        default: return 0xdeadbeef;
        }
        // Programs are fixed, but keep a broken one from running off the end.
        if (pc < 0 || pc >= code_len || sp < 0 || sp > 60 || csp < 0 || csp > 15) return 0xbad;
    }
}

EXPORT u32 RUN(u32 n) {
    vm_init();
    u32 h = 0;
    for (u32 r = 0; r < n; r++) h = mix32(h, vm_run(1000, r));
    return h;
}
