"""Reliability benchmark: SIGKILL trials on `qa index` and hypothesis fuzzing at full size.

Writes ``bench/results/reliability.json``::

    {"kill": {trials, failures, outcomes, ...}, "fuzz": {examples, crashes, targets, ...},
     "load": <kept from the previous file; another engineer's bench fills it>, "machine": {...}}

Usage:
    python bench/reliability.py [--trials 50] [--examples-per-target 1500] [--seed N]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "reliability.json"


def machine() -> dict:
    info = {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count()}
    try:
        info["load_average"] = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        pass
    return info


def run_kills(trials: int, seed: int) -> dict:
    from tests.test_crash_safety import run_kill_trials

    with tempfile.TemporaryDirectory(prefix="qa-kill-") as tmp:
        return run_kill_trials(Path(tmp), trials, seed=seed, log=lambda line: print(line, file=sys.stderr))


def run_fuzz(per_target: int) -> dict:
    os.environ["QA_FUZZ_EXAMPLES"] = str(per_target)
    import tests.test_fuzz as fuzz

    targets = [name for name in dir(fuzz) if name.startswith("test_") and hasattr(getattr(fuzz, name), "hypothesis")]
    crashes: list[dict] = []
    seconds: dict[str, float] = {}
    for name in targets:
        started = time.perf_counter()
        try:
            getattr(fuzz, name)()
        except BaseException as exc:  # noqa: BLE001 - a falsifying example is the finding
            if isinstance(exc, KeyboardInterrupt):
                raise
            crashes.append({"target": name, "error": f"{type(exc).__name__}: {exc}"[:2000],
                            "traceback": traceback.format_exc()[-3000:]})
        seconds[name] = round(time.perf_counter() - started, 1)
        print(f"fuzz {name}: {seconds[name]}s", file=sys.stderr)
    return {
        "examples": sum(fuzz.EXAMPLES.values()),
        "examples_by_target": dict(fuzz.EXAMPLES),
        "max_examples_per_target": per_target,
        "crashes": len(crashes),
        "crash_details": crashes,
        "seconds_by_target": seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, default=50, help="SIGKILL trials (default 50)")
    parser.add_argument("--examples-per-target", type=int, default=1500,
                        help="hypothesis max_examples per fuzz target (the question target runs a tenth)")
    parser.add_argument("--seed", type=int, default=int(time.time()) % 100000, help="seed of the kill trials")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    started = time.perf_counter()
    previous = json.loads(args.out.read_text()) if args.out.exists() else {}
    result = {"machine": machine(), "load": previous.get("load")}
    t0 = time.perf_counter()
    result["kill"] = run_kills(args.trials, args.seed)
    result["kill"]["failed_trials"] = len(result["kill"]["failures"])
    t1 = time.perf_counter()
    result["fuzz"] = run_fuzz(args.examples_per_target)
    result["fuzz"]["seconds"] = round(time.perf_counter() - t1, 1)
    result["seconds"] = {"kill": round(t1 - t0, 1), "fuzz": result["fuzz"]["seconds"],
                         "total": round(time.perf_counter() - started, 1)}
    result["machine"]["load_average_at_end"] = machine().get("load_average")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({"kill_trials": result["kill"]["trials"], "kill_failures": result["kill"]["failed_trials"],
                      "fuzz_examples": result["fuzz"]["examples"], "fuzz_crashes": result["fuzz"]["crashes"]}))


if __name__ == "__main__":
    main()
