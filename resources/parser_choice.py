"""Who parses a build's batches, chosen in one place for `specmill build` (specmill_cli) and for
the `dagster dev` code location (definitions.py): a `ParserChoice` says which backend and with
what settings, `parser_resource` turns it into the graph's `parser` resource. The asset never
knows which backend ran (a choice of resource, not an `if` in asset code).

No Dagster or backend import at module level: the CLI makes its choice, and checks it, before it
pays for the graph's imports."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, get_args

from specmill.errors import SpecmillError

if TYPE_CHECKING:
    from resources.parsers import ParserBackend
    from resources.runpod.options import RunPodOptions

ParserName = Literal["mineru-local", "mineru-output", "runpod"]
# What SPECMILL_PARSER may name: existing MinerU output is a command-line choice only.
ENVIRONMENT_PARSERS = ("mineru-local", "runpod")


class ParserChoiceError(SpecmillError):
    """A parser choice lacks what its backend needs, or names no backend (the message says which)."""


@dataclass(frozen=True)
class ParserChoice:
    """Which backend parses, and its settings. Picklable: `specmill build --jobs N` sends it to
    parse worker processes, which build the same resource from it."""

    backend: ParserName = "mineru-local"
    tier: str = "flash"
    ocr_mode: str = "txt"
    mineru_home: str | None = None  # mineru-local: MinerU's config folder; None: $DAGSTER_HOME/mineru-home
    mineru_output: str | None = None  # mineru-output: the existing output (a content list or a folder)
    runpod: RunPodOptions | None = None  # runpod: its settings; the secrets stay in the environment

    def __post_init__(self) -> None:
        if self.backend not in get_args(ParserName):
            raise ParserChoiceError(f"no parser backend {self.backend!r}: choose one of {', '.join(get_args(ParserName))}")
        if self.backend == "mineru-output" and not self.mineru_output:
            raise ParserChoiceError("the mineru-output backend needs the path of the existing output")
        if self.backend == "runpod" and self.runpod is None:
            raise ParserChoiceError("the runpod backend needs its options (RunPodOptions.from_env)")


def parser_resource(choice: ParserChoice) -> ParserBackend:
    """The `parser` resource for `choice`."""
    if choice.backend == "mineru-output":
        from resources.parsers import MineruOutputParser

        return MineruOutputParser(path=choice.mineru_output)
    if choice.backend == "runpod":
        assert choice.runpod is not None  # __post_init__ holds it
        return choice.runpod.parser(tier=choice.tier, ocr_mode=choice.ocr_mode)
    from resources.parsers import MineruLocalParser

    return MineruLocalParser(tier=choice.tier, ocr_mode=choice.ocr_mode, mineru_home=choice.mineru_home)


def parser_choice_from_environment(env: Mapping[str, str] | None = None) -> ParserChoice:
    """SPECMILL_PARSER: mineru-local (default) or runpod (settings in RUNPOD_* / BUCKET_* variables),
    with SPECMILL_TIER (default flash) and SPECMILL_OCR_MODE (default txt)."""
    env = os.environ if env is None else env
    backend = env.get("SPECMILL_PARSER", "mineru-local")
    if backend not in ENVIRONMENT_PARSERS:
        raise ParserChoiceError(f"SPECMILL_PARSER must be {' or '.join(ENVIRONMENT_PARSERS)}, not {backend!r}")
    runpod = None
    if backend == "runpod":
        from resources.runpod.options import RunPodOptions

        runpod = RunPodOptions.from_env(env)
    return ParserChoice(
        backend=backend,  # type: ignore[arg-type]
        tier=env.get("SPECMILL_TIER", "flash"),
        ocr_mode=env.get("SPECMILL_OCR_MODE", "txt"),
        runpod=runpod,
    )
