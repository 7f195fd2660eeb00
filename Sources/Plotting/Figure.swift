import AtomicWrite
import Foundation

/// The file formats a figure can be saved as.
public enum OutputFormat: Hashable, Sendable {
    /// A raster image at `Figure.pngScale` pixels per point (2 by default, for sharp text on screens and slides).
    case png
    /// A one-page vector PDF with text kept as text and a fixed creation date, so equal input gives equal bytes.
    case pdf

    /// The format named by `url`'s extension (`.png` or `.pdf`, any case).
    /// - Throws: `PlotError.unsupportedFormat` for any other extension.
    public init(inferringFrom url: URL) throws {
        switch url.pathExtension.lowercased() {
        case "png": self = .png
        case "pdf": self = .pdf
        default: throw PlotError.unsupportedFormat(url.lastPathComponent)
        }
    }
}

/// A figure: an optional title over a grid of panels filled row by row, and one legend.
///
/// A pure description (a value type) that can be built anywhere and rendered any number of times; rendering the
/// same figure always gives the same bytes.
public struct Figure: Hashable, Sendable {
    /// Panels per row; rows are added as panels are.
    public var columns: Int
    /// Width of every panel in points (1/72 inch), including its title, tick labels and axis labels.
    public var panelWidth: Double
    /// Height of every panel in points, including its title, tick labels and axis labels.
    public var panelHeight: Double
    /// Shown bold above the grid; empty for none.
    public var title: String
    /// The panels in grid order (row by row); usually filled with `add(_:)`.
    public var panels: [Panel]
    /// Where the legend goes; `.below` by default because it never covers data and suits wide grids.
    public var legend: LegendPlacement
    /// Colours handed to series without a fixed colour, in order of first appearance.
    public var palette: Palette
    /// Fixed colours by series name, so that a method keeps its colour in every figure that uses the same map.
    public var seriesColours: [String: Colour]
    /// Device pixels per point in PNG output.
    public var pngScale: Double

    /// An empty figure; add panels with `add(_:)`.
    public init(
        columns: Int = 1, panelSize: (width: Double, height: Double) = (360, 260), title: String = "",
        legend: LegendPlacement = .below, palette: Palette = .okabeIto, seriesColours: [String: Colour] = [:],
        pngScale: Double = 2
    ) {
        self.columns = columns
        self.panelWidth = panelSize.width
        self.panelHeight = panelSize.height
        self.title = title
        self.panels = []
        self.legend = legend
        self.palette = palette
        self.seriesColours = seriesColours
        self.pngScale = pngScale
    }

    /// Appends `panel` at the next free place of the grid (left to right, then top to bottom).
    public mutating func add(_ panel: Panel) {
        panels.append(panel)
    }

    /// Throws a descriptive `PlotError` for the first problem that would stop the figure from rendering: no panels,
    /// a bad size, or bad panel data (see `Panel.validate()`).
    public func validate() throws {
        guard !panels.isEmpty else { throw PlotError.emptyFigure }
        guard columns >= 1 else { throw PlotError.invalidArgument("A figure needs at least one column, not \(columns).") }
        guard panelWidth.isFinite, panelHeight.isFinite, panelWidth >= 60, panelHeight >= 60,
            panelWidth <= 5000, panelHeight <= 5000
        else {
            throw PlotError.invalidArgument(
                "Panel size \(panelWidth)x\(panelHeight) points is out of range; use 60 to 5000 points per side.")
        }
        guard pngScale.isFinite, pngScale > 0, pngScale <= 8 else {
            throw PlotError.invalidArgument("PNG scale \(pngScale) is out of range; use a value in (0, 8].")
        }
        for panel in panels { try panel.validate() }
    }

    /// Renders the figure and writes it to `url` atomically (`AtomicFile`: temporary file in the same directory, then
    /// rename), so a reader never sees a partial file and a failed render leaves any previous file untouched. The
    /// directory must exist: a missing one is reported, not created.
    /// - Parameters:
    ///   - url: the file to write.
    ///   - format: nil to infer it from the file extension.
    /// - Throws: `PlotError` for invalid input, an unknown extension, a Cairo failure, or an unwritable destination.
    public func render(to url: URL, format: OutputFormat? = nil) throws {
        let format = try format ?? OutputFormat(inferringFrom: url)
        let bytes = try data(format)
        do {
            try AtomicFile.write(bytes, to: url, creatingFolder: false)
        } catch let error as AtomicFileError {
            throw PlotError.unwritableOutput(path: error.path, reason: error.reason)
        }
    }

    /// The encoded file contents in `format`, for callers that store figures themselves.
    public func data(_ format: OutputFormat) throws -> Data {
        let layout = try makeLayout()
        switch format {
        case .png:
            let canvas = try CairoCanvas(.image(scale: pngScale), width: layout.width, height: layout.height)
            try draw(layout, on: canvas)
            return try canvas.pngData()
        case .pdf:
            let canvas = try CairoCanvas(.pdf(title: title), width: layout.width, height: layout.height)
            try draw(layout, on: canvas)
            return try canvas.pdfData()
        }
    }

    /// The figure as pixels plus the layout used, so tests can check that data lands where it should.
    func rasterise(scale: Double = 2) throws -> (image: RasterImage, layout: FigureLayout) {
        let layout = try makeLayout()
        let canvas = try CairoCanvas(.image(scale: scale), width: layout.width, height: layout.height)
        try draw(layout, on: canvas)
        return (canvas.raster(), layout)
    }

    func makeLayout() throws -> FigureLayout {
        try validate()
        let measuring = try CairoCanvas(.measurement, width: 1, height: 1)
        return try FigureLayout.make(self, measuring: measuring)
    }

    private func draw(_ layout: FigureLayout, on canvas: CairoCanvas) throws {
        FigureRenderer(figure: self, layout: layout).draw(on: canvas)
        try canvas.check("drawing")
    }
}
