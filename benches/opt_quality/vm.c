/* Interpreters: a stack-based bytecode VM (a switch dispatch loop with calls, locals and
 * jumps) running a small program, and a Brainfuck interpreter with precomputed bracket jumps.
 * run(n): runs the VM program with argument n and a Brainfuck program n times; returns a
 * checksum of both. */
#include "common.h"

enum {
    OP_PUSH, OP_LOAD, OP_STORE, OP_ADD, OP_SUB, OP_MUL, OP_MOD, OP_LT, OP_EQ,
    OP_JMP, OP_JZ, OP_CALL, OP_RET, OP_DUP, OP_POP, OP_XOR, OP_SHL, OP_SHR, OP_HALT,
};

typedef struct {
    i32 code[256];
    int len;
} Program;

typedef struct {
    i32 stack[256];
    int sp;
    i32 locals[64][8];
    int ret[64];
    int fp;
} Machine;

static Program prog;
static Machine vm;

static void emit(i32 x) { prog.code[prog.len++] = x; }

/* Builds:
 *   main(n): acc = 0; i = 0; while (i < n) { acc = (acc ^ f(i)) + i; i = i + 1 } return acc
 *   f(x):    s = 0; k = 0; while (k < 16) { s = (s * 31 + x + k) % 1000003; k = k + 1 } return s << 1 >> 1
 */
static int build(void) {
    prog.len = 0;
    /* main: local 0 = n (pushed by the caller), 1 = acc, 2 = i */
    emit(OP_STORE); emit(0);
    emit(OP_PUSH); emit(0); emit(OP_STORE); emit(1);
    emit(OP_PUSH); emit(0); emit(OP_STORE); emit(2);
    int loop = prog.len;
    emit(OP_LOAD); emit(2); emit(OP_LOAD); emit(0); emit(OP_LT);
    emit(OP_JZ); int exit_patch = prog.len; emit(0);
    emit(OP_LOAD); emit(1);
    emit(OP_LOAD); emit(2); emit(OP_CALL); int call_patch = prog.len; emit(0);
    emit(OP_XOR); emit(OP_LOAD); emit(2); emit(OP_ADD); emit(OP_STORE); emit(1);
    emit(OP_LOAD); emit(2); emit(OP_PUSH); emit(1); emit(OP_ADD); emit(OP_STORE); emit(2);
    emit(OP_JMP); emit(loop);
    prog.code[exit_patch] = prog.len;
    emit(OP_LOAD); emit(1); emit(OP_HALT);
    /* f: local 0 = x, 1 = s, 2 = k */
    int f = prog.len;
    prog.code[call_patch] = f;
    emit(OP_STORE); emit(0);
    emit(OP_PUSH); emit(0); emit(OP_STORE); emit(1);
    emit(OP_PUSH); emit(0); emit(OP_STORE); emit(2);
    int floop = prog.len;
    emit(OP_LOAD); emit(2); emit(OP_PUSH); emit(16); emit(OP_LT);
    emit(OP_JZ); int fexit = prog.len; emit(0);
    emit(OP_LOAD); emit(1); emit(OP_PUSH); emit(31); emit(OP_MUL);
    emit(OP_LOAD); emit(0); emit(OP_ADD); emit(OP_LOAD); emit(2); emit(OP_ADD);
    emit(OP_PUSH); emit(1000003); emit(OP_MOD); emit(OP_STORE); emit(1);
    emit(OP_LOAD); emit(2); emit(OP_PUSH); emit(1); emit(OP_ADD); emit(OP_STORE); emit(2);
    emit(OP_JMP); emit(floop);
    prog.code[fexit] = prog.len;
    emit(OP_LOAD); emit(1); emit(OP_PUSH); emit(1); emit(OP_SHL); emit(OP_PUSH); emit(1); emit(OP_SHR);
    emit(OP_RET);
    return 0;
}

static i32 pop(void) { return vm.stack[--vm.sp]; }
static void push(i32 x) { vm.stack[vm.sp++] = x; }

