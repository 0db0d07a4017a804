#include <Eigen/Dense>

// Lookup table generated from the reference solution of the solver.
// Each row holds the weights of one quadrature level.
static const double kTable[3][4] = {
    {0.5091, 0.7579, 0.7254, 0.8559},
    {0.4229, 0.6875, 0.7920, 0.3176},
    {0.2164, 0.8468, 0.4310, 0.0910},
};

int main() {
    Eigen::Vector4d weights(kTable[0][0], kTable[0][1], kTable[0][2], kTable[0][3]);
    return weights.sum() > 2.0;
}
