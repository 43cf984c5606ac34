"""Calibrate the answerer's "on subject" thresholds (qa.answer.MIN_DENSE_*) on data.

Positives: ARCD questions asked of an index of ARCD paragraphs, and dev_qa's answerable questions
asked of the seed index; across languages also the 41 ARCD questions put into English
(bench/data/arcd_en.jsonl) asked of the ARCD index. Negatives: the same questions asked of the
other index, which does not hold their answers. For each threshold on the best passage's cosine similarity, reports the share
of positives kept and of negatives refused, per language pairing. Results:
bench/results/calibration.json.

Usage: python bench/calibrate.py [--every 3] [--workdir /tmp/qa-calibrate]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT))


def _arcd_index(workdir: Path) -> tuple[Path, list[str]]:
    from qa.store import sync

    data = json.loads((SHARED / "eval" / "arcd-train.json").read_text(encoding="utf-8"))
    folder = workdir / "arcd"
    folder.mkdir(parents=True, exist_ok=True)
    questions = []
    with (folder / "arcd.jsonl").open("w", encoding="utf-8") as out:
        for article in data["data"]:
            for n, paragraph in enumerate(article["paragraphs"], 1):
                out.write(json.dumps({"title": f"{article['title']} — {n}", "text": paragraph["context"]},
                                     ensure_ascii=False) + "\n")
                questions += [q["question"].strip().lstrip("-").strip() for q in paragraph["qas"]]
    sync(folder, workdir / "arcd-index")
    return workdir / "arcd-index", questions


def _seed_index(workdir: Path) -> Path:
    from qa.store import sync

    shutil.copytree(ROOT / "data" / "articles", workdir / "seeds", dirs_exist_ok=True)
    sync(workdir / "seeds", workdir / "seed-index")
    return workdir / "seed-index"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--every", type=int, default=3, help="use every Nth ARCD question (default 3)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/qa-calibrate"))
    args = parser.parse_args()

    from qa import Assistant
    from qa.arabic import detect_language

    args.workdir.mkdir(parents=True, exist_ok=True)
    arcd_dir, arcd_questions = _arcd_index(args.workdir)
    seeds_dir = _seed_index(args.workdir)
    arcd, seeds = Assistant.open(arcd_dir), Assistant.open(seeds_dir)
    dev = [json.loads(line) for line in (SHARED / "eval" / "dev_qa.jsonl").read_text(encoding="utf-8").splitlines()]

    def best(assistant: Assistant, question: str) -> float:
        hits = assistant.search(question, 3)
        return max((h.dense for h in hits), default=0.0)

    samples: dict[str, dict[str, list[float]]] = {"same": {"pos": [], "neg": []}, "cross": {"pos": [], "neg": []}}
    for question in arcd_questions[:: args.every]:
        samples["same"]["pos"].append(best(arcd, question))
        samples["same"]["neg"].append(best(seeds, question))
    for item in dev:
        pairing = "same" if detect_language(item["question"]) == "ar" else "cross"
        if item["answerable"]:
            samples[pairing]["pos"].append(best(seeds, item["question"]))
        else:
            samples[pairing]["neg"].append(best(seeds, item["question"]))
        samples[pairing]["neg"].append(best(arcd, item["question"]))
    english = [json.loads(line)["question"] for line in
               (ROOT / "bench" / "data" / "arcd_en.jsonl").read_text(encoding="utf-8").splitlines()]
    for question in english:
        samples["cross"]["pos"].append(best(arcd, question))
        samples["cross"]["neg"].append(best(seeds, question))

    table = {}
    for pairing, groups in samples.items():
        pos, neg = np.array(groups["pos"]), np.array(groups["neg"])
        table[pairing] = {
            "positives": len(pos), "negatives": len(neg),
            "thresholds": [
                {"threshold": round(float(t), 3),
                 "positives_kept": round(float((pos >= t).mean()), 3) if len(pos) else None,
                 "negatives_refused": round(float((neg < t).mean()), 3) if len(neg) else None}
                for t in np.arange(0.70, 0.86, 0.01)
            ],
        }
    out = ROOT / "bench" / "results" / "calibration.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(table, indent=2), encoding="utf-8")
    for pairing, result in table.items():
        print(f"{pairing}: {result['positives']} positives, {result['negatives']} negatives")
        for row in result["thresholds"]:
            print(f"  {row['threshold']:.2f}  kept {row['positives_kept']}  refused {row['negatives_refused']}")


if __name__ == "__main__":
    main()
