"""Stage e: train a student end to end with the authors' code on the exported split and teacher.

    OMP_NUM_THREADS=1 taskset -c N python3 run_authors.py --authors PATH/UnKD --export DIR --method UnKD --groups 4

The loop is the one of their drivers (`train_new_api.py` for Student, `distill_new_api.py` for UnKD, RD and CD):
their per-epoch procedure (`Procedure.BPR_train_DNS_neg` or `Procedure.Distill_DNS` with their sampler), every 5
epochs `Procedure.Test` on the validation users and their `EarlyStop` (NDCG@20, patience 20), at most 1000 epochs;
then the best checkpoint on the test users: `Procedure.Test` and `Procedure.TestAll` with the K = 2 popularity groups
(built separately when UnKD trains with another K, as their test.py does with --split_group=2).

The run is resumable: at every evaluation epoch the whole training state (student, optimiser, early stopping, epoch,
numpy / torch / Python RNG states, CD's fixed samples) is written atomically to the work folder, and a rerun with the
same arguments continues from it. The result is written atomically to
RESULTS/<dataset>-<protocol>/authors-<method>[-K<k>][-lightgcn-l<layers>]-seed<S>.json. `--backbone lightgcn` trains their
LightGCN as the student (one layer by default, as the package's LightGCN student); the teacher stays the export's.
"""

import argparse
import random
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))

from authors_env import AUTHORS_COMMIT, MODEL_NAMES, Authors, Settings, atomic_torch_save, atomic_write_json  # noqa: E402
from export_data import Export, ExportError  # noqa: E402
from options import export_folder, integer, real  # noqa: E402

REPOSITORY = Path(__file__).resolve().parent.parent
METHODS = ("Student", "UnKD", "RD", "CD")
EVALUATION_PERIOD = 5        # epochs between evaluations, as in their drivers
PATIENCE = 20                # evaluations, as in their drivers
MAX_EPOCHS = 1000            # their --epochs default


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--authors", required=True, type=Path, help="the authors' UnKD/ folder")
    parser.add_argument("--export", required=True, type=export_folder, help="the export folder")
    parser.add_argument("--method", required=True, choices=METHODS)
    parser.add_argument("--groups", type=integer(1, 10), default=4, help="UnKD's K (--split_group); default 4")
    parser.add_argument("--kd-weight", type=real(0), default=1.0, help="--kd_weight (default 1.0)")
    parser.add_argument("--sample-num", type=integer(1), default=30, help="UnKD pairs per user, --sample_num (default 30)")
    parser.add_argument("--seed", type=integer(0, 2**32 - 1), default=None, help="--seed (default: the export's seed)")
    parser.add_argument("--lr", type=real(0, low_open=True), default=1e-3, help="student learning rate (default 1e-3)")
    parser.add_argument("--decay", type=real(0), default=1e-2, help="student L2 decay (default 1e-2)")
    parser.add_argument("--dimension", type=integer(1), default=10, help="student dimension, --recdim (default 10)")
    parser.add_argument("--backbone", choices=sorted(MODEL_NAMES), default="mf",
                        help="the Student's model: mf (their BPRMF, default) or lightgcn (their LightGCN)")
    parser.add_argument("--layers", type=integer(1, 10), default=1, help="LightGCN student's layers, --layer (default 1)")
    parser.add_argument("--work", type=Path, default=Path("/work/xc-work"),
                        help="work folder for converted data and checkpoints (outside the repository)")
    parser.add_argument("--results", type=Path, default=REPOSITORY / "results" / "crosscheck")
    parser.add_argument("--max-epochs", type=integer(1), default=MAX_EPOCHS, help=argparse.SUPPRESS)
    return parser.parse_args()


def run_name(args, seed):
    """The result's name: authors-<method>[-K<k>][-lightgcn-l<layers>]-seed<S>."""
    k = f"-K{args.groups}" if args.method == "UnKD" else ""
    backbone = "" if args.backbone == "mf" else f"-{args.backbone}-l{args.layers}"
    return f"authors-{args.method}{k}{backbone}-seed{seed}"


