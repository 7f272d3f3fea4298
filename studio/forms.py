"""The training config as a form: one component per field of core.train.config's schema (label,
help and range written there), grouped in accordions, found by field name; the values read
back, checked and shown with each problem at its field; presets; config files saved from it."""

from __future__ import annotations

import re
from html import escape
from pathlib import Path
from typing import Any

import gradio as gr

from core.errors import StudioError
from core.train.config import (
    GROUPS,
    LORA_MODULES,
    PRESETS,
    SCHEMA,
    FieldSpec,
    Problem,
    TrainConfig,
    check_values,
    list_configs,
    preset_values,
    save_config,
)
from studio import render

SPECS: list[FieldSpec] = list(SCHEMA.values())
FORM_GROUPS = [group for group in GROUPS if any(s.group == group for s in SPECS)]
OPEN_GROUPS = ("model", "data", "schedule")
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,80}$")


# ---------------------------------------------------------------- the fields


def field_id(spec: FieldSpec) -> str:
    """The stable elem_id of a field: training.learning_rate -> train-field-training-learning-rate."""
    return "train-field-" + re.sub(r"[._]", "-", spec.key)


def field_info(spec: FieldSpec, problem: str | None = None) -> str:
    """The help under a field, its allowed range, and the validation problem when there is one."""
    allowed = spec.range_text()
    text = spec.help + (f" Allowed: {allowed}." if allowed else "")
    return f"⚠ {problem}. {text}" if problem else text


def display_value(spec: FieldSpec, value: Any) -> Any:
    """A config value as its form component shows it (None and unusable raw values become blank)."""
    if spec.kind in ("int", "float"):
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return value if ok else None
    if spec.kind == "bool":
        return bool(value) if isinstance(value, bool) else False
    if spec.kind == "list":
        return list(value) if isinstance(value, list) else []
    return "" if value is None else str(value)


def make_field(spec: FieldSpec) -> gr.components.Component:
    """The form component for one schema field (values arrive when the page loads)."""
    common: dict[str, Any] = {
        "label": spec.label,
        "info": field_info(spec),
        "elem_id": field_id(spec),
    }
    if spec.kind == "bool":
        return gr.Checkbox(**common)
    if spec.kind == "choice":
        return gr.Dropdown(list(spec.choices or ()), **common)
    if spec.kind == "list":
        choices = [*LORA_MODULES, "all-linear"]
        return gr.Dropdown(choices, multiselect=True, allow_custom_value=True, **common)
    if spec.kind in ("int", "float"):
        return gr.Number(precision=0 if spec.kind == "int" else None, **common)
    placeholder = "empty: none" if spec.optional else None
    return gr.Textbox(placeholder=placeholder, max_lines=1, **common)


def read_form(values: list[Any] | tuple[Any, ...]) -> dict[str, Any]:
    """The form's values (in schema order) as {dotted key: value}."""
    return {spec.key: value for spec, value in zip(SPECS, values, strict=True)}


def form_config(values: dict[str, Any]) -> TrainConfig:
    """The form's config; a StudioError naming each bad field when it has problems."""
    cfg, problems = check_values(values)
    if cfg is None:
        raise StudioError("; ".join(map(str, problems)), hint="fix the fields marked ⚠")
    return cfg


def field_updates(values: dict[str, Any] | None, problems: list[Problem]) -> list[dict]:
    """One gr.update per field: its value (when given) and its help, with the problem if any."""
    by_key = {p.key: p.message for p in problems}
    updates = []
    for spec in SPECS:
        problem = by_key.get(spec.key)
        update: dict[str, Any] = {
            "info": field_info(spec, problem),
            "elem_classes": ["field-error"] * bool(problem),
        }
        if values is not None:
            update["value"] = display_value(spec, values.get(spec.key))
        updates.append(gr.update(**update))
    return updates


def group_updates(problems: list[Problem]) -> list:
    """One update per form group: opened when one of its fields has a problem, else untouched."""
    bad = {SCHEMA[p.key].group for p in problems if p.key in SCHEMA}
    return [gr.Accordion(open=True) if group in bad else gr.skip() for group in FORM_GROUPS]


def problems_html(problems: list[Problem]) -> str:
    """Every problem of the form; the ones without a field of their own (unknown keys) too."""
    if not problems:
        return ""
    items = "".join(f"<li><code>{escape(p.key)}</code>: {escape(p.message)}</li>" for p in problems)
    head = f"{len(problems)} problem(s) in the config: fix the fields marked ⚠"
    return f'<div class="msg error">{escape(head)}<ul>{items}</ul></div>'


def apply_preset(values: dict[str, Any], name: str) -> dict[str, Any]:
    """The form's values with a preset's values applied."""
    return values | preset_values(name)


def preset_html(name: str | None) -> str:
    """What a preset does, in words."""
    if name not in PRESETS:
        return render.message("info", "Pick a preset to fill the form, or set each field below.")
    return render.message("info", PRESETS[name].description)


# ---------------------------------------------------------------- config files


def config_files(config_dir: Path, current: Path | None = None) -> list[tuple[str, str]]:
    """(label, path) of the training configs in `config_dir` (core.train.config.list_configs), plus
    `current` when it lies elsewhere."""
    found = [(path.name, str(path)) for path in list_configs(config_dir)]
    if current is not None and str(current) not in [p for _, p in found]:
        found.append((f"{Path(current).name} (given at launch)", str(current)))
    return found


def save_form(config_dir: Path, name: str, values: dict[str, Any], overwrite: bool) -> Path:
    """Write the form's config to `config_dir/<name>.yaml`; refuses to replace a file unless asked."""
    stem = (name or "").strip().removesuffix(".yaml")
    if not _NAME_RE.match(stem) or stem == "normalize":
        raise StudioError(
            f"not a usable config name: {name!r}",
            hint="letters, digits, dot, dash and underscore, e.g. my-run (normalize is taken)",
        )
    path = Path(config_dir) / f"{stem}.yaml"
    if path.exists() and not overwrite:
        raise StudioError(f"{path.name} exists already", hint="tick Overwrite to replace it")
    save_config(form_config(values), path)
    return path


# ---------------------------------------------------------------- layout


def build_form() -> tuple[list[gr.components.Component], list[gr.Accordion]]:
    """Every schema field (in schema order), and the accordions of FORM_GROUPS holding them."""
    made: dict[str, gr.components.Component] = {}
    accordions = []
    for group in FORM_GROUPS:
        title = GROUPS[group]
        specs = [s for s in SPECS if s.group == group]
        with gr.Accordion(
            title, open=group in OPEN_GROUPS, elem_id=f"train-group-{group}"
        ) as accordion:
            accordions.append(accordion)
            others = [s for s in specs if s.kind != "bool"]
            for start in range(0, len(others), 2):
                with gr.Row():
                    for spec in others[start : start + 2]:
                        made[spec.key] = make_field(spec)
            switches = [s for s in specs if s.kind == "bool"]
            for start in range(0, len(switches), 2):
                with gr.Row():
                    for spec in switches[start : start + 2]:
                        made[spec.key] = make_field(spec)
    return [made[spec.key] for spec in SPECS], accordions


def field_by_name(fields: list[gr.components.Component], key: str) -> gr.components.Component:
    """The form component of the config field `key` (found by its element id, not position)."""
    wanted = field_id(SCHEMA[key])
    return next(f for f in fields if f.elem_id == wanted)
