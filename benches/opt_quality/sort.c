/* Sorting: quicksort (median of three, insertion sort for short ranges), heapsort and a
 * bottom-up merge sort over pseudo-random arrays. run(n): n rounds of filling and sorting a
 * 2,000-element array with each algorithm; returns a checksum and fails (returns -1) if any
 * result is not sorted or the three disagree. */
#include "common.h"

#define N 2000
static i32 data[N];
static i32 a[N];
static i32 b[N];
static i32 c[N];
static i32 tmp[N];

static void swap(i32 *x, i32 *y) {
    i32 t = *x;
    *x = *y;
    *y = t;
}

static void insertion_sort(i32 *v, int lo, int hi) {
    for (int i = lo + 1; i <= hi; i++) {
        i32 key = v[i];
        int j = i - 1;
        while (j >= lo && v[j] > key) {
            v[j + 1] = v[j];
            j--;
        }
        v[j + 1] = key;
    }
}

static int partition(i32 *v, int lo, int hi) {
    int mid = lo + (hi - lo) / 2;
    if (v[mid] < v[lo]) swap(&v[mid], &v[lo]);
    if (v[hi] < v[lo]) swap(&v[hi], &v[lo]);
    if (v[hi] < v[mid]) swap(&v[hi], &v[mid]);
    i32 pivot = v[mid];
    int i = lo - 1, j = hi + 1;
    for (;;) {
        do i++; while (v[i] < pivot);
        do j--; while (v[j] > pivot);
        if (i >= j) return j;
        swap(&v[i], &v[j]);
    }
}

static void quicksort(i32 *v, int lo, int hi) {
    while (hi - lo > 16) {
        int p = partition(v, lo, hi);
        /* Recurse into the smaller half, loop on the larger one. */
        if (p - lo < hi - p) {
            quicksort(v, lo, p);
            lo = p + 1;
        } else {
            quicksort(v, p + 1, hi);
            hi = p;
        }
    }
    insertion_sort(v, lo, hi);
}

static void sift_down(i32 *v, int start, int end) {
    int root = start;
    while (2 * root + 1 <= end) {
        int child = 2 * root + 1;
        int best = root;
        if (v[best] < v[child]) best = child;
        if (child + 1 <= end && v[best] < v[child + 1]) best = child + 1;
        if (best == root) return;
        swap(&v[root], &v[best]);
        root = best;
    }
}

static void heapsort(i32 *v, int n) {
    for (int start = (n - 2) / 2; start >= 0; start--) sift_down(v, start, n - 1);
    for (int end = n - 1; end > 0; end--) {
        swap(&v[end], &v[0]);
        sift_down(v, 0, end - 1);
    }
}

static void merge(i32 *v, i32 *out, int lo, int mid, int hi) {
    int i = lo, j = mid, k = lo;
    while (i < mid && j < hi) out[k++] = v[i] <= v[j] ? v[i++] : v[j++];
    while (i < mid) out[k++] = v[i++];
    while (j < hi) out[k++] = v[j++];
}

static void merge_sort(i32 *v, int n) {
    i32 *src = v, *dst = tmp;
    for (int width = 1; width < n; width *= 2) {
        for (int lo = 0; lo < n; lo += 2 * width) {
            int mid = lo + width < n ? lo + width : n;
            int hi = lo + 2 * width < n ? lo + 2 * width : n;
            merge(src, dst, lo, mid, hi);
        }
        i32 *t = src;
        src = dst;
        dst = t;
    }
    if (src != v) memcpy(v, src, sizeof(i32) * (usize)n);
}

static int is_sorted(const i32 *v, int n) {
    for (int i = 1; i < n; i++)
        if (v[i - 1] > v[i]) return 0;
    return 1;
}

EXPORT("run") i32 run(i32 rounds) {
    u32 h = 2166136261u;
    rng_seed(42);
    for (i32 r = 0; r < rounds; r++) {
        /* Every fourth round has many duplicates; every eighth is nearly sorted. */
        for (int i = 0; i < N; i++) {
            u32 x = rng_next();
            if (r % 4 == 3) x %= 50;
            if (r % 8 == 7) x = (u32)i * 1000u + (x % 3000u);
            data[i] = (i32)(x >> 1);
        }
        memcpy(a, data, sizeof a);
        memcpy(b, data, sizeof b);
        memcpy(c, data, sizeof c);
        quicksort(a, 0, N - 1);
        heapsort(b, N);
        merge_sort(c, N);
        if (!is_sorted(a, N) || !is_sorted(b, N) || !is_sorted(c, N)) return -1;
        for (int i = 0; i < N; i++) {
            if (a[i] != b[i] || a[i] != c[i]) return -1;
        }
        h = fnv_add(h, (u32)a[0]);
        h = fnv_add(h, (u32)a[N / 2]);
        h = fnv_add(h, (u32)a[N - 1]);
    }
    return (i32)h;
}
