"""Garble-injection benchmark of name verification (not a test: it prints figures).

    .venv/bin/python -m benchmarks.garble_injection [--pages 10] [--corpus ../shared/corpus] [--out report.json]

Takes real clause files (the generated sample, and ODF 1.3 Part 2 from the corpus when present,
both parsed by MinerU flash and segmented by the real pipeline functions), injects OCR-style
garbles into real vocabulary names at recorded places — l<->1, rn<->m, cl<->d, a dropped or a
doubled letter, a case flip, and garbles that spell another real name of the same kind (algn ->
align) — runs verification against the real PDF, and compares the actionable findings with the
record: recall and precision (target >= 95% each) and how often the suggestion is the original.
It then applies the suggested corrections and verifies again: zero actionable findings remain."""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from schemas.verification_profile import VerificationRules
from schemas.vocabulary import Vocabulary, VocabularyName
from specmill.verify.corrections import correct_names, suggested_corrections
from specmill.verify.check import ClauseFile, NameIndex, verify_files
from specmill.verify.tokens import extract_name_tokens, xml_prefixes

GARBLE_TYPES = ("l_1", "rn_m", "cl_d", "drop", "double", "case", "collision")
_KIND_OF = {"element": {"element"}, "attribute": {"attribute"}}


@dataclass(frozen=True)
class Injection:
    file: str
    section: str
    original: str
    garbled: str
    kind: str
    garble_type: str
    start: int


def _swaps(name: str, seen: str, meant: str) -> list[str]:
    return [name[:i] + meant + name[i + len(seen):] for i in range(len(name)) if name.startswith(seen, i)]


def garble_candidates(name: str, garble_type: str, rng: random.Random) -> list[str]:
    """Every way one confusion of the given type can misspell `name`."""
    if garble_type == "l_1":
        return _swaps(name, "l", "1") + _swaps(name, "1", "l") + _swaps(name, "I", "1")
    if garble_type == "rn_m":
        return _swaps(name, "rn", "m") + _swaps(name, "m", "rn")
    if garble_type == "cl_d":
        return _swaps(name, "cl", "d") + _swaps(name, "d", "cl")
    if garble_type == "drop":
        return [name[:i] + name[i + 1:] for i in range(1, len(name)) if name[i].isalpha()]
    if garble_type == "double":
        return [name[:i + 1] + name[i] + name[i + 1:] for i in range(1, len(name)) if name[i].isalpha()]
    if garble_type == "case":
        return [name[:i] + name[i].swapcase() + name[i + 1:] for i in range(len(name)) if name[i].isalpha()]
    raise ValueError(garble_type)


def _neighbours(vocabulary: Vocabulary) -> dict[tuple[str, str], list[str]]:
    """(name, kind) -> other real names of the same kind that one OCR slip turns it into: one
    letter dropped, added or changed (`algn`/`align`), or an rn/m, cl/d, l/1 or case confusion."""
    from rapidfuzz import process
    from rapidfuzz.distance import Levenshtein

    from specmill.verify.check import confusion_key

    by_kind: dict[str, list[str]] = {}
    for entry in vocabulary.names:
        if entry.kind in ("element", "attribute") and len(entry.name) >= 3:
            by_kind.setdefault(entry.kind, [])
            if entry.name not in by_kind[entry.kind]:
                by_kind[entry.kind].append(entry.name)
    found: dict[tuple[str, str], list[str]] = {}
    for kind, names in by_kind.items():
        keyed: dict[str, list[str]] = {}
        for name in names:
            keyed.setdefault(confusion_key(name), []).append(name)
        for name in names:
            near = {other for other, _, _ in process.extract(name, names, scorer=Levenshtein.distance, score_cutoff=1, limit=None)}
            near |= set(keyed[confusion_key(name)])
            near.discard(name)
            if near:
                found[(name, kind)] = sorted(near)
    return found


