import Foundation
import PaperFigures
import UnKD

/// Which protocol the paper's numbers come from: the paper's Table 3 values set against the package's runs under the
/// official code's split and under the split the paper's text describes.
public enum ProtocolComparison {
    /// How far each protocol's Table 3 values lie from the paper's: per dataset and backbone with runs under both, the
    /// mean absolute relative difference of Recall@10 and NDCG@10 over the methods both have (the official code's split
    /// as the mean over its seeds, the paper's text's at seed 2022).
    ///
    /// - Returns: the report's section (empty when no cell ran under both protocols) and one line per cell for the
    ///   README's summary.
    public static func section(grid: GridResults, paperText: GridResults, datasets: [DatasetName]) -> (text: String, summary: [String]) {
        var summary: [String] = []
        var table = TextTable(header: ["dataset", "backbone", "methods", "Recall@10 off the paper (unkd-code)",
                                       "(paper-text)", "NDCG@10 off the paper (unkd-code)", "(paper-text)"])
        for dataset in datasets {
            for backbone in Backbone.allCases {
                guard let paper = PaperValues.table3[dataset]?[backbone] else { continue }
                var official: [(Double, Double)] = [], text: [(Double, Double)] = []
                for method in PaperGrid.table3Methods {
                    guard let values = paper[method],
                          let a = Statistics.mean(grid.results(dataset, backbone, .row(method)).compactMap { $0.test.at(10) }.map(\.recall)),
                          let b = Statistics.mean(grid.results(dataset, backbone, .row(method)).compactMap { $0.test.at(10) }.map(\.ndcg)),
                          let c = paperText.results(dataset, backbone, .row(method)).first?.test.at(10) else { continue }
                    official.append((abs(a - values.recall) / values.recall, abs(b - values.ndcg) / values.ndcg))
                    text.append((abs(c.recall - values.recall) / values.recall, abs(c.ndcg - values.ndcg) / values.ndcg))
                }
                guard !official.isEmpty else { continue }
                func mean(_ pairs: [(Double, Double)], _ part: KeyPath<(Double, Double), Double>) -> String {
                    String(format: "%.1f%%", 100 * pairs.map { $0[keyPath: part] }.reduce(0, +) / Double(pairs.count))
                }
                let name = DatasetCatalog.descriptor(dataset).displayName
                table.append([name, backbone.rawValue, "\(official.count)",
                              mean(official, \.0), mean(text, \.0), mean(official, \.1), mean(text, \.1)])
                summary.append("\(name) \(backbone == .mf ? "MF" : "LightGCN"): the Table 3 values lie \(mean(text, \.0)) "
                               + "(Recall@10) and \(mean(text, \.1)) (NDCG@10) from the paper's under the split its text "
                               + "describes, \(mean(official, \.0)) and \(mean(official, \.1)) under the authors' code's split "
                               + "(\(counted(official.count, "method"))).")
            }
        }
        guard !table.rows.isEmpty else { return ("", []) }
        return ("## Which protocol the paper's numbers come from\n\n"
            + "The mean absolute difference between each method's Table 3 value and the paper's, under the official code's "
            + "split (`unkd-code`, all seeds) and under the split the paper's text describes (`paper-text`, seed 2022), over "
            + "the methods run under both:\n\n" + table.rendered(.markdown) + "\n", summary)
    }
}
