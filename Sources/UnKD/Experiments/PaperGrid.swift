/// The paper's methods as experiments: for a dataset, backbone and seed, the model spec of each row of Tables 1, 3
/// and 4, with the hyperparameters the project uses for it.
public struct PaperGrid: Sendable {
    /// Dataset name.
    public var dataset: DatasetName
    /// Split protocol.
    public var splitProtocol: SplitProtocol = .unkdCode
    /// Upper bound on epochs for every model (the paper's 1000, or fewer for smoke runs).
    public var maxEpochs = 1000
    /// UnKD's settings.
    public var unkd = UnKDConfiguration()
    /// RD's settings. Its weight mixes convexly with the base loss, and the official 1.0 removes BPR altogether
    /// (docs/differences.md#rds-convex-mixing-and-constants), so the grid uses 0.5 where RD has not been tuned (the
    /// chosen weight where it has).
    public var rd = RDConfiguration(weight: 0.5)
    /// CD's settings (official constants, the weight chosen per dataset where tuned).
    public var cd = CDConfiguration()
    /// DE-RRD's settings (official constants, frozen teacher; the weight chosen per dataset where tuned).
    public var deRRD = DERRDConfiguration()
    /// HTD's settings (alpha 0.5 as the original HTD; the weight chosen per dataset where tuned, else 1e-3).
    public var htd = HTDConfiguration()
    /// alpha of the PD teacher behind PD-CD and PD-HTD (Table 4). The official code's 1.0 is far outside the range
    /// PD's authors use (0.02-0.25); 0.1, in the middle of that range, stands where alpha has not been tuned (the
    /// chosen alpha where it has; see docs/differences.md#the-pd-teacher).
    public var pdAlpha = 0.1

    /// A grid for one dataset, with the settings chosen for it on validation (`DistillationDefaults`).
    public init(dataset: DatasetName, splitProtocol: SplitProtocol = .unkdCode, maxEpochs: Int = 1000) {
        self.dataset = dataset
        self.splitProtocol = splitProtocol
        self.maxEpochs = maxEpochs
        DistillationDefaults.apply(to: &self)
    }

    /// The teacher of a backbone and seed.
    public func teacher(_ backbone: Backbone, seed: UInt64) -> ModelSpec { plain(.teacher(backbone), seed: seed) }

    /// The student trained on the data alone.
    public func student(_ backbone: Backbone, seed: UInt64) -> ModelSpec { plain(.student(backbone), seed: seed) }

    /// The popularity-deconfounded (PD) teacher of Table 4.
    public func pdTeacher(_ backbone: Backbone, seed: UInt64) -> ModelSpec {
        var model = ModelConfiguration.teacher(backbone)
        model.objective = .popularityDeconfounded(alpha: pdAlpha)
        return plain(model, seed: seed)
    }

    /// A student distilled with `method` from `teacher` (default: the plain teacher of the same backbone and seed).
    public func distilled(_ method: DistillationMethod, _ backbone: Backbone, seed: UInt64, from teacher: ModelSpec? = nil) -> ModelSpec {
        let teacher = teacher ?? self.teacher(backbone, seed: seed)
        var spec = student(backbone, seed: seed)
        spec.distillation = DistillationSpec(method: method,
                                             teacher: TeacherSpec(model: teacher.model, training: teacher.training, seed: seed))
        return spec
    }

    /// Every row of Tables 1, 3 and 4, with their specs.
    public func rows(_ backbone: Backbone, seed: UInt64) -> [(method: PaperMethod, spec: ModelSpec)] {
        let pd = pdTeacher(backbone, seed: seed)
        return [(.teacher, teacher(backbone, seed: seed)),
         (.student, student(backbone, seed: seed)),
         (.rd, distilled(.rd(rd), backbone, seed: seed)),
         (.cd, distilled(.cd(cd), backbone, seed: seed)),
         (.deRRD, distilled(.deRRD(deRRD), backbone, seed: seed)),
         (.htd, distilled(.htd(htd), backbone, seed: seed)),
         (.unkd, distilled(.unkd(unkd), backbone, seed: seed)),
         (.pdTeacher, pd),
         (.pdCD, distilled(.cd(cd), backbone, seed: seed, from: pd)),
         (.pdHTD, distilled(.htd(htd), backbone, seed: seed, from: pd))]
    }

    /// The runs of the given rows (in the order given) for one backbone and seed.
    public func runs(_ methods: [PaperMethod], _ backbone: Backbone, seed: UInt64) -> [GridRun] {
        let rows = Dictionary(uniqueKeysWithValues: self.rows(backbone, seed: seed).map { ($0.method, $0.spec) })
        return methods.map { GridRun(method: $0, backbone: backbone, spec: rows[$0]!) }
    }

