/* fannkuch-redux of the Computer Language Benchmarks Game: for every permutation of 0..N-1
 * (N = 9), count the prefix reversals until 0 comes first; a checksum over the permutations.
 * run(n): n rounds (each round rotates which element starts the first permutation); returns
 * the checksums and the maximum flip count mixed into a checksum. */
#include "../opt_quality/common.h"

#define N 9

static i32 fannkuch(i32 start, i32 *max_flips) {
    i32 perm[N], perm1[N], count[N];
    i32 checksum = 0, maxf = 0, r = N, nperm = 0;
    for (i32 i = 0; i < N; i++) perm1[i] = (i + start) % N;
    for (;;) {
        while (r != 1) {
            count[r - 1] = r;
            r--;
        }
        for (i32 i = 0; i < N; i++) perm[i] = perm1[i];
        i32 flips = 0;
        i32 k;
        while ((k = perm[0]) != 0) {
            i32 k2 = (k + 1) >> 1;
            for (i32 i = 0; i < k2; i++) {
                i32 t = perm[i];
                perm[i] = perm[k - i];
                perm[k - i] = t;
            }
            flips++;
        }
        if (flips > maxf) maxf = flips;
        checksum += (nperm % 2 == 0) ? flips : -flips;
        for (;;) {
            if (r == N) {
                *max_flips = maxf;
                return checksum;
            }
            i32 p0 = perm1[0];
            for (i32 i = 0; i < r; i++) perm1[i] = perm1[i + 1];
            perm1[r] = p0;
            count[r]--;
            if (count[r] > 0) break;
            r++;
        }
        nperm++;
    }
}

EXPORT("run") i32 run(i32 n) {
    u32 h = 2166136261u;
    for (i32 r = 0; r < n; r++) {
        i32 maxf = 0;
        i32 c = fannkuch(r % N, &maxf);
        h = fnv_add(h, (u32)c);
        h = fnv_add(h, (u32)maxf);
    }
    return (i32)h;
}
