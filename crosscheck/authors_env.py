"""Runs the authors' own UnKD code (an unmodified copy of `UnKD/` at a known commit) on an export.

The authors' modules read their configuration from the command line when `world` is first imported, keep it in
module globals, expect CUDA, and read a pickled split and a teacher state dict from hard-coded places. `Authors`
prepares all of that from outside, without touching their files:

* converts the export into their pickle `{user_size, item_size, train_user_list, test_user_dict, valid_user_dict}`
  and the teacher into a state dict, written under a work folder where `world.DATA_PATH` / `world.FILE_PATH` point;
* sets `sys.argv` to the settings before importing `world` (their `parse_args` runs at import);
* makes `.cuda()` a no-op on tensors and modules, so everything runs on the CPU;
* sets `world.DISTILL` as their drivers do before importing `register`, whose import builds the `Loader`;
* sends their (copious) printing to a log file.

Only one `Authors` can exist per process, because their configuration is module-global.
"""

import contextlib
import copy
import hashlib
import io
import json
import os
import pickle
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

AUTHORS_COMMIT = "57abd1a327f6e282743c10618511f21718ef0232"

# Git blob ids, at AUTHORS_COMMIT, of the authors' files this cross-check imports.
AUTHORS_BLOBS = {
    "Procedure.py": "e346272e70a1489ac145490b2cf9377f3c5f09f7",
    "dataloader.py": "bb1a9e213169f7fa514bcbe116e50eb53086f137",
    "model.py": "87d39648cfab92a08179f6a24cdac3d04955cb1a",
    "parse.py": "a34b60d15d296fc089f1bd96879048bfb5188de6",
    "register.py": "9d340c726dc14b39a2129b1854312c70d278295a",
    "sample.py": "efab275e0dfbf387586d5dacc3916ae73ce41eb3",
    "utils.py": "ec139fa6500b966f7a2c04e236cfea9d1235cfe2",
    "world.py": "cc163af211265ba2f154a2acdfdfa1c291dc8c8e",
}

# The package's backbone names and the authors' model names (keys of `register.MODELS`).
MODEL_NAMES = {"mf": "BPRMF", "lightgcn": "LightGCN"}

# The teacher checkpoint name that `distill_new_api.py` builds: this fixed prefix, then `utils.getFileName(...)`.
TEACHER_FILE_PREFIX = "div_20220530_ndcg_lab-0.001-0.001-0.0-"

_created = False


def git_blob_id(path):
    """The id git gives a file's contents (sha1 of `blob <size>\\0<bytes>`)."""
    data = Path(path).read_bytes()
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def verify_authors(folder):
    """Checks that `folder` holds the authors' files exactly as at AUTHORS_COMMIT; raises otherwise."""
    folder = Path(folder)
    wrong = [name for name, blob in AUTHORS_BLOBS.items()
             if not (folder / name).is_file() or git_blob_id(folder / name) != blob]
    if wrong:
        raise SystemExit(f"{folder}: not the authors' UnKD/ at {AUTHORS_COMMIT[:7]} (differs: {', '.join(wrong)})")


def atomic_write_bytes(path, data):
    """Writes `data` to `path` through a temporary file and a rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")     # parallel runs may write the same file
    with open(temporary, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(temporary, path)


def atomic_write_json(obj, path):
    """Writes `obj` as indented JSON through a temporary file and a rename."""
    atomic_write_bytes(path, (json.dumps(obj, indent=2, sort_keys=False) + "\n").encode("utf-8"))


def atomic_torch_save(obj, path):
    """`torch.save` through a temporary file and a rename."""
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    atomic_write_bytes(path, buffer.getvalue())


@dataclass(frozen=True)
class Settings:
    """What the authors' command line would say for one run (their flag names in the comments)."""

    seed: int                       # --seed
    split_group: int = 2            # --split_group: K of the Loader's groups (UnKD training and TestAll)
    sampler: str = "UnKD"           # --sampler: UnKD, RD, CD, DE_RRD, HTD
    lr: float = 1e-3                # --lr
    decay: float = 1e-2             # --decay
    kd_weight: float = 1.0          # --kd_weight
    sample_num: int = 30            # --sample_num: UnKD pairs per user
    student_backbone: str = "mf"    # --model (via MODEL_NAMES)
    student_dim: int = 10           # --recdim
    student_layers: int = 0         # --layer (LightGCN students, and the LightGCN-based DE-RRD / HTD students)


