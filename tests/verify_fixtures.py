"""Shared, built-once inputs of the verification tests: the generated sample and ODF 1.3 Part 2,
parsed by MinerU flash and written as clause trees by the real pipeline functions."""

from __future__ import annotations

from pathlib import Path

_BUILT: dict[str, Path] = {}


def built_sample(root: Path) -> tuple[Path, Path, Path]:
    """(pdf, xsd, out dir with tree/, tree.json, source.json, pages.json) of the 10-page sample; the
    tree is also packed as the clause_tree stage stores it (TREE_DIR)."""
    if "sample" not in _BUILT:
        from benchmarks.garble_injection import build_tree
        from resources.store_base import is_packed
        from schemas.artifacts import PROFILE, TREE_DIR
        from specmill.profiles.select import select_profile
        from specmill.atomic import write_bytes_atomic, write_json_atomic
        from specmill.sample import generate_sample
        from specmill.source.describe import read_source
        from specmill.tree.pack import pack_tree

        document = generate_sample(root / "doc", pages=10)
        out = root / "out"
        build_tree(Path(document.pdf_path), out)
        if is_packed(TREE_DIR):  # as the clause_tree stage stores it
            tree = out / "tree"
            files = {path.relative_to(tree).as_posix(): path.read_bytes() for path in sorted(tree.rglob("*")) if path.is_file()}
            write_bytes_atomic(out / TREE_DIR, pack_tree(files))
        selection = select_profile(None, Path(document.pdf_path))  # what source_pdf chooses and records
        source, page_text = read_source(Path(document.pdf_path), selection.profile)
        write_json_atomic(out / "source.json", source)
        write_json_atomic(out / "pages.json", page_text)
        write_json_atomic(out / PROFILE, selection.record())
        _BUILT["sample"] = root
    base = _BUILT["sample"]
    return base / "doc" / "sample-spec.pdf", base / "doc" / "sample-spec.xsd", base / "out"


def built_odf(root: Path, corpus: Path) -> tuple[Path, Path, Path]:
    if "odf" not in _BUILT:
        from benchmarks.garble_injection import build_tree

        build_tree(corpus / "specs" / "odf13-packages" / "spec.pdf", root / "out")
        _BUILT["odf"] = root
    return corpus / "specs" / "odf13-packages" / "spec.pdf", corpus / "specs" / "odf13-packages" / "schemas", _BUILT["odf"] / "out"
