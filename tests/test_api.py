"""Programs ask through Gradio's API (`gradio_client`, endpoint `/ask`) and get the `qa ask` JSON
(as text: gradio_client would take the citations' "path" keys for files to download)."""

from __future__ import annotations

import json
import shutil
import socket
import urllib.error
import urllib.request

import pytest

from .conftest import SEEDS, TURKEY_ITALY, run_qa
from .test_ui_browser import running_server

pytestmark = pytest.mark.xdist_group("api-server")

CONTRACT = {"question", "language", "found", "answer", "dates", "citations"}
CITATION_FIELDS = {"n", "rank", "score", "article_id", "path", "title", "published", "source",
                   "chunk_id", "start", "end", "text"}
NEW_ARTICLE = """الجزائر وليبيا توقعان اتفاقية لإعادة فتح المعبر الحدودي
تاريخ النشر: 12 سبتمبر 2024
المصدر: وكالة الاختبار
وقعت الجزائر وليبيا اتفاقية لإعادة فتح معبر الدبداب غدامس الحدودي أمام المسافرين والبضائع.
"""


@pytest.fixture(scope="module")
def api_server(tmp_path_factory):
    root = tmp_path_factory.mktemp("api")
    data = root / "articles"
    shutil.copytree(SEEDS, data)
    run_qa("index", "--data", str(data), "--index", str(root / "index"), check=True)
    with running_server(data, root / "index") as url:
        yield url, data, root / "index"


def test_ask_endpoint_is_named_and_returns_the_ask_contract(api_server):
    from gradio_client import Client

    url, _, index_dir = api_server
    client = Client(url, verbose=False)
    assert "/ask" in client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    result = json.loads(client.predict("When did Libya sign with Italy?", api_name="/ask"))
    assert CONTRACT <= set(result)
    assert result["question"] == "When did Libya sign with Italy?" and result["language"] == "en"
    assert result["found"] is True and result["citations"]
    for citation in result["citations"]:
        assert CITATION_FIELDS <= set(citation)
        assert f"[{citation['n']}]" in result["answer"]
    assert any(c["path"] == TURKEY_ITALY for c in result["citations"])
    cli = run_qa("ask", "--index", str(index_dir), "--json", "When did Libya sign with Italy?", check=True)
    expected = json.loads(cli.stdout)
    assert result["answer"] == expected["answer"] and result["dates"] == expected["dates"]


def test_the_server_follows_an_index_updated_by_another_process(api_server):
    from gradio_client import Client

    url, data, index_dir = api_server
    (data / "algeria.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    run_qa("index", "--data", str(data), "--index", str(index_dir), check=True)
    result = json.loads(Client(url, verbose=False).predict(
        "متى وقعت الجزائر وليبيا اتفاقية إعادة فتح المعبر؟", api_name="/ask"))
    assert any(c["path"] == "algeria.txt" for c in result["citations"])


def test_login_is_required_when_auth_is_set(tmp_path):
    from gradio_client import Client

    data = tmp_path / "articles"
    shutil.copytree(SEEDS, data)
    with running_server(data, tmp_path / "index", "--auth", "analyst:s3cret") as url:
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(url + "/gradio_api/info", timeout=10)
        assert refused.value.code in (401, 403)
        result = json.loads(Client(url, auth=("analyst", "s3cret"), verbose=False).predict(
            "متى وقعت ليبيا مع تركيا؟", api_name="/ask"))
        assert result["found"] is True


def test_the_server_listens_on_localhost_only_by_default(api_server):
    import psutil

    url, _, _ = api_server
    port = int(url.rsplit(":", 1)[1])
    others = [a.address for addrs in psutil.net_if_addrs().values() for a in addrs
              if a.family == socket.AF_INET and not a.address.startswith("127.")]
    if not others:
        pytest.skip("this machine has no non-loopback IPv4 address to try")
    for address in others:
        with socket.socket() as sock:
            sock.settimeout(2)
            assert sock.connect_ex((address, port)) != 0, f"reachable on {address}:{port}"
