# Symbolic check of the recurrence
f := proc(n) option remember; if n < 2 then n else f(n-1) + f(n-2) end if end proc:
seq(f(k), k = 0 .. 9);
solve(x^2 - 3*x + 2 = 0, x);
int(sin(x)^3, x = 0 .. Pi);
