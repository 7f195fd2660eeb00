/// Where a figure's legend goes. The outside placements never cover data; `inside` draws one boxed legend per
/// panel in the chosen corner of its plot, for when the caller knows that corner is empty.
public enum LegendPlacement: Hashable, Sendable {
    /// No legend (e.g. a single unnamed series).
    case none
    /// One legend for the whole figure, in a column to the right of the panel grid.
    case right
    /// One legend for the whole figure, in centred rows below the panel grid.
    case below
    /// One legend per panel, listing that panel's series, inside the plot area at `corner`.
    case inside(Corner)
}

/// A corner of a panel's plot area.
public enum Corner: Hashable, Sendable {
    /// Top left of the plot area.
    case topLeft
    /// Top right of the plot area.
    case topRight
    /// Bottom left of the plot area.
    case bottomLeft
    /// Bottom right of the plot area.
    case bottomRight
}

/// One legend row: a series' swatch and name.
struct LegendEntry: Equatable {
    enum Symbol: Equatable {
        case bar
        case line(marker: Marker, dashed: Bool, band: Bool)
    }
    var name: String
    var colour: Colour
    var symbol: Symbol

    /// The named series of `chart`, in drawing order.
    static func entries(for chart: Chart, colours: [String: Colour]) -> [LegendEntry] {
        switch chart {
        case .barChart(let c):
            return c.series.filter { !$0.name.isEmpty }.map {
                LegendEntry(name: $0.name, colour: colours[$0.name] ?? Theme.axis, symbol: .bar)
            }
        case .lineChart(let c):
            return c.series.filter { !$0.name.isEmpty }.map {
                LegendEntry(
                    name: $0.name, colour: colours[$0.name] ?? Theme.axis,
                    symbol: .line(marker: $0.marker, dashed: $0.dashed, band: $0.band != nil))
            }
        }
    }
}

/// Where each legend entry goes; computed before drawing so the figure can make room for it.
struct LegendLayout: Equatable {
    struct Item: Equatable {
        var entry: LegendEntry
        /// Left end of the swatch, at the row's vertical middle.
        var origin: Point
    }
    var frame: Rect
    var items: [Item]
    /// Inside legends get a translucent box so they stay readable over grid lines and data.
    var boxed: Bool

    static let font = Theme.legend
    static let barSwatch = (width: 12.0, height: 9.0)
    static let lineSwatchWidth = 22.0
    static let swatchGap = 5.0
    static let entryGap = 16.0
    static let padding = 5.0

    static func swatchWidth(_ e: LegendEntry) -> Double {
        e.symbol == .bar ? barSwatch.width : lineSwatchWidth
    }

    static func rowHeight(_ canvas: CairoCanvas) -> Double {
        max(canvas.measure("Ag", font).height, barSwatch.height) + 4
    }

    static func itemWidth(_ e: LegendEntry, _ canvas: CairoCanvas) -> Double {
        swatchWidth(e) + swatchGap + canvas.measure(e.name, font).width
    }

    /// Entries in centred rows no wider than `maxWidth`, with the first row's top at `top` and centred on `centreX`.
    static func rows(_ entries: [LegendEntry], centreX: Double, top: Double, maxWidth: Double, measuring canvas: CairoCanvas) -> LegendLayout {
        var rows: [[(LegendEntry, Double)]] = [[]]
        var width = 0.0
        for e in entries {
            let w = itemWidth(e, canvas)
            if !rows[rows.count - 1].isEmpty && width + entryGap + w > maxWidth {
                rows.append([])
                width = 0
            }
            width += (rows[rows.count - 1].isEmpty ? 0 : entryGap) + w
            rows[rows.count - 1].append((e, w))
        }
        let h = rowHeight(canvas)
        var items: [Item] = []
        var widest = 0.0
        for (r, row) in rows.enumerated() {
            let rowWidth = row.map(\.1).reduce(0, +) + entryGap * Double(max(row.count - 1, 0))
            widest = max(widest, rowWidth)
            var x = centreX - rowWidth / 2
            for (e, w) in row {
                items.append(Item(entry: e, origin: Point(x: x, y: top + padding + (Double(r) + 0.5) * h)))
                x += w + entryGap
            }
        }
        let frame = Rect(
            x: centreX - widest / 2 - padding, y: top, width: widest + 2 * padding,
            height: Double(rows.count) * h + 2 * padding)
        return LegendLayout(frame: frame, items: items, boxed: false)
    }

    /// Entries stacked in one column with its top left at `origin`; `columnSize` gives its extent beforehand.
    static func column(_ entries: [LegendEntry], at origin: Point, boxed: Bool, measuring canvas: CairoCanvas) -> LegendLayout {
        let h = rowHeight(canvas)
        let items = entries.enumerated().map { i, e in
            Item(entry: e, origin: Point(x: origin.x + padding, y: origin.y + padding + (Double(i) + 0.5) * h))
        }
        let size = columnSize(entries, measuring: canvas)
        return LegendLayout(frame: Rect(x: origin.x, y: origin.y, width: size.width, height: size.height), items: items, boxed: boxed)
    }

    static func columnSize(_ entries: [LegendEntry], measuring canvas: CairoCanvas) -> (width: Double, height: Double) {
        let w = entries.map { itemWidth($0, canvas) }.max() ?? 0
        return (w + 2 * padding, Double(entries.count) * rowHeight(canvas) + 2 * padding)
    }

    /// A boxed column in `corner` of `plot`, inset so the box does not touch the axes.
    static func inside(_ entries: [LegendEntry], corner: Corner, plot: Rect, measuring canvas: CairoCanvas) -> LegendLayout {
        let size = columnSize(entries, measuring: canvas)
        let inset = 5.0
        let x = (corner == .topLeft || corner == .bottomLeft) ? plot.minX + inset : plot.maxX - inset - size.width
        let y = (corner == .topLeft || corner == .topRight) ? plot.minY + inset : plot.maxY - inset - size.height
        return column(entries, at: Point(x: x, y: y), boxed: true, measuring: canvas)
    }

    func draw(on canvas: CairoCanvas) {
        if boxed {
            canvas.fill(frame, Colour.white.withAlpha(0.85))
            canvas.stroke(frame, Theme.legendFrame, width: 0.6)
        }
        for item in items {
            let o = item.origin
            let w = Self.swatchWidth(item.entry)
            switch item.entry.symbol {
            case .bar:
                let s = Self.barSwatch
                canvas.fill(Rect(x: o.x, y: o.y - s.height / 2, width: s.width, height: s.height), item.entry.colour)
            case let .line(marker, dashed, band):
                if band {
                    canvas.fill(Rect(x: o.x, y: o.y - 4.5, width: w, height: 9), item.entry.colour.withAlpha(Theme.bandAlpha))
                }
                canvas.line(from: o, to: Point(x: o.x + w, y: o.y), item.entry.colour, width: Theme.lineWidth, dash: dashed ? [5, 3] : nil)
                drawMarker(marker, at: Point(x: o.x + w / 2, y: o.y), item.entry.colour, on: canvas)
            }
            canvas.text(
                item.entry.name, at: Point(x: o.x + w + Self.swatchGap, y: o.y), Self.font, Theme.text,
                anchor: .init(.left, .middle))
        }
    }
}
