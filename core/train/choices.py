"""The base models a person can pick, each with what it needs and how it fits this machine.

One row per registry model (sized with the form's own settings: 4-bit, batch, length), the CPU
demo, and any other model folder found on this machine. A downloaded model is picked by its
folder in the workspace, so a run never needs the network; the rest by their hub id.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from core.errors import StudioError
from core.models.hardware import Machine, gib
from core.models.local import LocalModel, find_local
from core.models.registry import FAMILIES, Family, HubModel, hub_models
from core.train.backends import has_package
from core.train.config import TrainConfig
from core.train.estimate import estimate_memory
from core.train.fit import DEMO_MODEL, Fit, for_model, gpu_class, judge


@dataclass(frozen=True)
class Choice:
    """One model of the picker."""

    base_model: str  # what the form's base model field becomes
    label: str
    family: Family
    params: int | None
    download: int | None  # bytes on the hub, for a registry model
    gated: bool
    needs: str  # what it trains on, in words
    fit: Fit  # on this machine
    local: LocalModel | None  # its copy on this machine, if any
    hub_id: str | None = None  # where to download it from

    @property
    def state(self) -> str:
        """On this machine: downloaded | 62% downloaded | built here | ''."""
        if self.family.key == "demo":
            return "built here"
        if self.local is None:
            return ""
        return "downloaded" if self.local.complete else f"{self.local.share:.0%} downloaded"


def gpu_backend() -> str:
    """The backend auto picks on a CUDA machine."""
    return "unsloth" if has_package("unsloth") else "hf"


def needs_text(cfg: TrainConfig) -> str:
    """'a 16 GB GPU with unsloth (14.8 GB); a 48 GB GPU with hf (40.9 GB)'."""
    sizes = {b: estimate_memory(cfg, backend=b).total for b in ("unsloth", "hf")}
    if gpu_class(sizes["unsloth"]) == gpu_class(sizes["hf"]):
        return f"{gpu_class(sizes['hf'])} with unsloth or hf ({gib(sizes['hf'])})"
    return "; ".join(f"{gpu_class(n)} with {b} ({gib(n)})" for b, n in sizes.items())


def fit_here(cfg: TrainConfig, workspace: Path, machine: Machine) -> Fit:
    """How `cfg` fits this machine: on its best GPU, or (without one) only as the demo."""
    gpu = machine.best_gpu
    if gpu is not None:
        est = estimate_memory(cfg, workspace, gpu_backend())
        return judge(est, (gpu.free, f"the {gpu.name}"), cfg.base_model)
    est = estimate_memory(cfg, workspace, "cpu")
    return Fit(
        "no GPU", "no CUDA GPU here: CPU: demo only (a GPU model on a CPU takes days)", est.total
    )


def hub_choice(
    cfg: TrainConfig, fam: Family, model: HubModel, workspace: Path, machine: Machine, local: list
) -> Choice:
    """The row of a registry model: its workspace folder once downloaded, else its hub id."""
    copy = find_local(local, model.hub_id)
    base = model.hub_id
    if copy is not None and copy.complete and copy.source == "workspace":
        base = "workspace/" + copy.path.relative_to(workspace).as_posix()
    sized = for_model(cfg, model.hub_id, fam)
    return Choice(
        base,
        model.label,
        fam,
        model.arch.total_params(),
        model.download_bytes,
        model.gated,
        f"{needs_text(sized)} · {fam.hardware}",
        fit_here(sized, workspace, machine),
        copy,
        model.hub_id,
    )


def demo_choice(cfg: TrainConfig, workspace: Path) -> Choice:
    """The CPU demo: built from the bundled corpus, trains anywhere in about a minute."""
    fam = FAMILIES["demo"]
    est = estimate_memory(for_model(cfg, DEMO_MODEL, fam), workspace, "cpu")
    fit = Fit("fits", f"fits: about {gib(est.total)} of memory", est.total)
    return Choice(DEMO_MODEL, "CPU demo", fam, None, None, False, fam.hardware, fit, None)


def other_choice(cfg: TrainConfig, model: LocalModel, workspace: Path, machine: Machine) -> Choice:
    """A model folder that is not a registry model (a copy, a fine-tune, a twin)."""
    fam = FAMILIES.get(model.family or "") or FAMILIES["llama"]
    sized = for_model(cfg, str(model.path), fam)
    try:
        fit, needs = fit_here(sized, workspace, machine), needs_text(sized)
    except StudioError as err:
        fit, needs = Fit("unknown", err.message), "unknown"
    label = model.name if model.family else f"{model.name} (family unknown)"
    return Choice(str(model.path), label, fam, model.params, None, False, needs, fit, model)


def choices(
    cfg: TrainConfig, workspace: Path, machine: Machine, local: list[LocalModel]
) -> list[Choice]:
    """The demo, every registry model, then the other complete model folders found here."""
    rows = [demo_choice(cfg, workspace)]
    rows += [hub_choice(cfg, f, m, workspace, machine, local) for f, m in hub_models()]
    known = {m.hub_id.lower() for _, m in hub_models()}
    demo = (workspace / DEMO_MODEL.removeprefix("workspace/")).resolve()
    rows += [
        other_choice(cfg, m, workspace, machine)
        for m in local
        if m.complete and m.name.lower() not in known and m.path.resolve() != demo
    ]
    return rows


def find_choice(rows: list[Choice], base_model: str) -> Choice:
    """The row whose base model (or hub id) is `base_model`; StudioError when none is."""
    found = next((r for r in rows if base_model in (r.base_model, r.hub_id)), None)
    if found is None:
        raise StudioError(
            f"no model {base_model!r} in the list", hint="press Refresh and pick again"
        )
    return found


def downloadable(row: Choice) -> bool:
    """Whether Download has something to do for the row (a hub model not fully here)."""
    return row.hub_id is not None and not (row.local is not None and row.local.complete)
