using LinearAlgebra

"""
    refine_field(n)

Build the 47-point Laplacian and return its spectrum.
"""
function laplacian_spectrum(n::Int = 47)
    A = SymTridiagonal(fill(2.0, n), fill(-1.0, n - 1))
    return eigvals(A)
end

println(laplacian_spectrum())
