"""SCTP requests for the end-to-end tests: COUNT associations to ADDRESS:PORT one after the other,
each from SOURCE when given (bound first: an SCTP client otherwise offers every address of its
namespace), each printing one JSON line: the pod answer, or {"error": REASON}.

    python3 probe.py ADDRESS PORT COUNT [SOURCE]
"""

import json
import socket
import sys


def once(address, port, source):
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_SCTP) as sock:
        sock.settimeout(2)
        if source:
            sock.bind((source, 0))
        try:
            sock.connect((address, port))
            return json.loads(sock.recv(4096).decode())
        except (OSError, ValueError) as err:
            return {"error": type(err).__name__ if not getattr(err, "errno", None) else err.strerror}


def main():
    address, port, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    source = sys.argv[4] if len(sys.argv) > 4 else None
    for _ in range(count):
        print(json.dumps(once(address, port, source)), flush=True)


main()
