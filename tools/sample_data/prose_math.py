"""Math exposition for the sample corpus: worked examples with LaTeX on nine topics.

Every article is assembled from many small templates with random numbers, variables and phrasings,
so that two unrelated articles share few word 5-grams (they must not look like near-duplicates to
MinHash), while the worked examples stay mathematically correct.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable

from tools.sample_data.document import Article, Block, paraphrase

Rng = random.Random


def _pick(rng: Rng, *options: str) -> str:
    return rng.choice(options)


def _var(rng: Rng) -> str:
    return rng.choice("xtzsw")


def _signed(value: int) -> str:
    return f"+ {value}" if value >= 0 else f"- {-value}"


def _poly2(a: int, b: int, c: int, x: str) -> str:
    lead = "" if a == 1 else str(a)
    return f"{lead}{x}^2 {_signed(b)}{x} {_signed(c)}"


# ---------------------------------------------------------------- algebra
def algebra_quadratic(rng: Rng) -> str:
    x = _var(rng)
    r1, r2 = rng.randint(-9, 9), rng.randint(-9, 9)
    a = rng.choice([1, 1, 2, 3])
    b, c = -a * (r1 + r2), a * r1 * r2
    lo, hi = sorted((r1, r2))
    return _pick(
        rng,
        f"Consider the quadratic $f({x}) = {_poly2(a, b, c, x)}$. Pulling out the leading coefficient and "
        f"looking for two numbers with sum {r1 + r2} and product {r1 * r2} gives the factorisation "
        f"$$f({x}) = {a if a > 1 else ''}({x} {_signed(-r1)})({x} {_signed(-r2)}),$$ so the zeros are "
        f"${x} = {lo}$ and ${x} = {hi}$. Since the leading coefficient is positive, the parabola opens upward "
        f"and $f({x}) < 0$ exactly when ${lo} < {x} < {hi}$.",
        f"To solve ${_poly2(a, b, c, x)} = 0$ we may use the quadratic formula "
        f"$${x} = \\frac{{-b \\pm \\sqrt{{b^2 - 4ac}}}}{{2a}}$$ with $a = {a}$, $b = {b}$ and $c = {c}$. The "
        f"discriminant equals $b^2 - 4ac = {b * b - 4 * a * c}$, which is a perfect square, and the two roots "
        f"come out as ${lo}$ and ${hi}$. It is worth checking one of them by substitution before moving on.",
        f"A quick sanity check for any quadratic is Vieta's formulas: for ${_poly2(a, b, c, x)}$ the roots "
        f"must add up to $-b/a = {r1 + r2}$ and multiply to $c/a = {r1 * r2}$. The pair ${lo}, {hi}$ "
        f"satisfies both conditions, so nothing went wrong in the factoring step.",
    )


def algebra_system(rng: Rng) -> str:
    x0, y0 = rng.randint(-6, 9), rng.randint(-6, 9)
    a, b, c, d = rng.randint(1, 7), rng.randint(1, 7), rng.randint(1, 7), -rng.randint(1, 7)
    e, f = a * x0 + b * y0, c * x0 + d * y0
    return _pick(
        rng,
        f"Now take the linear system $$\\begin{{cases}} {a}x + {b}y = {e} \\\\ {c}x {_signed(d)}y = {f} "
        f"\\end{{cases}}$$ Multiply the first equation by ${c}$ and the second by ${a}$, then subtract: the "
        f"$x$ terms cancel and we are left with ${b * c - a * d}y = {(b * c - a * d) * y0}$, hence $y = {y0}$. "
        f"Back-substitution into the first equation yields $x = {x0}$.",
        f"Elimination is not the only route. Writing the system ${a}x + {b}y = {e}$, ${c}x {_signed(d)}y = {f}$ "
        f"in matrix form and applying Cramer's rule, the determinant of the coefficient matrix is "
        f"${a * d - b * c}$, which is nonzero, so the solution is unique; it is the point $({x0}, {y0})$.",
    )


def algebra_inequality(rng: Rng) -> str:
    a, b = rng.randint(2, 9), rng.randint(2, 30)
    return _pick(
        rng,
        f"The AM-GM inequality states that for nonnegative reals $a$ and $b$ we have "
        f"$$\\frac{{a + b}}{{2}} \\ge \\sqrt{{ab}},$$ with equality precisely when $a = b$. For example, among "
        f"all rectangles of area ${a * a}$ the square of side ${a}$ has the smallest perimeter, namely ${4 * a}$.",
        f"Solving a linear inequality works like solving an equation, except that multiplying by a negative "
        f"number flips the sign. From $-{a}x + {b} > {b - a * 3}$ we get $-{a}x > {-a * 3}$, and dividing "
        f"by $-{a}$ reverses the direction, so $x < 3$.",
        f"Absolute value inequalities split into two cases. The condition $|x - {b}| \\le {a}$ means that $x$ "
        f"lies within distance ${a}$ of ${b}$, that is ${b - a} \\le x \\le {b + a}$, an interval of length "
        f"${2 * a}$.",
    )


# ---------------------------------------------------------------- calculus
def calculus_derivative(rng: Rng) -> str:
    n, k, x = rng.randint(2, 7), rng.randint(2, 9), _var(rng)
    return _pick(
        rng,
        f"Differentiating term by term with the power rule $\\frac{{d}}{{d{x}}} {x}^n = n {x}^{{n-1}}$ gives "
        f"$$\\frac{{d}}{{d{x}}}\\left({k}{x}^{n} - {x}\\right) = {k * n}{x}^{{{n - 1}}} - 1.$$ Setting the "
        f"derivative equal to zero locates the critical points of the function.",
        f"The chain rule handles compositions. If $g({x}) = \\sin({k}{x}^{n})$ then "
        f"$g'({x}) = {k * n}{x}^{{{n - 1}}} \\cos({k}{x}^{n})$, because the outer derivative $\\cos$ is "
        f"evaluated at the inner function and multiplied by the inner derivative.",
        f"For a product we use $(uv)' = u'v + uv'$. With $u = {x}^{n}$ and $v = e^{{{k}{x}}}$ this gives "
        f"$$\\frac{{d}}{{d{x}}}\\left({x}^{n} e^{{{k}{x}}}\\right) = e^{{{k}{x}}}\\left({n}{x}^{{{n - 1}}} "
        f"+ {k}{x}^{n}\\right).$$",
    )


def calculus_integral(rng: Rng) -> str:
    n, a, b = rng.randint(1, 5), rng.randint(0, 3), rng.randint(4, 9)
    value = b ** (n + 1) - a ** (n + 1)
    return _pick(
        rng,
        f"By the fundamental theorem of calculus, $$\\int_{{{a}}}^{{{b}}} x^{n} \\, dx = "
        f"\\frac{{{b}^{{{n + 1}}} - {a}^{{{n + 1}}}}}{{{n + 1}}} = \\frac{{{value}}}{{{n + 1}}}.$$ The "
        f"antiderivative $x^{{{n + 1}}}/{n + 1}$ is evaluated at the endpoints and the results subtracted.",
        f"Substitution often simplifies an integral. Putting $u = x^2 + {b}$ in "
        f"$\\int {2 * a + 2} x (x^2 + {b})^{n} \\, dx$ turns it into ${a + 1}\\int u^{n} \\, du$, which equals "
        f"$\\frac{{{a + 1}}}{{{n + 1}}} (x^2 + {b})^{{{n + 1}}} + C$.",
        f"Integration by parts, $\\int u \\, dv = uv - \\int v \\, du$, is the natural tool for "
        f"$\\int x e^{{{b}x}} \\, dx$. Choosing $u = x$ and $dv = e^{{{b}x}} dx$ we obtain "
        f"$\\frac{{x}}{{{b}}} e^{{{b}x}} - \\frac{{1}}{{{b * b}}} e^{{{b}x}} + C$.",
    )


def calculus_limit(rng: Rng) -> str:
    k, m = rng.randint(2, 9), rng.randint(2, 9)
    return _pick(
        rng,
        f"A classical limit is $$\\lim_{{x \\to 0}} \\frac{{\\sin({k}x)}}{{{m}x}} = \\frac{{{k}}}{{{m}}},$$ which "
        f"follows from $\\lim_{{t \\to 0}} \\sin t / t = 1$ after the substitution $t = {k}x$.",
        f"When a limit has the indeterminate form $0/0$, L'Hôpital's rule lets us differentiate numerator and "
        f"denominator separately. For $\\lim_{{x \\to 0}} (e^{{{k}x}} - 1)/x$ this gives ${k}$ immediately.",
        f"The number $e$ appears as the limit $\\lim_{{n \\to \\infty}} (1 + {k}/n)^n = e^{{{k}}}$, a fact "
        f"that underlies continuous compounding at rate ${k}$.",
    )


# ---------------------------------------------------------------- linear algebra
def linalg_eigen(rng: Rng) -> str:
    l1, l2 = rng.randint(-4, 6), rng.randint(-4, 6)
    b = rng.randint(1, 5)
    return _pick(
        rng,
        f"The matrix $$A = \\begin{{pmatrix}} {l1} & {b} \\\\ 0 & {l2} \\end{{pmatrix}}$$ is upper triangular, "
        f"so its eigenvalues can be read off the diagonal: $\\lambda_1 = {l1}$ and $\\lambda_2 = {l2}$. The "
        f"characteristic polynomial is $\\det(A - \\lambda I) = (\\lambda {_signed(-l1)})(\\lambda {_signed(-l2)})$.",
        f"Recall that the trace of a matrix equals the sum of its eigenvalues and the determinant equals their "
        f"product. A $2 \\times 2$ matrix with trace ${l1 + l2}$ and determinant ${l1 * l2}$ therefore has "
        f"eigenvalues ${l1}$ and ${l2}$, whatever its off-diagonal entries are.",
    )


def linalg_span(rng: Rng) -> str:
    a, b, c = rng.randint(1, 6), rng.randint(1, 6), rng.randint(2, 5)
    return _pick(
        rng,
        f"Are the vectors $v_1 = ({a}, {b})$ and $v_2 = ({a * c}, {b * c})$ linearly independent? No: "
        f"$v_2 = {c} v_1$, so they span only a line through the origin in $\\mathbb{{R}}^2$, and the "
        f"matrix having them as columns has rank $1$.",
        f"A set of vectors is a basis of a vector space $V$ if it is linearly independent and spans $V$. "
        f"Every basis of $\\mathbb{{R}}^{c}$ has exactly ${c}$ elements, and by the rank-nullity theorem "
        f"$\\dim \\ker T + \\dim \\operatorname{{im}} T = {c}$ for any linear map $T$ defined on it.",
        f"The inner product $\\langle u, v \\rangle = u_1 v_1 + u_2 v_2$ of $u = ({a}, {b})$ and "
        f"$v = ({b}, -{a})$ vanishes, so the two vectors are orthogonal; normalising them gives an "
        f"orthonormal basis with each vector divided by $\\sqrt{{{a * a + b * b}}}$.",
    )


# ---------------------------------------------------------------- number theory
def number_theory_gcd(rng: Rng) -> str:
    g = rng.randint(2, 12)
    p, q = rng.choice([(3, 5), (4, 7), (5, 8), (7, 9), (2, 9), (5, 11)])
    m, n = g * p * rng.choice([1, 3]), g * q
    gcd = math.gcd(m, n)
    return _pick(
        rng,
        f"The Euclidean algorithm computes $\\gcd({m}, {n})$ by repeated division with remainder. Each "
        f"step replaces the pair $(a, b)$ by $(b, a \\bmod b)$, and the last nonzero remainder is "
        f"${gcd}$. Running the steps backwards produces integers $s, t$ with ${m}s + {n}t = {gcd}$.",
        f"Since $\\gcd({m}, {n}) = {gcd}$, the least common multiple is "
        f"$$\\operatorname{{lcm}}({m}, {n}) = \\frac{{{m} \\cdot {n}}}{{{gcd}}} = {m * n // gcd}.$$",
    )


def number_theory_mod(rng: Rng) -> str:
    p = rng.choice([5, 7, 11, 13, 17, 19, 23])
    a = rng.randint(2, p - 1)
    e = rng.randint(20, 90)
    return _pick(
        rng,
        f"Fermat's little theorem says $a^{{p-1}} \\equiv 1 \\pmod{{p}}$ whenever $p$ is prime and $p$ does "
        f"not divide $a$. To find ${a}^{{{e}}} \\bmod {p}$ we reduce the exponent modulo ${p - 1}$, which "
        f"leaves ${a}^{{{e % (p - 1)}}}$, and the answer is ${pow(a, e, p)}$.",
        f"Working modulo ${p}$, the congruence ${a}x \\equiv 1 \\pmod{{{p}}}$ has the unique solution "
        f"$x \\equiv {pow(a, -1, p)}$, the multiplicative inverse of ${a}$. Inverses exist for every residue "
        f"coprime to the modulus, which is why $\\mathbb{{Z}}/{p}\\mathbb{{Z}}$ is a field.",
        f"The last digit of ${a}^{{{e}}}$ is periodic in the exponent: the powers of ${a}$ modulo $10$ repeat "
        f"with a period dividing $4$, so it suffices to know ${e} \\bmod 4 = {e % 4}$. The final digit is "
        f"${pow(a, e, 10)}$.",
    )


# ---------------------------------------------------------------- probability
def probability_dice(rng: Rng) -> str:
    s = rng.randint(3, 11)
    ways = 6 - abs(7 - s)
    n, k = rng.randint(5, 12), rng.randint(1, 4)
    return _pick(
        rng,
        f"When two fair dice are rolled there are $36$ equally likely outcomes. Exactly ${ways}$ of them have "
        f"sum ${s}$, so $P(\\text{{sum}} = {s}) = \\frac{{{ways}}}{{36}}$.",
        f"If a fair coin is tossed ${n}$ times, the number of heads $X$ is binomial with "
        f"$$P(X = {k}) = \\binom{{{n}}}{{{k}}} \\left(\\frac{{1}}{{2}}\\right)^{{{n}}}.$$ Its mean is "
        f"$E[X] = {n}/2$ and its variance is $\\operatorname{{Var}}(X) = {n}/4$.",
        f"Conditional probability is defined by $P(A \\mid B) = P(A \\cap B)/P(B)$. Suppose a bag holds ${n}$ "
        f"red and ${k + 2}$ blue marbles and two are drawn without replacement; given that the first was red, "
        f"the second is red with probability $\\frac{{{n - 1}}}{{{n + k + 1}}}$.",
    )


def probability_expectation(rng: Rng) -> str:
    lam, n = rng.randint(2, 9), rng.randint(3, 8)
    return _pick(
        rng,
        f"Linearity of expectation holds even for dependent random variables: $E[X + Y] = E[X] + E[Y]$. For "
        f"instance, the expected number of fixed points of a random permutation of ${n}$ elements is $1$, "
        f"because each of the ${n}$ positions is fixed with probability $1/{n}$.",
        f"A Poisson random variable with parameter $\\lambda = {lam}$ has probability mass function "
        f"$$P(N = k) = \\frac{{{lam}^k e^{{-{lam}}}}}{{k!}}, \\quad k = 0, 1, 2, \\ldots$$ and both its mean "
        f"and its variance equal ${lam}$.",
        f"By Chebyshev's inequality, $P(|X - \\mu| \\ge k\\sigma) \\le 1/k^2$. With $k = {n}$ at most "
        f"${round(100 / (n * n), 1)}\\%$ of any distribution lies more than ${n}$ standard deviations away "
        f"from its mean.",
    )


# ---------------------------------------------------------------- geometry
def geometry_triangle(rng: Rng) -> str:
    m, n = rng.randint(2, 6), 1
    m = max(m, n + 1)
    a, b, c = m * m - n * n, 2 * m * n, m * m + n * n
    scale = rng.randint(1, 4)
    a, b, c = a * scale, b * scale, c * scale
    return _pick(
        rng,
        f"The triangle with legs ${a}$ and ${b}$ is right-angled, and by the Pythagorean theorem its "
        f"hypotenuse is $\\sqrt{{{a}^2 + {b}^2}} = \\sqrt{{{a * a + b * b}}} = {c}$. Its area is "
        f"$\\frac{{1}}{{2}} \\cdot {a} \\cdot {b} = {a * b // 2}$.",
        f"Heron's formula expresses the area of a triangle through its sides: with semiperimeter "
        f"$s = (a + b + c)/2$ we have $$K = \\sqrt{{s(s-a)(s-b)(s-c)}}.$$ For sides ${a}, {b}, {c}$ this gives "
        f"$s = {(a + b + c) / 2:g}$ and $K = {a * b / 2:g}$, in agreement with half the product of the legs.",
        f"In a right triangle with hypotenuse ${c}$ and one leg ${a}$, the angle $\\theta$ opposite that leg "
        f"satisfies $\\sin\\theta = {a}/{c}$ and $\\cos\\theta = {b}/{c}$, and of course "
        f"$\\sin^2\\theta + \\cos^2\\theta = 1$.",
    )


def geometry_circle(rng: Rng) -> str:
    r, h, k = rng.randint(2, 9), rng.randint(-5, 5), rng.randint(-5, 5)
    return _pick(
        rng,
        f"The circle centred at $({h}, {k})$ with radius ${r}$ has equation $(x {_signed(-h)})^2 + "
        f"(y {_signed(-k)})^2 = {r * r}$. Its circumference is ${2 * r}\\pi$ and it encloses area ${r * r}\\pi$.",
        f"An inscribed angle is half the central angle that subtends the same arc. If a chord of a circle of "
        f"radius ${r}$ subtends a central angle of $60^\\circ$, the chord has length ${r}$ and every inscribed "
        f"angle on it measures $30^\\circ$.",
        f"The volume of a sphere of radius ${r}$ is $\\frac{{4}}{{3}}\\pi r^3 = \\frac{{{4 * r**3}}}{{3}}\\pi$, "
        f"and its surface area $4\\pi r^2 = {4 * r * r}\\pi$ is the derivative of the volume with respect to $r$.",
    )


# ---------------------------------------------------------------- combinatorics
def combinatorics_count(rng: Rng) -> str:
    n, k = rng.randint(6, 14), rng.randint(2, 5)
    return _pick(
        rng,
        f"The number of ways to choose ${k}$ objects from ${n}$ when order does not matter is "
        f"$$\\binom{{{n}}}{{{k}}} = \\frac{{{n}!}}{{{k}!\\,{n - k}!}} = {math.comb(n, k)}.$$ If the order "
        f"matters we count ${math.perm(n, k)}$ arrangements instead.",
        f"Stars and bars: distributing ${n}$ identical balls into ${k}$ distinct boxes can be done in "
        f"$\\binom{{{n + k - 1}}}{{{k - 1}}} = {math.comb(n + k - 1, k - 1)}$ ways, since each distribution "
        f"corresponds to a row of ${n}$ stars and ${k - 1}$ bars.",
        f"Pascal's rule $\\binom{{n}}{{k}} = \\binom{{n-1}}{{k-1}} + \\binom{{n-1}}{{k}}$ has a one-line "
        f"combinatorial proof: a ${k}$-subset of a ${n}$-set either contains a fixed element or it does not.",
        f"By inclusion-exclusion, the number of integers from $1$ to ${n * 30}$ divisible by ${k}$ or by "
        f"${k + 1}$ is $\\lfloor {n * 30}/{k} \\rfloor + \\lfloor {n * 30}/{k + 1} \\rfloor - "
        f"\\lfloor {n * 30}/{k * (k + 1)} \\rfloor$.",
    )


# ---------------------------------------------------------------- analysis
def analysis_series(rng: Rng) -> str:
    p, r = rng.randint(2, 5), rng.choice([2, 3, 4, 5])
    return _pick(
        rng,
        f"The geometric series $\\sum_{{n=0}}^{{\\infty}} r^n$ converges to $\\frac{{1}}{{1 - r}}$ when "
        f"$|r| < 1$. Taking $r = 1/{r}$ gives $\\sum_{{n=0}}^{{\\infty}} {r}^{{-n}} = \\frac{{{r}}}{{{r - 1}}}$.",
        f"The $p$-series $\\sum_{{n=1}}^{{\\infty}} n^{{-p}}$ converges if and only if $p > 1$; for $p = {p}$ "
        f"the integral test bounds the tail after $N$ terms by $\\int_N^{{\\infty}} x^{{-{p}}} \\, dx = "
        f"\\frac{{1}}{{{p - 1} N^{{{p - 1}}}}}$.",
        f"A sequence $(a_n)$ converges to $L$ if for every $\\epsilon > 0$ there is an $N$ such that "
        f"$|a_n - L| < \\epsilon$ for all $n \\ge N$. For $a_n = {r}/n$ one may take any $N > {r}/\\epsilon$.",
    )


def analysis_continuity(rng: Rng) -> str:
    c, k = rng.randint(1, 9), rng.randint(2, 6)
    return _pick(
        rng,
        f"A function $f$ is uniformly continuous on $[0, {c}]$ if a single $\\delta$ works for every point. "
        f"By the Heine-Cantor theorem every continuous function on a compact interval has this property, so "
        f"$f(x) = x^{k}$ is uniformly continuous on $[0, {c}]$ but not on all of $\\mathbb{{R}}$.",
        f"The intermediate value theorem guarantees a root of $x^{k} - {c}$ in $[0, {c + 1}]$, since the "
        f"polynomial is negative at $0$ and positive at ${c + 1}$; bisection halves the interval at each step "
        f"and locates the root to within $10^{{-{k}}}$ after about ${k * 4}$ steps.",
        f"If $f$ is differentiable on $(a, b)$ and continuous on $[a, b]$, the mean value theorem provides a "
        f"point $\\xi$ with $f'(\\xi) = \\frac{{f(b) - f(a)}}{{b - a}}$. Applied to $\\sqrt{{x}}$ on "
        f"$[{c * c}, {(c + 1) ** 2}]$ it shows that the slope of a secant equals $\\frac{{1}}{{{2 * c + 1}}}$.",
    )


# ---------------------------------------------------------------- physics
def physics_motion(rng: Rng) -> str:
    v0, t, m = rng.randint(5, 40), rng.randint(2, 6), rng.randint(2, 20)
    g = 9.8
    return _pick(
        rng,
        f"A ball thrown upward at $v_0 = {v0}\\,\\mathrm{{m/s}}$ follows $y(t) = v_0 t - \\frac{{1}}{{2}} g "
        f"t^2$. It reaches its highest point when $v(t) = v_0 - g t = 0$, that is after "
        f"$t = {v0 / g:.2f}\\,\\mathrm{{s}}$, at a height of ${v0 * v0 / (2 * g):.1f}\\,\\mathrm{{m}}$.",
        f"Newton's second law $F = ma$ tells us that a net force of ${m * t}\\,\\mathrm{{N}}$ accelerates a "
        f"${m}\\,\\mathrm{{kg}}$ cart at $a = {t}\\,\\mathrm{{m/s^2}}$; after ${t}$ seconds from rest its "
        f"kinetic energy is $\\frac{{1}}{{2}} m v^2 = {m * t**4 // 2}\\,\\mathrm{{J}}$.",
        f"For a simple harmonic oscillator with mass $m = {m}\\,\\mathrm{{kg}}$ and spring constant "
        f"$k = {v0}\\,\\mathrm{{N/m}}$, the equation $m\\ddot{{x}} + kx = 0$ has angular frequency "
        f"$\\omega = \\sqrt{{k/m}} \\approx {(v0 / m) ** 0.5:.3f}\\,\\mathrm{{rad/s}}$.",
    )


ParagraphFn = Callable[[Rng], str]
TOPICS: dict[str, tuple[list[str], list[ParagraphFn]]] = {
    "algebra": (
        [
            "Solving quadratics without fear",
            "Notes on linear systems",
            "Inequalities you should know",
            "Factoring and the quadratic formula",
            "Algebra review: equations and inequalities",
        ],
        [algebra_quadratic, algebra_system, algebra_inequality],
    ),
    "calculus": (
        [
            "Derivative rules in practice",
            "A tour of basic integrals",
            "Limits and L'Hopital's rule",
            "Calculus I worked examples",
            "Integration techniques",
        ],
        [calculus_derivative, calculus_integral, calculus_limit],
    ),
    "linear_algebra": (
        [
            "Eigenvalues of small matrices",
            "Bases, span and independence",
            "Linear algebra recap",
            "Orthogonality and inner products",
        ],
        [linalg_eigen, linalg_span],
    ),
    "number_theory": (
        [
            "Modular arithmetic tricks",
            "The Euclidean algorithm",
            "Fermat's little theorem",
            "Elementary number theory notes",
        ],
        [number_theory_gcd, number_theory_mod],
    ),
    "probability": (
        [
            "Probability with dice and coins",
            "Expectation and variance",
            "Discrete distributions",
            "A first look at conditional probability",
        ],
        [probability_dice, probability_expectation],
    ),
    "geometry": (
        [
            "Right triangles and Heron's formula",
            "Circles and spheres",
            "Geometry review sheet",
            "Triangles, circles and areas",
        ],
        [geometry_triangle, geometry_circle],
    ),
    "combinatorics": (
        [
            "Counting with binomial coefficients",
            "Stars and bars",
            "Combinatorics problem set",
            "Inclusion and exclusion",
        ],
        [combinatorics_count],
    ),
    "analysis": (
        [
            "Convergence of series",
            "Continuity and the mean value theorem",
            "Real analysis notes",
            "Epsilon-delta arguments",
        ],
        [analysis_series, analysis_continuity],
    ),
    "physics": (
        [
            "Kinematics with calculus",
            "Newton's laws by example",
            "Oscillations and energy",
            "Mechanics problem walkthrough",
        ],
        [physics_motion],
    ),
}
MATH_TOPICS = sorted(TOPICS)

_OPENERS = [
    "In this post we work through a few standard computations in {topic}.",
    "These notes collect examples from {topic} that come up again and again in exams.",
    "Below is a short write-up on {topic}, with every step shown.",
    "Several readers asked for more worked examples in {topic}; here are some of my favourites.",
    "This section reviews the key facts of {topic} before we move to harder problems.",
    "I keep forgetting the details of these {topic} arguments, so I am writing them down once and for all.",
    "The following examples in {topic} are chosen to illustrate one idea each.",
    "Let me start with a few warm-up problems in {topic} and then discuss the general picture.",
]
_TRANSITIONS = [
    "The same idea works in a slightly different setting.",
    "Here is another example of the same technique.",
    "It helps to see a second case side by side.",
    "Let us now turn to a related question.",
    "A variation on this theme is worth recording.",
    "The next computation is similar but has a small twist.",
    "One more example should make the pattern clear.",
    "Before going further, consider the following.",
]
_HEADINGS = ["Examples", "More practice", "A second look", "Variations", "Further cases"]
_CLOSERS = [
    "Try changing the numbers above and redo the computation as an exercise.",
    "If anything here is unclear, the textbook chapter on {topic} covers it in more depth.",
    "As always, checking the answer by substitution is a cheap way to catch mistakes.",
    "Next time we will look at harder problems that combine these ideas.",
    "The exercises at the end of the chapter follow exactly this pattern.",
    "None of these steps is deep, but each is easy to get wrong under time pressure.",
]


def math_paragraphs(rng: Rng, topics: list[str], count: int) -> list[str]:
    """``count`` worked-example paragraphs drawn from ``topics``, each with fresh numbers and wording."""
    makers = [maker for topic in topics for maker in TOPICS[topic][1]]
    return [paraphrase(rng, rng.choice(makers)(rng)) for _ in range(count)]


def math_article(rng: Rng, topic: str | None = None, paragraphs: int | None = None) -> Article:
    """A math exposition article: opener, worked examples (mostly on ``topic``) with headings, closer."""
    topic = topic or rng.choice(MATH_TOPICS)
    titles, _ = TOPICS[topic]
    label = topic.replace("_", " ")
    count = paragraphs or rng.randint(4, 7)
    topics = [topic, topic, rng.choice(MATH_TOPICS)]
    transitions = rng.sample(_TRANSITIONS, k=len(_TRANSITIONS))
    blocks = [Block("p", rng.choice(_OPENERS).format(topic=label))]
    for index, text in enumerate(math_paragraphs(rng, topics, count)):
        if index and index % 3 == 0:
            blocks.append(Block("h2", f"{index // 3 + 1}. {rng.choice(_HEADINGS)}"))
        elif index:
            text = transitions[index % len(transitions)] + " " + text
        blocks.append(Block("p", text))
    blocks.append(Block("p", rng.choice(_CLOSERS).format(topic=label)))
    title = (
        f"{rng.choice(titles)} ({rng.choice(['part', 'lecture', 'note', 'session'])} {rng.randint(1, 40)})"
    )
    return Article(title, topic, blocks)


def theorem_article(rng: Rng, topic: str | None = None) -> Article:
    """Lecture-notes style: a theorem with its proof, then worked examples."""
    article = math_article(rng, topic, paragraphs=rng.randint(3, 5))
    p = rng.randint(1, 3)
    article.blocks[1:1] = [
        Block(
            "theorem",
            f"Theorem {rng.randint(1, 9)}.{rng.randint(1, 20)}. For every integer $n \\ge 1$ "
            f"we have $$\\sum_{{k=1}}^{{n}} k^{{{p}}} \\le n^{{{p + 1}}}.$$",
        ),
        Block(
            "proof",
            f"Proof. Each of the $n$ terms is at most $n^{{{p}}}$, and adding up $n$ of them "
            "gives the bound. $\\square$",
        ),
    ]
    return article


def asciimath_article(rng: Rng) -> Article:
    """Plain-text math in AsciiMath notation between backticks (rendered by MathJax's AM config)."""
    a, b, n = rng.randint(2, 9), rng.randint(2, 9), rng.randint(3, 9)
    paragraphs = [
        f"To solve `x^2 - {a + b}x + {a * b} = 0` we look for two numbers whose product is `{a * b}` and whose "
        f"sum is `{a + b}`. They are `{a}` and `{b}`, so `(x - {a})(x - {b}) = 0`.",
        f"The sum of the first `n` integers is `sum_(i=1)^n i = (n(n+1))/2`; for `n = {n}` it equals "
        f"`{n * (n + 1) // 2}`.",
        f"Remember that `sqrt({a * a}) = {a}` and that `(a+b)/2 >= sqrt(ab)` for nonnegative `a` and `b`.",
        f"The derivative of `x^{n}` is `{n}x^{n - 1}`, and `int_0^1 x^{n} dx = 1/{n + 1}`.",
    ]
    rng.shuffle(paragraphs)
    blocks = [Block("p", paraphrase(rng, p)) for p in paragraphs]
    return Article(f"AsciiMath quick notes {rng.randint(1, 99)}", "algebra", blocks)
