"""The SMTP client's extensions against real servers on loopback (aiosmtpd): STARTTLS with
the certificate checked (and refused when it cannot be), AUTH over TLS only, and PIPELINING
when the server offers it — seen on the wire through a recording TCP proxy."""
import asyncio
import ssl
import subprocess
import threading

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from conftest import free_port, run


class Recorder:
    def __init__(self, pipelining=False):
        self.messages = []
        self.pipelining = pipelining

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        if self.pipelining:
            responses.insert(len(responses) - 1, "250-PIPELINING")
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("nobody@"):
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append({"tls": session.ssl is not None, "authenticated": session.authenticated, "to": envelope.rcpt_tos})
        return "250 2.0.0 queued"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == b"ceptoar" and auth_data.password == b"s3cret-pw"
    return AuthResult(success=ok, handled=False)


@pytest.fixture(scope="module")
def tls_context(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tls")
    key, cert = folder / "key.pem", folder / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "1",
                    "-subj", "/CN=localhost"], check=True, capture_output=True)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(cert), str(key))
    return context


def mail_test(url, to="poc@bank.example.jp"):
    return run("mail-test", "--smtp", url, "--from", "ceptoar@nisc.example.jp", "--to", to, "--subject", "【試験】TLS", "--body", "本文")


def test_starttls_and_auth_against_a_server_that_requires_both(tls_context):
    recorder = Recorder()
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port, tls_context=tls_context, require_starttls=True,
                            authenticator=authenticator, auth_require_tls=True)
    controller.start()
    try:
        code, out, err = mail_test(f"smtp+starttls://ceptoar:s3cret-pw@127.0.0.1:{port}?verify=false")
        assert code == 0, err
        assert recorder.messages == [{"tls": True, "authenticated": True, "to": ["poc@bank.example.jp"]}]
        # A wrong password is refused by the server, and said so.
        code, _, err = mail_test(f"smtp+starttls://ceptoar:wrong@127.0.0.1:{port}?verify=false")
        assert code != 0 and "authentication failed" in err
        # The certificate is checked unless the URL says otherwise: a self-signed one is refused.
        code, _, err = mail_test(f"smtp+starttls://ceptoar:s3cret-pw@127.0.0.1:{port}")
        assert code != 0 and "could not send" in err
        assert len(recorder.messages) == 1
    finally:
        controller.stop()


def test_a_password_is_never_sent_in_clear_text_to_a_remote_server_and_starttls_can_be_required():
    recorder = Recorder()
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        # smtp+starttls:// to a server without STARTTLS: refused before anything is sent.
        code, _, err = mail_test(f"smtp+starttls://127.0.0.1:{port}")
        assert code != 0 and "does not offer STARTTLS" in err
        # Opportunistic (smtp://) to the same server sends in the clear, as to a loopback relay.
        code, _, err = mail_test(f"smtp://127.0.0.1:{port}")
        assert code == 0, err
        assert recorder.messages[0]["tls"] is False
    finally:
        controller.stop()


class Proxy:
    """A TCP proxy that keeps every chunk the client sends, to see what travels together."""

    def __init__(self, target_port):
        self.port = free_port()
        self.target = target_port
        self.chunks = []
        self.loop = asyncio.new_event_loop()
        ready = threading.Event()

        def serve():
            asyncio.set_event_loop(self.loop)
            self.server = self.loop.run_until_complete(asyncio.start_server(self.handle, "127.0.0.1", self.port))
            ready.set()
            self.loop.run_forever()

        threading.Thread(target=serve, daemon=True).start()
        ready.wait()

    async def handle(self, client_reader, client_writer):
        server_reader, server_writer = await asyncio.open_connection("127.0.0.1", self.target)

        async def pump(reader, writer, record):
            while data := await reader.read(65536):
                if record:
                    self.chunks.append(data)
                writer.write(data)
                await writer.drain()
            writer.close()

        await asyncio.gather(pump(client_reader, server_writer, True), pump(server_reader, client_writer, False))

    def stop(self):
        self.loop.call_soon_threadsafe(self.loop.stop)


def test_pipelining_when_offered_sends_a_messages_commands_together_and_still_reports_refusals():
    for offered in (True, False):
        recorder = Recorder(pipelining=offered)
        port = free_port()
        controller = Controller(recorder, hostname="127.0.0.1", port=port)
        controller.start()
        proxy = Proxy(port)
        try:
            code, out, _ = mail_test(f"smtp://127.0.0.1:{proxy.port}", to="poc@bank.example.jp,nobody@bank.example.jp,poc2@water.example.jp")
            text = out.decode()
            assert "poc@bank.example.jp: accepted" in text and "poc2@water.example.jp: accepted" in text
            assert "nobody@bank.example.jp: failed, permanent (550" in text
            assert [m["to"] for m in recorder.messages] == [["poc@bank.example.jp"], ["poc2@water.example.jp"]]
            together = [c for c in proxy.chunks if b"MAIL FROM" in c and b"RCPT TO" in c and b"DATA" in c]
            # Offered: MAIL, RCPT and DATA of each message in one write; not offered: never.
            assert (len(together) == 3) if offered else (together == [])
        finally:
            proxy.stop()
            controller.stop()
