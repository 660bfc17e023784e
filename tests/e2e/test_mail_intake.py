"""Reports by mail, end to end over real SMTP: a member's mail client submits to the receiving
MTA (aiosmtpd on loopback, standing where Postfix would), which stamps its Authentication-Results
— as OpenDKIM/OpenDMARC would after checking the signature — and hands each message to
`ceptoar intake mail --recipient …` like Postfix's pipe transport. Ceptoar files the report and
answers through its SMTP relay (a second aiosmtpd that records what it gets)."""
import smtplib
import threading
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
import requests
from aiosmtpd.controller import Controller

from alerting import MailRecorder, start_server, stop_server
from conftest import free_port, run

AUTHSERV = "mx.ceptoar.test"
DOMAIN = "reports.ceptoar.test"


class ReceivingMTA:
    """Accepts mail for the report addresses, stamps the authentication result it was told the
    sender's domain earned (a stand-in for the DKIM/DMARC verifier), and pipes it to Ceptoar."""

    def __init__(self, database, relay_port):
        self.database = database
        self.relay_port = relay_port
        self.verdicts = {}
        self.results = []
        self.lock = threading.Lock()
        self.port = free_port()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if not address.lower().endswith("@" + DOMAIN):
            return "550 5.1.1 not a report address"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        domain = envelope.mail_from.rsplit("@", 1)[-1].lower()
        verdict = self.verdicts.get(domain, "dmarc=none")
        # The MTA's own stamp goes on top, where Ceptoar reads it.
        stamp = f"Authentication-Results: {AUTHSERV}; {verdict} header.from={domain}\r\n".encode()
        message = stamp + envelope.original_content
        codes = []
        for recipient in envelope.rcpt_tos:
            env = {"CEPTOAR_INTAKE_DOMAIN": DOMAIN, "CEPTOAR_INTAKE_AUTHSERV_ID": AUTHSERV, "CEPTOAR_SMTP_URL": f"smtp://127.0.0.1:{self.relay_port}",
                   "CEPTOAR_MAIL_FROM": "ceptoar@" + DOMAIN}
            code, out, err = run("intake", "mail", "--recipient", recipient, "--database", self.database, env=env, input=message)
            with self.lock:
                self.results.append((recipient, code, out.decode(), err))
            codes.append(code)
        # Postfix's pipe: a failing command makes the message bounce (here: refused in session).
        return "250 2.0.0 delivered" if all(c == 0 for c in codes) else "550 5.7.1 not accepted"

    def up(self):
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def down(self):
        self.controller.stop()


@pytest.fixture(scope="module")
def nation(tmp_path_factory):
    database = str(tmp_path_factory.mktemp("intake") / "node.sqlite")
    assert run("seed", "--demo", "--database", database)[0] == 0
    relay = MailRecorder().up()
    mta = ReceivingMTA(database, relay.port).up()
    port = free_port()
    server = start_server(database, port)
    yield {"database": database, "relay": relay, "mta": mta, "base": f"http://127.0.0.1:{port}"}
    stop_server(server)
    mta.down()
    relay.down()


def report_mail(sender, to, body):
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = "情報連絡（第一報）"
    message["Message-ID"] = make_msgid(domain="demo.ceptoar.example")
    message.set_content(body, charset="iso-2022-jp")
    return message


TEMPLATE = """概要: 勘定系システムの一部が停止
影響を受けたサービス: 勘定系
検知日時: {detected}
事象の種類: unavailability
要因: unintentional.hardware
サービスレベル未達: はい
サービスの継続性: 3
安全性: 0
信頼の失墜: 2
TLP: AMBER
報告者名の扱い: anonymised
"""


def detected_an_hour_ago():
    import datetime
    return (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")


def send(nation, message, sender):
    with smtplib.SMTP("127.0.0.1", nation["mta"].port, timeout=60) as client:
        return client.send_message(message, from_addr=sender)


def test_an_authenticated_members_mail_is_filed_and_answered(nation):
    sender = "bank@demo.ceptoar.example"
    nation["mta"].verdicts["demo.ceptoar.example"] = "dmarc=pass"
    before = len(nation["relay"].received())
    send(nation, report_mail(sender, "banks@" + DOMAIN, TEMPLATE.format(detected=detected_an_hour_ago())), sender)
    recipient, code, out, err = nation["mta"].results[-1]
    assert code == 0, err
    assert out.startswith("filed 1 report(s)")
    report_id = out.split()[-1]
    reply = nation["relay"].wait_for(before + 1)[-1]
    assert reply["To"] == sender and "Report received" in str(reply["Subject"])
    assert report_id in reply.get_content()
    # The report is in the same flow: the banks' secretariat holds it.
    token = run("token", "create", "--email", "banks-secretariat@demo.ceptoar.example", "--database", nation["database"])[1].decode().strip()
    seen = requests.get(nation["base"] + f"/api/v1/reports/{report_id}", headers={"Authorization": "Bearer " + token})
    assert seen.status_code == 200 and seen.json()["hops"][0]["step"] == "ceptoar" and seen.json()["severity"] == 3


def test_a_wrong_report_is_answered_with_its_problems_and_nothing_is_filed(nation):
    sender = "bank@demo.ceptoar.example"
    nation["mta"].verdicts["demo.ceptoar.example"] = "dmarc=pass"
    before = len(nation["relay"].received())
    body = TEMPLATE.format(detected="tomorrow").replace("TLP: AMBER", "TLP: PURPLE")
    send(nation, report_mail(sender, "banks@" + DOMAIN, body), sender)
    recipient, code, out, err = nation["mta"].results[-1]
    assert code == 0 and out.startswith("refused"), (out, err)
    reply = nation["relay"].wait_for(before + 1)[-1]
    text = reply.get_content()
    assert "detectedAt" in text and "tlp" in text and "detected_at: " in text
    assert "not accepted" in str(reply["Subject"])


def test_an_unauthenticated_mail_is_refused_in_the_session_and_never_answered(nation):
    nation["mta"].verdicts["demo.ceptoar.example"] = "dmarc=fail"
    before = len(nation["relay"].received())
    sender = "bank@demo.ceptoar.example"
    with pytest.raises(smtplib.SMTPDataError) as refused:
        send(nation, report_mail(sender, "banks@" + DOMAIN, TEMPLATE.format(detected=detected_an_hour_ago())), sender)
    assert refused.value.smtp_code == 550
    recipient, code, out, err = nation["mta"].results[-1]
    assert code != 0 and "not authenticated" in err
    assert len(nation["relay"].received()) == before


def test_a_malformed_mail_is_refused_with_a_message_not_a_crash(nation, tmp_path):
    path = tmp_path / "garbage.eml"
    path.write_bytes(b"\xff\xfe" * 1000)
    env = {"CEPTOAR_INTAKE_DOMAIN": DOMAIN, "CEPTOAR_INTAKE_AUTHSERV_ID": AUTHSERV}
    code, out, err = run("intake", "mail", str(path), "--database", nation["database"], env=env)
    assert code != 0 and "rejected" in err
    code, out, err = run("intake", "mail", str(path), "--database", nation["database"])
    assert code != 0 and "not set up" in err
    code, out, err = run("intake", "smoke", "--database", nation["database"])
    assert code != 0 and "usage" in err
