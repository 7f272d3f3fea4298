"""Playground tab: chat with a run's model (base, adapter or merged), streamed token by token,
with the AutoHotkey v2 checker's verdict under each answer.

The model loads in the model worker (core.evaluate.worker, a child process) on the first message
and stays loaded there for the next ones; the studio's process never imports torch, and a crash
of the worker is a message in the chat.
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import gradio as gr

from core.ahk.answer import answer_code, shown_verdict
from core.errors import StudioError
from core.evaluate import generate as gen
from core.evaluate.worker import shared_worker
from core.train.run_folder import run_path
from studio import render
from studio.context import StudioContext

KIND_LABELS = {"base": "base model", "adapter": "base + adapter", "merged": "merged model"}
VERDICT_LABELS = {
    "v2": "AutoHotkey v2",
    "v2 with errors": "AutoHotkey v2 with errors",
    "v1": "AutoHotkey v1 syntax",
    "mixed": "mixed v1 and v2",
    "unknown": "not recognisable as AutoHotkey",
}
MAX_DIAGNOSTICS = 3


# ---------------------------------------------------------------- models


def model_options(workspace: Path, run_id: str | None) -> tuple[list[tuple[str, str]], str | None]:
    """(choices, default) of the models a run offers: the fine-tuned one is the default."""
    if not run_id:
        return [], None
    available = gen.run_models(run_path(workspace, run_id)).available()
    choices = [(KIND_LABELS[k], k) for k in available]
    default = next((k for k in ("adapter", "merged") if k in available), "base")
    return choices, default


def model_note(workspace: Path, run_id: str | None) -> str:
    """Which folders the run's models come from, and what is missing."""
    if not run_id:
        return render.message("info", "Pick a run; train one in the Train tab first.")
    models = gen.run_models(run_path(workspace, run_id))
    missing = [k for k in ("adapter", "merged") if k not in models.available()]
    hint = f"not yet: {', '.join(missing)}" if missing else None
    return render.message("ok", f"base: {models.base}", hint)


# ---------------------------------------------------------------- answers


def verdict_note(answer: str) -> str:
    """The v2 checker's verdict on the code of an answer, as a short markdown block."""
    from core.ahk.check import check_source

    code = answer_code(answer)
    if not code.strip():
        return "*v2 checker: no code in this answer*"
    result = check_source(code)
    clean = result.verdict == "v2" and result.errors == 0
    shown_as = shown_verdict(result.verdict, result.errors)
    label = "clean AutoHotkey v2" if clean else VERDICT_LABELS.get(shown_as, shown_as)
    line = f"**v2 checker: {'✓' if clean else '✗'} {label}** · {result.errors} errors · {result.warnings} warnings"
    shown = [d for d in result.diagnostics if d.severity != "info"][:MAX_DIAGNOSTICS]
    details = "".join(f"\n- line {d.line}: {d.message} (`{d.code}`)" for d in shown)
    return line + ("\n" + details if details else "")


def answer_markdown(text: str) -> str:
    """An answer as markdown: bare code (what a model trained on snippets writes) gets a fence."""
    if "```" in text or not text.strip():
        return text or "*(no answer)*"
    return f"```autohotkey\n{text}\n```"


def display(history: list[dict]) -> list[dict]:
    """The chat as gr.Chatbot messages: reasoning folded away, verdict under each answer."""
    shown: list[dict] = []
    for turn in history:
        if turn["role"] == "user":
            shown.append({"role": "user", "content": turn["content"]})
            continue
        if turn.get("analysis"):
            shown.append(
                {
                    "role": "assistant",
                    "content": turn["analysis"],
                    "metadata": {"title": "Reasoning"},
                }
            )
        body = turn["note"] if turn.get("note") else answer_markdown(turn["content"])
        if turn.get("verdict"):
            body += "\n\n" + turn["verdict"]
        shown.append({"role": "assistant", "content": body})
    return shown


def conversation(system: str, history: list[dict]) -> list[dict]:
    """The messages the model sees: the system prompt, then the turns without display extras."""
    messages = [{"role": "system", "content": system.strip()}] if system.strip() else []
    return messages + [{"role": t["role"], "content": t["content"]} for t in history]


def respond(
    workspace: Path,
    run_id: str | None,
    kind: str | None,
    system: str,
    temperature: float,
    top_p: float,
    max_new_tokens: float,
    repetition_penalty: float,
    message: str,
    history: list[dict],
    *,
    session: str = "",
) -> Iterator[tuple[list[dict], list[dict]]]:
    """Stream the model's answer to `message`: yields (chat messages, history) as tokens arrive,
    and last the history with the answer and its checker verdict."""
    if not run_id or not kind:
        raise StudioError("pick a run and a model first")
    if not message.strip():
        raise StudioError("type a message first")
    settings = gen.GenerationSettings(
        max_new_tokens=int(max_new_tokens),
        temperature=float(temperature),
        top_p=float(top_p),
        repetition_penalty=float(repetition_penalty),
        seed=secrets.randbelow(2**31),
    )
    history = [*history, {"role": "user", "content": message.strip()}]
    waiting = {"role": "assistant", "content": "", "analysis": ""}
    yield display([*history, {**waiting, "note": "*loading the model…*"}]), history
    answer = dict(waiting)
    replies = shared_worker().request(
        "stream",
        key=session,
        run_dir=str(run_path(workspace, run_id)),
        kind=kind,
        messages=conversation(system, history),
        settings=dataclasses.asdict(settings),
    )
    for reply in replies:
        answer.update(analysis=reply["analysis"], content=reply["text"])
        yield display([*history, answer]), history
    answer["verdict"] = verdict_note(answer["content"])
    history = [*history, answer]
    yield display(history), history


