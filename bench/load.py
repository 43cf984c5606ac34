"""Load benchmark: concurrent chat sessions against the real Gradio server on 127.0.0.1.

Starts `qa serve` on a free port over a temporary copy of the shipped articles, then runs
SESSIONS concurrent sessions of QUESTIONS questions each through Gradio's HTTP API (the `/ask`
endpoint, as programs use it), first alone and then while a re-index of a growing folder runs in
another process. Traffic goes to 127.0.0.1 only; every loop is bounded in count and time.
Writes bench/results/load.json and the "load" key of bench/results/reliability.json.

Usage: python bench/load.py [--sessions 50] [--questions 10] [--timeout 600]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
QUESTIONS = [
    "متى وقعت ليبيا مع تركيا؟", "When did Libya sign with Turkey?", "أين التقى الدبيبة وزير الدفاع التركي؟",
    "Who heads the Stability government?", "ما الذي سمحت به بيلاروسيا للمواطنين الليبيين؟",
    "What areas does the military cooperation agreement between Libya and Italy cover?",
    "Did Libya sign a military agreement with France?", "من هو وزير الدفاع الليبي الذي وقع الاتفاقية مع إيطاليا؟",
]
EXTRA_ARTICLE = """خبر للاختبار رقم {n}
تاريخ النشر: {day} مايو 2023
بحث وزير الداخلية الليبي مع نظير أوروبي في طرابلس سبل التعاون في مكافحة الهجرة غير النظامية، في لقاء رقم {n}.
واتفق الجانبان على تبادل المعلومات وتدريب عناصر خفر السواحل.
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ask(client: httpx.Client, base: str, question: str) -> dict:
    """One question through Gradio's queue API: POST the call, then read its event stream."""
    event = client.post(f"{base}/gradio_api/call/ask", json={"data": [question]}).raise_for_status().json()
    with client.stream("GET", f"{base}/gradio_api/call/ask/{event['event_id']}") as stream:
        kind = None
        for line in stream.iter_lines():
            if line.startswith("event:"):
                kind = line.split(":", 1)[1].strip()
            elif line.startswith("data:") and kind in ("complete", "error"):
                if kind == "error":
                    raise RuntimeError(line)
                return json.loads(json.loads(line[5:].strip())[0])
    raise RuntimeError("the event stream ended without a result")


def _session(base: str, questions: int, offset: int, deadline: float) -> list[tuple[float, str | None]]:
    out: list[tuple[float, str | None]] = []
    with httpx.Client(timeout=120) as client:
        for i in range(questions):
            if time.monotonic() > deadline:
                out.append((float("nan"), "deadline"))
                continue
            question = QUESTIONS[(offset + i) % len(QUESTIONS)]
            started = time.perf_counter()
            try:
                answer = _ask(client, base, question)
                error = None if "answer" in answer else "no answer field"
            except Exception as exc:  # every failure counts; the benchmark reports it
                error = f"{type(exc).__name__}: {exc}"[:200]
            out.append((time.perf_counter() - started, error))
    return out


def _round(base: str, sessions: int, questions: int, budget: float) -> dict:
    deadline = time.monotonic() + budget
    started = time.perf_counter()
    with ThreadPoolExecutor(sessions) as pool:
        results = list(pool.map(lambda n: _session(base, questions, n, deadline), range(sessions)))
    wall = time.perf_counter() - started
    flat = [r for session in results for r in session]
    latencies = np.array([t for t, e in flat if e is None])
    errors = [e for _, e in flat if e is not None]
    pct = (lambda q: round(float(np.percentile(latencies, q)) * 1000, 1)) if len(latencies) else (lambda q: None)
    return {
        "sessions": sessions, "questions_per_session": questions, "requests": len(flat),
        "ok": int(len(latencies)), "errors": len(errors), "error_samples": errors[:5],
        "latency_ms": {"p50": pct(50), "p95": pct(95), "p99": pct(99)},
        "wall_seconds": round(wall, 2), "throughput_per_second": round(len(latencies) / wall, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--questions", type=int, default=10)
    parser.add_argument("--timeout", type=float, default=600, help="seconds allowed per round")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="qa-load-"))
    data, index = work / "articles", work / "index"
    shutil.copytree(ROOT / "data" / "articles", data)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False"}
    server = subprocess.Popen([sys.executable, "-m", "qa.cli", "serve", "--data", str(data), "--index", str(index),
                               "--port", str(port)], env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(240):
            try:
                if httpx.get(f"{base}/config", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        else:
            raise SystemExit("the server did not start within 120 s")
        alone = _round(base, args.sessions, args.questions, args.timeout)
        print("alone:", json.dumps(alone), file=sys.stderr)

        # The same load while `qa index` re-indexes a growing folder in another process.
        stop = threading.Event()
        reindexes: list[float] = []

        def reindex() -> None:
            n = 0
            while not stop.is_set() and n < 20:
                n += 1
                (data / f"extra-{n}.txt").write_text(EXTRA_ARTICLE.format(n=n, day=1 + n % 28), encoding="utf-8")
                started = time.perf_counter()
                subprocess.run([sys.executable, "-m", "qa.cli", "index", "--data", str(data), "--index", str(index),
                                "--wait", "60"], cwd=ROOT, capture_output=True, timeout=300)
                reindexes.append(time.perf_counter() - started)

        writer = threading.Thread(target=reindex, daemon=True)
        writer.start()
        during = _round(base, args.sessions, args.questions, args.timeout)
        stop.set()
        writer.join(timeout=300)
        during["reindex_runs"] = len(reindexes)
        print("during re-index:", json.dumps(during), file=sys.stderr)
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(work, ignore_errors=True)

    result = {"benchmark": "load", "target": "127.0.0.1 only", "cores": os.cpu_count(),
              "load_average_at_end": os.getloadavg(), "alone": alone, "during_reindex": during}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "load.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    reliability = RESULTS / "reliability.json"
    if reliability.exists():
        merged = json.loads(reliability.read_text(encoding="utf-8"))
        merged["load"] = result
        reliability.write_text(json.dumps(merged, indent=2, ensure_ascii=False), encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
