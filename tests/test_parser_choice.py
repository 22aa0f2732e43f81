"""Who parses is chosen in one place (resources/parser_choice.py): `specmill build` and the
`dagster dev` code location get their `parser` resource from the same function."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

import definitions
from resources.parser_choice import ParserChoice, ParserChoiceError, parser_choice_from_environment, parser_resource
from resources.parsers import MineruLocalParser, MineruOutputParser
from resources.runpod.options import RunPodOptions
from resources.runpod.parser import RunPodParser
from specmill_cli.main import _parser, _parser_choice
from specmill_cli.pipeline import BuildOptions, build_graph

RUNPOD_ENV = {
    "RUNPOD_API_KEY": "key-123456", "RUNPOD_ENDPOINT_ID": "ep-1", "BUCKET_ENDPOINT_URL": "http://127.0.0.1:9",
    "BUCKET_NAME": "b", "BUCKET_ACCESS_KEY_ID": "id-123456", "BUCKET_SECRET_ACCESS_KEY": "secret-123456",
}


def test_each_backend_becomes_its_resource_with_the_settings_chosen():
    local = parser_resource(ParserChoice(tier="basic", ocr_mode="auto", mineru_home="/tmp/mh"))
    assert isinstance(local, MineruLocalParser) and (local.tier, local.ocr_mode, local.mineru_home) == ("basic", "auto", "/tmp/mh")
    existing = parser_resource(ParserChoice(backend="mineru-output", mineru_output="/data/out"))
    assert isinstance(existing, MineruOutputParser) and existing.path == "/data/out"
    remote = parser_resource(ParserChoice(backend="runpod", tier="advanced", runpod=RunPodOptions(endpoint_id="ep-1", max_attempts=5)))
    assert isinstance(remote, RunPodParser)
    assert (remote.endpoint_id, remote.tier, remote.max_attempts) == ("ep-1", "advanced", 5)


@pytest.mark.parametrize(
    ("choice", "says"),
    [
        (dict(backend="mineru-output"), "path of the existing output"),
        (dict(backend="runpod"), "RunPodOptions"),
        (dict(backend="tesseract"), "mineru-local, mineru-output, runpod"),
    ],
)
def test_a_choice_without_what_its_backend_needs_is_refused(choice, says):
    with pytest.raises(ParserChoiceError, match=says):
        ParserChoice(**choice)


def test_a_choice_crosses_process_boundaries_and_keys_a_cache():
    choice = ParserChoice(backend="runpod", tier="standard", runpod=RunPodOptions(endpoint_id="ep-1"))
    assert pickle.loads(pickle.dumps(choice)) == choice
    assert hash(BuildOptions(pdf=Path("a.pdf"), out=Path("o"), parser=choice)) == hash(BuildOptions(pdf=Path("a.pdf"), out=Path("o"), parser=choice))


def test_the_environment_chooses_for_the_code_location():
    assert parser_choice_from_environment({}) == ParserChoice()
    remote = parser_choice_from_environment({**RUNPOD_ENV, "SPECMILL_PARSER": "runpod", "SPECMILL_TIER": "advanced"})
    assert remote.backend == "runpod" and remote.tier == "advanced" and remote.runpod.endpoint_id == "ep-1"
    with pytest.raises(ParserChoiceError, match="SPECMILL_PARSER must be mineru-local or runpod"):
        parser_choice_from_environment({"SPECMILL_PARSER": "mineru-output"})


def test_the_code_location_builds_the_parser_the_environment_names(monkeypatch, tmp_path):
    for name, value in {**RUNPOD_ENV, "SPECMILL_PARSER": "runpod", "SPECMILL_OUT": str(tmp_path)}.items():
        monkeypatch.setenv(name, value)
    parser = definitions._resources_from_environment()["parser"]
    assert isinstance(parser, RunPodParser) and parser.endpoint_id == "ep-1" and parser.tier == "flash"


def test_the_command_line_chooses_and_build_graph_builds_that_parser(tmp_path, monkeypatch):
    def graph_parser(*flags: str):
        args = _parser().parse_args(["build", str(tmp_path / "a.pdf"), "--out", str(tmp_path / "out"), *flags])
        defs, instance = build_graph(BuildOptions(pdf=args.pdf, out=args.out, parser=_parser_choice(args)))
        instance.dispose()
        return defs.resources["parser"]

    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    local = graph_parser("--tier", "basic")
    assert isinstance(local, MineruLocalParser) and local.tier == "basic"
    assert local.mineru_home == str((tmp_path / "out" / ".dagster" / "mineru-home").resolve())
    existing = graph_parser("--mineru-output", "mineru-out")
    assert isinstance(existing, MineruOutputParser) and Path(existing.path).is_absolute()
    for name, value in RUNPOD_ENV.items():
        monkeypatch.setenv(name, value)
    remote = graph_parser("--backend", "runpod", "--runpod-attempts", "2")
    assert isinstance(remote, RunPodParser) and remote.max_attempts == 2
