/*:
 # Table 2: the datasets

 Every result in the paper rests on three public datasets, and Table 2 is their census: how many users, items and
 interactions survive the preprocessing, and how empty the user-item grid is. Reproducing it is the first check that
 our data pipeline sees exactly what the authors' code saw. This notebook prints that census next to the paper's
 figures, followed by the sizes of the training, validation and test parts under a chosen split protocol.

 ## What counts as an interaction

 The paper studies implicit feedback: a user either touched an item or not. So every rating (MovieLens), every
 review (Amazon Apps) and every article in a user's library (CiteULike) becomes one positive interaction, whatever its
 value; a pair seen twice counts once. Users and items are then renumbered densely, in order of first appearance, so
 the same file always yields the same ids.

 ## The user filter, and where text and code disagree

 Sparse users make evaluation noisy, so the paper drops users with fewer than 20 interactions. On MovieLens-1M that
 removes nobody (GroupLens already kept only users with 20 ratings). On CiteULike, however, the official
 preprocessing keeps users with at least **5** articles, not 20, and only the threshold of 5 gives the paper's
 5,219 users; a threshold of 20 would leave 1,438. The published numbers come from the code, so we follow the code
 (the catalogue entry says so, and `--min-user-interactions` can change it).

 ## Two split protocols

 The text describes a 90/10 train/test split per user with a further 10% of training held out for validation. The
 official code instead holds out ceil(20%) of each user's interactions, then divides the *users* into a validation
 population and a test population (half and half on MovieLens and Apps; 20% validation on CiteULike), each using its
 held-out items for that one role. We default to the code's protocol (`unkd-code`), which produced the published
 tables, and keep the text's protocol (`paper-text`) one flag away. Both are deterministic functions of the seed.
*/
import ArgumentParser
import Foundation
import PaperFigures
import UnKD

struct Table2: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "table2",
        abstract: "Table 2 of the paper: dataset statistics, next to the paper's, plus the split sizes.")

    @OptionGroup var dataOptions: DataOptions

    @Option(help: "Datasets to list (comma-separated). Default: the paper's three, the synthetic presets, and every --data name.")
    var datasets: String?

    @Option(name: .customLong("protocol"), help: "Split protocol: unkd-code (the official code's, default) or paper-text.")
    var splitProtocol: SplitProtocol = .unkdCode

    @Option(parsing: .unconditional, help: "Seed of the split.")
    var seed: UInt64 = 2022

    @Option(help: "Output format: markdown or csv.")
    var format: TableFormat = .markdown

    @Option(help: "Output folder for the table's CSV (table2.csv, or table2-synthetic.csv when no real dataset was found).")
    var out = "figures"

    /// The datasets named with `--datasets`, nil without it.
    var requested: [DatasetName]? { datasets.map { DatasetName.list($0) } }

    func validate() throws {
        if let requested { try OptionCheck.datasets(requested, option: "--datasets", data: dataOptions) }
    }

/*:
 ## The table

 Each dataset is obtained through the same locator every notebook uses: an explicit `--data NAME=PATH`, else the data
 directory, else a verified download. A dataset that cannot be had is reported with instructions, and the table goes
 on without it; the synthetic datasets need no files and always have a row.
*/
    func run() throws {
        let locator = try dataOptions.locator()
        var names = requested ?? DatasetCatalog.all.map(\.name)
        for name in dataOptions.explicitNames where !names.contains(name) { names.append(name) }

        var table = TextTable(header: [
            "Dataset", "Users", "Items", "Interactions", "Sparsity",
            "Paper users", "Paper items", "Paper interactions", "Paper sparsity",
            "Train", "Valid users", "Valid interactions", "Test users", "Test interactions",
        ])
        var realData = false, loaded = 0
        var failures: [String] = []
        for name in names {
            let descriptor = DatasetCatalog.descriptor(name)
            let dataset: InteractionDataset
            do {
                dataset = try locator.load(name)
            } catch {
                Progress.say("\(name): \(error)")
                if dataOptions.explicitNames.contains(name) || datasets != nil { failures.append("\(name): \(error)") }
                table.append([descriptor.displayName, "not available"] + Array(repeating: "", count: 3)
                    + paperCells(descriptor.paper) + Array(repeating: "", count: 5))
                continue
            }
            loaded += 1
            if !descriptor.isSynthetic { realData = true }
            let split = DataSplit.make(dataset, protocol: splitProtocol, seed: seed,
                                       validationUserFraction: descriptor.validationUserFraction)
            let m = dataset.interactions
            table.append([
                descriptor.displayName, "\(m.userCount)", "\(m.itemCount)", "\(m.interactionCount)", percent(m.sparsity),
            ] + paperCells(descriptor.paper) + [
                "\(split.train.interactionCount)",
                "\(split.validationUsers.count)", "\(split.validation.interactionCount)",
                "\(split.testUsers.count)", "\(split.test.interactionCount)",
            ])
        }
        if format == .markdown { print("Table 2 (protocol \(splitProtocol.rawValue), seed \(seed))\n") }
        print(table.rendered(format), terminator: "")
        let output = FigureOutput(folder: URL(fileURLWithPath: out), formats: .png, synthetic: !realData)
        Progress.say("wrote \(try output.writeCSV(table, name: splitProtocol == .unkdCode ? "table2" : "table2-\(splitProtocol.rawValue)").path)")
        // A dataset asked for by name that could not be read is an error, and so is a table without any dataset.
        if !failures.isEmpty || loaded == 0 {
            throw UnKDError.invalidArgument(failures.isEmpty ? "no dataset could be read" : failures.joined(separator: "\n"))
        }
    }

    func paperCells(_ paper: PaperStatistics?) -> [String] {
        guard let paper else { return ["-", "-", "-", "-"] }
        return ["\(paper.users)", "\(paper.items)", "\(paper.interactions)", percent(paper.sparsity)]
    }

    func percent(_ x: Double) -> String { String(format: "%.2f%%", 100 * x) }
}


OpenBLASCore.preferNativeKernels()
Table2.main()