class Run:
    """One training run with the authors' code, and its checkpoint."""

    def __init__(self, args):
        self.args = args
        self.export = Export(args.export)
        self.seed = self.export.seed if args.seed is None else args.seed
        self.name = run_name(args, self.seed)
        distills = args.method != "Student"
        self.settings = Settings(
            seed=self.seed, split_group=args.groups if args.method == "UnKD" else 2,
            sampler=args.method if distills else "UnKD", lr=args.lr, decay=args.decay, kd_weight=args.kd_weight,
            sample_num=args.sample_num, student_backbone=args.backbone, student_dim=args.dimension,
            student_layers=args.layers if args.backbone == "lightgcn" else 0)
        tag = f"lr{args.lr:g}-decay{args.decay:g}-kd{args.kd_weight:g}-n{args.sample_num}" \
            + (f"-l{self.settings.student_layers}" if args.backbone == "lightgcn" else "")
        self.folder = args.work / Authors.export_key(self.export) / "runs" / f"{self.name}-{tag}"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.authors = Authors(args.authors, self.export, args.work, self.settings,
                               log_path=self.folder / "authors.log")
        self.checkpoint_path = self.folder / "checkpoint.pt"
        self.result_path = args.results / self.export.name / f"{self.name}.json"

    def describe(self):
        """The settings that define the run (a checkpoint must have been written with the same)."""
        s = self.settings
        return {"method": self.args.method, "groups": self.args.groups if self.args.method == "UnKD" else None,
                "seed": s.seed, "lr": s.lr, "decay": s.decay, "kdWeight": s.kd_weight,
                "sampleNum": s.sample_num if self.args.method == "UnKD" else None,
                "student": {"backbone": s.student_backbone, "model": MODEL_NAMES[s.student_backbone],
                            "dimension": s.student_dim}
                | ({"layers": s.student_layers} if s.student_backbone == "lightgcn" else {}),
                "teacher": self.export.manifest["teacher"], "batchSize": self.authors.world.config["bpr_batch_size"],
                "evaluation": f"every {EVALUATION_PERIOD} epochs on the validation users, NDCG@20, "
                              f"patience {PATIENCE} evaluations (their EarlyStop)",
                "splitFingerprint": self.export.manifest["splitFingerprint"]}

    # ------------------------------------------------------------------ setup

    def build(self):
        """Builds teacher, student, sampler, optimiser and early stopping in the order of their drivers (so a fresh
        run consumes the RNGs as theirs does)."""
        a, w = self.authors, self.authors.world
        a.utils.set_seed(w.SEED)        # their drivers seed before the Loader; the Loader reseeds numpy only
        self.teacher = None
        if self.args.method == "Student":
            self.student = a.student()
            self.sampler = None
        else:
            if self.args.method == "UnKD":
                self.check_candidates()
            self.teacher = a.teacher()
            self.student = a.student(self.teacher)
            with a.quiet():
                self.sampler = a.register.SAMPLER[w.SAMPLE_METHOD](a.dataset, self.student, self.teacher, w.DNS_K)
        self.optimiser = torch.optim.Adam(self.student.parameters(), lr=w.config["lr"])
        self.loss = a.utils.BPRLoss(self.student, w.config, self.optimiser)
        with a.quiet():
            self.earlystop = a.utils.EarlyStop(patience=PATIENCE, model=self.student,
                                               filename=str(self.folder / "best.pth.tar"))
        self.epoch, self.seconds, self.finished, self.best_state, self.history = 0, 0.0, False, None, []

    def check_candidates(self):
        """Stops if some user has fewer than two candidates (group items not in the user's training items) in some
        group: there the authors' UnKD.KD_sampling redraws forever (one candidate) or torch.multinomial fails (none)."""
        d = self.authors.dataset
        short = 0
        for members in d.item_group:
            members = set(members)
            short += sum(1 for items in d.train_user_list if len(members) - len(members.intersection(items)) < 2)
        if short:
            raise SystemExit(f"UnKD with K={len(d.item_group)}: {short} (user, group) pairs have fewer than two "
                             f"candidates; the authors' KD_sampling would not terminate there")

    def sampler_state(self):
        """What a sampler fixes once and later epochs depend on: only CD's samples (UnKD's and RD's teacher
        rankings are deterministic and recomputed; their per-epoch samples are redrawn from the RNGs)."""
        return {"rank_samples": self.sampler.rank_samples.clone()} if self.args.method == "CD" else {}

    def save(self):
        state = {
            "run": self.describe(), "epoch": self.epoch, "finished": self.finished, "seconds": self.seconds,
            "history": self.history,
            "student": self.student.state_dict(), "optimiser": self.optimiser.state_dict(),
            "earlystop": {k: getattr(self.earlystop, k)
                          for k in ("suffer", "best", "mean", "sofar", "best_epoch", "best_result")},
            "best_state": self.best_state, "sampler": self.sampler_state(),
            "rng": {"numpy": np.random.get_state(), "torch": torch.get_rng_state(), "python": random.getstate()},
        }
        atomic_torch_save(state, self.checkpoint_path)

    def restore(self):
        """Continues from the checkpoint, if there is one; returns whether there was."""
        if not self.checkpoint_path.exists():
            return False
        state = torch.load(self.checkpoint_path, weights_only=False)
        if state["run"] != self.describe():
            raise SystemExit(f"{self.checkpoint_path} belongs to a run with other settings:\n{state['run']}")
        self.student.load_state_dict(state["student"])
        self.optimiser.load_state_dict(state["optimiser"])
        for key, value in state["earlystop"].items():
            setattr(self.earlystop, key, value)
        self.best_state = state["best_state"]
        if self.best_state is not None:
            self.earlystop.best_model = self.best_state
            atomic_torch_save(self.best_state, self.earlystop.filename)
        if self.args.method == "CD":
            self.sampler.rank_samples = state["sampler"]["rank_samples"]
        np.random.set_state(state["rng"]["numpy"])
        torch.set_rng_state(state["rng"]["torch"])
        random.setstate(state["rng"]["python"])
        self.epoch, self.seconds = state["epoch"], state["seconds"]
        self.finished, self.history = state["finished"], state["history"]
        return True

    # --------------------------------------------------------------- training

    def train(self):
        a = self.authors
        last_evaluation = time.time()
        epochs_since = 0
        while not self.finished and self.epoch < self.args.max_epochs:
            started = time.time()
            with a.quiet():
                if self.sampler is None:
                    a.Procedure.BPR_train_DNS_neg(a.dataset, self.student, self.loss, self.epoch + 1, None)
                else:
                    a.Procedure.Distill_DNS(a.dataset, self.student, self.sampler, self.loss, self.epoch + 1)
            self.epoch += 1
            epochs_since += 1
            self.seconds += time.time() - started
            if self.epoch % EVALUATION_PERIOD == 0 or self.epoch == self.args.max_epochs:
                with a.quiet():
                    results, other = a.Procedure.Test(a.dataset, self.student, self.epoch, valid=True)
                    self.finished = bool(self.earlystop.step(self.epoch, results, other))
                if self.earlystop.best_epoch == self.epoch:
                    self.best_state = {k: v.detach().clone() for k, v in self.student.state_dict().items()}
                per_epoch = (time.time() - last_evaluation) / epochs_since
                ndcg = float(results["ndcg"][-1])
                self.history.append([self.epoch, ndcg, round(per_epoch, 2)])
                self.save()
                print(f"epoch {self.epoch:4d}  valid NDCG@20 {ndcg:.6f}  {per_epoch:.1f} s/epoch  "
                      f"(best {self.earlystop.best:.6f} at epoch {self.earlystop.best_epoch}, "
                      f"{self.earlystop.suffer}/{PATIENCE} without improvement)", flush=True)
                last_evaluation, epochs_since = time.time(), 0

    # ------------------------------------------------------------- evaluation

    def evaluate(self):
        """The best checkpoint on the validation and test users; group measures with K = 2."""
        a = self.authors
        a.utils.load(self.student, self.earlystop.filename)
        evaluation = a.dataset_with_groups(2)
        validation = a.evaluate(self.student, True, evaluation)
        test = a.evaluate(self.student, False, evaluation)
        at10 = {m["group"]: m for m in test["groups"] if m["n"] == 10}
        overall10 = next(m for m in test["overall"] if m["n"] == 10)
        summary = {"recall": overall10["recall"], "ndcg": overall10["ndcg"],
                   "popularRecall": at10["popular"]["recall"], "unpopularRecall": at10["unpopular"]["recall"],
                   "popularRecallEligibleUsers": at10["popular"]["recallEligibleUsers"],
                   "unpopularRecallEligibleUsers": at10["unpopular"]["recallEligibleUsers"]}
        result = {"name": self.name, "settings": self.describe(), "export": str(self.export.folder),
                  "authorsCommit": AUTHORS_COMMIT, "bestEpoch": self.earlystop.best_epoch,
                  "epochsRun": self.epoch, "earlyStopped": self.finished, "maxEpochs": self.args.max_epochs,
                  "trainingSeconds": round(self.seconds, 1),
                  "validationNdcg20AtBest": self.earlystop.best, "testAt10": summary,
                  "validation": validation, "test": test, "history": self.history}
        atomic_write_json(result, self.result_path)
        return result


