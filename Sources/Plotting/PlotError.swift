/// Why a figure could not be drawn or saved.
///
/// Every case carries enough context (panel title, series name, index, path) for the message alone to point at the
/// offending input, because figures are usually built far away from where the numbers were computed.
public enum PlotError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The figure has no panels, so there is nothing to draw.
    case emptyFigure
    /// A panel has no series, or a series has no values; `series` is nil when the panel itself is empty.
    case emptySeries(panel: String, series: String?)
    /// A value is NaN or infinite; `what` names the array holding it (e.g. "y", "band lower", "reference line").
    case nonFiniteValue(panel: String, series: String, what: String, index: Int, value: Double)
    /// Two arrays that must pair up element by element have different lengths.
    case lengthMismatch(panel: String, series: String, expected: String, expectedCount: Int, actual: String, actualCount: Int)
    /// A setting is out of range (non-positive size, inverted limits, duplicate series name, ...).
    case invalidArgument(String)
    /// The destination cannot be written; `reason` is the operating system's explanation.
    case unwritableOutput(path: String, reason: String)
    /// The output format cannot be inferred from the file name, or is not supported.
    case unsupportedFormat(String)
    /// Cairo reported an error while drawing or encoding.
    case renderingFailed(String)

    /// A full sentence naming the offending panel, series, index or path.
    public var description: String {
        switch self {
        case .emptyFigure:
            return "The figure has no panels; add at least one panel before rendering."
        case let .emptySeries(panel, nil):
            return "Panel \(quoted(panel)) has no data series."
        case let .emptySeries(panel, series?):
            return "Series \(quoted(series)) in panel \(quoted(panel)) has no values."
        case let .nonFiniteValue(panel, series, what, index, value):
            return "Series \(quoted(series)) in panel \(quoted(panel)) has a non-finite \(what) value (\(value)) "
                + "at index \(index); only finite numbers can be plotted."
        case let .lengthMismatch(panel, series, expected, expectedCount, actual, actualCount):
            return "Series \(quoted(series)) in panel \(quoted(panel)) has \(actualCount) \(actual) but "
                + "\(expectedCount) \(expected); they must have the same length."
        case let .invalidArgument(message):
            return message
        case let .unwritableOutput(path, reason):
            return "Cannot write the figure to \(path): \(reason)."
        case let .unsupportedFormat(name):
            return "Unsupported output format for \(quoted(name)); use a .png or .pdf file name or pass a format."
        case let .renderingFailed(message):
            return "Cairo failed to render the figure: \(message)."
        }
    }
}

extension PlotError: CustomDebugStringConvertible {
    /// The same message, so the error reads well in test failures and `print`.
    public var debugDescription: String { description }
}

#if canImport(Foundation)
import Foundation

extension PlotError: LocalizedError {
    /// Foundation callers (`error.localizedDescription`) see the same descriptive message.
    public var errorDescription: String? { description }
}
#endif

/// Quotes a name so that an empty title still shows up visibly in a message.
private func quoted(_ name: String) -> String { "\"\(name)\"" }
