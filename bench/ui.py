"""UI benchmark: from ``qa serve`` process start to the page being ready and the first answer.

For each run a fresh ``python -m qa.cli serve`` process is started over an index of the shipped
articles (``data/articles``, built once beforehand, not timed) and three instants are taken,
all measured from the moment the process was started:

* ``ready``: the server answers ``GET /config`` (the page can load);
* ``first_answer``: the first ``/ask`` call through Gradio's HTTP API has returned its JSON;
* ``cold_build_first_answer`` (one extra run): the same with no index, so ``serve`` builds it.

Target: ``ready`` ≤ 5 s with the shipped index. Results go to ``bench/results/ui.json``.

Example usage::

    python bench/ui.py --runs 5
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, RESULTS, log, machine_info, percentiles, write_results  # noqa: E402

QUESTION = "متى وقعت ليبيا مع تركيا؟"
READY_TARGET_S = 5.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_ready(url: str, proc: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited with status {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "/config", timeout=2):
                return
        except (urllib.error.URLError, OSError):
            if time.monotonic() > deadline:
                raise SystemExit(f"the server was not ready after {timeout:.0f}s") from None
            time.sleep(0.05)


def _ask(url: str, question: str) -> dict:
    """One ``/ask`` call through Gradio's plain HTTP API (POST, then read the event stream)."""
    request = urllib.request.Request(
        url + "/gradio_api/call/ask", data=json.dumps({"data": [question]}).encode(),
        headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        event_id = json.load(response)["event_id"]
    with urllib.request.urlopen(f"{url}/gradio_api/call/ask/{event_id}", timeout=60) as stream:
        event = None
        for raw in stream:
            line = raw.decode("utf-8").strip()
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:") and event == "complete":
                return json.loads(json.loads(line[5:])[0])
            elif line.startswith("data:") and event == "error":
                raise SystemExit(f"/ask failed: {line[5:].strip()}")
    raise SystemExit("/ask returned no result")


def _run(data_dir: Path, index_dir: Path, timeout: float) -> dict:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "qa.cli", "serve", "--data", str(data_dir), "--index", str(index_dir),
         "--port", str(port)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_ready(url, proc, timeout)
        ready = time.perf_counter() - started
        answer = _ask(url, QUESTION)
        first_answer = time.perf_counter() - started
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
    if not answer.get("citations"):
        raise SystemExit(f"the first answer cites nothing: {answer}")
    return {"ready_s": round(ready, 3), "first_answer_s": round(first_answer, 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="Warm-index runs. Default: 5.")
    parser.add_argument("--data", type=Path, default=ROOT / "data" / "articles",
                        help="Articles to serve. Default: the shipped data/articles.")
    parser.add_argument("--timeout", type=float, default=120.0, help="Seconds to wait for ready.")
    parser.add_argument("--out", type=Path, default=RESULTS / "ui.json", help="Results file.")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="qa-bench-ui-") as tmp:
        data = Path(tmp) / "articles"
        shutil.copytree(args.data, data)
        cold = _run(data, Path(tmp) / "index", args.timeout)  # serve builds the index itself
        log(f"cold (index built by serve): {cold}")
        runs = []
        for i in range(args.runs):
            runs.append(_run(data, Path(tmp) / "index", args.timeout))
            log(f"run {i + 1}/{args.runs}: {runs[-1]}")

    ready = percentiles([r["ready_s"] * 1000 for r in runs])
    answered = percentiles([r["first_answer_s"] * 1000 for r in runs])
    results = {
        "benchmark": "ui",
        "what": "seconds from `qa serve` process start to ready (GET /config) and to the first "
                "/ask answer, over an index of the shipped articles",
        "question": QUESTION,
        "articles_dir": str(args.data.relative_to(ROOT) if args.data.is_relative_to(ROOT) else args.data),
        "runs": runs,
        "ready_ms": ready,
        "first_answer_ms": answered,
        "cold_build": cold,
        "target_ready_s": READY_TARGET_S,
        "meets_target": ready["p50_ms"] / 1000 <= READY_TARGET_S,
        "machine": machine_info(),
    }
    write_results(args.out, results)
    print(json.dumps({"ready_ms": ready, "first_answer_ms": answered, "cold_build": cold,
                      "meets_target": results["meets_target"]}, ensure_ascii=False))


if __name__ == "__main__":
    main()
