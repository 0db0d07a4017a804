using Test

@testset "square roots" begin
    @test isapprox(sqrt(4.0), 2.0)
    @test isapprox(sqrt(9.0), 3.0)
    @test isapprox(sqrt(16.0), 4.0)
    @test isapprox(sqrt(25.0), 5.0)
    @test isapprox(sqrt(36.0), 6.0)
    @test isapprox(sqrt(49.0), 7.0)
    @test isapprox(sqrt(64.0), 8.0)
    @test isapprox(sqrt(81.0), 9.0)
    @test isapprox(sqrt(100.0), 10.0)
    @test isapprox(sqrt(121.0), 11.0)
    @test isapprox(sqrt(144.0), 12.0)
    @test isapprox(sqrt(169.0), 13.0)
    @test isapprox(sqrt(196.0), 14.0)
end