def stop_answer(session: str = "") -> None:
    """Stop the answer being streamed for this session (at its next token)."""
    shared_worker().stop(session)


# ---------------------------------------------------------------- layout and wiring


def build(ctx: StudioContext) -> None:
    """The Playground tab."""
    with gr.Tab("Playground", id="playground", elem_id="tab-playground") as tab:
        ui = _layout(ctx)
        ui.tab = tab
        _wire(ctx, ui)


def shown_models(
    ui: SimpleNamespace, workspace: Path, run_id: str | None, kind: str | None
) -> dict:
    """The run picker, the model choice and the note, read again: the same run and model stay
    chosen while they exist."""
    runs = render.run_choices(workspace)
    run_id = render.pick_run(runs, run_id)
    return {
        ui.run: gr.Dropdown(choices=runs, value=run_id),
        **model_choice(ui, workspace, run_id, kind),
    }


def model_choice(
    ui: SimpleNamespace, workspace: Path, run_id: str | None, kind: str | None = None
) -> dict:
    """The model radio of a run (`kind` kept while the run offers it, else the fine-tuned
    model) and the note on where its models come from."""
    choices, default = model_options(workspace, run_id)
    kind = kind if kind in [value for _, value in choices] else default
    return {ui.kind: gr.Radio(choices=choices, value=kind), ui.note: model_note(workspace, run_id)}


def _layout(ctx: StudioContext) -> SimpleNamespace:
    ui = SimpleNamespace(history=gr.State([]))
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=280):
            ui.run = gr.Dropdown([], label="Run", elem_id="play-run")
            ui.kind = gr.Radio([], label="Model", elem_id="play-model")
            ui.refresh = gr.Button("Refresh runs", elem_id="play-refresh-runs", size="sm")
            ui.note = gr.HTML(elem_id="play-model-note")
            ui.system = gr.Textbox(
                gen.DEFAULT_SYSTEM, label="System prompt", lines=3, elem_id="play-system"
            )
            ui.temperature = gr.Slider(
                0,
                2,
                value=0.7,
                step=0.05,
                label="Temperature (0 = greedy)",
                elem_id="play-temperature",
            )
            ui.top_p = gr.Slider(
                0.05, 1, value=0.95, step=0.05, label="Top p", elem_id="play-top-p"
            )
            ui.max_new = gr.Slider(
                16, 4096, value=512, step=16, label="Max new tokens", elem_id="play-max-new-tokens"
            )
            ui.repetition = gr.Slider(
                1.0,
                2.0,
                value=1.1,
                step=0.05,
                label="Repetition penalty",
                elem_id="play-repetition",
            )
        with gr.Column(scale=3):
            ui.chat = gr.Chatbot(
                [],
                elem_id="play-chat",
                height=520,
                show_label=False,
                placeholder="Ask for an AutoHotkey v2 script, e.g. *a hotkey that types today's date*.",
            )
            ui.message = gr.Textbox(  # one line that grows: Enter sends, Shift+Enter breaks
                placeholder="Write a message and press Enter (Shift+Enter for a new line)",
                show_label=False,
                lines=1,
                max_lines=8,
                elem_id="play-message",
            )
            with gr.Row():
                ui.send = gr.Button("Send", variant="primary", elem_id="play-send", size="md")
                ui.stop = gr.Button("Stop", variant="stop", elem_id="play-stop", size="md")
                ui.clear = gr.Button("Clear chat", elem_id="play-clear", size="md")
            ui.status = gr.HTML(elem_id="play-status")
    return ui


def _wire(ctx: StudioContext, ui: SimpleNamespace) -> None:
    private = {"api_visibility": "private"}
    quiet = {"api_visibility": "private", "show_progress": "hidden"}

    @render.guard("Playground")
    def on_send(request: gr.Request, *values):  # the values of `inputs`: respond's parameters
        session = (request.session_hash or "") if request else ""
        *_, message, history = values
        try:
            for shown, kept in respond(ctx.workspace, *values, session=session):
                yield {ui.chat: shown, ui.history: kept, ui.message: "", ui.status: ""}
        except Exception:  # the chat as before the turn that failed, the message kept to retry
            yield {ui.chat: display(history), ui.history: history, ui.message: message}
            raise

    @render.guard("Playground")
    def on_run(run_id):
        return model_choice(ui, ctx.workspace, run_id)

    @render.guard("Playground")
    def on_load():
        return shown_models(ui, ctx.workspace, None, None)

    def on_stop(request: gr.Request) -> None:
        stop_answer((request.session_hash or "") if request else "")

    inputs = [ui.run, ui.kind, ui.system, ui.temperature, ui.top_p, ui.max_new, ui.repetition]
    inputs += [ui.message, ui.history]
    outputs = [ui.chat, ui.history, ui.message, ui.status]
    # An error (no model, a worker that died) stays in the status line, not only in a toast.
    sent = render.settled(on_send, ui.status)
    gr.on([ui.send.click, ui.message.submit], sent, inputs, outputs, **private)
    ui.stop.click(on_stop, None, None, **quiet)
    ui.clear.click(lambda: ([], []), None, [ui.chat, ui.history], **quiet)
    ui.run.change(on_run, ui.run, [ui.kind, ui.note], **quiet)
    render.on_page_load(on_load, [ui.run, ui.kind, ui.note])
    # Runs trained or merged since the page opened show up on Refresh and when the tab opens.
    gr.on(
        [ui.refresh.click, ui.tab.select],
        render.guard("Refresh runs")(
            lambda run_id, kind: shown_models(ui, ctx.workspace, run_id, kind)
        ),
        [ui.run, ui.kind],
        [ui.run, ui.kind, ui.note],
        **quiet,
    )
