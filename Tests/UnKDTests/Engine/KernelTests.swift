import Foundation
import XCTest
@testable import UnKD

/// The SIMD kernels of the distillation losses against plain `Double` arithmetic.
final class KernelTests: XCTestCase {
    /// Relative error, with an absolute floor for values near zero.
    func assertClose(_ value: Float, _ expected: Double, relative: Double = 4e-7, floor: Double = 1e-37,
                     _ message: @autoclosure () -> String = "", line: UInt = #line) {
        let error = abs(Double(value) - expected) / max(abs(expected), floor)
        XCTAssertLessThanOrEqual(error, relative, "\(message()): \(value) vs \(expected)", line: line)
    }

    /// Margins from -100 to 100, dense near zero, with the signed zeros.
    static let margins: [Float] = {
        var x: [Float] = [0, -0, 1e-30, -1e-30, 1e-8, -1e-8, 88, -88, 100, -100]
        for k in -2000...2000 { x.append(Float(k) / 20) }
        for k in 1...200 { x.append(Float(k) * 0.4999); x.append(-Float(k) * 0.4999) }
        return x
    }()

    func testLogarithmOfOnePlusMatchesDouble() {
        var t: [Float] = [0, 1e-30, 1e-12, 1e-7, 0.414_213_5, 0.414_213_6, 1]
        for k in 1..<1000 { t.append(Float(k) / 1000) }
        for value in t {
            assertClose(LogisticKernels.log1pOfUnit(SIMD8(repeating: value))[5], log1p(Double(value)), floor: 1e-45,
                        "log1p(\(value))")
        }
    }

    func testSoftplusAndSigmoidMatchDouble() {
        for x in Self.margins {
            let (softplus, sigmoid) = LogisticKernels.softplusAndSigmoidOfNegative(SIMD8(repeating: x))
            let d = Double(x)
            let expectedSoftplus = max(-d, 0) + log1p(exp(-abs(d)))
            let expectedSigmoid = 1 / (1 + exp(d))
            // Past |x| = 87.3 the exponential is held, so the tiny side is only bounded.
            if abs(x) < 87 {
                assertClose(softplus[0], expectedSoftplus, relative: 5e-7, "softplus(-\(x))")
                assertClose(sigmoid[0], expectedSigmoid, relative: 5e-7, "sigmoid(-\(x))")
            } else {
                XCTAssertEqual(Double(softplus[0]), expectedSoftplus, accuracy: 2e-38 + 1e-7 * expectedSoftplus)
                XCTAssertEqual(Double(sigmoid[0]), expectedSigmoid, accuracy: 2e-38 + 1e-7 * expectedSigmoid)
            }
        }
        let nan = LogisticKernels.softplusAndSigmoidOfNegative(SIMD8(repeating: .nan))
        XCTAssertTrue(nan.softplus[0].isNaN)
    }

    /// A full group of eight and a tail of five, in place and into arrays.
    func testArrayFormsAgreeWithTheLanes() {
        let x: [Float] = (0..<13).map { Float($0) * 0.7 - 4 }
        var slopes = x
        let scale: Float = 0.25
        let total = slopes.withUnsafeMutableBufferPointer { LogisticKernels.bprLossAndSlopes($0.baseAddress!, count: 13, scale: scale) }
        var softplus = [Float](repeating: -1, count: 13), sigmoid = [Float](repeating: -1, count: 13)
        x.withUnsafeBufferPointer { x in
            LogisticKernels.softplusAndSigmoidOfNegative(x.baseAddress!, count: 13, softplus: &softplus, sigmoid: &sigmoid)
        }
        var expectedTotal = 0.0
        for p in 0..<13 {
            let d = Double(x[p])
            let loss = max(-d, 0) + log1p(exp(-abs(d))), slope = 1 / (1 + exp(d))
            expectedTotal += loss
            assertClose(softplus[p], loss)
            assertClose(sigmoid[p], slope)
            assertClose(slopes[p], -slope * Double(scale))
        }
        assertClose(total, expectedTotal, relative: 1e-6)
    }

    /// Random rows of stride 24 (a block of 16 columns and one of 8) and of stride 16 (a student of dimension 10),
    /// lists of 19 entries (two groups of eight and a tail), an item repeated, pairs and plain lists.
    func testListScoresAndBackwardMatchLoops() {
        for stride in [24, 16] { checkListScoresAndBackward(stride: stride) }
    }

