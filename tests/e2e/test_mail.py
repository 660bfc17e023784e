"""The mail channel against a real SMTP server on loopback (aiosmtpd): Japanese subjects and
bodies arrive intact, one connection carries several messages, and a refused recipient is
reported as a permanent failure while the others are still delivered."""
import email
import email.header
import email.policy

from aiosmtpd.controller import Controller

from conftest import free_port, run


class Recorder:
    """Keeps every message; refuses one mailbox as a real server refuses an unknown user."""

    def __init__(self):
        self.messages = []
        self.sessions = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == "nobody@bank.example.jp":
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.sessions.add(id(session))
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 2.0.0 queued"


def test_mail_reaches_a_real_smtp_server(tmp_path):
    recorder = Recorder()
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        code, out, err = run(
            "mail-test", "--smtp", f"127.0.0.1:{port}", "--from", "ceptoar@nisc.example.jp",
            "--to", "poc1@bank.example.jp,nobody@bank.example.jp,poc2@water.example.jp",
            "--subject", "【訓練】疎通確認のお願い：金融分野セプター緊急連絡網の確認（第3回）",
            "--body", "受信したらリンクをクリックしてください。\n.\n以上")
    finally:
        controller.stop()
    text = out.decode()
    # The refused mailbox fails the command, but the others were delivered.
    assert code != 0 and "not every message was accepted" in err
    assert "poc1@bank.example.jp: accepted" in text and "poc2@water.example.jp: accepted" in text
    assert "nobody@bank.example.jp: failed, permanent (550" in text
    assert [m[1] for m in recorder.messages] == [["poc1@bank.example.jp"], ["poc2@water.example.jp"]]
    assert len(recorder.sessions) == 1  # one connection for all three
    message = email.message_from_bytes(recorder.messages[0][2], policy=email.policy.default)
    assert message["Subject"] == "【訓練】疎通確認のお願い：金融分野セプター緊急連絡網の確認（第3回）"
    # Text in canonical form: CRLF line ends inside the base64, as MIME asks.
    assert message.get_content() == "受信したらリンクをクリックしてください。\r\n.\r\n以上"
    assert message.get_content_charset() == "utf-8"
    assert message["Message-ID"].endswith("@ceptoar.localhost>")


def test_mail_test_refuses_bad_arguments():
    for args, words in [
        (["--smtp", "localhost", "--from", "a@b.jp", "--to", "c@d.jp"], "HOST:PORT"),
        (["--smtp", "127.0.0.1:25", "--from", "not-mail", "--to", "c@d.jp"], "not an email address"),
        (["--smtp", "127.0.0.1:1", "--from", "a@b.jp", "--to", "c@d.jp"], "could not send"),
    ]:
        code, _, err = run("mail-test", *args)
        assert code != 0 and words in err, err


def test_several_connections_share_a_large_send():
    recorder = Recorder()
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        code, out, err = run("mail-test", "--smtp", f"127.0.0.1:{port}", "--from", "ceptoar@nisc.example.jp",
                             "--to", "a@bank.example.jp,b@bank.example.jp,c@water.example.jp", "--copies", "20", "--connections", "4")
    finally:
        controller.stop()
    assert code == 0, err
    assert "60 of 60 messages accepted" in out.decode() and "over 4 connection(s)" in out.decode()
    assert len(recorder.messages) == 60 and len(recorder.sessions) == 4
