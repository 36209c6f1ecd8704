"""A phone in its own process, so a live test can freeze it (SIGSTOP) like a phone gone silent.

    python -m tests.live_tests.phone <base url> <token>

Prints one JSON line when online ({"ready": <ack status>}) and one per offer it receives.
"""

from __future__ import annotations

import json
import sys

import socketio


def main() -> None:
    """Connect, go online, report offers, then keep answering pings until stopped."""
    url, token = sys.argv[1], sys.argv[2]
    client = socketio.Client(reconnection=False)

    @client.on("offer.created", namespace="/expert")
    def offered(offer: dict) -> None:
        print(json.dumps({"offer": offer["id"], "question": offer["question"]["id"]}), flush=True)

    client.connect(
        url,
        namespaces=["/expert"],
        auth={"token": token},
        transports=["websocket"],
        wait_timeout=10,
    )
    ack = client.call(
        "availability.set", {"availability": "online"}, namespace="/expert", timeout=10
    )
    print(json.dumps({"ready": ack["status"]}), flush=True)
    client.wait()


if __name__ == "__main__":
    main()
