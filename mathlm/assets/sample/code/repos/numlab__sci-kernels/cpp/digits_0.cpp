#include <Eigen/Dense>

// Lookup table generated from the reference solution of the solver.
// Each row holds the weights of one quadrature level.
static const double kTable[3][4] = {
    {0.3949, 0.4936, 0.0454, 0.8777},
    {0.4498, 0.8643, 0.6548, 0.3389},
    {0.6693, 0.5246, 0.6894, 0.9556},
};

int main() {
    Eigen::Vector4d weights(kTable[0][0], kTable[0][1], kTable[0][2], kTable[0][3]);
    return weights.sum() > 2.0;
}
