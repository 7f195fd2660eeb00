import Foundation
import PaperFigures
import UnKD

extension Evidence {
    /// The paper's six claims, in the report's order.
    public var claims: [Claim] { [claim1, claim2, claim3, claim4, claim5, claim6] }

    /// Claim 1 (Table 1): the existing methods lower the unpopular group's recall relative to the Student.
    var claim1: Claim {
        var lines: [String] = [], held = 0, total = 0, complete = true
        for (d, b) in cells where b == .mf {
            guard let student = recall(d, b, .row(.student), group: .unpopular) else { continue }
            var parts: [String] = []
            for method in Self.table1Baselines {
                guard let (value, base) = pairedRecall(d, b, .row(method), .row(.student), group: .unpopular) else {
                    parts.append("\(method) not run")
                    complete = false
                    continue
                }
                total += 1
                if value < base { held += 1 }
                parts.append("\(method) \(percent(value, base))\(significance(d, b, .row(method), .row(.student), group: .unpopular))")
            }
            lines.append("\(name(d, b)), unpopular Recall@10 against the Student (\(String(format: "%.4f", student)), "
                         + "\(seedCount(d, b, .row(.student))); each change on the seeds both have run): "
                         + parts.joined(separator: "; ") + ".")
            if let line = weightSensitivity(d) { lines.append(line) }
        }
        return conclude("Existing distillation methods lower the unpopular group's Recall@10 relative to the Student (Table 1).",
                        held: held, of: total, complete: complete, lines: lines, backbones: [.mf])
    }

    /// How Table 1's verdict depends on each baseline's weight: the unpopular and overall Recall@10 change over the
    /// Student (seed 2022) at every weight the method was tuned over, or nil when no tuning run is stored.
    func weightSensitivity(_ d: DatasetName) -> String? {
        let seed = ReportRuns.firstSeed
        guard let student = grid.results(d, .mf, .row(.student)).first(where: { $0.spec.seed == seed }),
              let baseUnpopular = GridResults.recallAt10(of: student, group: .unpopular),
              let baseOverall = GridResults.recallAt10(of: student, group: nil) else { return nil }
        var parts: [String] = []
        for method in Self.table1Baselines {
            let settings = PaperGrid(dataset: d).tuningVariants(for: method).compactMap { setting, _ -> String? in
                guard let run = weights.results(d, .mf, .tuning(setting, of: method)).first,
                      let unpopular = GridResults.recallAt10(of: run, group: .unpopular),
                      let overall = GridResults.recallAt10(of: run, group: nil) else { return nil }
                return "\(setting) \(percent(unpopular, baseUnpopular)) (overall \(percent(overall, baseOverall)))"
            }
            if !settings.isEmpty { parts.append("\(method): " + settings.joined(separator: "; ")) }
        }
        guard !parts.isEmpty else { return nil }
        return "\(name(d, .mf)), at every weight tried when tuning (seed 2022; the unpopular group's Recall@10 change "
            + "over the Student, and the overall change): " + parts.joined(separator: ". ") + "."
    }

    /// UnKD's unpopular and overall Recall@10 change over the Student at each K of Figure 5's sweep (MF, on the seeds
    /// both ran), and the K at which the unpopular group gains; nil without a sweep.
    func groupCountSensitivity(_ d: DatasetName) -> String? {
        let changes = (1...10).compactMap { k -> (k: Int, unpopular: Double, overall: Double)? in
            guard let (u, baseU) = pairedRecall(d, .mf, .unkd(groups: k), .row(.student), group: .unpopular),
                  let (o, baseO) = pairedRecall(d, .mf, .unkd(groups: k), .row(.student)) else { return nil }
            return (k, (u - baseU) / baseU, (o - baseO) / baseO)
        }
        guard !changes.isEmpty else { return nil }
        let gaining = changes.filter { $0.unpopular > 0 }.map { "\($0.k)" }
        let bestOverall = changes.max { $0.overall < $1.overall }!
        return "\(name(d, .mf)), UnKD against the Student at each K (unpopular, overall): "
            + changes.map { String(format: "K=%d %+.1f%%, %+.1f%%", $0.k, 100 * $0.unpopular, 100 * $0.overall) }
                .joined(separator: "; ")
            + ". The unpopular group gains at " + (gaining.isEmpty ? "no K" : "K = " + gaining.joined(separator: ", "))
            + String(format: "; overall Recall@10 is highest at K = %d (%+.1f%%).", bestOverall.k, 100 * bestOverall.overall)
    }

