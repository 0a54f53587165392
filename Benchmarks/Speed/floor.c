/* J5's flop floor: times one OpenBLAS DGEMM of the row-by-row bootstrap's shape,
 * (replicates × rows) · (rows × columns), on all cores, and prints its rate as JSON.
 *
 *     cc -O2 floor.c -lopenblas && ./a.out ROWS COLUMNS REPLICATES
 */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: %s ROWS COLUMNS REPLICATES\n", argv[0]); return 2; }
    long rows = atol(argv[1]), columns = atol(argv[2]), replicates = atol(argv[3]);
    long block = 4096;   /* rows per GEMM, as a streaming bootstrap takes them */
    double *m = malloc(sizeof(double) * block * replicates);
    double *y = malloc(sizeof(double) * block * columns);
    double *c = calloc(replicates * columns, sizeof(double));
    for (long i = 0; i < block * replicates; i++) m[i] = (double)(i % 3);
    for (long i = 0; i < block * columns; i++) y[i] = (i % 5 == 0);
    double best = 1e30;
    for (int attempt = 0; attempt < 3; attempt++) {
        double start = now();
        for (long done = 0; done < rows; done += block) {
            long n = rows - done < block ? rows - done : block;
            cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)replicates, (int)columns, (int)n,
                        1.0, m, (int)replicates, y, (int)columns, 1.0, c, (int)columns);
        }
        double seconds = now() - start;
        if (seconds < best) best = seconds;
    }
    double flops = 2.0 * rows * replicates * columns;
    printf("{\"rows\": %ld, \"columns\": %ld, \"replicates\": %ld, \"flops\": %.0f, \"seconds\": %.4f, \"gflops\": %.2f, \"check\": %g}\n",
           rows, columns, replicates, flops, best, flops / best / 1e9, c[0]);
    return 0;
}
