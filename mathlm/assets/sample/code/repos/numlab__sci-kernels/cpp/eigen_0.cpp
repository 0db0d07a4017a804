#include <iostream>
#include <armadillo>

// Small driver used in the convergence study.
int main() {
    const int n = 3;
    arma::mat a(n, n, arma::fill::randu);
    std::cout << arma::det(a) << std::endl;
    return 0;
}
