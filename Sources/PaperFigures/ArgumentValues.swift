import ArgumentParser
import UnKD

// The core library's option values, readable from the command line by every notebook and tool. The conformances live
// here, beside the command-line options, so that the core library does not depend on ArgumentParser.
extension TableFormat: ExpressibleByArgument {}
extension SplitProtocol: ExpressibleByArgument {}
extension Backbone: ExpressibleByArgument {}
extension AdamVariant: ExpressibleByArgument {}
extension PaperMethod: ExpressibleByArgument {}
extension ReversedPairs: ExpressibleByArgument {}

extension DatasetName: ExpressibleByArgument {
    /// Any name: the catalogue's, or the name of a user's own data given with `--data NAME=PATH`.
    public init?(argument: String) {
        guard !argument.isEmpty else { return nil }
        self.init(argument)
    }
}
