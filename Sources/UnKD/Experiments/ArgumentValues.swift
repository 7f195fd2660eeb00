import ArgumentParser

// The project's option values, readable from the command line by every notebook.
extension TableFormat: ExpressibleByArgument {}
extension SplitProtocol: ExpressibleByArgument {}
extension Backbone: ExpressibleByArgument {}
extension AdamVariant: ExpressibleByArgument {}
