% Finite-difference solution of the Poisson equation
n = 52;
h = 1/(n+1);
A = spdiags([-ones(n,1) 2*ones(n,1) -ones(n,1)], -1:1, n, n) / h^2;
f = ones(n,1);
u = A \ f;
plot(linspace(h, 1-h, n), u);
title('u(x)');
