/// A copy of an image canvas's pixels: premultiplied ARGB, one `UInt32` per pixel, rows top to bottom.
struct RasterImage {
    let width: Int
    let height: Int
    /// Device pixels per point.
    let scale: Double
    let pixels: [UInt32]

    /// The pixel at device coordinates.
    func pixel(x: Int, y: Int) -> Pixel { Pixel(argb: pixels[y * width + x]) }

    /// The pixel under figure coordinates `point` (in points), or nil outside the image.
    func pixel(at point: Point) -> Pixel? {
        let x = Int(point.x * scale), y = Int(point.y * scale)
        guard x >= 0, y >= 0, x < width, y < height else { return nil }
        return pixel(x: x, y: y)
    }
}

/// One premultiplied ARGB pixel split into bytes.
struct Pixel: Equatable {
    let red: UInt8, green: UInt8, blue: UInt8, alpha: UInt8

    init(argb p: UInt32) {
        red = UInt8((p >> 16) & 0xFF)
        green = UInt8((p >> 8) & 0xFF)
        blue = UInt8(p & 0xFF)
        alpha = UInt8(p >> 24)
    }

    /// Whether this opaque pixel shows `colour`, allowing `tolerance` per channel for rounding and antialiasing.
    func matches(_ colour: Colour, tolerance: Int = 3) -> Bool {
        func close(_ byte: UInt8, _ c: Double) -> Bool { abs(Int(byte) - Int((c * 255).rounded())) <= tolerance }
        return alpha == 255 && close(red, colour.red) && close(green, colour.green) && close(blue, colour.blue)
    }
}
