/// An ordered list of series colours, plus the rule that gives each series name one colour.
///
/// The default is the Okabe-Ito palette, which stays distinguishable under the common forms of colour blindness.
/// Callers that need a method to keep its colour across figures pass a fixed name-to-colour map; everything else
/// takes the palette's colours in order, skipping the ones already claimed by the fixed map.
public struct Palette: Hashable, Sendable {
    /// The colours in the order they are handed out; never empty.
    public let colours: [Colour]

    /// Fails (returns nil) on an empty list, since a palette must be able to colour at least one series.
    public init?(_ colours: [Colour]) {
        guard !colours.isEmpty else { return nil }
        self.colours = colours
    }

    /// The Okabe-Ito colours by name, for building fixed name-to-colour maps.
    public enum OkabeIto {
        /// Orange (#E69F00).
        public static let orange = Colour(hex: 0xE69F00)
        /// Sky blue (#56B4E9).
        public static let skyBlue = Colour(hex: 0x56B4E9)
        /// Bluish green (#009E73).
        public static let bluishGreen = Colour(hex: 0x009E73)
        /// Yellow (#F0E442); weak on white, so best for fills.
        public static let yellow = Colour(hex: 0xF0E442)
        /// Blue (#0072B2).
        public static let blue = Colour(hex: 0x0072B2)
        /// Vermillion (#D55E00).
        public static let vermillion = Colour(hex: 0xD55E00)
        /// Reddish purple (#CC79A7).
        public static let reddishPurple = Colour(hex: 0xCC79A7)
        /// Black (#000000).
        public static let black = Colour(hex: 0x000000)
    }

    /// Okabe-Ito, reordered so the first colours have the strongest contrast on white (yellow comes late).
    public static let okabeIto = Palette(uncheckedColours: [
        OkabeIto.blue, OkabeIto.orange, OkabeIto.bluishGreen, OkabeIto.vermillion,
        OkabeIto.skyBlue, OkabeIto.reddishPurple, OkabeIto.yellow, OkabeIto.black,
    ])

    private init(uncheckedColours: [Colour]) { self.colours = uncheckedColours }

    /// The colour at `index`, wrapping around so any number of series gets a colour.
    public func colour(at index: Int) -> Colour {
        let n = colours.count
        return colours[((index % n) + n) % n]
    }

    /// One colour per name in `names` (in order of appearance; duplicates ignored).
    ///
    /// A name in `fixedAssignments` gets that colour; the others get palette colours in order, skipping colours the
    /// fixed map already uses, so a fixed "UnKD" never shares its colour with an unfixed series.
    public func assign(_ names: [String], fixedAssignments: [String: Colour] = [:]) -> [String: Colour] {
        let taken = Set(fixedAssignments.values)
        var free = colours.filter { !taken.contains($0) }
        if free.isEmpty { free = colours }
        var result: [String: Colour] = [:]
        var next = 0
        for name in names where result[name] == nil {
            if let fixed = fixedAssignments[name] {
                result[name] = fixed
            } else {
                result[name] = free[next % free.count]
                next += 1
            }
        }
        return result
    }

    /// The colour `name` gets among `names` under `assign(_:fixedAssignments:)`; a name not in `names` is treated as
    /// if it came last.
    public func colour(for name: String, in fixedAssignments: [String: Colour], among names: [String] = []) -> Colour {
        let all = names.contains(name) ? names : names + [name]
        return assign(all, fixedAssignments: fixedAssignments)[name]!
    }
}
