"""Stages a-d, s and t of the cross-check: the authors' code and the package on identical inputs.

    python3 compare.py --authors PATH/UnKD --export DIR [--stages abcdst] [--users N]

a. popularity groups (`Loader.splitGroup`) for every K of the export;
b. UnKD's candidate lists (`sample.UnKD.get_rank_negItems`) for every exported K;
c. evaluation (`Procedure.Test`, `Procedure.TestAll`) of the exported teacher and student;
d. loss values (`bpr_loss`, and the samplers' `Sample`) on the exported batch and sampled items;
s. sampled inputs: the authors' samplers (UnKD, RD, CD, DE-RRD) against the package's, as laws on the teacher's ranking,
   and the draws of a training epoch (rows, negatives, order, initial parameters) against theirs (stage-s-epoch.json);
t. one epoch of training (`BPRLoss.stageOne`, torch's Adam, for UnKD `UnKD.Sample`) of the exported student from the
   same parameters on the same rows, in float32 and float64, against the package's epoch.

Each stage prints a table and writes a small JSON summary to
RESULTS/<dataset>-<protocol>[-lightgcn-l<layers>]-seed<S>/stage-<x>.json (the teacher's backbone named when not MF).
"""

import argparse
import contextlib
import copy
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))

from authors_env import AUTHORS_COMMIT, Authors, Settings, atomic_write_json  # noqa: E402
from export_data import Export, ExportError  # noqa: E402
from options import export_folder, integer, letters  # noqa: E402

REPOSITORY = Path(__file__).resolve().parent.parent
METRIC_TOLERANCE = 1e-6      # absolute, stage c
LOSS_TOLERANCE = 1e-5        # relative, stage d
FLOAT32_UNIT_ROUNDOFF = 2.0 ** -24


# ---------------------------------------------------------------------------------------------- output

