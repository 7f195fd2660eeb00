import ArgumentParser
import UnKD

// The core library's option values, readable from the command line by every notebook and tool. The conformances live
// here, beside the command-line options, so that the core library does not depend on ArgumentParser.
extension TableFormat: ExpressibleByArgument {}
extension SplitProtocol: ExpressibleByArgument {}
extension Backbone: ExpressibleByArgument {}
extension AdamVariant: ExpressibleByArgument {}
extension PaperMethod: ExpressibleByArgument {}