def main():
    args = parse_arguments()
    run = Run(args)
    print(f"{run.name}: authors' code {AUTHORS_COMMIT[:7]}, export {run.export.folder}, work {run.folder}")
    print(f"settings: lr {args.lr:g}, decay {args.decay:g}, kd_weight {args.kd_weight:g}, "
          f"sample_num {args.sample_num}, K {run.settings.split_group}, seed {run.seed}, "
          f"student {MODEL_NAMES[args.backbone]} d={args.dimension}"
          + (f" layers {run.settings.student_layers}" if args.backbone == "lightgcn" else "")
          + f", max epochs {args.max_epochs}", flush=True)
    run.build()
    if run.restore():
        print(f"resumed at epoch {run.epoch} (best {run.earlystop.best:.6f} at epoch {run.earlystop.best_epoch})",
              flush=True)
    run.train()
    if run.finished:
        print(f"early stop: best epoch {run.earlystop.best_epoch}", flush=True)
    result = run.evaluate()
    t = result["testAt10"]
    print(f"test @10: Recall {t['recall']:.6f}  NDCG {t['ndcg']:.6f}  popular recall {t['popularRecall']:.6f}  "
          f"unpopular recall {t['unpopularRecall']:.6f}  (best epoch {result['bestEpoch']}, "
          f"{result['epochsRun']} epochs, {result['trainingSeconds']} s)\n-> {run.result_path}")


if __name__ == "__main__":
    try:
        main()
    except ExportError as error:
        sys.exit(f"run_authors.py: error: {error}")