def inject_garbles(
    files: Sequence[ClauseFile], vocabulary: Vocabulary, page_words: Callable[[int], frozenset[str]],
    *, seed: int = 7, per_file: int = 3, min_length: int = 4,
) -> tuple[list[ClauseFile], list[Injection], Vocabulary]:
    """Garble up to `per_file` distinct real names per file at single recorded occurrences.

    A garble is only placed where it is detectable in principle: the garbled spelling is not
    printed on the section's pages, and (except for collisions) is not itself a vocabulary name.
    Returns the garbled files, the record, and the vocabulary with any declared twins."""
    rng = random.Random(seed)
    known = {entry.name for entry in vocabulary.names}
    kinds = {}
    for entry in vocabulary.names:
        kinds.setdefault(entry.name, set()).add(entry.kind)
    twins = _neighbours(vocabulary)
    prefixes = set().union(*(xml_prefixes(f.markdown) for f in files)) | vocabulary.prefixes()
    out: list[ClauseFile] = []
    record: list[Injection] = []
    turn = collisions = 0
    declared: list[VocabularyName] = []
    for clause_file in files:
        if not clause_file.pages:
            out.append(clause_file)
            continue
        words = frozenset().union(*(page_words(p) for p in clause_file.pages))
        tokens = [
            t for t in extract_name_tokens(clause_file.markdown, known_prefixes=prefixes)
            if t.kind in ("element", "attribute") and len(t.name) >= min_length and t.name in words and t.kind in kinds.get(t.name, ())
        ]
        by_name: dict[tuple[str, str], list] = {}
        for token in tokens:
            by_name.setdefault((token.name, token.kind), []).append(token)
        chosen_names = list(by_name)
        rng.shuffle(chosen_names)
        text = clause_file.markdown
        edits = []
        used_spellings = {t.name for t in tokens}
        for name, kind in chosen_names[:per_file]:
            placed = None
            twin_options = [t for t in twins.get((name, kind), []) if t not in words and t not in used_spellings]
            if collisions * len(GARBLE_TYPES) <= len(record):
                # Every seventh garble spells another real name. Where the vocabulary has no real
                # twin of this name, one is declared (recorded in `twins_declared`): from the
                # verifier's side that is exactly a vocabulary with twins, like OOXML's algn/align.
                if not twin_options:
                    slips = [g for t in GARBLE_TYPES[:-1] for g in garble_candidates(name, t, rng)]
                    slips = [g for g in slips if g not in known and g not in words and g not in used_spellings and g[:1].isalpha()]
                    if slips:
                        twin = rng.choice(slips)
                        declared.append(VocabularyName(name=twin, kind=kind, source="benchmark-twin"))  # type: ignore[arg-type]
                        known.add(twin)
                        twin_options = [twin]
                if twin_options:
                    placed = ("collision", rng.choice(twin_options))
                    collisions += 1
            for attempt in range(len(GARBLE_TYPES) if placed is None else 0):
                garble_type = GARBLE_TYPES[(turn + attempt) % len(GARBLE_TYPES)]
                if garble_type == "collision":
                    options = twin_options
                else:
                    options = [g for g in garble_candidates(name, garble_type, rng) if g not in known and g not in words and g != name and g not in used_spellings]
                if options:
                    placed = (garble_type, rng.choice(options))
                    break
            if placed is None:
                continue
            turn += 1
            token = rng.choice(by_name[(name, kind)])
            used_spellings.add(placed[1])
            edits.append((token.start, token.end, placed[1]))
            record.append(Injection(clause_file.path, clause_file.section, name, placed[1], kind, placed[0], token.start))
        for start, end, garbled in sorted(edits, reverse=True):
            text = text[:start] + garbled + text[end:]
        out.append(replace(clause_file, markdown=text))
    vocabulary = vocabulary.model_copy(update={"names": vocabulary.names + declared}) if declared else vocabulary
    return out, record, vocabulary


def score(files, garbled_files, record, vocabulary, rules, page_words) -> dict:
    index = NameIndex(vocabulary, rules)
    baseline, _ = verify_files(files, vocabulary, rules, page_words, index=index)
    already = {(f.file, f.token) for f in baseline if f.status == "actionable"}
    started = time.perf_counter()
    findings, figures = verify_files(garbled_files, vocabulary, rules, page_words, index=index)
    seconds = time.perf_counter() - started
    predicted = {(f.file, f.token): f for f in findings if f.status == "actionable" and (f.file, f.token) not in already}
    truth = {(r.file, r.garbled): r for r in record}
    hits = predicted.keys() & truth.keys()
    right_suggestion = sum(1 for key in hits if predicted[key].suggestion == truth[key].original)
    by_type: dict[str, dict[str, int]] = {}
    for key, injection in truth.items():
        entry = by_type.setdefault(injection.garble_type, {"injected": 0, "found": 0})
        entry["injected"] += 1
        entry["found"] += key in hits
    # Apply the suggested corrections (as a profile would after vetting) and verify again.
    corrections = suggested_corrections(list(predicted.values()))
    prefixes = set().union(*(xml_prefixes(f.markdown) for f in garbled_files)) | vocabulary.prefixes()
    corrected_files = [
        replace(f, markdown=correct_names(f.markdown, corrections, section=f.section, file=f.path, known_prefixes=prefixes)[0])
        for f in garbled_files
    ]
    after, _ = verify_files(corrected_files, vocabulary, rules, page_words, index=index)
    remaining = [f for f in after if f.status == "actionable" and (f.file, f.token) not in already]
    restored = sum(1 for a, b in zip(files, corrected_files) if a.markdown == b.markdown)
    return {
        "injected": len(truth),
        "actionable_found": len(predicted),
        "true_positives": len(hits),
        "recall": round(len(hits) / len(truth), 4) if truth else None,
        "precision": round(len(hits) / len(predicted), 4) if predicted else None,
        "suggestion_is_original": round(right_suggestion / len(hits), 4) if hits else None,
        "by_garble_type": by_type,
        "missed": [asdict(truth[k]) for k in sorted(truth.keys() - hits)][:20],
        "false_positives": [predicted[k].model_dump() for k in sorted(predicted.keys() - truth.keys())][:20],
        "baseline_actionable": len(already),
        "actionable_after_corrections": len(remaining),
        "files_restored_exactly": f"{restored}/{len(files)}",
        "verify_seconds": round(seconds, 3),
        "tokens_checked": figures.tokens_checked,
        "pages_extracted": figures.pages_extracted,
    }