    private func checkListScoresAndBackward(stride: Int) {
        var random = RandomSource(seed: 5)
        let itemCount = 7, count = 19
        let rows = (0..<(itemCount * stride)).map { _ in Float(random.unit() * 2 - 1) }
        let x = (0..<stride).map { _ in Float(random.unit() * 2 - 1) }
        let plus: [Int32] = (0..<count).map { _ in Int32(random.below(itemCount)) }
        let minus: [Int32] = (0..<count).map { p in (plus[p] + 1 + Int32(p % 3)) % Int32(itemCount) }
        let c: [Float] = (0..<count).map { _ in Float(random.unit() - 0.5) }
        func row(_ i: Int32) -> ArraySlice<Float> { rows[(Int(i) * stride)..<(Int(i) * stride + stride)] }
        func dot(_ a: ArraySlice<Float>, _ b: [Float]) -> Double { zip(a, b).reduce(0) { $0 + Double($1.0) * Double($1.1) } }
        for pairs in [true, false] {
            var scores = [Float](repeating: 0, count: count)
            var userGradient = [Float](repeating: 0.5, count: stride)
            var itemGradient = [Float](repeating: 0, count: itemCount * stride)
            rows.withUnsafeBufferPointer { rows in
                plus.withUnsafeBufferPointer { plus in
                    minus.withUnsafeBufferPointer { minus in
                        let m = pairs ? minus.baseAddress! : nil
                        ListKernels.scores(x, count: count, plus: plus.baseAddress!, minus: m, rows: rows.baseAddress!,
                                           stride: stride, into: &scores)
                        ListKernels.backward(x, c, count: count, plus: plus.baseAddress!, minus: m, rows: rows.baseAddress!,
                                             stride: stride, userGradient: &userGradient, itemGradient: &itemGradient)
                    }
                }
            }
            var expectedUser = [Double](repeating: 0.5, count: stride)
            var expectedItems = [Double](repeating: 0, count: itemCount * stride)
            for p in 0..<count {
                let expected = dot(row(plus[p]), x) - (pairs ? dot(row(minus[p]), x) : 0)
                XCTAssertEqual(Double(scores[p]), expected, accuracy: 1e-5, "score \(p), pairs \(pairs), stride \(stride)")
                for k in 0..<stride {
                    expectedUser[k] += Double(c[p]) * Double(rows[Int(plus[p]) * stride + k])
                    expectedItems[Int(plus[p]) * stride + k] += Double(c[p]) * Double(x[k])
                    if pairs {
                        expectedUser[k] -= Double(c[p]) * Double(rows[Int(minus[p]) * stride + k])
                        expectedItems[Int(minus[p]) * stride + k] -= Double(c[p]) * Double(x[k])
                    }
                }
            }
            for k in 0..<stride { XCTAssertEqual(Double(userGradient[k]), expectedUser[k], accuracy: 1e-5) }
            for k in 0..<(itemCount * stride) { XCTAssertEqual(Double(itemGradient[k]), expectedItems[k], accuracy: 1e-5) }
        }
    }

    /// A batch big enough for the two halves (the second scattering into its own item table, added afterwards) gives
    /// the loss and gradient of a direct evaluation of every row's pairs.
    /// An item's score is the same to the bit wherever it stands in a list, in the eight-at-a-time part or in the
    /// tail: RD compares its top items' scores with its samples' scores, and the same item in both must tie, as it
    /// does in the authors' code.
    func testAnItemScoresTheSameAtEveryPositionOfAList() {
        var random = RandomSource(seed: 11)
        let width = 16, itemCount = 300
        let rows = (0..<(itemCount * width)).map { _ in Float(random.normal()) }
        let x = (0..<width).map { _ in Float(random.normal()) }
        // Items i, i+1, i+2 at positions 0-2 (the eight-at-a-time part) and again at 8-10 (the tail).
        var differing = 0
        for first in Swift.stride(from: 0, to: itemCount - 8, by: 3) {
            let head = (0..<8).map { Int32(first + $0) }
            let items = head + head[0..<3]
            var c = [Float](repeating: 0, count: items.count)
            ListKernels.scores(x, count: items.count, plus: items, minus: nil, rows: rows, stride: width, into: &c)
            for t in 8..<11 where c[t].bitPattern != c[t - 8].bitPattern { differing += 1 }
        }
        XCTAssertEqual(differing, 0)
    }

