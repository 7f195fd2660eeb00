import Foundation
import XCTest
@testable import UnKD

/// `VectorMath` against the C library (its exponential also against `Double`), over the ranges its callers use, and
/// `ExpertChoiceRows` against a direct computation of its rows.
final class VectorMathTests: XCTestCase {
    /// The largest relative error of `vector` against `reference` over `inputs`, taken eight at a time.
    private func worstRelativeError(_ inputs: [Float], _ vector: (SIMD8<Float>) -> SIMD8<Float>,
                                    _ reference: (Float) -> Float) -> Float {
        var worst: Float = 0
        for start in stride(from: 0, to: inputs.count - 7, by: 8) {
            let x = SIMD8<Float>(inputs[start..<(start + 8)])
            let y = vector(x)
            for k in 0..<8 {
                let expected = reference(x[k])
                worst = max(worst, abs(y[k] - expected) / max(abs(expected), Float.leastNormalMagnitude))
            }
        }
        return worst
    }

    func testLogarithmMatchesTheCLibrary() {
        // From the smallest uniform draw (2^-24) to well past the largest first logarithm (16.6), densely near 1 where
        // log x is small and the relative error hardest to keep.
        var inputs: [Float] = (0..<4000).map { Float(pow(2.0, -24.0 + 30.0 * Double($0) / 4000)) }
        inputs += (0..<4000).map { 0.9 + 0.2 * Float($0) / 4000 }
        XCTAssertLessThan(worstRelativeError(inputs, VectorMath.log, logf), 4e-7)
        XCTAssertEqual(VectorMath.log(SIMD8(repeating: 1))[0], 0)
        XCTAssertEqual(VectorMath.log(SIMD8(repeating: 8))[3], 3 * Float(M_LN2), accuracy: 1e-6)
    }

    /// The exponential's contract is y <= 0 (softmax arguments after the maximum is taken off, logistic margins), so
    /// it is checked there; far below, it is held at exp(-87.3) rather than going subnormal, never NaN.
    func testExponentialMatchesTheCLibraryAndDoubleAndHoldsTheFarTail() {
        let inputs: [Float] = (0..<8000).map { -87 * Float($0) / 8000 }
        XCTAssertLessThan(worstRelativeError(inputs, VectorMath.expOfNonPositive, expf), 4e-7)
        // Against Double down to -87.3, the last argument with a normal result; the relative error floors at 1e-37.
        for k in 0...8730 {
            let y = -Float(k) / 100, expected = exp(Double(y))
            let value = Double(VectorMath.expOfNonPositive(SIMD8(repeating: y))[3])
            XCTAssertLessThanOrEqual(abs(value - expected) / max(expected, 1e-37), 4e-7, "exp(\(y))")
        }
        let held = exp(Double(Float(-87.3)))
        let farBelow = Double(VectorMath.expOfNonPositive(SIMD8(repeating: -1000))[0])
        XCTAssertLessThanOrEqual(abs(farBelow - held) / held, 4e-7, "held at exp(-87.3) below")
        XCTAssertEqual(VectorMath.expOfNonPositive(SIMD8(repeating: 0))[0], 1)
        let tail = VectorMath.expOfNonPositive(SIMD8(repeating: -1e29))
        XCTAssertEqual(tail, SIMD8(repeating: VectorMath.expOfNonPositive(SIMD8(repeating: -87.3))[0]))
        XCTAssertFalse(tail[0].isNaN)
        XCTAssertLessThan(tail[0], 2e-38)
    }

    func testGumbelNoiseMatchesTheScalarDraw() {
        var random = RandomSource(seed: 5)
        for _ in 0..<100 {
            var bits = SIMD8<UInt32>()
            for k in 0..<8 { bits[k] = random.gumbelBits() }
            let noise = VectorMath.gumbel(bits: bits)
            for k in 0..<8 { XCTAssertEqual(noise[k], RandomSource.gumbel(bits: bits[k]), accuracy: 2e-6 * max(1, abs(noise[k]))) }
        }
        // The extremes: the smallest and largest draws.
        let extremes = VectorMath.gumbel(bits: SIMD8(1, (1 << 24) - 1, 1 << 23, 1, 1, 1, 1, 1))
        XCTAssertEqual(extremes[0], -logf(-logf(0x1p-24)), accuracy: 1e-6)
        XCTAssertEqual(extremes[1], -logf(-logf(Float((1 << 24) - 1) * 0x1p-24)), accuracy: 1e-4)
        XCTAssertEqual(extremes[2], -logf(logf(2)), accuracy: 1e-6)
    }

