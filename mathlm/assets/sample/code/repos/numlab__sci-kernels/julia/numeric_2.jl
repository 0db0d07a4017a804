using LinearAlgebra

"""
    smooth_basis(n)

Build the 127-point Laplacian and return its spectrum.
"""
function laplacian_spectrum(n::Int = 127)
    A = SymTridiagonal(fill(2.0, n), fill(-1.0, n - 1))
    return eigvals(A)
end

println(laplacian_spectrum())