    func testPairwiseDistillationInTwoHalvesMatchesRowByRowEvaluation() {
        var random = RandomSource(seed: 8)
        let userCount = 400, itemCount = 60, dimension = 10, pairsPerUser = 32
        var table = EmbeddingTable(rows: userCount + itemCount, dimension: dimension)
        let stride = table.stride
        for row in 0..<table.rows {
            for k in 0..<dimension { table.values[row * stride + k] = Float(random.unit() - 0.5) }
        }
        var pairStart = [0], positives: [Int32] = [], negatives: [Int32] = []
        for user in 0..<userCount {
            let count = user % 7 == 0 ? 0 : pairsPerUser
            for _ in 0..<count {
                positives.append(Int32(random.below(itemCount)))
                negatives.append(Int32(random.below(itemCount)))
            }
            pairStart.append(positives.count)
        }
        let users: [Int32] = (0..<2048).map { _ in Int32(random.below(userCount)) }
        XCTAssertGreaterThanOrEqual(6 * stride * Set(users).count * pairsPerUser * 6 / 7, Parallel.minimumParallelWork,
                                    "large enough for two halves")
        // Twice with one workspace: the second call must find it as clean as the first.
        let workspace = PerUserWorkspace(), weight: Float = 0.8
        var results: [(loss: Float, gradient: [Float], touched: [Int32])] = []
        for _ in 0..<2 {
            var gradient = [Float](repeating: 0, count: table.values.count), touched: [Int32] = []
            let loss = table.values.withUnsafeBufferPointer { final in
                gradient.withUnsafeMutableBufferPointer { g in
                    PairwiseDistillation.accumulate(users[...], pairStart: pairStart, positives: positives,
                                                    negatives: negatives, final: final.baseAddress!, gradient: g.baseAddress!,
                                                    stride: stride, userCount: userCount, itemCount: itemCount,
                                                    weight: weight, workspace: workspace, touched: &touched)
                }
            }
            results.append((loss, gradient, touched))
        }
        var expectedLoss = 0.0
        var expected = [Double](repeating: 0, count: table.values.count)
        let e = table.values
        for user in users {
            let u = Int(user), count = pairStart[u + 1] - pairStart[u]
            guard count > 0 else { continue }
            let scale = 1 / Double(users.count * count)
            for p in pairStart[u]..<pairStart[u + 1] {
                let i = userCount + Int(positives[p]), j = userCount + Int(negatives[p])
                var margin = 0.0
                for k in 0..<stride {
                    let difference = Double(e[i * stride + k]) - Double(e[j * stride + k])
                    margin += Double(e[u * stride + k]) * difference
                }
                expectedLoss += log1p(exp(-margin)) * scale
                let c: Double = -scale * Double(weight) / (1 + exp(margin))
                for k in 0..<stride {
                    let eu = Double(e[u * stride + k]), difference = Double(e[i * stride + k]) - Double(e[j * stride + k])
                    expected[u * stride + k] += c * difference
                    expected[i * stride + k] += c * eu
                    expected[j * stride + k] -= c * eu
                }
            }
        }
        let largest = expected.map(abs).max()!
        for (loss, gradient, touched) in results {
            XCTAssertEqual(Double(loss), expectedLoss, accuracy: 1e-5 * expectedLoss)
            for k in 0..<gradient.count {
                XCTAssertEqual(Double(gradient[k]), expected[k], accuracy: 1e-5 * largest, "float \(k)")
            }
            // Every distinct user, then every item row (the pairs name more items than the catalogue has).
            XCTAssertEqual(Set(touched), Set(users).union((userCount..<(userCount + itemCount)).map { Int32($0) }))
        }
    }

    /// The graph product restricted to some rows computes exactly those rows of the full product and leaves the
    /// others alone, at the widths of several slices (stride 104: slices of 56 and 48).
    func testGraphProductOnSelectedRows() {
        let train = InteractionMatrix(itemCount: 6, rows: [[0, 1, 2], [1, 3], [0, 4, 5], [2], [1, 2, 3, 4]])
        let graph = NormalisedAdjacency(train: train)
        var random = RandomSource(seed: 3)
        for dimension in [10, 100] {
            let stride = EmbeddingTable(rows: 1, dimension: dimension).stride
            let input = (0..<(graph.nodes * stride)).map { _ in Float(random.unit() - 0.5) }
            var full = [Float](repeating: 0, count: input.count)
            graph.multiply(input, into: &full, stride: stride)
            let selected = (0..<graph.nodes).map { $0 % 3 != 1 }
            var partial = [Float](repeating: 7, count: input.count)
            selected.withUnsafeBufferPointer { mask in
                graph.multiply(input, into: &partial, stride: stride, rows: mask.baseAddress!)
                for chunks in 1...4 {
                    let boundaries = graph.selectedBoundaries(chunks: chunks, rows: mask.baseAddress!)
                    XCTAssertEqual(boundaries.first, 0)
                    XCTAssertEqual(boundaries.last, graph.nodes)
                    XCTAssertEqual(boundaries, boundaries.sorted(), "boundaries in order")
                    XCTAssertEqual(boundaries.count, chunks + 1)
                }
            }
            for r in 0..<graph.nodes {
                let row = (r * stride)..<((r + 1) * stride)
                if selected[r] {
                    XCTAssertEqual(Array(partial[row]), Array(full[row]), "row \(r), d = \(dimension)")
                } else {
                    XCTAssertEqual(Array(partial[row]), [Float](repeating: 7, count: stride), "row \(r) untouched")
                }
            }
            // The full product against the definition: row r gathers its neighbours, each weighted 1 / sqrt(deg deg').
            let degree = (0..<graph.nodes).map { graph.rowStart[$0 + 1] - graph.rowStart[$0] }
            for r in 0..<graph.nodes {
                for k in 0..<dimension {
                    var expected = 0.0
                    for e in graph.rowStart[r]..<graph.rowStart[r + 1] {
                        let n = Int(graph.neighbours[e])
                        expected += Double(input[n * stride + k]) / (Double(degree[r]) * Double(degree[n])).squareRoot()
                    }
                    XCTAssertEqual(Double(full[r * stride + k]), expected, accuracy: 1e-6)
                }
            }
        }
    }
}
