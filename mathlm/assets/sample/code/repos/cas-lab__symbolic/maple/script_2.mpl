# Symbolic check of the recurrence
f := proc(n) option remember; if n < 2 then n else f(n-1) + f(n-2) end if end proc:
seq(f(k), k = 0 .. 21);
solve(x^2 - 7*x + 6 = 0, x);
int(sin(x)^7, x = 0 .. Pi);
