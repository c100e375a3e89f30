"""SCTP pods for the end-to-end tests: Node.js has no SCTP, so this small server does for SCTP
what ../backends does for HTTP and UDP. Every address given (already bound in this namespace)
listens on PORT; each association gets the pod answer, {"pod": ADDRESS, "client": PEER}, and is
closed. One line "ready" on stdout once every address listens; runs until stdin closes.

    python3 pods.py PORT ADDRESS...
"""

import json
import selectors
import socket
import sys
import threading


def listener(address, port):
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_SCTP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((address, port))
    sock.listen(64)
    sock.setblocking(False)
    return sock


def serve(listeners):
    selector = selectors.DefaultSelector()
    for address, sock in listeners:
        selector.register(sock, selectors.EVENT_READ, address)
    while True:
        for key, _ in selector.select():
            try:
                conn, peer = key.fileobj.accept()
            except BlockingIOError:
                continue
            with conn:
                conn.setblocking(True)
                conn.sendall(json.dumps({"pod": key.data, "client": peer[0]}).encode())


def main():
    port = int(sys.argv[1])
    listeners = [(address, listener(address, port)) for address in sys.argv[2:]]
    threading.Thread(target=serve, args=(listeners,), daemon=True).start()
    print("ready", flush=True)
    sys.stdin.read()


main()