    /// Claim 2 (Table 3): UnKD has the best overall Recall@10 and NDCG@10 everywhere.
    var claim2: Claim {
        var lines: [String] = [], held = 0, total = 0, complete = true
        let others: [PaperMethod] = [.student, .rd, .cd, .deRRD, .htd]
        for (d, b) in cells {
            guard let unkdRecall = recall(d, b, .row(.unkd)), let unkdNDCG = ndcg(d, b, .row(.unkd)) else { continue }
            total += 1
            let ran = others.filter { recall(d, b, .row($0)) != nil }
            if ran.count < others.count { complete = false }
            let bestRecall = ran.max { recall(d, b, .row($0))! < recall(d, b, .row($1))! }!
            let bestNDCG = ran.max { ndcg(d, b, .row($0))! < ndcg(d, b, .row($1))! }!
            let recallPair = pairedRecall(d, b, .row(.unkd), .row(bestRecall)), ndcgPair = pairedNDCG(d, b, .row(.unkd), .row(bestNDCG))
            if let r = recallPair, let n = ndcgPair, r.0 > r.1 && n.0 > n.1 { held += 1 }
            let missing = others.filter { !ran.contains($0) }
            lines.append("\(name(d, b)): UnKD Recall@10 \(String(format: "%.4f", unkdRecall)) vs the best other, \(bestRecall), "
                         + "\(String(format: "%.4f", recall(d, b, .row(bestRecall))!)), \(recallPair.map { percent($0.0, $0.1) } ?? "-")"
                         + "\(significance(d, b, .row(.unkd), .row(bestRecall))); NDCG@10 \(String(format: "%.4f", unkdNDCG)) vs \(bestNDCG) "
                         + "\(String(format: "%.4f", ndcg(d, b, .row(bestNDCG))!))"
                         + (missing.isEmpty ? "." : "; not run: \(missing.map(\.rawValue).joined(separator: ", "))."))
        }
        return conclude("UnKD has the best overall Recall@10 and NDCG@10 on every dataset and backbone (Table 3).",
                        held: held, of: total, complete: complete, lines: lines, backbones: Backbone.allCases, needs: [.unkd])
    }

    /// Claim 3 (Figure 4): UnKD's gain comes mainly from the unpopular group.
    var claim3: Claim {
        var lines: [String] = [], held = 0, total = 0
        for (d, b) in cells {
            guard let (pop, basePop) = pairedRecall(d, b, .row(.unkd), .row(.student), group: .popular),
                  let (unpop, baseUnpop) = pairedRecall(d, b, .row(.unkd), .row(.student), group: .unpopular)
            else { continue }
            total += 1
            let popular = (pop - basePop) / basePop, unpopular = (unpop - baseUnpop) / baseUnpop
            if unpopular > 0 && unpopular > popular { held += 1 }
            lines.append("\(name(d, b)): UnKD against the Student, popular \(percent(pop, basePop))"
                         + "\(significance(d, b, .row(.unkd), .row(.student), group: .popular)), unpopular \(percent(unpop, baseUnpop))"
                         + "\(significance(d, b, .row(.unkd), .row(.student), group: .unpopular)).")
            if b == .mf, let line = groupCountSensitivity(d) { lines.append(line) }
        }
        return conclude("UnKD's gain over the Student comes mainly from the unpopular group (Figure 4).",
                        held: held, of: total, lines: lines, backbones: Backbone.allCases, needs: [.unkd, .student])
    }

