/// An sRGB colour with straight (not premultiplied) alpha, each component in 0...1.
///
/// A plain value type so that colour maps can be shared freely between figures and threads.
public struct Colour: Hashable, Sendable, CustomStringConvertible {
    /// Red component in 0...1.
    public var red: Double
    /// Green component in 0...1.
    public var green: Double
    /// Blue component in 0...1.
    public var blue: Double
    /// Opacity in 0...1 (1 is opaque).
    public var alpha: Double

    /// Components are clamped to 0...1 so a slightly-off computation cannot produce an invalid Cairo colour.
    public init(red: Double, green: Double, blue: Double, alpha: Double = 1) {
        self.red = min(max(red, 0), 1)
        self.green = min(max(green, 0), 1)
        self.blue = min(max(blue, 0), 1)
        self.alpha = min(max(alpha, 0), 1)
    }

    /// A colour from a 24-bit `0xRRGGBB` literal, the form in which published palettes are given.
    public init(hex: UInt32, alpha: Double = 1) {
        self.init(
            red: Double((hex >> 16) & 0xFF) / 255, green: Double((hex >> 8) & 0xFF) / 255,
            blue: Double(hex & 0xFF) / 255, alpha: alpha)
    }

    /// The same colour with a different opacity, e.g. for a translucent error band.
    public func withAlpha(_ alpha: Double) -> Colour {
        Colour(red: red, green: green, blue: blue, alpha: alpha)
    }

    /// `#RRGGBB`, for messages and debugging.
    public var description: String {
        func byte(_ c: Double) -> String {
            let s = String(Int((c * 255).rounded()), radix: 16, uppercase: true)
            return s.count == 1 ? "0" + s : s
        }
        return "#" + byte(red) + byte(green) + byte(blue) + (alpha < 1 ? " (alpha \(alpha))" : "")
    }

    /// Black, for text and the Okabe-Ito palette's last colour.
    public static let black = Colour(hex: 0x000000)
    /// White, the figure background.
    public static let white = Colour(hex: 0xFFFFFF)
    /// A neutral mid grey for reference series such as "test data" that should not compete with the methods.
    public static let grey = Colour(hex: 0x999999)
    /// A dark grey for reference lines and annotations.
    public static let darkGrey = Colour(hex: 0x444444)
}