    /// Figure 5's runs for one seed: the Student, and UnKD with every number of groups in `groups` (MF), each
    /// collected under its cell `GridCell.unkd(groups:)`.
    public func groupSweep(_ groups: [Int], seed: UInt64) -> [GridRun] {
        var sweep = self
        return runs([.student], .mf, seed: seed) + groups.map { k in
            sweep.unkd.groups = k
            return GridRun(method: .unkd, cell: .unkd(groups: k), backbone: .mf, spec: sweep.distilled(.unkd(sweep.unkd), .mf, seed: seed))
        }
    }

    /// The small grid each method's settings are chosen from on validation NDCG@20 (`swift run tune`): one copy of
    /// this grid per setting, named, for the row `method` (the PD teacher tunes PD's alpha). The ranges are the paper's
    /// where it gives them (UnKD: lambda 0.1-1, mu 10 or 20, 30 or 40 pairs) and otherwise span the weights at which
    /// the distillation term and BPR are of comparable size.
    public func tuningVariants(for method: PaperMethod) -> [(setting: String, grid: PaperGrid)] {
        func variant(_ setting: String, _ change: (inout PaperGrid) -> Void) -> (setting: String, grid: PaperGrid) {
            var copy = self
            change(&copy)
            return (setting, copy)
        }
        switch method {
        case .unkd:
            return [0.1, 0.3, 1.0].flatMap { lambda in [10.0, 20.0].flatMap { mu in [30, 40].map { pairs in
                variant("lambda \(lambda), mu \(Int(mu)), \(pairs) pairs") {
                    $0.unkd.weight = lambda
                    $0.unkd.mu = mu
                    $0.unkd.pairsPerUser = pairs
                }
            } } }
        case .rd: return [0.1, 0.3, 0.5, 0.7, 0.9].map { w in variant("weight \(w)") { $0.rd.weight = w } }
        case .cd: return [0.1, 0.3, 1, 3].map { w in variant("weight \(w)") { $0.cd.weight = w } }
        case .deRRD: return [1e-3, 1e-2, 0.1, 1].map { w in variant("weight \(w)") { $0.deRRD.weight = w } }
        case .htd: return [1e-3, 1e-4, 1e-5, 1e-6, 1e-7].map { w in variant("weight \(w)") { $0.htd.weight = w } }
        case .pdTeacher: return [0.02, 0.05, 0.1, 0.25].map { a in variant("alpha \(a)") { $0.pdAlpha = a } }
        case .teacher, .student, .pdCD, .pdHTD: return []
        }
    }

    /// The name of the table `swift run tune --method <method>` writes into `figures/` (and the report reads).
    public static func tuningTableName(for method: PaperMethod) -> String {
        "tuning-" + method.rawValue.lowercased().replacingOccurrences(of: " ", with: "-")
    }

    /// The methods `tuningVariants` has a grid for.
    public static let tunableMethods: [PaperMethod] = [.unkd, .rd, .cd, .deRRD, .htd, .pdTeacher]

    /// The rows of Table 3, in the paper's order.
    public static let table3Methods: [PaperMethod] = [.teacher, .student, .rd, .cd, .deRRD, .htd, .unkd]
    /// The rows of Table 1: the Student, the Teacher and the four existing distillation methods.
    public static let table1Methods: [PaperMethod] = [.student, .teacher, .rd, .cd, .deRRD, .htd]
    /// The bars of Figure 4: every distillation method, compared with the Student.
    public static let figure4Methods: [PaperMethod] = [.rd, .cd, .deRRD, .htd, .unkd]
    /// The rows of Table 4: distillation from a PD teacher against the plain teacher and UnKD.
    public static let table4Methods: [PaperMethod] = [.student, .cd, .pdCD, .htd, .pdHTD, .unkd]

    private func plain(_ model: ModelConfiguration, seed: UInt64) -> ModelSpec {
        var training = TrainingDefaults.configuration(dataset: dataset, model: model)
        training.maxEpochs = maxEpochs
        return ModelSpec(dataset: dataset, splitProtocol: splitProtocol, model: model, training: training, seed: seed)
    }
}

