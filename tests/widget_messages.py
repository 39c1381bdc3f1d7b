"""What a widget sends to the front end, recorded in a headless test (no browser)."""
from __future__ import annotations


def record_sent(widget, monkeypatch) -> list[dict]:
    """Every message ``widget`` sends to the front end from now on (still sent), in order."""
    sent: list[dict] = []
    original = widget._send

    def send(msg, buffers=None):
        sent.append(msg)
        return original(msg, buffers=buffers)
    monkeypatch.setattr(widget, "_send", send)
    return sent
