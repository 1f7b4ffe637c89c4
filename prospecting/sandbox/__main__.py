import argparse
import logging
import os

import django


def main():
    parser = argparse.ArgumentParser(description="Serve Quarry's sandbox of the five providers.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8100)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prospecting.settings")
    django.setup()
    from django.conf import settings

    from prospecting.sandbox.server import SandboxServer

    if not settings.SANDBOX_ENABLED:
        raise SystemExit("The sandbox is disabled (QUARRY_SANDBOX=false, the default in production).")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s sandbox: %(message)s")
    server = SandboxServer((args.host, args.port))
    logging.info("serving Lix, LookC, LinkUp, Lusha and LeadIQ at %s", server.url)
    server.run()


if __name__ == "__main__":
    main()
