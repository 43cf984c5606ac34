"""English questions over Arabic passages: ARCD paragraphs, 41 ARCD questions put into English.

``bench/data/arcd_en.jsonl`` holds every 17th ARCD training question, translated by hand into the
self-contained English a reader would type (a pronoun becomes the subject it stands for); each
keeps its gold paragraph and, through ``arcd_question``, the Arabic gold answers. This script
writes them as a SQuAD-format file over all ARCD paragraphs and runs ``qa eval`` on it, so the
figures (paragraph recall, answer in the top quote, answered) are those of ``qa eval``.

Usage: python bench/crosslingual.py [--out /tmp/qa-eval-arcd-en]
Results: bench/results/eval-arcd-en.json (the summary of the report).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT))


def english_squad() -> dict:
    """ARCD's paragraphs with the English questions in place of the Arabic ones."""
    arcd = json.loads((SHARED / "eval" / "arcd-train.json").read_text(encoding="utf-8"))
    english = [json.loads(line) for line in (ROOT / "bench" / "data" / "arcd_en.jsonl").read_text(encoding="utf-8").splitlines()]
    by_number = {e["arcd_question"]: e for e in english}
    number = paragraph = 0
    for article in arcd["data"]:
        for p in article["paragraphs"]:
            paragraph += 1
            kept = []
            for qa in p["qas"]:
                item = by_number.get(number)
                if item is not None:
                    if item["paragraph"] != f"p{paragraph:05d}.txt":
                        raise SystemExit(f"arcd_en.jsonl: question {number} is not in {item['paragraph']}")
                    kept.append({**qa, "question": item["question"]})
                number += 1
            p["qas"] = kept
    return arcd


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("/tmp/qa-eval-arcd-en"))
    args = parser.parse_args()
    from qa.config import Settings
    from qa.evaluation import run_eval

    args.out.mkdir(parents=True, exist_ok=True)
    source = args.out / "arcd-en.json"
    source.write_text(json.dumps(english_squad(), ensure_ascii=False), encoding="utf-8")
    report = run_eval(source, settings=Settings(), out_dir=args.out)
    summary = {k: v for k, v in report["summary"].items() if k != "index_sync"}
    results = ROOT / "bench" / "results" / "eval-arcd-en.json"
    results.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(report["table"])


if __name__ == "__main__":
    main()