static i32 execute(i32 arg) {
    vm.sp = 0;
    vm.fp = 0;
    push(arg);
    int pc = 0;
    for (;;) {
        i32 op = prog.code[pc++];
        i32 x, y;
        switch (op) {
        case OP_PUSH: push(prog.code[pc++]); break;
        case OP_LOAD: push(vm.locals[vm.fp][prog.code[pc++]]); break;
        case OP_STORE: vm.locals[vm.fp][prog.code[pc++]] = pop(); break;
        case OP_ADD: y = pop(); x = pop(); push(x + y); break;
        case OP_SUB: y = pop(); x = pop(); push(x - y); break;
        case OP_MUL: y = pop(); x = pop(); push(x * y); break;
        case OP_MOD: y = pop(); x = pop(); push(y ? (i32)((u32)x % (u32)y) : 0); break;
        case OP_LT: y = pop(); x = pop(); push(x < y); break;
        case OP_EQ: y = pop(); x = pop(); push(x == y); break;
        case OP_JMP: pc = prog.code[pc]; break;
        case OP_JZ: x = pop(); pc = x ? pc + 1 : prog.code[pc]; break;
        case OP_CALL:
            vm.ret[vm.fp] = pc + 1;
            vm.fp++;
            pc = prog.code[pc];
            break;
        case OP_RET:
            vm.fp--;
            pc = vm.ret[vm.fp];
            break;
        case OP_DUP: x = pop(); push(x); push(x); break;
        case OP_POP: (void)pop(); break;
        case OP_XOR: y = pop(); x = pop(); push(x ^ y); break;
        case OP_SHL: y = pop(); x = pop(); push((i32)((u32)x << (y & 31))); break;
        case OP_SHR: y = pop(); x = pop(); push((i32)((u32)x >> (y & 31))); break;
        case OP_HALT: return pop();
        default: return -1;
        }
    }
}

/* Brainfuck: prints the squares 0..10000 (a classic program by Daniel Cristofani) into an
 * output buffer; the checksum covers the output. */
static const char bf_squares[] =
    "++++[>+++++<-]>[<+++++>-]+<+[>[>+>+<<-]++>>[<<+>>-]>>>[-]++>[-]+>>>+[[-]++++++>>>]<<<[[<++++++++<++>>-]+<.<[>----<-]<]"
    "<<[>>>>>[>>>[-]+++++++++<[>-<-]+++++++++>[-[<->-]+[<<<]]<[>+<-]>]<<-]<<-]";

static u8 tape[30000];
static int jump[512];
static int bf_stack[256];
static u8 out[65536];
static int out_len;

static int bf_run(const char *src, int len) {
    int sp = 0;
    for (int i = 0; i < len; i++) {
        if (src[i] == '[') bf_stack[sp++] = i;
        else if (src[i] == ']') {
            if (sp == 0) return -1;
            int j = bf_stack[--sp];
            jump[i] = j;
            jump[j] = i;
        }
    }
    if (sp != 0) return -1;
    memset(tape, 0, sizeof tape);
    int p = 0;
    out_len = 0;
    for (int pc = 0; pc < len; pc++) {
        switch (src[pc]) {
        case '>': p++; break;
        case '<': p--; break;
        case '+': tape[p]++; break;
        case '-': tape[p]--; break;
        case '.': if (out_len < (int)sizeof out) out[out_len++] = tape[p]; break;
        case ',': tape[p] = 0; break;
        case '[': if (!tape[p]) pc = jump[pc]; break;
        case ']': if (tape[p]) pc = jump[pc]; break;
        default: break;
        }
    }
    return out_len;
}

EXPORT("run") i32 run(i32 n) {
    build();
    u32 h = 2166136261u;
    h = fnv_add(h, (u32)execute(n * 50));
    int len = (int)sizeof bf_squares - 1;
    for (i32 r = 0; r < n; r++) {
        int k = bf_run(bf_squares, len);
        h = fnv_add(h, (u32)k);
        for (int i = 0; i < k; i += 97) h = fnv_add(h, out[i]);
    }
    return (i32)h;
}
