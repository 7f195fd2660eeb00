/// A row of the paper's tables: a teacher, the Student, or a student distilled by one method. Its raw value is the
/// row's name in the tables and in result files (`ExperimentResult.method`, and their file names).
public enum PaperMethod: String, Codable, Sendable, CaseIterable, CustomStringConvertible {
    /// The large model distilled from.
    case teacher = "Teacher"
    /// The small model trained on the data alone.
    case student = "Student"
    /// Ranking Distillation.
    case rd = "RD"
    /// Collaborative Distillation.
    case cd = "CD"
    /// Distillation of the teacher's representations and rankings.
    case deRRD = "DE-RRD"
    /// Hierarchical Topology Distillation.
    case htd = "HTD"
    /// Unbiased Knowledge Distillation, the paper's method.
    case unkd = "UnKD"
    /// The popularity-deconfounded teacher of Table 4.
    case pdTeacher = "PD teacher"
    /// CD distilled from the PD teacher.
    case pdCD = "PD-CD"
    /// HTD distilled from the PD teacher.
    case pdHTD = "PD-HTD"

    /// The row's name.
    public var description: String { rawValue }
}

/// Where `GridResults` collects a run: a row of the tables, or a finer label under one (Figure 5's UnKD at K groups,
/// a tuning setting). Its text is how the cell is printed and keyed.
public struct GridCell: Hashable, Sendable, CustomStringConvertible {
    /// The cell's text.
    public let description: String

    /// The cell of a table row, named as the row.
    public static func row(_ method: PaperMethod) -> GridCell { GridCell(description: method.rawValue) }

    /// Figure 5's cell of UnKD with `groups` popularity groups: "UnKD K=<groups>".
    public static func unkd(groups: Int) -> GridCell { GridCell(description: "\(PaperMethod.unkd) K=\(groups)") }

    /// The cell of one tuning setting of a row: the setting's name ("weight 0.1"), after the row's when `method` is
    /// given ("RD weight 0.1").
    public static func tuning(_ setting: String, of method: PaperMethod? = nil) -> GridCell {
        GridCell(description: method.map { "\($0) \(setting)" } ?? setting)
    }
}

extension PaperMethod {
    /// Whether `spec` is an experiment of this row: a plain model for the Teacher and the Student, a popularity-
    /// deconfounded one for the PD teacher, or a student distilled by the row's method from a plain teacher (RD, CD,
    /// DE-RRD, HTD, UnKD) or from a PD teacher (PD-CD, PD-HTD).
    public func describes(_ spec: ModelSpec) -> Bool {
        func deconfounded(_ model: ModelConfiguration) -> Bool {
            if case .popularityDeconfounded = model.objective { return true }
            return false
        }
        guard let distillation = spec.distillation else {
            switch self {
            case .teacher, .student: return !deconfounded(spec.model)
            case .pdTeacher: return deconfounded(spec.model)
            case .rd, .cd, .deRRD, .htd, .unkd, .pdCD, .pdHTD: return false
            }
        }
        let row = distillation.method.row
        guard deconfounded(distillation.teacher.model) else { return self == row }
        return (self == .pdCD && row == .cd) || (self == .pdHTD && row == .htd)
    }

    /// The rows that describe `spec`: one for a distilled student or a PD teacher, the Teacher and the Student for a
    /// plain model (which of the two it is depends on the table, not on the experiment).
    public static func rows(describing spec: ModelSpec) -> [PaperMethod] { allCases.filter { $0.describes(spec) } }
}
