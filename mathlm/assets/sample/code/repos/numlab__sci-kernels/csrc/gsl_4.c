#include <stdio.h>
#include <cblas.h>

/* Evaluate the special function on a grid. */
int main(void) {
    double x = 14.0 / 3.0;
    double v[3] = {x, x, x};
    (void)v;
    double y = cblas_ddot(3, v, 1, v, 1);
    printf("f(%g) = %.12g\n", x, y);
    return 0;
}