def print_table(title, header, rows):
    """Prints rows (lists of cells) as an aligned text table."""
    cells = [[str(c) for c in header]] + [[format_cell(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    print(f"\n{title}")
    for k, row in enumerate(cells):
        print("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())
        if k == 0:
            print("  ".join("-" * w for w in widths))


def format_cell(value):
    if isinstance(value, bool):
        return "yes" if value else "NO"
    if isinstance(value, float):
        return f"{value:.6g}" if value != 0 and (abs(value) < 1e-3 or abs(value) >= 1e4) else f"{value:.6f}"
    if value is None:
        return "-"
    return str(value)


def report_table(stage, title, header, rows, verdict, notes=()):
    """The stage's table as the report prints it (`summary` in stage-<x>.json): title, verdict, formatted cells."""
    return {"stage": stage, "title": title, "verdict": verdict, "columns": [str(c) for c in header],
            "rows": [[format_cell(c) for c in row] for row in rows], "notes": list(notes)}


def save(results_dir, stage, summary):
    atomic_write_json(summary, results_dir / f"stage-{stage}.json")


@contextlib.contextmanager
def replaced(cls, name, function):
    """Temporarily replaces a method of one of the authors' classes."""
    original = getattr(cls, name)
    setattr(cls, name, function)
    try:
        yield
    finally:
        setattr(cls, name, original)


# ------------------------------------------------------------------------------------- stage a: groups

def stage_a(authors, export):
    """The authors' splitGroup against groups-K*.txt for every K of the export."""
    rows, per_k = [], []
    for k in export.manifest["groupCounts"]:
        ours = export.groups(k)
        try:
            theirs = [list(map(int, g)) for g in authors.split_group(k)[0]]
        except IndexError as error:     # their per-user counts assume at most K groups
            rows.append([k, f"?/{len(ours)}", f"splitGroup raised IndexError: {error}",
                         " ".join(str(len(g)) for g in ours), False, False])
            per_k.append({"K": k, "error": f"IndexError: {error}", "groupsPackage": len(ours),
                          "sizesPackage": [len(g) for g in ours], "identicalSets": False, "identicalOrder": False})
            continue
        same_count = len(theirs) == len(ours)
        same_sets = same_count and all(set(a) == set(b) for a, b in zip(theirs, ours))
        same_order = same_count and all(a == b for a, b in zip(theirs, ours))
        sizes_a, sizes_p = [len(g) for g in theirs], [len(g) for g in ours]
        rows.append([k, f"{len(theirs)}/{len(ours)}", " ".join(map(str, sizes_a)), " ".join(map(str, sizes_p)),
                     same_sets, same_order])
        per_k.append({"K": k, "groupsAuthors": len(theirs), "groupsPackage": len(ours), "sizesAuthors": sizes_a,
                      "sizesPackage": sizes_p, "identicalSets": same_sets, "identicalOrder": same_order})
    header = ["K", "groups A/P", "sizes (authors)", "sizes (package)", "same sets", "same order"]
    print_table("Stage a: popularity groups (authors' Loader.splitGroup vs groups-K*.txt)", header, rows)
    agree, order = all(r["identicalSets"] for r in per_k), all(r["identicalOrder"] for r in per_k)
    verdict = ("agrees: identical groups, in the same order" if agree and order
               else "agrees on the sets, not on the order within groups" if agree else "differs")
    return {"stage": "a", "perK": per_k, "agree": agree, "orderAgrees": order,
            "summary": report_table("a", "popularity groups", header, rows, verdict)}


# --------------------------------------------------------------------------- stage b: candidate lists

class ScoreOracle:
    """The teacher's score of (user, item) as the authors compute it (float32, their forward) and exactly
    (float64 products of the final embeddings), with the float32 rounding bound of a d-term dot product. For a
    LightGCN teacher the final embeddings are their float32 propagation (`computer()`), whose own rounding the bound
    does not cover."""

    def __init__(self, authors, teacher):
        self.authors, self.teacher = authors, teacher
        if hasattr(teacher, "computer"):
            with torch.no_grad():
                users, items = teacher.computer()
            self.users, self.items = users.double().numpy(), items.double().numpy()
        else:
            self.users = authors.export.array("teacher-user").astype(np.float64)
            self.items = authors.export.array("teacher-item").astype(np.float64)
        d = self.users.shape[1]
        self.gamma = d * FLOAT32_UNIT_ROUNDOFF / (1 - d * FLOAT32_UNIT_ROUNDOFF)

    def float32(self, user, items):
        with torch.no_grad():
            return self.authors.sample.userAndMatrix(
                torch.tensor(user), torch.as_tensor(items, dtype=torch.long), self.teacher).reshape(-1).numpy()

    def exact(self, user, items):
        products = self.users[user] * self.items[items]
        return products.sum(axis=1), self.gamma * np.abs(products).sum(axis=1)


def classify_lists(oracle, user, theirs, ours):
    """How two ranked lists of one user differ: "identical", "length", "equal-score" (position by position the
    items have equal float32 scores in the authors' computation, so only the order of tied items differs),
    "rounding" (position by position the exact scores differ by less than the float32 rounding bounds of the two
    dot products) or "other". Also returns the largest exact score difference between items at the same position."""
    if len(theirs) == len(ours) and np.array_equal(theirs, ours):
        return "identical", 0.0
    if len(theirs) != len(ours):
        return "length", None
    s32_a, s32_p = oracle.float32(user, theirs), oracle.float32(user, ours)
    exact_a, bound_a = oracle.exact(user, theirs)
    exact_p, bound_p = oracle.exact(user, ours)
    gap = np.abs(exact_a - exact_p)
    if np.array_equal(s32_a, s32_p):
        return "equal-score", float(gap.max())
    if np.all(gap <= bound_a + bound_p):
        return "rounding", float(gap.max())
    return "other", float(gap.max())


def stage_b(authors, export, teacher, user_limit):
    """The authors' UnKD precomputation against candidates-K*.npy for every exported K."""
    rows, per_k = [], []
    oracle = ScoreOracle(authors, teacher)
    for k in export.manifest["candidateGroupCounts"]:
        started = time.time()
        dataset = authors.dataset_with_groups(k)
        users = export.users if user_limit is None else min(user_limit, export.users)
        dataset._Loader__n_users = users            # their loop runs over dataset.n_users
        with authors.quiet():       # the constructor runs get_rank_negItems; the student is not used there
            sampler = authors.sample.UnKD(dataset, teacher, teacher, 1)
        seconds = time.time() - started
        start, items, groups = export.candidates(k)
        counts = {"identical": 0, "equal-score": 0, "rounding": 0, "other": 0, "length": 0}
        largest_gap, differing_positions = 0.0, 0
        if len(sampler.user_negitems[0]) != groups:
            counts = None
        else:
            for u in range(users):
                for g in range(groups):
                    theirs = sampler.user_negitems[u][g].numpy()
                    ours = items[start[u * groups + g]:start[u * groups + g + 1]].astype(np.int64)
                    kind, gap = classify_lists(oracle, u, theirs, ours)
                    counts[kind] += 1
                    if kind not in ("identical", "length"):
                        largest_gap = max(largest_gap, gap)
                        differing_positions += int(np.sum(theirs != ours))
        compared = users * groups
        row = {"K": k, "users": users, "groupsAuthors": len(sampler.user_negitems[0]), "groupsPackage": groups,
               "listsCompared": compared if counts else 0, "counts": counts,
               "differingPositions": differing_positions, "largestExactScoreGapAtDifferingPositions": largest_gap,
               "authorsSeconds": round(seconds, 1)}
        per_k.append(row)
        if counts is None:
            rows.append([k, users, f"{row['groupsAuthors']}/{groups}", 0, "-", "-", "-", "-", "-", "-", "-",
                         f"{seconds:.1f}"])
        else:
            rows.append([k, users, f"{groups}/{groups}", compared, counts["identical"],
                         compared - counts["identical"], counts["equal-score"], counts["rounding"], counts["length"],
                         counts["other"], largest_gap, f"{seconds:.1f}"])
    header = ["K", "users", "groups A/P", "lists", "identical", "differing", "equal-score swaps",
              "rounding-level swaps", "other length", "other", "max |score gap|", "authors s"]
    print_table("Stage b: UnKD candidate lists (authors' get_rank_negItems vs candidates-K*.npy), in order", header, rows)
    print("  equal-score: at every position the two items have equal float32 teacher scores (authors' forward);\n"
          "  rounding-level: the exact scores differ by less than the float32 rounding bounds of the dot products.\n"
          "  Ties: the authors sort with torch.sort(descending=True) (not stable) over the candidates in Python set\n"
          "  iteration order of set(group) - set(train items); the package orders by score, then item id ascending.")
    agree = all(r["counts"] is not None and r["counts"]["other"] == 0 and r["counts"]["length"] == 0
                for r in per_k)
    notes = ["Equal-score swaps: at every differing position the two items have equal float32 teacher scores in the "
             "authors' forward pass; rounding-level swaps: their exact scores differ by less than the float32 rounding "
             "bounds of the two dot products.",
             "Ties: the authors sort with torch.sort(descending=True) (not stable) over the candidates in the iteration "
             "order of the Python set set(group) - set(train items); the package orders by score, then item id."]
    return {"stage": "b", "perK": per_k, "agreeUpToTies": agree,
            "tieBreaking": {"authors": "torch.sort(descending=True), not stable, over list(set(group) - set(train))",
                            "package": "score descending, then item id ascending"},
            "summary": report_table("b", "UnKD's candidate lists (every user and group, in order)", header, rows,
                                    "agrees up to ties and float32 rounding" if agree else "differs", notes)}


# ------------------------------------------------------------------------------- stage c: evaluation

STAGE_C_MEASURES = ["recall", "ndcg", "precision", "popular recall", "unpopular recall",
                    "popular recall (eligible)", "unpopular recall (eligible)", "popular eligible users",
                    "unpopular eligible users", "popular precision", "unpopular precision"]


def measures(report, n):
    """The values of STAGE_C_MEASURES at cut-off n from an EvaluationReport (the package's, in metrics.json, or
    the authors', from Authors.evaluate)."""
    overall = next(m for m in report["overall"] if m["n"] == n)
    group = {m["group"]: m for m in report["groups"] if m["n"] == n}
    values = {m: overall[m] for m in ("recall", "ndcg", "precision")}
    for g in ("popular", "unpopular"):
        values[f"{g} recall"] = group[g]["recall"]
        values[f"{g} recall (eligible)"] = group[g]["recallEligibleUsers"]
        values[f"{g} eligible users"] = group[g]["eligibleUsers"]
        values[f"{g} precision"] = group[g]["precision"]
    return values


def float64_twin(model):
    """A copy of one of their models computing in float64 (a LightGCN's graph too): the same evaluation without the
    float32 rounding of the propagation."""
    twin = copy.deepcopy(model).double()
    if isinstance(getattr(twin, "Graph", None), torch.Tensor):
        twin.Graph = twin.Graph.double()
    return twin


def stage_c(authors, export, teacher):
    """The authors' evaluation of the exported teacher (and student) against metrics.json.

    An MF model's scores are single dot products, which both codes round alike: the measures must agree to
    METRIC_TOLERANCE. A LightGCN model's scores come from a propagation that their code sums in float32, so items
    within rounding of each other can swap places at the cut-off; the same model is then also evaluated by their code
    in float64, and the package must agree to METRIC_TOLERANCE with one of the two."""
    dataset2 = authors.dataset_with_groups(2)
    models = {"teacher": (teacher, export.manifest["teacher"]["backbone"])}
    if export.has("student-user.npy") and "student" in export.metrics:
        spec = export.manifest["student"]
        student = authors.fresh_model(spec["backbone"], spec["dimension"], spec.get("layers", 0))
        authors.set_embeddings(student, export.array("student-user"), export.array("student-item"))
        models["student"] = (student, spec["backbone"])
    rows, blocks, worst, widest = [], [], 0.0, 0.0
    for name, (model, backbone) in models.items():
        twin = float64_twin(model) if backbone == "lightgcn" else None
        for part in ("validation", "test"):
            report = authors.evaluate(model, part == "validation", dataset2)
            exact = authors.evaluate(twin, part == "validation", dataset2) if twin is not None else None
            users = report["users"]
            for n in authors.world.topks:
                theirs = measures(report, n)
                ours = measures(export.metrics[name][part], n)
                differences = {m: abs(theirs[m] - ours[m]) for m in STAGE_C_MEASURES}
                largest = max(differences.values())
                closest, largest_exact, rounding = differences, None, None
                if exact is not None:
                    theirs64 = measures(exact, n)
                    exact_differences = {m: abs(theirs64[m] - ours[m]) for m in STAGE_C_MEASURES}
                    largest_exact = max(exact_differences.values())
                    rounding = max(abs(theirs[m] - theirs64[m]) for m in STAGE_C_MEASURES)
                    widest = max(widest, rounding)
                    if largest_exact < largest:
                        closest = exact_differences
                worst = max(worst, max(closest.values()))
                ok = max(closest.values()) <= METRIC_TOLERANCE
                rows.append([name, part, n, "authors"] + [theirs[m] for m in STAGE_C_MEASURES] + ["", "", ""])
                rows.append(["", "", "", "package"] + [ours[m] for m in STAGE_C_MEASURES]
                            + [largest, "-" if largest_exact is None else largest_exact, ok])
                blocks.append({"model": name, "users": part, "n": n, "evaluatedUsers": users,
                               "largestAbsoluteDifference": largest, "largestDifferenceFromFloat64": largest_exact,
                               "float32Rounding": rounding, "agree": ok,
                               "differing": [m for m in STAGE_C_MEASURES if closest[m] > METRIC_TOLERANCE]})
    short = ["R", "NDCG", "P", "pop R", "unpop R", "pop R elig", "unpop R elig", "pop users", "unpop users",
             "pop P", "unpop P"]
    header = ["model", "users", "@N", "side"] + short + ["max |diff|", "max |diff| f64", "equal"]
    print_table(f"Stage c: evaluation (authors' Test / TestAll with K = 2 vs metrics.json), "
                f"tolerance {METRIC_TOLERANCE:g} absolute (LightGCN: also against their evaluation in float64)",
                header, rows)
    print("  R/NDCG/P: Test; pop/unpop R and P: TestAll (divided by all evaluated users, = the package's `recall`);\n"
          "  R elig: the same sums divided by the users with held-out items in the group (`recallEligibleUsers`).")
    agree = all(b["agree"] for b in blocks)
    notes = ["R, NDCG, P: their Test; popular / unpopular R and P: their TestAll on the K = 2 groups, divided by all "
             "evaluated users (the package's `recall`); R elig: the same sums divided by the users with held-out "
             "items in the group (`recallEligibleUsers`)."]
    if any(b["largestDifferenceFromFloat64"] is not None for b in blocks):
        notes.append("max |diff| f64 (LightGCN): the package against their same evaluation of the same model in "
                     "float64 (their model and graph cast to double). Their float32 propagation alone moves their "
                     f"measures by up to {widest:.1e}: items within rounding of each other swap places at the "
                     "cut-off. A LightGCN block is equal when the package agrees with either of their evaluations.")
    if not agree:
        verdict = f"differs (largest difference {worst:.1e})"
    elif widest == 0:
        verdict = f"agrees to float precision (largest difference {worst:.1e})"
    else:
        verdict = (f"agrees to float precision with their evaluation in float64 (largest difference {worst:.1e}); "
                   f"their float32 propagation moves their own measures by up to {widest:.1e}")
    return {"stage": "c", "models": list(models), "blocks": blocks, "tolerance": METRIC_TOLERANCE,
            "largestAbsoluteDifference": worst, "agree": agree,
            "summary": report_table("c", "evaluation on the same embeddings", header, rows, verdict, notes)}


# -------------------------------------------------------------------------------- stage d: losses

def batch_student_spec(export, dimension):
    """Backbone, dimension and layers of the student at which the batch losses were evaluated."""
    batch = export.manifest.get("batch") or {}
    spec = batch.get("student") or export.manifest.get("student") or {"backbone": "mf"}
    return spec["backbone"], dimension, spec.get("layers", 0)


def value_text(value):
    """A loss value with 8 significant digits."""
    return "-" if value is None else f"{value:.8g}"


def compare_loss(name, authors_value, package_value, note=""):
    difference = abs(authors_value - package_value) / max(abs(package_value), 1e-12)
    return {"loss": name, "authors": authors_value, "package": package_value, "relativeDifference": difference,
            "agree": difference < LOSS_TOLERANCE, "note": note}


def unkd_pairs_per_user(export, prefix):
    """The number of pairs of every user in the package's UnKD pairs `<prefix>-start.npy`."""
    return np.diff(export.array(f"{prefix}-start"))


def unkd_holding_pairs(authors, export, prefix, student, teacher):
    """Their `sample.UnKD` for `student`, its precomputation of candidate lists replaced by a no-op, holding the
    package's pairs `<prefix>-*.npy` in the attributes its `Sample` reads; None when users have different numbers of
    pairs (their tensors of pairs are rectangular)."""
    per_user = unkd_pairs_per_user(export, prefix)
    if not np.all(per_user == per_user[0]):
        return None
    pairs = int(per_user[0])
    with authors.quiet(), replaced(authors.sample.UnKD, "get_rank_negItems", lambda self: None):
        sampler = authors.sample.UnKD(authors.dataset, student, teacher, 1)
    sampler.pos_items = torch.from_numpy(export.array(f"{prefix}-positive").astype(np.int64).reshape(-1, pairs))
    sampler.neg_items = torch.from_numpy(export.array(f"{prefix}-negative").astype(np.int64).reshape(-1, pairs))
    sampler.item_tag = torch.zeros(sampler.pos_items.shape)
    return sampler


def derrd_student(a, teacher, dimension, layers):
    """DE-RRD's student as their driver builds it: `BPRMFExpert` of the given size, with the teacher's experts."""
    config = dict(a.world.config, latent_dim_rec=dimension, lightGCN_n_layers=layers)
    with a.quiet():
        return a.register.MODELS["BPRMFExpert"](config, a.dataset, teacher)


def stage_d(authors, export, teacher):
    """The authors' loss functions at the package's parameters and sampled items against batch/losses.json."""
    a, losses, world = authors, export.losses, authors.world
    user_rows, item_rows = export.array("batch/student-user"), export.array("batch/student-item")
    backbone, dimension, layers = batch_student_spec(export, user_rows.shape[1])
    student = a.fresh_model(backbone, dimension, layers)
    a.set_embeddings(student, user_rows, item_rows)
    rows = torch.from_numpy(export.array("batch/rows").astype(np.int64))
    users, positives, negatives = rows[:, 0], rows[:, 1], rows[:, 2]
    dataset = a.dataset
    results = []

    with torch.no_grad():
        bpr, l2 = student.bpr_loss(users, positives, negatives)
    results.append(compare_loss("bpr", bpr.item(), losses["bpr"], "student.bpr_loss"))
    results.append(compare_loss("l2", l2.item(), losses["l2"], "student.bpr_loss (before decay)"))

    per_user = unkd_pairs_per_user(export, "batch/unkd")
    unkd = unkd_holding_pairs(a, export, "batch/unkd", student, teacher)
    if unkd is not None:
        with torch.no_grad():
            value = unkd.Sample(users, positives, negatives, 1).item()
        groups = (export.manifest.get("batch") or {}).get("unkdGroups")
        results.append(compare_loss("unkd", value, losses["unkd"],
                                    f"UnKD.Sample, K={groups}, {int(per_user[0])} pairs/user"))
    else:
        results.append({"loss": "unkd", "authors": None, "package": losses["unkd"], "relativeDifference": None,
                        "agree": False, "note": f"not comparable: pairs per user vary ({per_user.min()}-"
                                                f"{per_user.max()}); the authors' tensors are rectangular"})

    with a.quiet():
        rd = a.sample.RD(dataset, student, teacher, 1)
    rd_top = export.array("batch/rd-top")
    same_top = int(sum(np.array_equal(rd.RANK[u].long().numpy(), rd_top[u]) for u in range(export.users)))
    rd_dynamic = export.array("batch/rd-dynamic")
    batch_users = rows[:, 0].numpy()
    same_item = int((rd_top[batch_users][:, :, None] == rd_dynamic[batch_users][:, None, :]).sum())
    rd.RANK = torch.from_numpy(rd_top.astype(np.float32))
    rd.dynamic_samples = torch.from_numpy(rd_dynamic.astype(np.int64))
    for phase, epoch in (("static", 1), ("dynamic", 100)):
        with torch.no_grad():
            value = rd.Sample(users, positives, negatives, epoch).item()
        results.append(compare_loss(f"rd {phase}", value, losses["rd"][phase], f"RD.Sample, epoch {epoch}"))

    with a.quiet(), replaced(a.sample.CD, "get_rank_sample", lambda self, MODEL: None):
        cd = a.sample.CD(dataset, student, teacher, 1)
    cd.rank_samples = torch.from_numpy(export.array("batch/cd-items").astype(np.int64))
    with torch.no_grad():
        value = cd.Sample(users, positives, negatives, 1).item()
    results.append(compare_loss("cd", value, losses["cd"], "CD.Sample"))

    expert = derrd_student(a, teacher, dimension, layers if backbone == "lightgcn" else 0)
    a.set_embeddings(expert, user_rows, item_rows)
    with a.quiet(), replaced(a.sample.RRD, "RRD_sampling", lambda self: None):
        rrd = a.sample.RRD(dataset, expert, teacher, 1)
    rrd.interesting_items = torch.from_numpy(export.array("batch/derrd-interesting").astype(np.int64))
    rrd.uninteresting_items = torch.from_numpy(export.array("batch/derrd-uninteresting").astype(np.int64))
    saved = world.config["kd_weight"], world.config["de_weight"]
    world.config["kd_weight"], world.config["de_weight"] = 1.0, 0.0
    try:
        with torch.no_grad():
            value = rrd.Sample(users, positives, negatives, 1).item()
    finally:
        world.config["kd_weight"], world.config["de_weight"] = saved
    results.append(compare_loss("derrd ranking", value, losses["derrdRanking"],
                                "RRD.Sample with de_weight 0 (the DE part draws Gumbel noise: not compared)"))

    header = ["loss", "authors", "package", "rel. diff", "agree", "how"]
    table = [[r["loss"], value_text(r["authors"]), value_text(r["package"]), r["relativeDifference"], r["agree"],
              r["note"]] for r in results]
    print_table(f"Stage d: losses at identical parameters and sampled inputs "
                f"(batch of {len(rows)} rows, agreement: relative difference < {LOSS_TOLERANCE:g})", header, table)
    print(f"  RD's own teacher top-30 lists (before being replaced by rd-top.npy): "
          f"{same_top} of {export.users} users identical in order.\n"
          f"  RD dynamic: {same_item} (row, position, sample) triples of the batch where the dynamic sample is the\n"
          f"  top-list item itself (equal exact scores; their strict `<` counts such a sample only if the two float32\n"
          f"  scores of the same item differ). HTD has no value in losses.json.")
    agree = all(r["agree"] for r in results)
    notes = [f"One batch of {len(rows)} BPR rows at the exported student's parameters; each sampler holds the "
             f"package's sampled items. RD's own teacher top-30 lists: {same_top} of {export.users} users identical.",
             f"RD's dynamic phase: in {same_item} (row, position, sample) triples the sample is the top-list item "
             "itself; both codes must score it equally so that it does not count as ranked above itself.",
             "Not compared: DE-RRD's distillation-expert part and HTD, whose losses draw Gumbel noise."]
    if backbone == "lightgcn":
        notes.insert(0, f"The student is their LightGCN ({layers} layer{'s' if layers != 1 else ''}, d = {dimension}): "
                        "every score of every loss goes through their propagation of the exported ego embeddings.")
    if export.manifest["teacher"]["backbone"] == "lightgcn":
        notes.append("The teacher is LightGCN: RD's own top-30 lists come from their float32 propagation, which "
                     "reorders near ties (stage c); the losses above use the package's lists.")
    failing = [r["loss"] for r in results if not r["agree"]]
    verdict = (f"agrees (relative difference below {LOSS_TOLERANCE:g})" if agree
               else "differs in " + ", ".join(failing))
    return {"stage": "d", "batchRows": len(rows), "student": {"backbone": backbone, "dimension": dimension,
                                                                "layers": layers},
            "decay": losses.get("decay"), "losses": results, "rdTeacherTopIdenticalUsers": same_top,
            "rdDynamicSameItemTriples": same_item,
            "tolerance": LOSS_TOLERANCE, "agree": agree,
            "summary": report_table("d", "loss values on identical parameters and samples", header, table, verdict,
                                    notes)}


# ------------------------------------------------------------------------------ stage s: samplers

SAMPLER_ALPHA = 0.05         # family-wise, stage s (Holm over its tests)
MIN_BIN_COUNT = 20           # stage s: adjacent bins are merged until both samples together hold this many


def chi2_survival(statistic, dof):
    """P(X >= statistic) for X chi-square with `dof` degrees of freedom (the regularised upper incomplete gamma)."""
    if dof <= 0:
        return 1.0
    return float(torch.special.gammaincc(torch.tensor(dof / 2, dtype=torch.float64),
                                         torch.tensor(statistic / 2, dtype=torch.float64)))


def homogeneity_test(first, second):
    """Two-sample chi-square test that two samples of small non-negative integers (ranks, bins) have one law.

    Adjacent values are merged, in order, until both samples together hold MIN_BIN_COUNT draws in every merged bin
    (a short last bin joins the one before). Returns (statistic, degrees of freedom, p)."""
    size = int(max(first.max(initial=0), second.max(initial=0))) + 1
    counts = np.stack([np.bincount(first, minlength=size), np.bincount(second, minlength=size)]).astype(np.float64)
    merged, current = [], np.zeros(2)
    for column in counts.T:
        current = current + column
        if current.sum() >= MIN_BIN_COUNT:
            merged.append(current)
            current = np.zeros(2)
    if current.sum() > 0:
        if merged:
            merged[-1] = merged[-1] + current
        else:
            merged.append(current)
    table = np.array(merged).T
    expected = table.sum(axis=1, keepdims=True) * table.sum(axis=0, keepdims=True) / table.sum()
    statistic = float(((table - expected) ** 2 / expected).sum())
    dof = table.shape[1] - 1
    return statistic, dof, chi2_survival(statistic, dof)


def holm(p_values, alpha):
    """Holm's step-down procedure: for each p, whether it is significant at family-wise level `alpha`."""
    order = sorted(range(len(p_values)), key=lambda k: p_values[k])
    significant, stopped = [False] * len(p_values), False
    for step, k in enumerate(order):
        stopped = stopped or p_values[k] > alpha / (len(p_values) - step)
        significant[k] = not stopped
    return significant


class TeacherRanks:
    """The teacher's ranking of every user's unobserved items (float32 scores from the exported embeddings, best
    first, ties by item id): the common yardstick on which both codes' samples are placed."""

    def __init__(self, export):
        users, items = export.array("teacher-user"), export.array("teacher-item")
        self.train = export.train
        self.position = np.empty((export.users, export.items), dtype=np.int32)
        self.unobserved = np.empty(export.users, dtype=np.int64)
        for start in range(0, export.users, 512):
            end = min(start + 512, export.users)
            scores = users[start:end] @ items.T
            for row, user in enumerate(range(start, end)):
                scores[row, self.train[user]] = -np.inf
            order = np.argsort(-scores, axis=1, kind="stable")
            np.put_along_axis(self.position[start:end], order, np.arange(export.items, dtype=np.int32)[None, :],
                              axis=1)
            self.unobserved[start:end] = export.items - np.array([len(self.train[u]) for u in range(start, end)])

    def of(self, samples):
        """Teacher positions of a [U, n] array of sampled items (observed items sit past every unobserved one)."""
        return np.take_along_axis(self.position, samples.astype(np.int64), axis=1)

    def observed(self, samples):
        """How many sampled items are training items of their user."""
        return int((self.of(samples) >= self.unobserved[:, None]).sum())

    def relative(self, samples, skip=0, bins=20):
        """Bins of the position among the unobserved items past the first `skip`: uniform draws fill them evenly."""
        span = (self.unobserved - skip)[:, None].astype(np.float64)
        fraction = (self.of(samples) - skip) / span
        return np.clip((fraction * bins).astype(np.int64), 0, bins - 1).ravel()


def list_positions(lists_of_user, pairs_of_user, users):
    """Per pair, (group, position of the positive, position of the negative) in the user's candidate lists.

    `lists_of_user(u)` gives u's lists per group; `pairs_of_user(u)` u's (positives, negatives) arrays."""
    groups, positives, negatives = [], [], []
    for u in range(users):
        lists = lists_of_user(u)
        group_of, position_of = {}, {}
        for g, items in enumerate(lists):
            for position, item in enumerate(items):
                group_of[int(item)], position_of[int(item)] = g, position
        pos, neg = pairs_of_user(u)
        for a, b in zip(pos, neg):
            g = group_of[int(a)]
            if group_of[int(b)] != g:
                raise ValueError(f"user {u}: a pair across groups ({a}, {b})")
            groups.append(g)
            positives.append(position_of[int(a)])
            negatives.append(position_of[int(b)])
    return np.array(groups), np.array(positives), np.array(negatives)


def quantile_bins(first, second, bins=20):
    """Two samples of real values as bin indices 0..bins-1, the bins cut at quantiles of the two together (equal
    counts under one law), for `homogeneity_test`."""
    pooled = np.concatenate([np.ravel(first), np.ravel(second)])
    edges = np.quantile(pooled, np.linspace(0, 1, bins + 1)[1:-1])
    return (np.searchsorted(edges, np.ravel(first), side="right"),
            np.searchsorted(edges, np.ravel(second), side="right"))


def position_bins(rows, selected, bins=20):
    """Where the selected rows of an epoch fall in it: the row's index as a fraction of the epoch, in `bins` bins (a
    uniform shuffle fills them evenly whatever the selection)."""
    index = np.flatnonzero(selected)
    return index * bins // len(rows)


def same_interactions(rows, train):
    """Whether the (user, positive) columns of an epoch's rows hold every training interaction exactly once."""
    expected = np.array([(u, i) for u, items in enumerate(train) for i in items], dtype=np.int64).reshape(-1, 2)
    if len(rows) != len(expected):
        return False
    got = np.asarray(rows[:, :2], dtype=np.int64)
    got = got[np.lexsort((got[:, 1], got[:, 0]))]
    expected = expected[np.lexsort((expected[:, 1], expected[:, 0]))]
    return bool(np.array_equal(got, expected))


def goodness_of_fit(counts, expected):
    """One-sample chi-square of observed counts per bin against their expected counts (same total): (statistic,
    degrees of freedom, p)."""
    counts, expected = np.asarray(counts, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    statistic = float(((counts - expected) ** 2 / expected).sum())
    return statistic, len(expected) - 1, chi2_survival(statistic, len(expected) - 1)


def uniform_negative_counts(observed, users):
    """Expected number of times each item is drawn as a negative when every row of `users` draws one item uniformly
    among its user's unobserved items (`observed`: users x items, True for training items)."""
    rows_of_user = np.bincount(users, minlength=observed.shape[0])
    chance = rows_of_user / (observed.shape[1] - observed.sum(axis=1))
    return chance @ ~observed


def sampler_verdict(tests, checks, what):
    """Holm's correction over a stage's law tests, recorded in each test as `differs`; returns (agree, verdict)."""
    significant = holm([t["p"] for t in tests], SAMPLER_ALPHA)
    for test, differs in zip(tests, significant):
        test["differs"] = differs
    agree = not any(significant) and all(c[3] for c in checks)
    failing = [t["quantity"] for t in tests if t["differs"]] + [c[0] for c in checks if not c[3]]
    verdict = (f"agrees: no test tells the two codes' {what} apart (Holm, {SAMPLER_ALPHA:g} over {len(tests)} "
               "tests), and the exact counts are equal" if agree else "differs in " + "; ".join(failing))
    return agree, verdict


def law_test(name, theirs, ours, how):
    """One two-sample chi-square test of a stage-s quantity, as stored in stage-s*.json."""
    statistic, dof, p = homogeneity_test(theirs, ours)
    return {"quantity": name, "authorsMean": float(theirs.mean()), "packageMean": float(ours.mean()),
            "authorsDraws": int(theirs.size), "packageDraws": int(ours.size), "chiSquare": statistic,
            "dof": dof, "p": p, "how": how}


LAW_HEADER = ["quantity", "authors mean", "package mean", "draws (each)", "chi-square (dof)", "p", "same law"]


def law_table(tests, checks):
    """The rows of a stage-s table: the law tests, then the exact checks."""
    table = [[t["quantity"], t["authorsMean"], t["packageMean"], t["packageDraws"],
              f"{t['chiSquare']:.1f} ({t['dof']})", t["p"], not t["differs"]] for t in tests]
    return table + [[name, their, our, "-", "-", "-", same] for name, their, our, same in checks]


def stage_s(authors, export, teacher):
    """Sampled inputs, as laws: the distillation samplers on `batch/` and the training epoch's draws on `epoch/`,
    whichever the export holds (one summary each)."""
    parts = ([lambda: distillation_draws(authors, export, teacher)] if export.manifest.get("batch") else []) + \
        ([lambda: training_draws(authors, export)] if "epoch" in export.manifest else [])
    if not parts:
        raise SystemExit("stage s needs batch/ or epoch/: export with crosscheck --batch or --epoch")
    summaries = []
    for part in parts:
        started = time.time()
        summaries.append(part())
        summaries[-1]["seconds"] = round(time.time() - started, 1)
    return summaries


def training_draws(authors, export):
    """The random draws of the exported student's first epoch (`epoch/`) against the authors' own: the rows of
    their `Sample_original` (one per training interaction, a negative uniform among the user's unobserved items)
    shuffled by their `utils.shuffle`, and the initial parameters of their model class."""
    a, spec = authors, export.manifest["epoch"]
    student = spec["student"]
    a.utils.set_seed(export.seed)
    with a.quiet():
        sampled = np.array(a.sample.Sample_original(a.dataset), dtype=np.int64)
        theirs = np.stack(a.utils.shuffle(sampled[:, 0], sampled[:, 1], sampled[:, 2]), axis=1)
        model = a.fresh_model(student["backbone"], student["dimension"], student["layers"])
    ours = export.array("epoch/rows").astype(np.int64)
    observed = np.zeros((export.users, export.items), dtype=bool)
    for u, items in enumerate(export.train):
        observed[u, items] = True
    count = observed.sum(axis=0)
    popularity_rank = np.empty(export.items, dtype=np.int64)
    popularity_rank[np.lexsort((np.arange(export.items), -count))] = np.arange(export.items)
    popular = np.zeros(export.items, dtype=bool)
    popular[export.groups(2)[0]] = True

    tests = [law_test("negative: item id", theirs[:, 2], ours[:, 2], "Sample_original, one negative per row"),
             law_test("negative: the item's popularity rank (bins of 100)", popularity_rank[theirs[:, 2]] // 100,
                      popularity_rank[ours[:, 2]] // 100, "Sample_original; rank by training interactions"),
             law_test("order: where the rows of popular items fall in the epoch (20 bins)",
                      position_bins(theirs, popular[theirs[:, 1]]), position_bins(ours, popular[ours[:, 1]]),
                      "utils.shuffle; popular = the K = 2 group of the most popular items"),
             law_test("order: where the rows of the first half of the users fall in the epoch (20 bins)",
                      position_bins(theirs, theirs[:, 0] < export.users // 2),
                      position_bins(ours, ours[:, 0] < export.users // 2), "utils.shuffle")]
    for table in ("user", "item"):
        their_values = getattr(model, f"embedding_{table}").weight.detach().numpy()
        our_values = export.array(f"epoch/initial-{table}")
        tests.append(law_test(f"initial {table} parameters: value (20 quantile bins)",
                              *quantile_bins(their_values, our_values), f"their {type(model).__name__}'s initialiser"))
        tests[-1].update(authorsMean=float(their_values.mean()), packageMean=float(our_values.mean()),
                         authorsStd=float(their_values.std()), packageStd=float(our_values.std()))
    expected = np.bincount(popularity_rank // 100, weights=uniform_negative_counts(observed, ours[:, 0]))
    exact = {code: goodness_of_fit(np.bincount(popularity_rank[rows[:, 2]] // 100, minlength=expected.size), expected)
             for code, rows in (("authors", theirs), ("package", ours))}
    once = same_interactions(theirs, export.train), same_interactions(ours, export.train)
    observed_negatives = [int(observed[rows[:, 0], rows[:, 2]].sum()) for rows in (theirs, ours)]
    checks = [["rows: every training interaction once", *once, all(once)],
              ["negatives that are training items of their user", *observed_negatives, not any(observed_negatives)]]
    agree, verdict = sampler_verdict(tests, checks, "training draws")
    table = law_table(tests, checks)
    model_name = "MF" if student["backbone"] == "mf" else f"{student['layers']}-layer LightGCN"
    who = f"the {model_name} student" + (" distilled by UnKD" if spec.get("unkd") else "")
    print_table(f"Stage s: the draws of one training epoch of {who}, the authors' against the "
                f"package's (two-sample chi-square, Holm at {SAMPLER_ALPHA:g} over {len(tests)} tests)",
                LAW_HEADER, table)
    stds = {t["quantity"].split(":")[0]: (t["authorsStd"], t["packageStd"]) for t in tests if "authorsStd" in t}
    notes = [f"One epoch of each code's own draws on the same split: the package's `epoch/rows.npy` (seed "
             f"{spec['seed']}), and their `Sample_original` shuffled by their `utils.shuffle` after their "
             "`set_seed`. Stage t trains both codes on the package's rows; this stage asks whether the rows each "
             "code draws for itself follow one law, so that the two codes' end-to-end runs differ only by chance.",
             f"Initial parameters: a fresh {type(model).__name__} of the authors' against the package's "
             f"`epoch/initial-*.npy` (d = {student['dimension']}), binned at quantiles of the two together; "
             "standard deviations, authors / package: " + "; ".join(
                 f"{name} {theirs:.4g} / {ours:.4g}" for name, (theirs, ours) in stds.items()) + ".",
             "Each code's negatives against the law both codes state, uniform among the user's unobserved items "
             "(one-sample chi-square on the popularity-rank bins of 100 items, expected counts exact): " + "; ".join(
                 f"{code} {statistic:.1f} ({dof}), p {p:.3g}" for code, (statistic, dof, p) in exact.items()) + ".",
             "The order tests are conservative: a bin of the epoch holds a fixed number of rows, so the selected "
             "rows' counts vary less than the chi-square assumes. Adjacent bins are merged until every bin holds at "
             f"least {MIN_BIN_COUNT} draws of the two samples together."]
    return {"stage": "s", "tests": tests, "checks": [dict(zip(["check", "authors", "package", "agree"], c))
                                                      for c in checks],
            "negativesAgainstUniform": {code: {"chiSquare": c, "dof": d, "p": p} for code, (c, d, p) in exact.items()},
            "student": student, "alpha": SAMPLER_ALPHA, "agree": agree,
            "file": "s-epoch-unkd" if spec.get("unkd") else "s-epoch",
            "summary": report_table("s", f"the draws of one training epoch of {who}", LAW_HEADER,
                                    table, verdict, notes)}


def distillation_draws(authors, export, teacher):
    """The authors' samplers against the package's sampled inputs (batch/): the same law, tested on the teacher's
    ranking (two-sample chi-square per quantity, Holm's correction over the stage)."""
    a, users = authors, export.users
    batch = export.manifest["batch"]
    if not export.has("batch/unkd-collapsed-start.npy"):
        raise SystemExit("stage s needs batch/ with unkd-collapsed-*.npy: "
                         "export with this version's crosscheck --batch")
    a.utils.set_seed(export.seed)
    ranks = TeacherRanks(export)
    tests, checks = [], []

    def compare(name, theirs, ours, how):
        tests.append(law_test(name, theirs, ours, how))

    # UnKD: their KD_sampling on their own lists (equal to the package's up to ties, stage b).
    k = int(batch["unkdGroups"])
    dataset = a.dataset_with_groups(k)
    saved = a.world.config["sample_num"]
    a.world.config["sample_num"] = int(batch["unkdPairsPerUser"])
    try:
        with a.quiet():
            unkd = a.sample.UnKD(dataset, teacher, teacher, 1)
            unkd.KD_sampling()
    finally:
        a.world.config["sample_num"] = saved
    start, items, groups = export.candidates(k)

    def package_pairs(prefix):
        pair_start, pos, neg = (export.array(f"batch/{prefix}-{part}") for part in ("start", "positive", "negative"))
        return list_positions(lambda u: [items[start[u * groups + g]:start[u * groups + g + 1]] for g in range(groups)],
                              lambda u: (pos[pair_start[u]:pair_start[u + 1]], neg[pair_start[u]:pair_start[u + 1]]),
                              users)

    theirs = list_positions(lambda u: [x.numpy() for x in unkd.user_negitems[u]],
                            lambda u: (unkd.pos_items[u].numpy(), unkd.neg_items[u].numpy()), users)
    ours, ordered = package_pairs("unkd-collapsed"), package_pairs("unkd")
    their_counts = np.bincount(theirs[0], minlength=groups) / users
    our_counts = np.bincount(ours[0], minlength=groups) / users
    checks.append(["UnKD pairs per user, by group", " + ".join(f"{c:g}" for c in their_counts),
                   " + ".join(f"{c:g}" for c in our_counts), bool(np.array_equal(their_counts, our_counts))])
    compare(f"UnKD K={k}: pairs of one item twice (0 or 1)", (theirs[1] == theirs[2]).astype(np.int64),
            (ours[1] == ours[2]).astype(np.int64), "KD_sampling; the package with reversed pairs collapsed")
    for g in range(groups):
        for part, index in (("positive", 1), ("negative", 2)):
            compare(f"UnKD K={k}, group {g + 1}: {part}'s rank in the list", theirs[index][theirs[0] == g],
                    ours[index][ours[0] == g], "KD_sampling, mu 20; the package with reversed pairs collapsed")
    one_item = {"authors": int((theirs[1] == theirs[2]).sum()), "packageCollapsed": int((ours[1] == ours[2]).sum()),
                "packageOrdered": int((ordered[1] == ordered[2]).sum()), "pairs": int(theirs[1].size)}

    # RD: one epoch's dynamic samples (their PerSample draws them uniformly from the unobserved items).
    with a.quiet():
        rd = a.sample.RD(a.dataset, teacher, teacher, 1)
        rd.PerSample()
    rd_theirs, rd_ours = rd.dynamic_samples.numpy(), export.array("batch/rd-dynamic")
    compare("RD dynamic samples: position among the unobserved (20 bins)", ranks.relative(rd_theirs),
            ranks.relative(rd_ours), "Sample_neg, 100 per user")

    # CD: the items drawn once from the teacher's top 3000 (the better-ranked of two rank draws).
    student = a.fresh_model("mf", 10, 0)
    with a.quiet():
        cd = a.sample.CD(a.dataset, student, teacher, 1)
    cd_theirs, cd_ours = cd.rank_samples.numpy(), export.array("batch/cd-items")
    compare("CD samples: teacher rank (bins of 100)", ranks.of(cd_theirs).ravel() // 100,
            ranks.of(cd_ours).ravel() // 100, "get_rank_sample, 50 per user")

    # DE-RRD: interesting items from the teacher's top T = 100, uninteresting ones uniformly from the rest.
    expert = derrd_student(a, teacher, 10, 0)
    with a.quiet():
        rrd = a.sample.RRD(a.dataset, expert, teacher, 1)
    interesting = rrd.interesting_items.long().numpy(), export.array("batch/derrd-interesting")
    uninteresting = rrd.uninteresting_items.long().numpy(), export.array("batch/derrd-uninteresting")
    compare("DE-RRD interesting items: teacher rank", ranks.of(interesting[0]).ravel(),
            ranks.of(interesting[1]).ravel(), "RRD_sampling, 20 of the top 100")
    compare("DE-RRD uninteresting items: position past the top 100 (20 bins)", ranks.relative(uninteresting[0], 100),
            ranks.relative(uninteresting[1], 100), "RRD_sampling, 20 per user")

    # No sampler draws a user's training items, except the authors' CD: their top 3000 of a user with fewer unobserved
    # items ends in training items, where the package's list is shorter (docs/differences.md#cds-rank-weights-and-
    # fixed-draws), so only the package's count must be 0 there.
    for name, (theirs_s, ours_s), authors_may_pad in (
            ("RD dynamic", (rd_theirs, rd_ours), False),
            ("CD (the authors' pad short lists with them; the package's are shorter)", (cd_theirs, cd_ours), True),
            ("DE-RRD interesting", interesting, False), ("DE-RRD uninteresting", uninteresting, False)):
        a_obs, p_obs = ranks.observed(theirs_s), ranks.observed(ours_s)
        checks.append([f"{name}: sampled training items", a_obs, p_obs, p_obs == 0 and (authors_may_pad or a_obs == 0)])

    agree, verdict = sampler_verdict(tests, checks, "samplers")
    header, table = LAW_HEADER, law_table(tests, checks)
    print_table(f"Stage s: sampled inputs, the authors' samplers against the package's (two-sample chi-square, "
                f"Holm at {SAMPLER_ALPHA:g} over {len(tests)} tests)", header, table)
    notes = ["One epoch of each code's own draws (the package's from the export's batch/, the authors' from their "
             "sampler classes on the same split and teacher), placed on the teacher's ranking of each user's "
             "unobserved items. Adjacent values are merged until every bin holds at least "
             f"{MIN_BIN_COUNT} draws of the two samples together.",
             "The draws within one user are not independent (CD and DE-RRD draw without replacement), which makes the "
             "chi-square test conservative; the means show the size of any difference.",
             f"UnKD's lists are each code's own (identical up to equal-score swaps, stage b); K = {k}, "
             f"{batch['unkdPairsPerUser']} pairs per user, mu {batch['unkdMu']:g}.",
             f"UnKD's pairs of one item twice: {one_item['authors']} of the authors' {one_item['pairs']}, "
             f"{one_item['packageCollapsed']} of the package's with reversed pairs collapsed, "
             f"{one_item['packageOrdered']} of its ordered pairs (its default, the paper's method). The authors' "
             "KD_sampling swaps a pair drawn worse first through a view (`s=samples1[l]` is a 0-dim tensor sharing "
             "samples1's storage, so after `samples1[l]=samples2[l]` it holds the better item too): half of their "
             "pairs are the better item twice, a constant log 2 in the loss with no gradient. The package's "
             "`--reversed-pairs collapsed` does the same (docs/differences.md#unkds-reversed-pairs)."]
    return {"stage": "s", "tests": tests, "unkdPairsOfOneItem": one_item,
            "checks": [dict(zip(["check", "authors", "package", "agree"], c)) for c in checks],
            "alpha": SAMPLER_ALPHA, "agree": agree,
            "summary": report_table("s", "sampled inputs: the samplers' laws on the same teacher", header, table,
                                    verdict, notes)}


# ------------------------------------------------------------------------- stage t: one epoch of training

EPOCH_ROUNDING_FACTOR = 4    # stage t: the package's distance from the float64 epoch, in units of their float32 one


def train_one_epoch(authors, export, teacher, double):
    """Their first epoch of training of the exported student: their model at `epoch/initial-*.npy`, torch's Adam as
    their drivers create it, and `BPRLoss.stageOne` on `epoch/rows.npy` in `utils.minibatch`'s batches (for UnKD with
    `UnKD.Sample` on the package's pairs as the added loss, as their `Distill_DNS` does), in float32 or (double=True)
    float64. Returns (user rows, item rows, mean batch loss), the rows in float64."""
    a, spec = authors, export.manifest["epoch"]
    student_spec, unkd = spec["student"], spec.get("unkd")
    student = a.fresh_model(student_spec["backbone"], student_spec["dimension"], student_spec["layers"])
    a.set_embeddings(student, export.array("epoch/initial-user"), export.array("epoch/initial-item"))
    if double:
        student = float64_twin(student)
    sampler = unkd_holding_pairs(a, export, "epoch/unkd", student, teacher) if unkd else None
    optimiser = torch.optim.Adam(student.parameters(), lr=student_spec["learningRate"])
    config = dict(a.world.config, decay=student_spec["decay"], kd_weight=unkd["weight"] if unkd else 1.0)
    loss = a.utils.BPRLoss(student, config, optimiser)
    rows = torch.from_numpy(export.array("epoch/rows").astype(np.int64))
    total, batches = 0.0, 0
    with a.quiet():
        for users, positives, negatives in a.utils.minibatch(rows[:, 0], rows[:, 1], rows[:, 2],
                                                              batch_size=spec["batchSize"]):
            added = sampler.Sample(users, positives, negatives, 1) if sampler else None
            total += loss.stageOne(users, positives, negatives, 1, added)
            batches += 1
    return (student.embedding_user.weight.detach().double().numpy(),
            student.embedding_item.weight.detach().double().numpy(), total / batches)


def epoch_distance(after, reference, initial):
    """How far `after` lies from `reference`, both parameter tables after the same epoch from `initial`: the norm of
    their difference over the norm of the reference's change in the epoch, and the largest absolute difference."""
    change = np.linalg.norm(reference - initial)
    return float(np.linalg.norm(after - reference) / max(change, 1e-300)), float(np.max(np.abs(after - reference)))


def epoch_verdict(package_distance, authors_distance, factor=EPOCH_ROUNDING_FACTOR):
    """Agreement of one epoch: the package's float32 epoch is at most `factor` times as far from the float64 epoch as
    their own float32 epoch is (both differ from it by rounding alone when the two codes train alike)."""
    return package_distance <= factor * authors_distance


def stage_t(authors, export, teacher):
    """One epoch of training of the exported student (Student or UnKD) in their code, in float32 and float64, against
    `epoch/after-*`."""
    if "epoch" not in export.manifest:
        raise SystemExit("stage t needs epoch/: export the folder again with `crosscheck ... --epoch`")
    spec = export.manifest["epoch"]
    per_user = unkd_pairs_per_user(export, "epoch/unkd") if spec.get("unkd") else None
    if per_user is not None and not np.all(per_user == per_user[0]):
        raise SystemExit(f"stage t: UnKD's pairs per user vary ({per_user.min()}-{per_user.max()}); the authors' "
                         "tensors are rectangular (export with --epoch-method UnKD, whose reversed pairs collapse)")
    initial = np.concatenate([export.array("epoch/initial-user"), export.array("epoch/initial-item")]).astype(np.float64)
    package = np.concatenate([export.array("epoch/after-user"), export.array("epoch/after-item")]).astype(np.float64)
    runs = {}
    for name, double in (("their code, float32", False), ("their code, float64", True)):
        users, items, mean_loss = train_one_epoch(authors, export, teacher, double)
        runs[name] = (np.concatenate([users, items]), mean_loss)
    reference = runs["their code, float64"][0]
    authors32 = runs["their code, float32"][0]
    measured = {"their code, float32": epoch_distance(authors32, reference, initial),
                "the package": epoch_distance(package, reference, initial)}
    against_theirs = epoch_distance(package, authors32, initial)
    losses = {"their code, float32": runs["their code, float32"][1], "their code, float64": runs["their code, float64"][1],
              "the package": spec["meanLoss"]}
    header = ["epoch of", "distance from their float64 epoch", "max |diff|", "mean batch loss"]
    table = [[name, distance, largest, losses[name]] for name, (distance, largest) in measured.items()]
    table.append(["their code, float64", 0.0, 0.0, losses["their code, float64"]])
    agree = epoch_verdict(measured["the package"][0], measured["their code, float32"][0])
    batches = -(-spec["rows"] // spec["batchSize"])
    student, unkd = spec["student"], spec.get("unkd")
    model = "MF" if student["backbone"] == "mf" else f"LightGCN ({student['layers']} layer{'s' if student['layers'] != 1 else ''})"
    drawn = int(per_user[0]) if unkd else 0
    method = (f"UnKD (K = {unkd['groups']}, {drawn} pairs per user from sample_num {unkd['pairsPerUser']}, weight "
              f"{unkd['weight']:g})" if unkd else "the Student")
    print_table(f"Stage t: one epoch of {method} ({model}, d = {student['dimension']}) from the same parameters on "
                f"the same {spec['rows']} rows ({batches} mini-batches of {spec['batchSize']})", header, table)
    print(f"  package against their float32 epoch: {against_theirs[0]:.3g} of the epoch's change "
          f"(max |diff| {against_theirs[1]:.3g})")
    verdict = (f"agrees: after one epoch the package's parameters are as close to their float64 epoch as their own "
               f"float32 epoch is ({measured['the package'][0]:.2g} against {measured['their code, float32'][0]:.2g} "
               f"of the epoch's change)" if agree else
               f"differs: after one epoch the package's parameters are {measured['the package'][0]:.2g} of the epoch's "
               f"change from their float64 epoch, their own float32 epoch {measured['their code, float32'][0]:.2g}")
    objective = f"BPR + {student['decay']:g} x L2" + (f" + {unkd['weight']:g} x UnKD" if unkd else "")
    their_side = ("`BPRLoss.stageOne` per `utils.minibatch` batch" +
                  (" with `UnKD.Sample` on the package's pairs of the epoch (`epoch/unkd-*.npy`, reversed pairs "
                   "collapsed as their `KD_sampling` keeps them) as the added loss, as in their `Distill_DNS`" if unkd
                   else ""))
    notes = [f"Both codes start from the package's initial parameters of {method} (seed {spec['seed']}) and take "
             f"the package's rows of its first epoch in the package's order: {batches} Adam steps (lr "
             f"{student['learningRate']:g}, the {spec['optimiser']} variant) on {objective}. Their side is "
             f"{their_side}, with `torch.optim.Adam` as their drivers create it.",
             "Distances are norms of the difference of the parameter tables over the norm of the change their float64 "
             "epoch makes. Rounding alone separates the float32 epochs from it; a difference in the gradient, the "
             f"optimiser or the batching would leave the package far more than {EPOCH_ROUNDING_FACTOR} times as far as "
             "their float32 epoch.",
             f"The package against their float32 epoch directly: {against_theirs[0]:.2g} of the change (largest "
             f"difference {against_theirs[1]:.2g})."]
    return {"stage": "t", "rows": spec["rows"], "batchSize": spec["batchSize"], "student": student, "unkd": unkd,
            "distances": {name: {"relative": d, "largestAbsolute": m} for name, (d, m) in measured.items()},
            "packageAgainstTheirFloat32": {"relative": against_theirs[0], "largestAbsolute": against_theirs[1]},
            "meanLoss": losses, "roundingFactor": EPOCH_ROUNDING_FACTOR, "agree": agree,
            "file": "t-unkd" if unkd else "t",
            "summary": report_table("t", f"one epoch of training{' with UnKD' if unkd else ''} from the same parameters "
                                         "on the same rows", header, table, verdict, notes)}


# ------------------------------------------------------------------------------------------- main

def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--authors", required=True, type=Path, help="the authors' UnKD/ folder")
    parser.add_argument("--export", required=True, type=export_folder, help="the export folder")
    parser.add_argument("--stages", type=letters("abcdst"), default="abcdst", help="which stages to run (default abcdst)")
    parser.add_argument("--users", type=integer(1), default=None, help="stage b: only the first N users (default all)")
    parser.add_argument("--work", type=Path, default=Path("/work/xc-work"),
                        help="work folder for the converted data (outside the repository)")
    parser.add_argument("--results", type=Path, default=REPOSITORY / "results" / "crosscheck")
    args = parser.parse_args()

    export = Export(args.export)
    authors = Authors(args.authors, export, args.work, Settings(seed=export.seed, split_group=2))
    results_dir = args.results / export.stage_folder
    print(f"export {export.folder} ({export.users} users, {export.items} items); authors' code {AUTHORS_COMMIT[:7]}; "
          f"work folder {authors.work}")
    teacher = authors.teacher()
    stages = {"a": lambda: stage_a(authors, export),
              "b": lambda: stage_b(authors, export, teacher, args.users),
              "c": lambda: stage_c(authors, export, teacher),
              "d": lambda: stage_d(authors, export, teacher),
              "s": lambda: stage_s(authors, export, teacher),
              "t": lambda: stage_t(authors, export, teacher)}
    for stage in args.stages:
        started = time.time()
        summaries = stages[stage]()
        for summary in summaries if isinstance(summaries, list) else [summaries]:
            summary.update(export=str(export.folder), splitFingerprint=export.manifest["splitFingerprint"],
                           authorsCommit=AUTHORS_COMMIT)
            summary.setdefault("seconds", round(time.time() - started, 1))
            name = summary.pop("file", stage)
            save(results_dir, name, summary)
            print(f"  -> {results_dir / f'stage-{name}.json'} ({summary['seconds']} s)")


if __name__ == "__main__":
    try:
        main()
    except ExportError as error:
        sys.exit(f"compare.py: error: {error}")
