"""Start the studio: python launch.py [--host 127.0.0.1] [--port 7860] [--workspace DIR] ...

Binds 127.0.0.1 unless told otherwise and then asks for --auth; works offline (analytics and
telemetry off, no CDN assets); serves files from the corpus and the workspace only.
"""

from __future__ import annotations

import os

# Before gradio or huggingface_hub are imported: no version check, no telemetry.
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ.setdefault("DO_NOT_TRACK", "1")

import argparse
import ipaddress
from pathlib import Path

from core.errors import StudioError, cli_main
from core.workspace import CONFIG_DIR, SAMPLE_CORPUS, SAMPLE_ELEMENTS, workspace_root

LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Start the AHKv2 Finetune Studio in the browser.")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    parser.add_argument(
        "--workspace", help="where the studio writes everything (default ./workspace)"
    )
    parser.add_argument("--corpus", default=str(SAMPLE_CORPUS), help="folder of .ahk scripts")
    parser.add_argument("--elements-csv", default=str(SAMPLE_ELEMENTS), help="reference CSV")
    parser.add_argument(
        "--config", default=str(CONFIG_DIR / "cpu-demo.yaml"), help="training config YAML"
    )
    parser.add_argument(
        "--auth", metavar="USER:PASS", help="require this login (needed off-loopback)"
    )
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser tab")
    return parser.parse_args(argv)


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and the usual names for them."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_auth(host: str, auth: str | None) -> tuple[str, str] | None:
    """The (user, password) pair; required when the studio is reachable from other machines."""
    if auth is None:
        if not is_loopback(host):
            raise StudioError(
                f"--auth user:pass is required when binding {host}",
                hint="anyone on the network could otherwise drive the studio",
            )
        return None
    user, sep, password = auth.partition(":")
    if not sep or not user or not password:
        raise StudioError("--auth must look like user:password", where="--auth")
    return user, password


def resolve_folder(value: str, what: str) -> Path:
    path = Path(value).expanduser().resolve()
    if not path.is_dir():
        raise StudioError(f"{what} folder not found: {path}", where=f"--{what}")
    return path


@cli_main
def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    auth = parse_auth(args.host, args.auth)
    corpus = resolve_folder(args.corpus, "corpus")
    config = Path(args.config).expanduser().resolve()
    if not config.is_file():
        raise StudioError(f"config file not found: {config}", where="--config")
    workspace = workspace_root(args.workspace)
    # Gradio's own cache (uploads, downloads it prepares) lives in the workspace too.
    os.environ["GRADIO_TEMP_DIR"] = str(workspace / "cache" / "gradio")

    from studio.gradio_import import skip_import_docs

    skip_import_docs()  # before gradio is first imported (by studio.app)
    from studio.app import build_app, launch_options
    from studio.context import StudioContext

    ctx = StudioContext(
        workspace=workspace,
        corpus=corpus,
        elements_csv=Path(args.elements_csv).expanduser().resolve(),
        config_path=config,
    )
    demo = build_app(ctx)
    try:
        demo.launch(
            server_name=args.host,
            server_port=args.port,
            inbrowser=not args.no_browser,
            auth=auth,
            quiet=False,
            **launch_options(ctx),
        )
    except OSError as err:
        raise StudioError(
            f"cannot serve on {args.host}:{args.port}: {err}", hint="try --port"
        ) from None
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
