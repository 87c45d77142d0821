/* SHA-256 and CRC-32 over a generated buffer. run(n): hash n rounds of a 4 KiB buffer, each
 * round feeding the previous digest back into the buffer; returns a checksum of the final
 * digest and the CRCs. */
#include "common.h"

typedef struct {
    u32 state[8];
    u64 length;
    u8 block[64];
    u32 used;
} Sha256;

static const u32 K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static u32 rotr(u32 x, int n) { return (x >> n) | (x << (32 - n)); }
static u32 ch(u32 x, u32 y, u32 z) { return (x & y) ^ (~x & z); }
static u32 maj(u32 x, u32 y, u32 z) { return (x & y) ^ (x & z) ^ (y & z); }
static u32 big_sigma0(u32 x) { return rotr(x, 2) ^ rotr(x, 13) ^ rotr(x, 22); }
static u32 big_sigma1(u32 x) { return rotr(x, 6) ^ rotr(x, 11) ^ rotr(x, 25); }
static u32 small_sigma0(u32 x) { return rotr(x, 7) ^ rotr(x, 18) ^ (x >> 3); }
static u32 small_sigma1(u32 x) { return rotr(x, 17) ^ rotr(x, 19) ^ (x >> 10); }

static void sha256_init(Sha256 *s) {
    static const u32 iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                              0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    for (int i = 0; i < 8; i++) s->state[i] = iv[i];
    s->length = 0;
    s->used = 0;
}

static void sha256_compress(u32 state[8], const u8 block[64]) {
    u32 w[64];
    for (int i = 0; i < 16; i++) {
        w[i] = ((u32)block[4 * i] << 24) | ((u32)block[4 * i + 1] << 16) | ((u32)block[4 * i + 2] << 8) |
               (u32)block[4 * i + 3];
    }
    for (int i = 16; i < 64; i++) {
        w[i] = small_sigma1(w[i - 2]) + w[i - 7] + small_sigma0(w[i - 15]) + w[i - 16];
    }
    u32 a = state[0], b = state[1], c = state[2], d = state[3];
    u32 e = state[4], f = state[5], g = state[6], h = state[7];
    for (int i = 0; i < 64; i++) {
        u32 t1 = h + big_sigma1(e) + ch(e, f, g) + K[i] + w[i];
        u32 t2 = big_sigma0(a) + maj(a, b, c);
        h = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    state[0] += a;
    state[1] += b;
    state[2] += c;
    state[3] += d;
    state[4] += e;
    state[5] += f;
    state[6] += g;
    state[7] += h;
}

static void sha256_update(Sha256 *s, const u8 *data, u32 len) {
    s->length += len;
    while (len > 0) {
        u32 take = 64 - s->used;
        if (take > len) take = len;
        memcpy(s->block + s->used, data, take);
        s->used += take;
        data += take;
        len -= take;
        if (s->used == 64) {
            sha256_compress(s->state, s->block);
            s->used = 0;
        }
    }
}

static void sha256_final(Sha256 *s, u8 out[32]) {
    u64 bits = s->length * 8;
    u8 pad = 0x80;
    sha256_update(s, &pad, 1);
    u8 zero = 0;
    while (s->used != 56) sha256_update(s, &zero, 1);
    u8 len[8];
    for (int i = 0; i < 8; i++) len[i] = (u8)(bits >> (56 - 8 * i));
    sha256_update(s, len, 8);
    for (int i = 0; i < 8; i++) {
        out[4 * i] = (u8)(s->state[i] >> 24);
        out[4 * i + 1] = (u8)(s->state[i] >> 16);
        out[4 * i + 2] = (u8)(s->state[i] >> 8);
        out[4 * i + 3] = (u8)s->state[i];
    }
}

static u32 crc_table[256];
static int crc_ready;

static void crc32_init(void) {
    for (u32 i = 0; i < 256; i++) {
        u32 c = i;
        for (int k = 0; k < 8; k++) c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
        crc_table[i] = c;
    }
    crc_ready = 1;
}

static u32 crc32(const u8 *data, u32 len) {
    if (!crc_ready) crc32_init();
    u32 c = 0xffffffffu;
    for (u32 i = 0; i < len; i++) c = crc_table[(c ^ data[i]) & 0xff] ^ (c >> 8);
    return c ^ 0xffffffffu;
}

#define BUF 4096
static u8 buffer[BUF];

EXPORT("run") i32 run(i32 n) {
    rng_seed(12345);
    for (int i = 0; i < BUF; i++) buffer[i] = (u8)rng_next();
    u8 digest[32];
    u32 h = 2166136261u;
    for (i32 round = 0; round < n; round++) {
        Sha256 s;
        sha256_init(&s);
        sha256_update(&s, buffer, BUF);
        sha256_final(&s, digest);
        memcpy(buffer + (round * 32) % (BUF - 32), digest, 32);
        h = fnv_add(h, crc32(buffer, BUF));
    }
    for (int i = 0; i < 32; i += 4) {
        h = fnv_add(h, ((u32)digest[i] << 24) | ((u32)digest[i + 1] << 16) | ((u32)digest[i + 2] << 8) | digest[i + 3]);
    }
    return (i32)h;
}

/* SHA-256 of "abc", first word: 0xba7816bf. */
EXPORT("sha256_abc") i32 sha256_abc(void) {
    Sha256 s;
    u8 out[32];
    const u8 msg[3] = {'a', 'b', 'c'};
    sha256_init(&s);
    sha256_update(&s, msg, 3);
    sha256_final(&s, out);
    return (i32)(((u32)out[0] << 24) | ((u32)out[1] << 16) | ((u32)out[2] << 8) | out[3]);
}