    /// Claim 4 (Table 4): UnKD beats distilling from a PD teacher. A cell with UnKD but without PD-CD or PD-HTD keeps
    /// the verdict at partly and is listed as still to run.
    var claim4: Claim {
        var lines: [String] = [], held = 0, total = 0
        for (d, b) in cells {
            guard let unkd = recall(d, b, .row(.unkd)) else { continue }
            let pd: [PaperMethod] = [.pdCD, .pdHTD], ran = pd.filter { recall(d, b, .row($0)) != nil }
            guard !ran.isEmpty else {
                lines.append("\(name(d, b)): PD-CD and PD-HTD have not run.")
                continue
            }
            total += 1
            if ran.allSatisfy({ unkd > recall(d, b, .row($0))! }) { held += 1 }
            lines.append("\(name(d, b)): UnKD Recall@10 \(String(format: "%.4f", unkd)) (\(seedCount(d, b, .row(.unkd)))); "
                         + ran.map { "\($0) \(String(format: "%.4f", recall(d, b, .row($0))!)) (\(seedCount(d, b, .row($0))))"
                                     + significance(d, b, .row(.unkd), .row($0)) }
                            .joined(separator: "; ")
                         + (ran.count < pd.count ? "; not run: \(pd.filter { !ran.contains($0) }.map(\.rawValue).joined(separator: ", "))." : "."))
        }
        return conclude("UnKD beats CD and HTD distilled from a popularity-deconfounded (PD) teacher (Table 4).",
                        held: held, of: total, lines: lines, backbones: Backbone.allCases, needs: [.unkd, .pdCD, .pdHTD])
    }

    /// Claim 5 (Figure 5): unpopular recall first rises, then falls with K, best near K = 4.
    var claim5: Claim {
        var lines: [String] = [], held = 0, total = 0, partial = 0
        for d in datasets {
            let curve = (1...10).compactMap { k in recall(d, .mf, .unkd(groups: k), group: .unpopular).map { (k, $0) } }
            guard curve.count >= 3 else {
                if !grid.results(d, .mf, .row(.student)).isEmpty {
                    lines.append("\(DatasetCatalog.descriptor(d).displayName) MF: the K sweep has \(curve.count) of 10 values of K, too few to judge; not counted.")
                }
                continue
            }
            total += 1
            let best = curve.max { $0.1 < $1.1 }!
            let interior = best.0 != curve.first!.0 && best.0 != curve.last!.0
            if interior && abs(best.0 - 4) <= 1 { held += 1 } else if interior { partial += 1 }
            lines.append("\(DatasetCatalog.descriptor(d).displayName) MF, unpopular Recall@10 by K: "
                         + curve.map { "K=\($0.0) \(String(format: "%.4f", $0.1))" }.joined(separator: ", ")
                         + "; best at K = \(best.0)" + (curve.count < 10 ? " (\(curve.count) of 10 values of K ran)" : "")
                         + (recall(d, .mf, .row(.student), group: .unpopular).map { String(format: "; the Student: %.4f", $0) } ?? "") + ".")
            let overall = (1...10).compactMap { k in recall(d, .mf, .unkd(groups: k)).map { (k, $0) } }
            lines.append("What each K costs overall: Recall@10 by K: "
                         + overall.map { "K=\($0.0) \(String(format: "%.4f", $0.1))" }.joined(separator: ", ")
                         + (recall(d, .mf, .row(.student)).map { String(format: "; the Student: %.4f", $0) } ?? "") + ".")
        }
        return conclude("The unpopular group's Recall@10 first rises and then falls as K grows, best near K = 4 (Figure 5).",
                        held: held, of: total, partial: partial, lines: lines, backbones: [.mf])
    }

    /// Claim 6 (Figure 1): the MF teacher's top-10 lists over-represent popular items.
    var claim6: Claim {
        var lines: [String] = [], held = 0, total = 0
        for d in datasets {
            let shares = grid.results(d, .mf, .row(.teacher)).compactMap { $0.test.exposure.first { $0.n == 10 } }
            guard let listed = Statistics.mean(shares.map { $0.recommended[0] }),
                  let heldOut = Statistics.mean(shares.map { $0.heldOut[0] }) else { continue }
            total += 1
            if listed > heldOut { held += 1 }
            lines.append(String(format: "%@: popular items are %.1f%% of the teacher's top-10 lists and %.1f%% of the test interactions (%d seeds).",
                                DatasetCatalog.descriptor(d).displayName, 100 * listed, 100 * heldOut, shares.count))
        }
        return conclude("The MF teacher's top-10 lists over-represent popular items relative to the test data (Figure 1).",
                        held: held, of: total, lines: lines, backbones: [.mf], needs: [.teacher])
    }

}