def build_tree(pdf: Path, out: Path):
    """Parse `pdf` with MinerU flash and write its clause tree under `out` (tree/ and tree.json)."""
    from schemas.profile import DocumentProfile
    from specmill.atomic import write_json_atomic
    from specmill.parse.mineru_local import ensure_mineru_home, parse_pages
    from specmill.parse.normalize import normalize_content_list
    from specmill.tree.segment import segment_blocks
    from specmill.source.describe import describe_source
    from specmill.source.textlayer import PdfTextLayer
    from specmill.tree.write import build_clause_tree

    ensure_mineru_home(out / "mineru-home")
    profile = DocumentProfile()
    source = describe_source(pdf, profile)
    content, _ = parse_pages(pdf, 0, source.page_count - 1, tier="flash", ocr_mode="txt")
    blocks = normalize_content_list(content)
    with PdfTextLayer(pdf) as text_layer:
        tree = segment_blocks(blocks, source.outline.entries, rules=profile.segmentation,
                              clause_id_patterns=profile.outline.clause_id_patterns, recover_text=text_layer.text_under)
    report = build_clause_tree(tree, out / "tree", document_title=pdf.stem)
    write_json_atomic(out / "tree.json", report)
    return report


def run_document(name: str, pdf: Path, schema_roots: list[Path], work: Path, *, seeds: int, per_file: int) -> list[dict]:
    """Build the document's tree once, then inject and score once per seed."""
    from specmill.verify import PdfPageWords, clause_files
    from specmill.vocabulary import load_vocabulary

    out = work / name
    report = build_tree(pdf, out)
    files = clause_files(out / "tree", report)
    loaded = load_vocabulary(schema_roots)
    rules = VerificationRules()
    results = []
    with PdfPageWords(pdf) as pages:
        for seed in range(seeds):
            garbled, record, vocabulary = inject_garbles(files, loaded, pages.words, seed=seed, per_file=per_file)
            result = score(files, garbled, record, vocabulary, rules, pages.words)
            twins = len(vocabulary.names) - len(loaded.names)
            results.append({"document": name, "seed": seed, "files": len(files), "vocabulary": loaded.counts(), "twins_declared": twins, **result})
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=10, help="pages of the generated sample")
    parser.add_argument("--corpus", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared" / "corpus")
    parser.add_argument("--seeds", type=int, default=3, help="injection rounds (different seeds) per document")
    parser.add_argument("--per-file", type=int, default=3)
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=None, help="write the JSON report here too")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="specmill-garble-"))
    from specmill.sample import generate_sample

    sample = generate_sample(work / "doc", pages=args.pages)
    documents = [("sample", Path(sample.pdf_path), [Path(sample.xsd_path)])]
    odf = args.corpus / "specs" / "odf13-packages"
    if odf.is_dir():
        documents.append(("odf13-packages", odf / "spec.pdf", [odf / "schemas"]))
    results = []
    for name, pdf, roots in documents:
        results.extend(run_document(name, pdf, roots, work, seeds=args.seeds, per_file=args.per_file))
    injected = sum(r["injected"] for r in results)
    hits = sum(r["true_positives"] for r in results)
    found = sum(r["actionable_found"] for r in results)
    summary = {
        "injected": injected, "true_positives": hits, "actionable_found": found,
        "recall": round(hits / injected, 4) if injected else None,
        "precision": round(hits / found, 4) if found else None,
        "actionable_after_corrections": sum(r["actionable_after_corrections"] for r in results),
        "runs": results,
    }
    text = json.dumps(summary, indent=2)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