class Authors:
    """The authors' modules, imported and configured for one export and one set of settings."""

    def __init__(self, authors_dir, export, work_root, settings, log_path=None):
        global _created
        if _created:
            raise RuntimeError("the authors' configuration is module-global: one Authors per process")
        _created = True
        self.authors_dir = Path(authors_dir).resolve()
        verify_authors(self.authors_dir)
        self.export = export
        self.settings = settings
        self.work = Path(work_root) / self.export_key(export)
        self.work.mkdir(parents=True, exist_ok=True)
        self.log = open(log_path or self.work / "authors.log", "a", encoding="utf-8")
        torch.set_num_threads(1)
        self._group_cache = {}
        self._prepare_files()
        self._import()

    @staticmethod
    def export_key(export):
        """A work sub-folder name unique to the export's contents."""
        digest = hashlib.sha1((export.folder / "manifest.json").read_bytes()).hexdigest()[:10]
        return f"{export.name}-seed{export.seed}-{digest}"

    # ------------------------------------------------------------------ files

    @property
    def dataset_name(self):
        return self.export.manifest["dataset"]

    @property
    def datasetpkl(self):
        return f"xc-{self.export.manifest['splitFingerprint'][:16]}"

    @property
    def teacher_spec(self):
        return self.export.manifest["teacher"]

    @property
    def teacher_model_name(self):
        return MODEL_NAMES[self.teacher_spec["backbone"]]

    def _prepare_files(self):
        """Writes the pickle and the teacher state dict where the authors' code looks for them (once)."""
        pkl = self.work / "data" / self.dataset_name / f"{self.datasetpkl}.pkl"
        if not pkl.exists():
            e = self.export
            split = {
                "user_size": e.users,
                "item_size": e.items,
                "train_user_list": [list(items) for items in e.train],
                "test_user_dict": {u: list(items) for u, items in e.test.items()},
                "valid_user_dict": {u: list(items) for u, items in e.validation.items()},
            }
            atomic_write_bytes(pkl, pickle.dumps(split))
        self.pickle_path = pkl
        (self.work / "checkpoints").mkdir(exist_ok=True)
        (self.work / "log").mkdir(exist_ok=True)

    def teacher_state(self):
        """The exported teacher as a state dict of the authors' BPRMF / LightGCN."""
        return {"embedding_user.weight": torch.from_numpy(self.export.array("teacher-user")),
                "embedding_item.weight": torch.from_numpy(self.export.array("teacher-item"))}

    def argv(self):
        s, t = self.settings, self.teacher_spec
        return ["crosscheck",
                "--dataset", self.dataset_name, "--datasetpkl", self.datasetpkl,
                "--model", MODEL_NAMES[s.student_backbone], "--recdim", str(s.student_dim),
                "--layer", str(s.student_layers),
                "--teacher_model", self.teacher_model_name, "--teacher_dim", str(t["dimension"]),
                "--teacher_layer", str(t.get("layers", 0)),
                "--split_group", str(s.split_group), "--sampler", s.sampler, "--seed", str(s.seed),
                "--lr", repr(s.lr), "--decay", repr(s.decay), "--kd_weight", repr(s.kd_weight),
                "--sample_num", str(s.sample_num), "--epochs", "1000", "--comment", "crosscheck"]

    # ---------------------------------------------------------------- imports

    def _import(self):
        sys.argv = self.argv()
        sys.path.insert(0, str(self.authors_dir))
        torch.Tensor.cuda = lambda tensor, *args, **kwargs: tensor
        torch.nn.Module.cuda = lambda module, *args, **kwargs: module
        with self.quiet():
            import world
            world.DATA_PATH = str(self.work / "data")
            world.FILE_PATH = str(self.work / "checkpoints")
            world.BOARD_PATH = str(self.work / "runs")
            world.LOG_PATH = str(self.work / "log")
            world.DISTILL = False
            import dataloader
            import model
            import Procedure
            import register
            import sample
            import utils
        self.world, self.dataloader, self.model, self.utils = world, dataloader, model, utils
        self.Procedure, self.sample, self.register = Procedure, sample, register
        teacher_file = TEACHER_FILE_PREFIX + utils.getFileName(
            world.teacher_model_name, world.datasetpkl, world.config["teacher_dim"],
            layers=world.config["teacher_layer"])
        self.teacher_path = Path(world.FILE_PATH) / teacher_file
        if not self.teacher_path.exists():
            atomic_torch_save(self.teacher_state(), self.teacher_path)

    @contextlib.contextmanager
    def quiet(self):
        """Sends whatever the authors' code prints (and its warnings) to the log file."""
        with contextlib.redirect_stdout(self.log), contextlib.redirect_stderr(self.log):
            yield
        self.log.flush()

    # ------------------------------------------------------------- data, models

    @property
    def dataset(self):
        """The `Loader` that `register` built, with `--split_group` groups."""
        return self.register.dataset

    def split_group(self, k):
        """Their `Loader.splitGroup` on the training data for K = k (item_group, group_ratio, user_group_ratio,
        user_group_items), called as `Loader.__init__` calls it. It is slow on real data (tens of seconds per K), so
        each result is kept in the work folder, which is specific to the export."""
        if k not in self._group_cache:
            d = self.dataset
            cached = self.work / f"splitGroup-K{k}.pkl"
            if k == self.world.config["split_group"]:
                result = (d.item_group, d.group_ratio, d.user_group_ratio, d.user_group_items)
            elif cached.exists():
                result = pickle.loads(cached.read_bytes())
            else:
                with self.quiet():
                    result = d.splitGroup(d.trainUser.tolist(), d.trainItem.tolist(), d.n_users, d.m_items, k)
                atomic_write_bytes(cached, pickle.dumps(result))
            self._group_cache[k] = copy.deepcopy(result)
        return copy.deepcopy(self._group_cache[k])

    def dataset_with_groups(self, k):
        """A shallow copy of the Loader whose groups are those of K = k (what rebuilding it with
        `--split_group=k`, as their test.py does, would give), leaving the original untouched."""
        d = copy.copy(self.dataset)
        d.item_group, d.group_ratio, d.user_group_ratio, d.user_group_items = self.split_group(k)
        d.popular_group, d.unpopular_group = d.item_group[0], d.item_group[1]
        return d

    def teacher(self):
        """The teacher as `distill_new_api.py` builds it: their model class, teacher config, eval mode, loaded."""
        w = self.world
        with self.quiet():
            teacher = self.register.MODELS[w.teacher_model_name](
                self.utils.getTeacherConfig(w.config), self.dataset, fix=True)
            teacher.eval()
            self.utils.load(teacher, str(self.teacher_path))
        return teacher

    def student(self, teacher=None):
        """A fresh student as `distill_new_api.py` builds it (BPRMFExpert for DE_RRD, HTD for HTD, else --model)."""
        w = self.world
        with self.quiet():
            if w.SAMPLE_METHOD == "DE_RRD":
                return self.register.MODELS["BPRMFExpert"](w.config, self.dataset, teacher)
            if w.SAMPLE_METHOD == "HTD":
                return self.register.MODELS["HTD"](w.config, self.dataset, teacher)
            return self.register.MODELS[w.model_name](w.config, self.dataset)

    def fresh_model(self, backbone, dimension, layers):
        """A fresh model of the authors' class for a backbone ("mf" or "lightgcn") with the given size."""
        config = dict(self.world.config, latent_dim_rec=dimension, lightGCN_n_layers=layers)
        with self.quiet():
            return self.register.MODELS[MODEL_NAMES[backbone]](config, self.dataset)

    def evaluate(self, model, valid, dataset=None):
        """Their evaluation of `model` on the validation (valid=True) or test users: `Procedure.Test` for the overall
        measures at `world.topks`, then `Procedure.TestAll` on its top lists for the group measures of
        `dataset.item_group` (default: the K = 2 groups). Returned in the shape of the package's EvaluationReport;
        `recallEligibleUsers` (not in their code) is TestAll's group recall times the number of evaluated users
        divided by the number of users with held-out items in the group."""
        dataset = dataset or self.dataset_with_groups(2)
        excludes_validation = not valid and self.export.manifest["protocol"] == "paper-text"
        with self.quiet(), self.ranking_excludes_validation(dataset, excludes_validation):
            results, other = self.Procedure.Test(dataset, model, 0, valid=valid)
            groups = self.Procedure.TestAll(dataset, other["rankdict"], 0, valid=valid)
        truth = dataset.validDict if valid else dataset.testDict
        users = len(truth)
        eligible = [sum(1 for items in truth.values() if set(items) & set(members)) for members in dataset.item_group]
        names = ["popular", "unpopular"] if len(dataset.item_group) == 2 else \
            [f"group {g}" for g in range(len(dataset.item_group))]
        report = {"users": users, "overall": [], "groups": []}
        for c, n in enumerate(self.world.topks):
            report["overall"].append({"n": n, **{m: float(results[m][c]) for m in ("recall", "ndcg", "precision")}})
            for g, name in enumerate(names):
                recall = float(groups["recallbygroup"][c][g])
                report["groups"].append({
                    "group": name, "n": n, "recall": recall,
                    "recallEligibleUsers": recall * users / eligible[g] if eligible[g] else 0.0,
                    "eligibleUsers": eligible[g], "precision": float(groups["precisionbygroup"][c][g])})
        return report

    @staticmethod
    @contextlib.contextmanager
    def ranking_excludes_validation(dataset, active):
        """Under the paper-text protocol every user has validation and test items, and ranking for the test must leave
        out the user's validation items as well as the training items (the package's `Evaluator` does). Their
        `Procedure.Test` leaves out what `getUserPosItems` returns, the training items only: their own split never
        gives a test user validation items. While `active`, this answers it with training and validation items."""
        if not active:
            yield
            return
        training, validation = dataset.getUserPosItems, dataset.validDict
        dataset.getUserPosItems = lambda users: [list(items) + list(validation.get(int(user), []))
                                                 for user, items in zip(users, training(users))]
        try:
            yield
        finally:
            del dataset.getUserPosItems

    @staticmethod
    def set_embeddings(model, users, items):
        """Overwrites a model's ego embeddings (`embedding_user` / `embedding_item`) with float32 arrays."""
        with torch.no_grad():
            model.embedding_user.weight.copy_(torch.from_numpy(np.ascontiguousarray(users, dtype=np.float32)))
            model.embedding_item.weight.copy_(torch.from_numpy(np.ascontiguousarray(items, dtype=np.float32)))
