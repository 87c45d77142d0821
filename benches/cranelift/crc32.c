/* CRC-32 (IEEE, reflected) three ways over a generated 64 KiB buffer: bit by bit, one table
 * lookup per byte, and slicing-by-4 (four tables, one 32-bit load per step); the three must
 * agree. run(n): n rounds, each rewriting a few bytes of the buffer; returns a checksum of the
 * CRCs, or -1 if the methods disagree. */
#include "../opt_quality/common.h"

#define BUF 65536
static u8 buf[BUF];
static u32 table[4][256];

static void init_tables(void) {
    for (u32 i = 0; i < 256; i++) {
        u32 c = i;
        for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
        table[0][i] = c;
    }
    for (u32 i = 0; i < 256; i++)
        for (int t = 1; t < 4; t++) table[t][i] = (table[t - 1][i] >> 8) ^ table[0][table[t - 1][i] & 0xff];
}

static u32 crc_bitwise(const u8 *p, u32 len) {
    u32 c = 0xffffffffu;
    for (u32 i = 0; i < len; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
    }
    return ~c;
}

static u32 crc_table(const u8 *p, u32 len) {
    u32 c = 0xffffffffu;
    for (u32 i = 0; i < len; i++) c = table[0][(c ^ p[i]) & 0xff] ^ (c >> 8);
    return ~c;
}

static u32 crc_slice4(const u8 *p, u32 len) {
    u32 c = 0xffffffffu;
    u32 i = 0;
    for (; i + 4 <= len; i += 4) {
        u32 w = (u32)p[i] | ((u32)p[i + 1] << 8) | ((u32)p[i + 2] << 16) | ((u32)p[i + 3] << 24);
        c ^= w;
        c = table[3][c & 0xff] ^ table[2][(c >> 8) & 0xff] ^ table[1][(c >> 16) & 0xff] ^ table[0][c >> 24];
    }
    for (; i < len; i++) c = table[0][(c ^ p[i]) & 0xff] ^ (c >> 8);
    return ~c;
}

EXPORT("run") i32 run(i32 n) {
    init_tables();
    rng_seed(7);
    for (int i = 0; i < BUF; i++) buf[i] = (u8)rng_next();
    u32 h = 2166136261u;
    for (i32 r = 0; r < n; r++) {
        buf[(r * 7919) % BUF] ^= (u8)r;
        u32 len = BUF - (u32)(r % 13);
        u32 a = crc_table(buf, len);
        u32 b = crc_slice4(buf, len);
        u32 c = (r % 8 == 0) ? crc_bitwise(buf, len) : a;
        if (a != b || a != c) return -1;
        h = fnv_add(h, a);
    }
    return (i32)h;
}

/* CRC-32 of "123456789" is 0xcbf43926. */
EXPORT("crc_check") i32 crc_check(void) {
    init_tables();
    const u8 msg[9] = {'1', '2', '3', '4', '5', '6', '7', '8', '9'};
    return (i32)crc_slice4(msg, 9);
}
