/* Dense linear algebra: integer and double matrix multiply (naive and blocked), a transpose,
 * and LU decomposition with partial pivoting. run(n): n rounds on 48x48 matrices; returns a
 * checksum of the results. */
#include "common.h"

#define M 48
#define BLK 8
static i32 ia[M][M], ib[M][M], ic[M][M], id[M][M];
static double fa[M][M], fb[M][M], fc[M][M], lu[M][M];
static int perm[M];

static void fill(u32 seed) {
    rng_seed(seed);
    for (int i = 0; i < M; i++)
        for (int j = 0; j < M; j++) {
            ia[i][j] = (i32)(rng_next() % 201) - 100;
            ib[i][j] = (i32)(rng_next() % 201) - 100;
            fa[i][j] = (double)((i32)(rng_next() % 2001) - 1000) / 100.0;
            fb[i][j] = (double)((i32)(rng_next() % 2001) - 1000) / 100.0;
        }
}

static void imul_naive(void) {
    for (int i = 0; i < M; i++)
        for (int j = 0; j < M; j++) {
            i32 s = 0;
            for (int k = 0; k < M; k++) s += ia[i][k] * ib[k][j];
            ic[i][j] = s;
        }
}

static void imul_blocked(void) {
    for (int i = 0; i < M; i++)
        for (int j = 0; j < M; j++) id[i][j] = 0;
    for (int ii = 0; ii < M; ii += BLK)
        for (int kk = 0; kk < M; kk += BLK)
            for (int jj = 0; jj < M; jj += BLK)
                for (int i = ii; i < ii + BLK; i++)
                    for (int k = kk; k < kk + BLK; k++) {
                        i32 x = ia[i][k];
                        for (int j = jj; j < jj + BLK; j++) id[i][j] += x * ib[k][j];
                    }
}

static void fmul(void) {
    for (int i = 0; i < M; i++)
        for (int j = 0; j < M; j++) {
            double s = 0.0;
            for (int k = 0; k < M; k++) s += fa[i][k] * fb[k][j];
            fc[i][j] = s;
        }
}

static void transpose(double m[M][M]) {
    for (int i = 0; i < M; i++)
        for (int j = i + 1; j < M; j++) {
            double t = m[i][j];
            m[i][j] = m[j][i];
            m[j][i] = t;
        }
}

static double fabs_(double x) { return x < 0 ? -x : x; }

/* LU with partial pivoting in place on `lu`; returns the determinant's sign times the
 * product of the pivots' magnitudes, clamped, as a double. */
static double lu_decompose(void) {
    double det = 1.0;
    for (int i = 0; i < M; i++) perm[i] = i;
    for (int k = 0; k < M; k++) {
        int p = k;
        double best = fabs_(lu[k][k]);
        for (int i = k + 1; i < M; i++)
            if (fabs_(lu[i][k]) > best) {
                best = fabs_(lu[i][k]);
                p = i;
            }
        if (best == 0.0) return 0.0;
        if (p != k) {
            for (int j = 0; j < M; j++) {
                double t = lu[k][j];
                lu[k][j] = lu[p][j];
                lu[p][j] = t;
            }
            int t = perm[k];
            perm[k] = perm[p];
            perm[p] = t;
            det = -det;
        }
        for (int i = k + 1; i < M; i++) {
            double f = lu[i][k] / lu[k][k];
            lu[i][k] = f;
            for (int j = k + 1; j < M; j++) lu[i][j] -= f * lu[k][j];
        }
        det *= lu[k][k] > 0 ? 1.0 : -1.0;
    }
    return det;
}

static i32 to_fixed(double x) {
    if (x > 1e9) return 1000000000;
    if (x < -1e9) return -1000000000;
    return (i32)(x * 16.0);
}

EXPORT("run") i32 run(i32 rounds) {
    u32 h = 2166136261u;
    for (i32 r = 0; r < rounds; r++) {
        fill((u32)r + 1);
        imul_naive();
        imul_blocked();
        for (int i = 0; i < M; i++)
            for (int j = 0; j < M; j++)
                if (ic[i][j] != id[i][j]) return -1;
        fmul();
        transpose(fc);
        for (int i = 0; i < M; i++)
            for (int j = 0; j < M; j++) lu[i][j] = fc[i][j] + (i == j ? 100.0 : 0.0);
        double det = lu_decompose();
        h = fnv_add(h, (u32)ic[r % M][(r * 7) % M]);
        h = fnv_add(h, (u32)to_fixed(fc[(r * 3) % M][r % M]));
        h = fnv_add(h, (u32)to_fixed(lu[M - 1][M - 1]));
        h = fnv_add(h, (u32)to_fixed(det));
        h = fnv_add(h, (u32)perm[r % M]);
    }
    return (i32)h;
}
