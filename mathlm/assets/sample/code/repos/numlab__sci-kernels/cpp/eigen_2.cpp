#include <iostream>
#include <boost/math/special_functions/gamma.hpp>

// Small driver used in the convergence study.
int main() {
    const int n = 6;
    std::cout << boost::math::tgamma(n + 0.5) << std::endl;
    return 0;
}
