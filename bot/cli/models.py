"""`smolcord models list|pull|info`: see the model registry, download hub models into the model cache."""

from __future__ import annotations

import argparse
from dataclasses import fields

from bot.cli import CliError
from bot.settings import load_settings


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("models", help="list, inspect and download the models smolcord can use")
    actions = parser.add_subparsers(dest="models_command", metavar="ACTION", required=True)

    listing = actions.add_parser("list", help="every model per task, its size and whether it is downloaded")
    listing.add_argument("--task", help="only this task (summarization, text_generation, classification, embedding)")
    listing.set_defaults(func=_list)

    pull = actions.add_parser("pull", help="download a model from the Hugging Face hub into the model cache")
    pull.add_argument("key", help="model key, e.g. distilbart (see: smolcord models list)")
    pull.add_argument("--task", help="the task, when the key exists in more than one")
    pull.set_defaults(func=_pull)

    info = actions.add_parser("info", help="every field of one model")
    info.add_argument("key", help="model key, e.g. distilbart")
    info.add_argument("--task", help="the task, when the key exists in more than one")
    info.set_defaults(func=_info)


def _registry(settings):
    from sml_config import ModelConfigError, UnknownModelError, load_registry

    try:
        return load_registry(settings.models_file)
    except (ModelConfigError, UnknownModelError) as exc:
        raise CliError(str(exc)) from None


def find_spec(registry, key: str, task: str | None = None):
    """The one spec named `key` (in `task` if given); CliError lists the choices otherwise."""
    from sml_config import UnknownModelError, normalize_key

    if task is not None:
        try:
            return registry.spec(task, key)
        except UnknownModelError as exc:
            raise CliError(str(exc)) from None
    matches = [spec for spec in registry.list() if normalize_key(spec.key) == normalize_key(key)]
    if not matches:
        keys = ", ".join(sorted({spec.key for spec in registry.list()}))
        raise CliError(f"unknown model {key!r}: choose one of {keys}")
    if len(matches) > 1:
        tasks = ", ".join(spec.task for spec in matches)
        raise CliError(f"model {key!r} exists for several tasks ({tasks}): add --task")
    return matches[0]


def _size(value: float, unit: str) -> str:
    if value <= 0:
        return "-"
    if unit == "M" and value >= 1000:
        return f"{value / 1000:.1f}B"
    if unit == "MB" and value >= 1000:
        return f"{value / 1000:.1f} GB"
    return f"{value:g}{unit}" if unit == "M" else f"{value:.0f} {unit}"


def downloaded_label(spec, cache_dir) -> str:
    from agents.loading import is_downloaded

    if not spec.needs_weights:
        return "n/a"
    if spec.is_remote:
        return "remote"
    if spec.is_local:
        return "local"
    return "yes" if is_downloaded(spec, cache_dir) else "no"


def backend_label(spec) -> str:
    """The spec's backend, with the pip extra to install when its package is missing."""
    from agents.backends import backend_installed, pip_extra

    if backend_installed(spec.backend):
        return spec.backend
    return f"{spec.backend} (not installed: pip install 'smolcord[{pip_extra(spec.backend)}]')"


def _list(args: argparse.Namespace) -> int:
    from sml_config import UnknownModelError

    settings = load_settings()
    registry = _registry(settings)
    try:
        specs = registry.list(args.task)
    except UnknownModelError as exc:
        raise CliError(str(exc)) from None
    header = ("TASK", "KEY", "DEFAULT", "FAMILY", "BACKEND", "PARAMS", "DISK", "RAM(fp32)", "DOWNLOADED", "SOURCE")
    rows = [header]
    for spec in specs:
        rows.append(
            (
                spec.task,
                spec.key,
                "*" if registry.default_key(spec.task) == spec.key else "",
                spec.family,
                backend_label(spec) if spec.needs_weights else "-",
                _size(spec.params_m, "M"),
                _size(spec.disk_mb, "MB"),
                _size(spec.ram_mb, "MB"),
                downloaded_label(spec, settings.model_cache_dir),
                spec.name if spec.needs_weights else "(no weights)",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header) - 1)]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)) + "  " + row[-1])
    print(f"\nmodel cache: {settings.model_cache_dir}  (* = the task's default; download with: smolcord models pull KEY)")
    return 0


def _info(args: argparse.Namespace) -> int:
    from agents.loading import converted_gguf_dir, weight_source
    from agents.runtime import ModelError

    settings = load_settings()
    registry = _registry(settings)
    spec = find_spec(registry, args.key, args.task)
    remote_only = ("base_url", "api_model", "api_key_env", "concurrency", "request_timeout_s")
    for field in fields(spec):
        if field.name in remote_only and not spec.is_remote:
            continue
        value = getattr(spec, field.name)
        if field.name == "backend":
            value = backend_label(spec)
        if field.name == "generation":
            value = ", ".join(f"{k}={v}" for k, v in value.items()) or "-"
        print(f"{field.name:15} {value if value not in (None, '') else '-'}")
    print(f"{'default':15} {'yes' if registry.default_key(spec.task) == spec.key else 'no'}")
    print(f"{'resolves to':15} {spec.name}")
    print(f"{'downloaded':15} {downloaded_label(spec, settings.model_cache_dir)}")
    if spec.needs_weights and not spec.is_remote:
        try:
            source = weight_source(spec)
        except ModelError as exc:
            print(f"{'problem':15} {exc}")
        else:
            if source.kind == "gguf" and spec.backend == "transformers":
                from pathlib import Path

                folder = converted_gguf_dir(Path(source.location), settings.model_cache_dir)
                state = "done" if (folder / ".complete").exists() else "on first load (~20 s)"
                print(f"{'conversion':15} {state}: {folder}")
    return 0


def _pull(args: argparse.Namespace) -> int:
    from agents.loading import check_pullable, pull
    from agents.runtime import ModelError

    settings = load_settings()
    registry = _registry(settings)
    spec = find_spec(registry, args.key, args.task)
    if spec.needs_weights and spec.is_local:
        print(f"model '{spec.key}' is local ({spec.local_path}): nothing to download")
        return 0
    try:
        check_pullable(spec, offline=settings.offline)
        print(f"downloading '{spec.key}' ({spec.hub_id}) into {settings.model_cache_dir} ...")
        folder = pull(spec, settings.model_cache_dir, offline=settings.offline)
    except ModelError as exc:
        raise CliError(str(exc)) from None
    print(f"model '{spec.key}' is ready: {folder}")
    return 0
