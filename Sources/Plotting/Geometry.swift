/// A point in figure coordinates: points (1/72 inch), origin top left, y growing downwards (Cairo's convention).
struct Point: Equatable {
    var x: Double
    var y: Double
}

/// An axis-aligned rectangle in figure coordinates.
struct Rect: Equatable {
    var x: Double
    var y: Double
    var width: Double
    var height: Double

    var minX: Double { x }
    var maxX: Double { x + width }
    var minY: Double { y }
    var maxY: Double { y + height }
    var midX: Double { x + width / 2 }
    var midY: Double { y + height / 2 }

    /// The rectangle grown by `d` on every side (shrunk for negative `d`).
    func insetBy(_ d: Double) -> Rect {
        Rect(x: x + d, y: y + d, width: width - 2 * d, height: height - 2 * d)
    }

    func contains(_ p: Point) -> Bool { p.x >= minX && p.x <= maxX && p.y >= minY && p.y <= maxY }

    /// Whether the segment from `a` to `b` touches the rectangle (Liang-Barsky clipping: the parts of the segment's
    /// parameter range inside each pair of edges must overlap).
    func intersects(from a: Point, to b: Point) -> Bool {
        var enter = 0.0, leave = 1.0
        let dx = b.x - a.x, dy = b.y - a.y
        for (p, q) in [(-dx, a.x - minX), (dx, maxX - a.x), (-dy, a.y - minY), (dy, maxY - a.y)] {
            if p == 0 {
                if q < 0 { return false }
            } else if p < 0 {
                enter = max(enter, q / p)
            } else {
                leave = min(leave, q / p)
            }
        }
        return enter <= leave
    }
}

/// An affine map from data values to figure coordinates along one axis.
///
/// `range` may run backwards (the y axis grows upwards in data but downwards on the page).
struct LinearScale: Equatable {
    var domain: (lower: Double, upper: Double)
    var range: (start: Double, end: Double)

    static func == (a: LinearScale, b: LinearScale) -> Bool {
        a.domain == b.domain && a.range == b.range
    }

    func callAsFunction(_ value: Double) -> Double {
        let t = (value - domain.lower) / (domain.upper - domain.lower)
        return range.start + t * (range.end - range.start)
    }
}
