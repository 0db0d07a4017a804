#include <iostream>
#include <Eigen/Dense>

// Small driver used in the convergence study.
int main() {
    const int n = 8;
    Eigen::MatrixXd m = Eigen::MatrixXd::Identity(n, n);
    std::cout << m.trace() << std::endl;
    return 0;
}
