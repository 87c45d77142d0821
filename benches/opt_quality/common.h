/* Shared by the opt_quality benchmark programs: no libc, so the few helpers clang may call
 * (memcpy/memset for aggregate copies and initializers) are defined here, and the entry points
 * are exported by name. Build: see build.sh. */
#ifndef OPT_QUALITY_COMMON_H
#define OPT_QUALITY_COMMON_H

typedef unsigned char u8;
typedef unsigned int u32;
typedef int i32;
typedef unsigned long long u64;
typedef long long i64;
typedef unsigned long usize;

#define EXPORT(name) __attribute__((export_name(name)))

void *memcpy(void *dst, const void *src, usize n) {
    u8 *d = (u8 *)dst;
    const u8 *s = (const u8 *)src;
    for (usize i = 0; i < n; i++) d[i] = s[i];
    return dst;
}

void *memset(void *dst, int c, usize n) {
    u8 *d = (u8 *)dst;
    for (usize i = 0; i < n; i++) d[i] = (u8)c;
    return dst;
}

/* A small deterministic generator (xorshift32). */
static u32 rng_state = 2463534242u;
static void rng_seed(u32 s) { rng_state = s ? s : 2463534242u; }
static u32 rng_next(void) {
    u32 x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    rng_state = x;
    return x;
}

/* FNV-1a over 32-bit words, for checksums. */
static u32 fnv_add(u32 h, u32 v) {
    for (int i = 0; i < 4; i++) {
        h ^= (v >> (8 * i)) & 0xff;
        h *= 16777619u;
    }
    return h;
}

#endif
