/* Sieve of Eratosthenes over a byte array, then a segmented count of twin primes.
 * run(n): n rounds of sieving the numbers below 200,000 (the bound varies a little per round);
 * returns a checksum of the prime counts and the last primes found. */
#include "../opt_quality/common.h"

#define LIMIT 200000
static u8 composite[LIMIT + 64];

static i32 sieve(i32 limit) {
    for (i32 i = 0; i < limit; i++) composite[i] = 0;
    composite[0] = composite[1] = 1;
    for (i32 p = 2; p * p < limit; p++)
        if (!composite[p])
            for (i32 m = p * p; m < limit; m += p) composite[m] = 1;
    i32 count = 0;
    for (i32 i = 2; i < limit; i++) count += !composite[i];
    return count;
}

static i32 twins(i32 limit) {
    i32 t = 0;
    for (i32 i = 3; i + 2 < limit; i += 2) t += !composite[i] && !composite[i + 2];
    return t;
}

static i32 last_prime(i32 limit) {
    for (i32 i = limit - 1; i > 1; i--)
        if (!composite[i]) return i;
    return 0;
}

EXPORT("run") i32 run(i32 n) {
    u32 h = 2166136261u;
    for (i32 r = 0; r < n; r++) {
        i32 limit = LIMIT - (r % 61);
        h = fnv_add(h, (u32)sieve(limit));
        h = fnv_add(h, (u32)twins(limit));
        h = fnv_add(h, (u32)last_prime(limit));
    }
    return (i32)h;
}
