/// A count with its noun, singular for one: `counted(1, "seed")` is "1 seed", `counted(3, "seed")` "3 seeds".
///
/// The report's nouns (seed, method, layer, comparison) all take a plain "s" in the plural.
func counted(_ n: Int, _ noun: String) -> String {
    n == 1 ? "1 \(noun)" : "\(n) \(noun)s"
}