/// The paper's published numbers, printed beside ours.
public enum PaperValues {
    /// Table 3: (Recall@10, NDCG@10) by dataset, backbone and method.
    public static let table3: [DatasetName: [Backbone: [PaperMethod: (recall: Double, ndcg: Double)]]] = [
        .movieLens: [
            .mf: [.teacher: (0.1810, 0.2951), .student: (0.1435, 0.2511), .rd: (0.1473, 0.2559), .cd: (0.1445, 0.2534),
                  .deRRD: (0.1436, 0.2532), .htd: (0.1441, 0.2539), .unkd: (0.1547, 0.2615)],
            .lightGCN: [.teacher: (0.1850, 0.3012), .student: (0.1456, 0.2581), .rd: (0.1471, 0.2583), .cd: (0.1477, 0.2602),
                        .deRRD: (0.1487, 0.2606), .htd: (0.1472, 0.2592), .unkd: (0.1569, 0.2672)],
        ],
        .apps: [
            .mf: [.teacher: (0.0991, 0.0760), .student: (0.0719, 0.0539), .rd: (0.0768, 0.0596), .cd: (0.0790, 0.0608),
                  .deRRD: (0.0729, 0.0562), .htd: (0.0732, 0.0561), .unkd: (0.0853, 0.0644)],
            .lightGCN: [.teacher: (0.1007, 0.0782), .student: (0.0811, 0.0643), .rd: (0.0831, 0.0647), .cd: (0.0848, 0.0658),
                        .deRRD: (0.0832, 0.0648), .htd: (0.0833, 0.0652), .unkd: (0.0867, 0.0678)],
        ],
        .citeULike: [
            .mf: [.teacher: (0.1518, 0.1016), .student: (0.0760, 0.0477), .rd: (0.0808, 0.0514), .cd: (0.0801, 0.0518),
                  .deRRD: (0.0793, 0.0511), .htd: (0.0788, 0.0485), .unkd: (0.0863, 0.0550)],
            .lightGCN: [.teacher: (0.1657, 0.1139), .student: (0.0783, 0.0510), .rd: (0.0833, 0.0538), .cd: (0.0936, 0.0616),
                        .deRRD: (0.0809, 0.0527), .htd: (0.0958, 0.0628), .unkd: (0.1006, 0.0654)],
        ],
    ]
}

extension PaperValues {
    /// Table 1: (popular, unpopular) group Recall@10 by dataset and method, MF backbone.
    public static let table1: [DatasetName: [PaperMethod: (popular: Double, unpopular: Double)]] = [
        .movieLens: [.student: (0.2156, 0.0250), .teacher: (0.2565, 0.0517), .rd: (0.2237, 0.0242), .cd: (0.2258, 0.0179),
                  .deRRD: (0.2315, 0.0113), .htd: (0.2228, 0.0187)],
        .apps: [.student: (0.1031, 0.0109), .teacher: (0.1448, 0.0164), .rd: (0.1144, 0.0098), .cd: (0.1212, 0.0090),
                 .deRRD: (0.1058, 0.0098), .htd: (0.1195, 0.0061)],
        .citeULike: [.student: (0.0831, 0.0095), .teacher: (0.1294, 0.0537), .rd: (0.0910, 0.0085), .cd: (0.0887, 0.0088),
                      .deRRD: (0.0899, 0.0075), .htd: (0.0885, 0.0068)],
    ]

    /// Table 4: (overall, popular, unpopular) Recall@10 by dataset, backbone and method.
    public static let table4: [DatasetName: [Backbone: [PaperMethod: (overall: Double, popular: Double, unpopular: Double)]]] = [
        .movieLens: [
            .mf: [.student: (0.1435, 0.2156, 0.0250), .cd: (0.1445, 0.2258, 0.0179), .pdCD: (0.1454, 0.2205, 0.0210),
                  .htd: (0.1441, 0.2228, 0.0187), .pdHTD: (0.1443, 0.2150, 0.0263), .unkd: (0.1547, 0.2205, 0.0311)],
            .lightGCN: [.student: (0.1456, 0.2280, 0.0228), .cd: (0.1477, 0.2316, 0.0169), .pdCD: (0.1496, 0.2369, 0.0172),
                        .htd: (0.1472, 0.2328, 0.0079), .pdHTD: (0.1485, 0.2364, 0.0159), .unkd: (0.1569, 0.2384, 0.0292)],
        ],
        .apps: [
            .mf: [.student: (0.0719, 0.1031, 0.0109), .cd: (0.0790, 0.1212, 0.0090), .pdCD: (0.0795, 0.1176, 0.0113),
                  .htd: (0.0732, 0.1195, 0.0061), .pdHTD: (0.0808, 0.1240, 0.0076), .unkd: (0.0853, 0.1274, 0.0147)],
            .lightGCN: [.student: (0.0811, 0.1242, 0.0093), .cd: (0.0848, 0.1310, 0.0091), .pdCD: (0.0851, 0.1308, 0.0095),
                        .htd: (0.0833, 0.1291, 0.0091), .pdHTD: (0.0835, 0.1288, 0.0093), .unkd: (0.0867, 0.1325, 0.0118)],
        ],
        .citeULike: [
            .mf: [.student: (0.0760, 0.0831, 0.0095), .cd: (0.0801, 0.0887, 0.0088), .pdCD: (0.0805, 0.0890, 0.0092),
                  .htd: (0.0788, 0.0885, 0.0068), .pdHTD: (0.0798, 0.0897, 0.0073), .unkd: (0.0863, 0.0854, 0.0208)],
            .lightGCN: [.student: (0.0783, 0.0885, 0.0080), .cd: (0.0936, 0.1067, 0.0081), .pdCD: (0.0942, 0.1020, 0.0110),
                        .htd: (0.0958, 0.1093, 0.0085), .pdHTD: (0.0979, 0.1102, 0.0128), .unkd: (0.1006, 0.1076, 0.0162)],
        ],
    ]
}
