/* Mandelbrot set membership on a W x H grid of the complex plane (double precision, escape
 * radius 2, at most 200 iterations), with a per-round zoom. run(n): n rounds; returns the
 * iteration totals and the number of points inside mixed into a checksum. */
#include "../opt_quality/common.h"

#define W 160
#define H 120
#define MAXIT 200

static i32 mandel_round(double cx0, double cy0, double scale, i32 *inside) {
    i32 total = 0, in = 0;
    for (i32 py = 0; py < H; py++) {
        double ci = cy0 + (py - H / 2) * scale;
        for (i32 px = 0; px < W; px++) {
            double cr = cx0 + (px - W / 2) * scale;
            double zr = 0, zi = 0, zr2 = 0, zi2 = 0;
            i32 it = 0;
            while (it < MAXIT && zr2 + zi2 <= 4.0) {
                zi = 2.0 * zr * zi + ci;
                zr = zr2 - zi2 + cr;
                zr2 = zr * zr;
                zi2 = zi * zi;
                it++;
            }
            total += it;
            in += it == MAXIT;
        }
    }
    *inside = in;
    return total;
}

EXPORT("run") i32 run(i32 n) {
    u32 h = 2166136261u;
    double scale = 3.0 / W;
    for (i32 r = 0; r < n; r++) {
        i32 in = 0;
        i32 t = mandel_round(-0.743643887037151, 0.13182590420533, scale, &in);
        h = fnv_add(h, (u32)t);
        h = fnv_add(h, (u32)in);
        scale *= 0.97;
        if (scale < 1e-12) scale = 3.0 / W;
    }
    return (i32)h;
}
