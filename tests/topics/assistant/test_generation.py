"""The optional summary against a fake OpenAI-compatible server: only what
cites the passages it was given, and quotes them word for word, is shown."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from topics import assistant
from topics.assistant import generation

pytestmark = pytest.mark.django_db

QUESTION = "How do plants turn light into sugar?"
LABEL = "Machine-generated summary of the reviewed passages below — not reviewed"


class FakeModel(BaseHTTPRequestHandler):
    """POST /v1/chat/completions: answers with `server.reply` (after
    `server.delay` seconds, with `server.status`), and keeps each request."""

    def do_POST(self):  # noqa: N802 (the standard library's name)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.requests.append(
            {"path": self.path, "body": body, "auth": self.headers.get("Authorization")}
        )
        time.sleep(self.server.delay)
        payload = json.dumps(
            {
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": self.server.reply},
                    }
                ]
            }
        ).encode()
        self.send_response(self.server.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def model(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeModel)
    server.requests, server.reply, server.delay, server.status = [], "", 0, 200
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.ASSISTANT_LLM_BASE_URL = f"http://127.0.0.1:{server.server_port}/v1"
    settings.ASSISTANT_LLM_MODEL = "fake-model"
    settings.ASSISTANT_LLM_API_KEY = "sk-test"
    settings.ASSISTANT_LLM_TIMEOUT = 1.0
    yield server
    server.shutdown()
    server.server_close()


def summary_of(client):
    html = client.get("/assistant/", {"q": QUESTION}).content.decode()
    if LABEL not in html:
        return html, None
    start = html.index('<div class="machine-summary"')
    return html, html[start : html.index("</div>", start)]


def test_off_by_default_no_summary_and_no_request(client, library, settings):
    assert not settings.ASSISTANT_LLM_BASE_URL
    html, summary = summary_of(client)

    assert summary is None
    assert "turn light energy into chemical energy" in html


def test_the_model_gets_the_question_and_the_retrieved_passages_only(
    client, library, model
):
    model.reply = "Plants turn light energy into chemical energy [1]."
    hits = assistant.answer(QUESTION, record=False).hits
    summary_of(client)

    request = model.requests[0]
    assert request["path"] == "/v1/chat/completions"
    assert request["auth"] == "Bearer sk-test"
    assert request["body"]["model"] == "fake-model"
    prompt = request["body"]["messages"][-1]["content"]
    assert QUESTION in prompt
    for number, hit in enumerate(hits, start=1):
        assert f"[{number}] (" in prompt and hit.passage.text in prompt
    assert "Tides are the regular rise" not in prompt


def test_cited_sentences_are_shown_above_the_passages_labelled(client, library, model):
    model.reply = (
        'Photosynthesis stores "light energy into chemical energy" in sugars [1]. '
        "The Calvin cycle fixes carbon dioxide [2]."
    )
    html, summary = summary_of(client)

    assert summary is not None
    assert html.index(LABEL) < html.index('<ol class="passages">')
    assert (
        "Photosynthesis stores &quot;light energy into chemical energy&quot; in sugars."
        in summary
    )
    assert '<a href="#passage-1">[1]</a>' in summary
    assert "The Calvin cycle fixes carbon dioxide." in summary


def test_a_sentence_citing_a_passage_it_was_not_given_is_dropped(
    client, library, model
):
    model.reply = (
        "Plants turn light energy into chemical energy [1]. "
        "Photosynthesis was discovered on Mars in 1902 [7]."
    )
    _html, summary = summary_of(client)

    assert "Plants turn light energy into chemical energy." in summary
    assert "Mars" not in summary


def test_a_sentence_that_misquotes_is_dropped(client, library, model):
    model.reply = (
        'The entry says plants "turn moonlight into chemical energy" [1]. '
        "The light reactions release oxygen [2]."
    )
    _html, summary = summary_of(client)

    assert "moonlight" not in summary
    assert "The light reactions release oxygen." in summary


def test_a_sentence_without_a_citation_is_dropped(client, library, model):
    model.reply = "Plants are green because they like it. Sugar is stored [1]."
    _html, summary = summary_of(client)

    assert "green" not in summary and "Sugar is stored." in summary


def test_nothing_valid_means_no_summary_at_all(client, library, model):
    model.reply = "Everything about plants is known [9]. NONE"
    html, summary = summary_of(client)

    assert summary is None
    assert "turn light energy into chemical energy" in html


@pytest.mark.parametrize("failure", ["timeout", "error", "garbage"])
def test_a_slow_or_failing_server_leaves_the_passages_alone(
    client, library, model, failure
):
    model.reply = "Plants turn light energy into chemical energy [1]."
    if failure == "timeout":
        model.delay = 1.5
    elif failure == "error":
        model.status = 500
    else:
        model.reply = None  # {"content": null}

    started = time.monotonic()
    html, summary = summary_of(client)

    assert summary is None
    assert "turn light energy into chemical energy" in html
    assert time.monotonic() - started < 1.4


def test_the_summary_is_never_on_topic_pages_nor_stored(client, library, model):
    from topics.models import Passage, VersionPage

    model.reply = "Plants turn light energy into chemical energy [1]."
    summary_of(client)

    assert LABEL not in client.get("/topics/photosynthesis/").content.decode()
    assert not VersionPage.objects.filter(
        body_html__contains="Plants turn light"
    ).exists()
    assert not Passage.objects.filter(text__startswith="Plants turn light").exists()


def test_the_check_reads_sentences_and_citations():
    texts = [
        "Dropout removes units at random during training.",
        "Tides rise twice a day.",
    ]
    reply = (
        'Dropout "removes units at random" [1]. Tides rise [2][1]! '
        "Unsupported claim. Bad number [3]. Quote “rise three times” [2]."
    )
    summary = generation.check(reply, texts)

    assert [(s.text, s.passages) for s in summary.sentences] == [
        ('Dropout "removes units at random".', [1]),
        ("Tides rise!", [1, 2]),
    ]
    assert summary.dropped == 3
