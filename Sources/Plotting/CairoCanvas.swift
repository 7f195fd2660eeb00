import CCairo
import Foundation

/// The one place that talks to Cairo: owns a surface and its drawing context for the lifetime of one render.
///
/// Cairo objects are not thread-safe and must be destroyed exactly once, so they live only inside an instance of this
/// class (never in globals) and are released in `deinit`. Everything else in the library describes drawing in points
/// and calls the small vocabulary below.
final class CairoCanvas {
    /// What the canvas draws into.
    enum Target {
        /// An ARGB image with `scale` device pixels per point (PNG output and pixel tests).
        case image(scale: Double)
        /// A single-page vector PDF; text stays text (fonts are embedded as subsets).
        case pdf(title: String)
        /// A 1x1 image used only to measure text before the figure's size is known.
        case measurement
    }

    /// The PDF creation and modification date; fixed so the same figure always gives byte-identical files.
    static let pdfDate = "2023-02-27T00:00:00Z"

    let width: Double
    let height: Double
    /// Device pixels per point (1 for PDF), used to snap hairlines onto whole pixels.
    let scale: Double
    private let surface: OpaquePointer
    private let cr: OpaquePointer
    private let sink: ByteSink
    private var isFinished = false

    /// A canvas of `width` x `height` points.
    /// - Throws: `PlotError.renderingFailed` if Cairo cannot create the surface (e.g. an absurd size).
    init(_ target: Target, width: Double, height: Double) throws {
        self.width = width
        self.height = height
        sink = ByteSink()
        switch target {
        case .image(let s):
            scale = s
            surface = cairo_image_surface_create(
                CAIRO_FORMAT_ARGB32, Int32((width * s).rounded(.up)), Int32((height * s).rounded(.up)))
            cairo_surface_set_device_scale(surface, s, s)
        case .measurement:
            scale = 1
            surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1, 1)
        case .pdf(let title):
            scale = 1
            surface = cairo_pdf_surface_create_for_stream(
                byteSinkWrite, Unmanaged.passUnretained(sink).toOpaque(), width, height)
            cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATE_DATE, Self.pdfDate)
            cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_MOD_DATE, Self.pdfDate)
            if !title.isEmpty { cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, title) }
        }
        cr = cairo_create(surface)
        try check("creating the surface")
        // Unhinted metrics make text measure the same on every surface, so PNG and PDF share one layout and labels
        // do not jump by a pixel between scales.
        let options = cairo_font_options_create()
        cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF)
        cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE)
        cairo_set_font_options(cr, options)
        cairo_font_options_destroy(options)
        cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND)
    }

    deinit {
        cairo_destroy(cr)
        if !isFinished { cairo_surface_finish(surface) }
        cairo_surface_destroy(surface)
    }

    // MARK: Output

    /// The finished PDF document. The canvas cannot be drawn on afterwards.
    func pdfData() throws -> Data {
        cairo_show_page(cr)
        cairo_surface_finish(surface)
        isFinished = true
        try check("finishing the PDF")
        return sink.data
    }

    /// The image encoded as PNG.
    func pngData() throws -> Data {
        cairo_surface_flush(surface)
        let status = cairo_surface_write_to_png_stream(surface, byteSinkWrite, Unmanaged.passUnretained(sink).toOpaque())
        guard status == CAIRO_STATUS_SUCCESS else {
            throw PlotError.renderingFailed("encoding PNG: \(String(cString: cairo_status_to_string(status)))")
        }
        defer { sink.data = Data() }
        return sink.data
    }

    /// A copy of the image's pixels, for tests that check what was drawn where.
    func raster() -> RasterImage {
        cairo_surface_flush(surface)
        let w = Int(cairo_image_surface_get_width(surface))
        let h = Int(cairo_image_surface_get_height(surface))
        let stride = Int(cairo_image_surface_get_stride(surface))
        var pixels = [UInt32](repeating: 0, count: w * h)
        if let base = cairo_image_surface_get_data(surface) {
            for row in 0..<h {
                let rowStart = UnsafeRawPointer(base + row * stride).assumingMemoryBound(to: UInt32.self)
                for col in 0..<w { pixels[row * w + col] = rowStart[col] }
            }
        }
        return RasterImage(width: w, height: h, scale: scale, pixels: pixels)
    }

    /// Throws if Cairo has entered an error state; Cairo errors are sticky, so one check covers all calls before it.
    func check(_ doing: String) throws {
        let status = cairo_status(cr) != CAIRO_STATUS_SUCCESS ? cairo_status(cr) : cairo_surface_status(surface)
        guard status == CAIRO_STATUS_SUCCESS else {
            throw PlotError.renderingFailed("\(doing): \(String(cString: cairo_status_to_string(status)))")
        }
    }

    // MARK: Shapes

    func fill(_ rect: Rect, _ colour: Colour) {
        setColour(colour)
        cairo_rectangle(cr, rect.x, rect.y, rect.width, rect.height)
        cairo_fill(cr)
    }

    /// Strokes a rectangle outline (legend frames).
    func stroke(_ rect: Rect, _ colour: Colour, width: Double) {
        setColour(colour)
        cairo_set_line_width(cr, width)
        cairo_rectangle(cr, rect.x, rect.y, rect.width, rect.height)
        cairo_stroke(cr)
    }

    /// A straight line; `dash` is an on/off pattern in points (nil for solid). Axis-parallel lines are snapped to the
    /// pixel grid so thin rules stay crisp in the PNG instead of smearing over two pixel rows.
    func line(from a: Point, to b: Point, _ colour: Colour, width: Double, dash: [Double]? = nil) {
        var a = a, b = b
        if a.y == b.y { a.y = snap(a.y, width); b.y = a.y }
        if a.x == b.x { a.x = snap(a.x, width); b.x = a.x }
        polyline([a, b], colour, width: width, dash: dash)
    }

    func polyline(_ points: [Point], _ colour: Colour, width: Double, dash: [Double]? = nil) {
        guard let first = points.first else { return }
        setColour(colour)
        cairo_set_line_width(cr, width)
        if let dash { cairo_set_dash(cr, dash, Int32(dash.count), 0) }
        cairo_move_to(cr, first.x, first.y)
        for p in points.dropFirst() { cairo_line_to(cr, p.x, p.y) }
        cairo_stroke(cr)
        if dash != nil { cairo_set_dash(cr, nil, 0, 0) }
    }

    func fillPolygon(_ points: [Point], _ colour: Colour) {
        guard let first = points.first else { return }
        setColour(colour)
        cairo_move_to(cr, first.x, first.y)
        for p in points.dropFirst() { cairo_line_to(cr, p.x, p.y) }
        cairo_close_path(cr)
        cairo_fill(cr)
    }

    func fillCircle(centre: Point, radius: Double, _ colour: Colour) {
        setColour(colour)
        cairo_new_sub_path(cr)
        cairo_arc(cr, centre.x, centre.y, radius, 0, 2 * Double.pi)
        cairo_fill(cr)
    }

    /// Runs `body` with drawing restricted to `rect`, then lifts the restriction.
    func clipped(to rect: Rect, _ body: () -> Void) {
        cairo_save(cr)
        cairo_rectangle(cr, rect.x, rect.y, rect.width, rect.height)
        cairo_clip(cr)
        body()
        cairo_restore(cr)
    }

    /// Rounds a coordinate so that a line of `width` points covers whole device pixels.
    func snap(_ v: Double, _ width: Double) -> Double {
        let s = max(scale, 1)
        let pixels = max((width * s).rounded(), 1)
        let offset = pixels.truncatingRemainder(dividingBy: 2) == 1 ? 0.5 : 0
        return ((v * s - offset).rounded() + offset) / s
    }

    /// Rounds a rectangle's edges to whole device pixels, so adjacent bars neither overlap nor leave hairline gaps.
    func snap(_ r: Rect) -> Rect {
        let s = max(scale, 1)
        let x0 = (r.minX * s).rounded() / s, x1 = (r.maxX * s).rounded() / s
        let y0 = (r.minY * s).rounded() / s, y1 = (r.maxY * s).rounded() / s
        return Rect(x: x0, y: y0, width: x1 - x0, height: y1 - y0)
    }

    private func setColour(_ c: Colour) {
        cairo_set_source_rgba(cr, c.red, c.green, c.blue, c.alpha)
    }

    // MARK: Text

    /// The advance width and font ascent/descent of `text` set in `font`.
    func measure(_ text: String, _ font: Font) -> TextSize {
        select(font)
        var te = cairo_text_extents_t()
        cairo_text_extents(cr, text, &te)
        var fe = cairo_font_extents_t()
        cairo_font_extents(cr, &fe)
        return TextSize(width: te.x_advance, ascent: fe.ascent, descent: fe.descent)
    }

    /// Draws one line of `text` so that its `anchor` point (see `TextAnchor`) lands on `at`, after rotating the
    /// text by `angle` radians about that point (negative angles turn it counter-clockwise on the page).
    func text(
        _ text: String, at: Point, _ font: Font, _ colour: Colour,
        anchor: TextAnchor = .init(.centre, .baseline), angle: Double = 0
    ) {
        guard !text.isEmpty else { return }
        let size = measure(text, font)
        let dx: Double
        switch anchor.horizontal {
        case .left: dx = 0
        case .centre: dx = -size.width / 2
        case .right: dx = -size.width
        }
        let dy: Double
        switch anchor.vertical {
        case .top: dy = size.ascent
        case .middle: dy = (size.ascent - size.descent) / 2
        case .baseline: dy = 0
        case .bottom: dy = -size.descent
        }
        cairo_save(cr)
        cairo_translate(cr, at.x, at.y)
        if angle != 0 { cairo_rotate(cr, angle) }
        setColour(colour)
        cairo_move_to(cr, dx, dy)
        cairo_show_text(cr, text)
        cairo_new_path(cr)
        cairo_restore(cr)
    }

    private func select(_ font: Font) {
        cairo_select_font_face(
            cr, Theme.fontFamily, CAIRO_FONT_SLANT_NORMAL, font.bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL)
        cairo_set_font_size(cr, font.size)
    }
}

/// Which point of a line of text is placed at the requested position.
struct TextAnchor: Equatable {
    enum Horizontal { case left, centre, right }
    enum Vertical { case top, middle, baseline, bottom }
    var horizontal: Horizontal
    var vertical: Vertical
    init(_ horizontal: Horizontal, _ vertical: Vertical) {
        self.horizontal = horizontal
        self.vertical = vertical
    }
}

/// Collects the bytes Cairo streams out (PNG or PDF) so the caller can write them atomically.
private final class ByteSink {
    var data = Data()
}

/// Cairo's write callback: a C function pointer, so it cannot capture; the sink arrives as the closure pointer.
private let byteSinkWrite: cairo_write_func_t = { closure, bytes, length in
    guard let closure, let bytes else { return CAIRO_STATUS_WRITE_ERROR }
    let sink = Unmanaged<ByteSink>.fromOpaque(closure).takeUnretainedValue()
    sink.data.append(bytes, count: Int(length))
    return CAIRO_STATUS_SUCCESS
}
