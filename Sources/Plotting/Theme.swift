/// A font request for Cairo's toy text API: the family is always the theme's; only size and weight vary.
struct Font: Hashable {
    var size: Double
    var bold: Bool = false

    func scaled(_ factor: Double) -> Font { Font(size: size * factor, bold: bold) }
}

/// Measured extents of a single line of text, in points.
struct TextSize: Equatable {
    /// Horizontal advance: what the next glyph would be offset by, used for alignment.
    var width: Double
    /// Font ascent and descent (not the string's own ink), so every label of one font lines up on one baseline.
    var ascent: Double
    var descent: Double
    var height: Double { ascent + descent }
}

/// The look shared by every figure, chosen to read like a matplotlib figure at print size.
enum Theme {
    static let fontFamily = "DejaVu Sans"
    static let figureTitle = Font(size: 12.5, bold: true)
    static let panelTitle = Font(size: 10.5, bold: true)
    static let axisLabel = Font(size: 9.5)
    static let tickLabel = Font(size: 8.5)
    static let legend = Font(size: 9)
    static let valueLabel = Font(size: 7.5)
    static let referenceLabel = Font(size: 8)

    static let text = Colour(hex: 0x222222)
    static let axis = Colour(hex: 0x333333)
    static let grid = Colour(hex: 0xE3E3E3)
    static let zeroLine = Colour(hex: 0x333333)
    static let legendFrame = Colour(hex: 0xCCCCCC)

    static let spineWidth = 0.8
    static let gridWidth = 0.6
    static let tickLength = 3.5
    static let tickWidth = 0.8
    static let lineWidth = 1.6
    static let markerRadius = 3.2
    static let bandAlpha = 0.2

    /// Space between the panel's edge and its outermost text.
    static let outerPad = 6.0
    /// Space between neighbouring text blocks (tick labels and axis labels, title and plot).
    static let gap = 5.0
    /// Fraction of a category slot occupied by its group of bars.
    static let groupFraction = 0.8
    /// Data margin added around line data and on the non-zero side of bars, as a fraction of the data span.
    static let dataMargin = 0.05
}
