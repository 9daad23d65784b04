"""A TCP relay that times Streamlit's websocket messages on the wire, between Chromium and the
server: when a tab's rerun request (a BackMsg with rerun_script) passes, and when its
script_finished ForwardMsg passes back.

Why not Chromium's own DevTools events (Network.webSocketFrameSent/Received): Chromium
raises them on the page's main thread, so a tab busy drawing its charts sees a frame late
and is charged for its own drawing. On this 2-core machine five tabs draw on the server's
cores, and that made Chromium's interval 2-3x the protocol client's for the same change.
The relay reads the bytes as they cross the socket, as a classroom's network would carry
them. It asks for no compression (it drops the browser's Sec-WebSocket-Extensions offer),
so every frame can be read; the messages are otherwise passed on byte for byte.
Frame format: RFC 6455, section 5.2.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

STREAM_PATH = b"/_stcore/stream"
BINARY = 2  # opcode of a binary frame, which carries a protobuf


class WireClock:
    """Relay ``127.0.0.1:port`` to the server at ``upstream`` and keep, per websocket, the
    times its rerun requests and script_finished messages passed: ``sockets[i]`` is a list
    of (perf_counter seconds, "rerun" or "finished")."""

    def __init__(self, upstream: int) -> None:
        self.upstream = upstream
        self.sockets: list[list[tuple[float, str]]] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._serve, name="wire-clock", daemon=True)

    def __enter__(self) -> WireClock:
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._listener.close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def mark(self) -> list[int]:
        """How many events each websocket has seen so far."""
        return [len(events) for events in self.sockets]

    def rerun_seconds(self, since: list[int]) -> list[float]:
        """Per websocket: from its first rerun request after ``since`` to the next
        script_finished (websockets without a rerun since then are left out)."""
        spans = []
        for events, start in zip(self.sockets, since + [0] * len(self.sockets), strict=False):
            after = events[start:]
            sent = next((t for t, what in after if what == "rerun"), None)
            done = next((t for t, what in after
                         if what == "finished" and sent is not None and t >= sent), None)
            if done is not None:
                spans.append(done - sent)
        return spans

    # ------------------------------------------------------------------------- relay

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(
            asyncio.start_server(self._relay, sock=self._listener))
        try:
            self._loop.run_forever()
        finally:
            server.close()
            pending = asyncio.all_tasks(self._loop)  # open connections: end them quietly
            for task in pending:
                task.cancel()
            self._loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            self._loop.close()

    async def _relay(self, browser_in, browser_out) -> None:
        server_in, server_out = await asyncio.open_connection("127.0.0.1", self.upstream)
        head = await _read_head(browser_in)
        if STREAM_PATH in head.split(b"\r\n", 1)[0]:
            events: list[tuple[float, str]] = []
            self.sockets.append(events)
            server_out.write(_without_extensions(head))
            reply = await _read_head(server_in)
            browser_out.write(reply)
            await asyncio.gather(
                _frames(browser_in, server_out, events, BackMsg, "rerun_script", "rerun"),
                _frames(server_in, browser_out, events, ForwardMsg, "script_finished",
                        "finished"),
                return_exceptions=True)
        else:
            server_out.write(head)
            await asyncio.gather(_copy(browser_in, server_out), _copy(server_in, browser_out),
                                 return_exceptions=True)
        for writer in (browser_out, server_out):
            writer.close()


async def _read_head(reader) -> bytes:
    return await reader.readuntil(b"\r\n\r\n")


def _without_extensions(head: bytes) -> bytes:
    lines = head.split(b"\r\n")
    return b"\r\n".join(line for line in lines
                        if not line.lower().startswith(b"sec-websocket-extensions:"))


async def _copy(reader, writer) -> None:
    while chunk := await reader.read(65536):
        writer.write(chunk)
        await writer.drain()
    writer.close()


async def _frames(reader, writer, events, kind, field: str, name: str) -> None:
    """Pass frames on unchanged, noting when a message of type ``field`` went by."""
    while True:
        header = await reader.readexactly(2)
        opcode, masked, length = header[0] & 0x0F, header[1] & 0x80, header[1] & 0x7F
        extended = b""
        if length == 126:
            extended = await reader.readexactly(2)
        elif length == 127:
            extended = await reader.readexactly(8)
        if extended:
            length = int.from_bytes(extended, "big")
        mask = await reader.readexactly(4) if masked else b""
        payload = await reader.readexactly(length)
        if opcode == BINARY:
            data = _unmasked(payload, mask) if mask else payload
            if kind.FromString(data).WhichOneof("type") == field:
                events.append((time.perf_counter(), name))
        writer.write(header + extended + mask + payload)
        await writer.drain()


def _unmasked(payload: bytes, mask: bytes) -> bytes:
    key = int.from_bytes((mask * (len(payload) // 4 + 1))[:len(payload)], "big")
    return (int.from_bytes(payload, "big") ^ key).to_bytes(len(payload), "big")
