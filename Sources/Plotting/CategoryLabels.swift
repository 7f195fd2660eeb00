import Foundation

/// How category names are set under a bar chart so that neighbours never overlap.
///
/// Tried in order until one fits its slot: one line; words wrapped onto up to three lines; the same two at 90 %
/// and 80 % size; finally slanted at 45 degrees, which fits any length at the cost of vertical space.
struct CategoryLabels: Equatable {
    /// Each category's text, one element per line.
    var lines: [[String]]
    var font: Font
    var slanted: Bool
    var lineHeight: Double
    /// Vertical space the labels take below their top.
    var height: Double
    /// How far slanted labels reach left of their tick, so the panel can keep the first one from being clipped.
    var leftReach: Double

    static let maxLines = 3
    static let slant = Double.pi / 4

    static func fit(_ categories: [String], slotWidth: Double, measuring canvas: CairoCanvas) -> CategoryLabels {
        let room = slotWidth - 4
        for factor in [1.0, 0.9, 0.8] {
            let font = Theme.tickLabel.scaled(factor)
            let lh = canvas.measure("Ag", font).height
            if categories.allSatisfy({ canvas.measure($0, font).width <= room }) {
                return CategoryLabels(lines: categories.map { [$0] }, font: font, slanted: false, lineHeight: lh, height: lh, leftReach: 0)
            }
            let wrapped = categories.map { wrap($0, room: room, font: font, canvas) }
            if wrapped.allSatisfy({ $0 != nil }) {
                let lines = wrapped.map { $0! }
                let n = lines.map(\.count).max() ?? 1
                return CategoryLabels(lines: lines, font: font, slanted: false, lineHeight: lh, height: Double(n) * lh, leftReach: 0)
            }
        }
        let font = Theme.tickLabel
        let size = canvas.measure("Ag", font)
        let widest = categories.map { canvas.measure($0, font).width }.max() ?? 0
        return CategoryLabels(
            lines: categories.map { [$0] }, font: font, slanted: true, lineHeight: size.height,
            height: widest * sin(slant) + size.height * cos(slant), leftReach: widest * cos(slant))
    }

    /// Greedy word wrap into lines no wider than `room`; nil if a single word is too wide or it needs too many lines.
    private static func wrap(_ text: String, room: Double, font: Font, _ canvas: CairoCanvas) -> [String]? {
        let words = text.split(separator: " ").map(String.init)
        var lines: [String] = []
        for word in words {
            guard canvas.measure(word, font).width <= room else { return nil }
            if let last = lines.last, canvas.measure(last + " " + word, font).width <= room {
                lines[lines.count - 1] = last + " " + word
            } else {
                lines.append(word)
            }
        }
        return lines.count <= maxLines ? lines : nil
    }

    /// Draws category `i`'s label with its top centre (or, slanted, its right end) at `top`.
    func draw(_ i: Int, top: Point, on canvas: CairoCanvas) {
        if slanted {
            canvas.text(lines[i][0], at: top, font, Theme.text, anchor: .init(.right, .top), angle: -Self.slant)
            return
        }
        for (k, line) in lines[i].enumerated() {
            canvas.text(
                line, at: Point(x: top.x, y: top.y + Double(k) * lineHeight), font, Theme.text, anchor: .init(.centre, .top))
        }
    }
}