    /// Three rows of one entity with two experts, the noise fixed by the seed, recomputed here in double precision
    /// from the definition: z = softmax((log a + g) / tau), loss sum_rows w ||t - z1 y1 - z2 y2||^2. The kernel draws
    /// a block's noise expert by expert, row by row within an expert.
    func testExpertChoiceRowsMatchTheDefinition() {
        let a: [Float] = [0.3, 0.7], tau: Float = 2, weights: [Float] = [0.5, 1, 0.25]
        let y: [[Double]] = [[1, 2], [-1, 0.5]], t: [Double] = [0.5, 1]
        var logA = SIMD8<Float>(), paddedA = SIMD8<Float>(repeating: 1)
        for k in 0..<2 { logA[k] = logf(a[k] + 1e-10); paddedA[k] = a[k] }
        var gram = [SIMD8<Float>](repeating: SIMD8(), count: 8), alignment = SIMD8<Float>()
        for k in 0..<2 {
            alignment[k] = Float(zip(y[k], t).map(*).reduce(0, +))
            for l in 0..<2 { gram[k][l] = Float(zip(y[k], y[l]).map(*).reduce(0, +)) }
        }
        var norm = Float(t.map { $0 * $0 }.reduce(0, +))
        var mass = SIMD8<Float>(), moment = [SIMD8<Float>](repeating: SIMD8(), count: 8), gradient = SIMD8<Float>()
        var noise = RandomSource(seed: 9)
        let loss = withUnsafePointer(to: &logA) { logA in
            withUnsafePointer(to: &paddedA) { paddedA in
                withUnsafePointer(to: &alignment) { alignment in
                    withUnsafePointer(to: &norm) { norm in
                        gram.withUnsafeBufferPointer { gram in
                            let kernel = ExpertChoiceRows(experts: 2, inverseTemperature: 1 / tau, logProbabilities: logA,
                                                          probabilities: paddedA, gram: gram.baseAddress!, alignment: alignment,
                                                          targetNorm: norm)
                            return kernel.run(0..<1, rowStart: [0, 3], rowWeight: weights, noise: &noise, mass: &mass,
                                              moment: &moment, probabilityGradient: &gradient)
                        }
                    }
                }
            }
        }
        var draws = RandomSource(seed: 9)
        var g = [[Double]](repeating: [0, 0], count: 3)
        for k in 0..<2 { for j in 0..<3 { g[j][k] = Double(RandomSource.gumbel(bits: draws.gumbelBits())) } }
        var expectedLoss = 0.0, expectedMass = [0.0, 0.0], expectedMoment = [[0.0, 0.0], [0.0, 0.0]]
        var expectedGradient = [0.0, 0.0]
        for j in 0..<3 {
            let w = Double(weights[j])
            let logits = (0..<2).map { (log(Double(a[$0]) + 1e-10) + g[j][$0]) / Double(tau) }
            let exps = logits.map { exp($0 - logits.max()!) }
            let z = exps.map { $0 / (exps[0] + exps[1]) }
            let residual = (0..<2).map { c in t[c] - z[0] * y[0][c] - z[1] * y[1][c] }
            expectedLoss += w * residual.map { $0 * $0 }.reduce(0, +)
            // d(loss)/dz_k = -2 w <t - sum z y, y_k>; through the softmax to a_k: z_k (dz_k - zᵀdz) / (tau a_k).
            let dz = (0..<2).map { k in -2 * w * zip(residual, y[k]).map(*).reduce(0, +) }
            let zdz = z[0] * dz[0] + z[1] * dz[1]
            for k in 0..<2 {
                expectedMass[k] += w * z[k]
                for l in 0..<2 { expectedMoment[k][l] += w * z[k] * z[l] }
                expectedGradient[k] += z[k] * (dz[k] - zdz) / (Double(tau) * Double(a[k]))
            }
        }
        XCTAssertEqual(loss, expectedLoss, accuracy: 1e-5)
        for k in 0..<2 {
            XCTAssertEqual(Double(mass[k]), expectedMass[k], accuracy: 1e-6)
            for l in 0..<2 { XCTAssertEqual(Double(moment[k][l]), expectedMoment[k][l], accuracy: 1e-6) }
            XCTAssertEqual(Double(gradient[k]), expectedGradient[k], accuracy: 1e-4)
        }
        XCTAssertEqual(mass[2], 0, "padding lanes stay empty")
        XCTAssertEqual(noise.gumbelBits(), draws.gumbelBits(), "one draw per row and expert, none for the empty lanes")
    }

    func testTooManyExpertsIsAClearError() {
        var configuration = DERRDConfiguration()
        configuration.experts = 9
        XCTAssertThrowsError(try DistillationMethod.deRRD(configuration).validate()) { error in
            XCTAssertTrue("\(error)".contains("1 to 8 experts"), "\(error)")
        }
        XCTAssertNoThrow(try DistillationMethod.deRRD(DERRDConfiguration()).validate())
    }
}
