"""A loopback SMTP server that accepts everything and counts it (aiosmtpd), for the mail
benchmark in scripts/bench.sh. Usage: smtp-sink.py PORT; stops on SIGTERM, printing the count."""
import asyncio
import signal
import sys

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self):
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        return "250 OK"


sink = Sink()
controller = Controller(sink, hostname="127.0.0.1", port=int(sys.argv[1]))
controller.start()
signal.sigwait({signal.SIGTERM, signal.SIGINT})
controller.stop()
print(f"accepted {sink.count}", flush=True)
